"""`make bench`: Homefront's pages under load at family and hosted scale (docs/benchmarks.md)."""
