"""Deterministic shuffling inside kernels: SplitMix64 driving a Fisher-Yates shuffle.

The generator's whole state is one uint64 (state[0]) that the model owns and saves, so the
same seed gives the same batches whether training runs in one call or many, and a saved
model resumes with the batch order it would have had.
"""
import math

import numpy as np

from .jit import kernel


@kernel
def next_u64(state):
    state[0] += np.uint64(0x9E3779B97F4A7C15)
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@kernel
def shuffled_order(order, state):
    # order <- a uniformly random permutation of 0..n-1. j = floor(r * (i + 1) / 2^32) for a
    # 32-bit r (Lemire's multiply-shift: no 64-bit division, which cost 40 ns per element);
    # the bias, ~n / 2^32, is far below anything a training run can see.
    n = order.shape[0]
    for i in range(n):
        order[i] = i
    for i in range(n - 1, 0, -1):
        r = next_u64(state) >> np.uint64(32)
        j = np.int64((r * np.uint64(i + 1)) >> np.uint64(32))
        order[i], order[j] = order[j], order[i]


# ---- counter-based draws for the dropout and noise layers ------------------------------------------
# A draw is a pure function of (key, step, layer, element): nothing is carried from one draw to the
# next, so a seed gives the same masks whether training runs in one kernel call or many, and a
# model saved and loaded continues the same stream (it saves key and step). The mixer is
# SplitMix64's finaliser, applied to a Weyl-style combination of the four integers.
_K_STEP = np.uint64(0xD1B54A32D192ED03)
_K_LAYER = np.uint64(0xAEF17502108EF2D9)
_K_ELEMENT = np.uint64(0x9E3779B97F4A7C15)


@kernel
def mix64(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@kernel
def stream_base(key, step, layer):
    # the start of one layer's draws in one training step
    return mix64(key + np.uint64(step) * _K_STEP + np.uint64(layer) * _K_LAYER)


@kernel
def uniform_bits(base, i):
    # the 53 random bits behind uniform(base, i) (that is their value / 2^53), as an integer
    return mix64(base + np.uint64(i) * _K_ELEMENT) >> np.uint64(11)


@kernel
def uniform(base, i):
    # U[0, 1) for element i of a stream, with 53 random bits
    return np.float64(mix64(base + np.uint64(i) * _K_ELEMENT) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@kernel
def normal(base, i):
    # N(0, 1) for element i of a stream: Box-Muller on the two 32-bit halves of one draw
    h = mix64(base + np.uint64(i) * _K_ELEMENT)
    u1 = (np.float64(h >> np.uint64(32)) + 0.5) * (1.0 / 4294967296.0)  # in (0, 1): log is finite
    u2 = np.float64(h & np.uint64(0xFFFFFFFF)) * (1.0 / 4294967296.0)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
