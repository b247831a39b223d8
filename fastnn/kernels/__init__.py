"""fastnn.kernels: every number fastnn computes, as Numba @njit functions over flat arrays.

No classes, no mutable globals, no Python objects: contiguous float32/float64 arrays,
int64 tables and integer codes (see codes.py). The Python layer above validates and
coerces every input, so nothing here re-checks shapes or names.
"""
