"""fastnn's benchmark suite: `python -m perf` (or python perf/run.py). See perf/README.md."""
