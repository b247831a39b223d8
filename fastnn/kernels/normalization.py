"""Normalization: a fixed per-feature standardisation of the input, Keras 3 semantics (the same
in training and inference; mean and variance come from adapt() or the constructor, and are
non-trainable state).

normalization_forward(out, x, mean, var, n, B, invert)
normalization_backward(dx, dout, var, n, B, invert)

y = (x - mean) / max(sqrt(var), 1e-7), or with invert: y = mean + x * max(sqrt(var), 1e-7).
"""
import math

from .codes import code_of
from .fastmath import typed
from .jit import kernel

NORMALIZATION = code_of("normalization")
EPSILON = 1e-7  # keras.backend.epsilon(), the floor of the standard deviation


@kernel
def normalization_forward(out, x, mean, var, n, B, invert):
    for j in range(n):
        std = max(math.sqrt(max(float(var[j]), 0.0)), EPSILON)
        m = mean[j]
        if invert:
            s = typed(out, std)
            for i in range(B):
                out[j * B + i] = m + x[j * B + i] * s
        else:
            s = typed(out, 1.0 / std)
            for i in range(B):
                out[j * B + i] = (x[j * B + i] - m) * s


@kernel
def normalization_backward(dx, dout, var, n, B, invert):
    for j in range(n):
        std = max(math.sqrt(max(float(var[j]), 0.0)), EPSILON)
        s = typed(dx, std if invert else 1.0 / std)
        for i in range(B):
            dx[j * B + i] = dout[j * B + i] * s
