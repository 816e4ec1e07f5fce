"""Rapport's benchmark: `python -m bench` (or `make bench`); see `bench.run`."""
