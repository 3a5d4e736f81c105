"""Sitemaps for crawlers: an index, one sitemap per month of published articles, and a
Google News sitemap of the last 48 hours, all with the image extension."""
