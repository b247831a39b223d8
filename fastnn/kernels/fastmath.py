"""Scalar math whose implementation depends on the dtype.

float64 is fastnn's exact mode: libm everywhere, so kernels agree with NumPy to ~1e-15.
float32 is the fast mode: tanh, the function small networks spend most time in, is a
branch-free rational approximation (the same minimax form Eigen and XLA use for float32),
max error 3.3e-7 absolute, i.e. float32 precision. It is ~50x faster than libm's tanhf
because LLVM can vectorise it; libm calls cannot be vectorised here (no SVML).
"""
import math

import numpy as np
from numba import types
from numba.extending import overload


def tanh(x):
    """Python-level fallback; inside kernels the overload below is used."""
    return math.tanh(x)


_CLAMP = 7.90531110763549805  # tanh(x) rounds to ±1 in float32 beyond this
_ALPHA = (  # odd numerator coefficients a1..a13
    4.89352455891786e-03,
    6.37261928875436e-04,
    1.48572235717979e-05,
    5.12229709037114e-08,
    -8.60467152213735e-11,
    2.00018790482477e-13,
    -2.76076847742355e-16,
)
_BETA = (4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04, 1.19825839466702e-06)


@overload(tanh, jit_options={"error_model": "numpy"})
def _tanh_overload(x):
    if x == types.float32:
        lo, hi = np.float32(-_CLAMP), np.float32(_CLAMP)
        a1, a3, a5, a7, a9, a11, a13 = (np.float32(c) for c in _ALPHA)
        b0, b2, b4, b6 = (np.float32(c) for c in _BETA)

        def tanh_f32(x):
            x = lo if x < lo else x  # NaN fails both tests and propagates
            x = hi if x > hi else x
            x2 = x * x
            p = ((((((a13 * x2 + a11) * x2 + a9) * x2 + a7) * x2 + a5) * x2 + a3) * x2 + a1) * x
            q = ((b6 * x2 + b4) * x2 + b2) * x2 + b0
            return p / q

        return tanh_f32
    return lambda x: math.tanh(x)


def typed(x, value):
    """`value` in the floating type of x (a scalar or an array). Inside kernels, a literal like
    1.0 is float64 and would drag float32 arithmetic to float64 (half the vector width, plus
    conversions): write typed(x, 1.0) in hot float32 loops instead."""
    return value


@overload(typed)
def _typed_overload(x, value):
    dtype = x.dtype if isinstance(x, types.Array) else x
    if dtype == types.float32:
        return lambda x, value: np.float32(value)
    return lambda x, value: np.float64(value)
