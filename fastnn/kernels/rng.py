"""Deterministic shuffling inside kernels: SplitMix64 driving a Fisher-Yates shuffle.

The generator's whole state is one uint64 (state[0]) that the model owns and saves, so the
same seed gives the same batches whether training runs in one call or many, and a saved
model resumes with the batch order it would have had.
"""
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
