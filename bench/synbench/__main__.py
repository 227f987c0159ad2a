"""`python3 -m synbench` (from bench/) runs the benchmark as `bench/run` does."""

from .cli import entry

entry()
