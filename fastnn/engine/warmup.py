"""Compile everything once, so that later processes start fast.

For each dtype: build the ahead-of-time compiled training kernels (fastnn/engine/aot.py; fit,
evaluate and predict then never import Numba), and fill Numba's on-disk cache for the other
public entry points (activations.get, losses.get, optimizer.apply), by running each once on
tiny data with exactly the argument types real use passes. Without a C compiler the AOT step
is skipped and the training kernels go to Numba's cache instead.
"""
import os
import time

import numpy as np


def cache_dir():
    """Where Numba keeps fastnn's compiled kernels."""
    from .. import kernels

    return kernels.numba_cache_dir()


def load_training_kernels(dtype):
    """Compile or load fit / evaluate / predict's kernels for a dtype, on tiny data. Returns the
    seconds it took: the one-time cost a process pays before its first fit."""
    from ..layers import Dense
    from ..models import Sequential

    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    x = rng.random((8, 3))
    y = (x.sum(axis=1) > 1.5).astype(float)
    model = Sequential([Dense(4, activation="tanh", input_dim=3), Dense(1, activation="sigmoid")],
                       dtype=np.dtype(dtype).name, seed=0)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=4, validation_split=0.25, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x)
    return time.perf_counter() - t0


def compile_dtype(dtype):
    """Run fit / evaluate / predict / activations / losses / optimizer.apply once for a dtype."""
    import warnings

    from .. import activations, losses, optimizers

    dtype = np.dtype(dtype).type
    load_training_kernels(dtype)
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2, 3)).astype(dtype)
    activations.get("tanh")(z)
    from ..kernels.activations import activation_backward

    f = activations.get("tanh")
    zf = z.reshape(-1)
    activation_backward(zf.copy(), zf.copy(), zf, zf.copy(), 3, 2, f.code, f.param_vector(dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        losses.get("mse")(z, z)
    optimizers.Adam().apply(np.zeros(3, dtype), np.ones(3, dtype))


def warm_dtype(dtype):
    """AOT-build (or reuse) and JIT-warm one dtype; returns a one-line report."""
    from . import aot

    t0 = time.perf_counter()
    if aot.load(dtype) is not None:
        how = "compiled module up to date"
    else:
        try:
            aot.build(dtype)
            how = "compiled module built"
        except Exception as exc:  # no C compiler, unsupported platform, ...
            os.environ["FASTNN_DISABLE_AOT"] = "1"  # so the training kernels go to Numba's cache
            how = f"compiled module unavailable ({type(exc).__name__}: {exc}); training kernels JIT-cached"
    compile_dtype(dtype)
    return f"{dtype}: {how}, everything ready in {time.perf_counter() - t0:.1f} s"


def warm(dtypes=("float32", "float64")):
    """Warm each dtype in this process; returns the report lines."""
    return [warm_dtype(dt) for dt in dtypes]
