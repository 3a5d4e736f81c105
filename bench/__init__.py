"""Byline benchmarks: the public article read against a fixed-bytes ceiling, in one run.

`make bench` (or `python -m bench --help`) runs it; see bench/RESULTS.md for what the
numbers mean and the latest results.
"""
