"""The scale benchmarks (issue 6): ``python -m benchmarks.run --help``."""
