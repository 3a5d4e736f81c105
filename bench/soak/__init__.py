"""The soak: Byline under mixed load on PostgreSQL for minutes, with nothing lost.

`python -m bench.soak` (see bench/soak/run.py); `make soak` runs it for 10 minutes.
"""
