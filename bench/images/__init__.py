"""The image bench, `make bench-images` (`python -m bench.images`): see bench/images/run.py."""
