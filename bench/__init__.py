"""Byline benchmarks, each against a ceiling or a target measured in the same run.

article: the public article read vs a fixed-bytes GET ceiling; views: page-view beacon
ingest per view store vs a POST ceiling, counted exactly; popular: /v1/popular latency on
100,000 articles and 10 million views. `make bench` (or `python -m bench --help`) runs
them; see bench/RESULTS.md for what the numbers mean and the latest results.
"""
