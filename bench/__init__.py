"""Byline benchmarks: Byline as shipped against a bare FastAPI app, in the same run.

`make bench` (or `python -m bench --help`) runs them on SQLite and PostgreSQL;
`make bench-check` is the short version that fails when a ratio misses its target.
See bench/RESULTS.md for what the numbers mean and the results.
"""
