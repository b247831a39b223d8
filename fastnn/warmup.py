"""Compile every kernel into Numba's on-disk cache by running each public entry point once on
tiny data, with exactly the argument types real use passes (so the cache entries match).

A fresh install pays Numba's compilation once (about 40 s per dtype on a 2-core machine);
every later process loads the compiled code from the cache in well under a second.
"""
import os
import time

import numpy as np


def cache_dir():
    """Where Numba keeps fastnn's compiled kernels."""
    configured = os.environ.get("NUMBA_CACHE_DIR")
    if configured:
        return configured
    from . import kernels

    return os.path.join(os.path.dirname(kernels.__file__), "__pycache__")


def compile_dtype(dtype):
    """Run fit / evaluate / predict / activations / losses / optimizer.apply once for a dtype."""
    import warnings

    from . import activations, losses, optimizers
    from .layers import Dense
    from .models import Sequential

    dtype = np.dtype(dtype).type
    rng = np.random.default_rng(0)
    x = rng.random((8, 3))
    y = (x.sum(axis=1) > 1.5).astype(float)
    model = Sequential([Dense(4, activation="tanh", input_dim=3), Dense(1, activation="sigmoid")],
                       dtype=np.dtype(dtype).name, seed=0)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=4, validation_split=0.25, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x)
    z = rng.normal(size=(2, 3)).astype(dtype)
    activations.get("tanh")(z)
    from .kernels.activations import activation_backward

    f = activations.get("tanh")
    activation_backward(z.copy(), z.copy(), z, z.copy(), f.code, f.param_vector(dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        losses.get("mse")(z, z)
    optimizers.Adam().apply(np.zeros(3, dtype), np.ones(3, dtype))


def warm(dtypes=("float32", "float64")):
    """Compile (or load from the cache) every kernel for each dtype; returns seconds per dtype."""
    times = {}
    for dt in dtypes:
        t0 = time.perf_counter()
        compile_dtype(dt)
        times[dt] = time.perf_counter() - t0
    return times
