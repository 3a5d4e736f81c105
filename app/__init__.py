"""Byline: a headless content API for news publishers."""
