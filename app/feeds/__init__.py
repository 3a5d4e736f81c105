"""Feeds of published articles: RSS 2.0, Atom 1.0 and JSON Feed 1.1, latest, per tag, per author."""
