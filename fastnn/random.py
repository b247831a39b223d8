"""Seeds. fastnn.utils.set_random_seed(s) makes every later model reproducible: weight
initialization, the per-epoch shuffle and nothing else draw from generators derived from it
(like keras.utils.set_random_seed it also seeds Python's and NumPy's global generators)."""
import random as _py_random

import numpy as np

_seed_sequence = None


def set_random_seed(seed):
    """Seed fastnn (and random, numpy.random) so runs are bit-identical."""
    global _seed_sequence
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    _seed_sequence = np.random.SeedSequence(int(seed))
    _py_random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)


def model_seed(seed=None):
    """An integer seed for a new model: from `seed` if given, else from the global sequence
    set by set_random_seed, else fresh entropy."""
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
        return int(seed)
    if _seed_sequence is not None:
        return int(_seed_sequence.spawn(1)[0].generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def generators(seed):
    """From one seed: a NumPy Generator for weight init, the kernels' shuffle state (uint64[1]) and
    their noise stream for dropout (uint64[2]: a key, then the training step, starting at 0)."""
    init_seq, shuffle_seq, noise_seq = np.random.SeedSequence(seed).spawn(3)
    noise = np.zeros(2, dtype=np.uint64)
    noise[0] = noise_seq.generate_state(1, dtype=np.uint64)[0]
    return np.random.default_rng(init_seq), shuffle_seq.generate_state(1, dtype=np.uint64), noise
