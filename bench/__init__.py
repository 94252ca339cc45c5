"""Benchmarks: each module measures one capability against a baseline and writes its section of docs/benchmarks.md."""
