"""Measured experiments kept for the record (not part of `python -m perf`)."""
