"""kdash's benchmark harness: `make bench` (python -m benchmarks) measures DESIGN.md §7's targets."""
