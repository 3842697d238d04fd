"""The benchmark of issue 7: generated content, a production-like server, wrk, and docs/benchmarks.md."""
