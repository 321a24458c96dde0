"""chainrule's performance benchmark: `python -m benchmarks.bench` writes benchmarks/RESULTS.md."""
