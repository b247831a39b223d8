"""The ahead-of-time compiled training kernels give bit-identical results to the JIT ones, and
a missing or broken compiled module falls back to the JIT kernels."""
import numpy as np
import pytest

from fastnn import Dense, Sequential
from fastnn.engine import aot
from fastnn.engine import loop as training
from fastnn.kernels import entry_points as jit_train


def compiled(dtype):
    module = aot.load(dtype)
    if module is None:  # `fastnn warmup` builds them; build here if it has not run
        aot.build(dtype)
        module = aot.load(dtype)
    return module


def run(dtype, kernels, monkeypatch):
    monkeypatch.setitem(training._kernels, dtype, kernels)
    rng = np.random.default_rng(0)
    x = rng.random((150, 6))
    y = rng.integers(0, 3, 150)
    model = Sequential([Dense(70, input_dim=6, activation="relu"), Dense(80, activation="tanh"),
                        Dense(3, activation="softmax")], dtype=dtype, seed=4)  # 70x80 takes the BLAS path
    model.compile("nadam", "sparse_categorical_crossentropy", metrics=["accuracy", "sparse_categorical_crossentropy"])
    h = model.fit(x, y, epochs=4, batch_size=16, validation_split=0.2, verbose=0)
    return h.history, model.get_weights(), model.evaluate(x, y, verbose=0), model.predict(x)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compiled_module_matches_jit_exactly(dtype, monkeypatch):
    module = compiled(dtype)
    assert module is not jit_train and module.__name__ == f"fastnn_kernels_{dtype}"
    h1, w1, e1, p1 = run(dtype, module, monkeypatch)
    h2, w2, e2, p2 = run(dtype, jit_train, monkeypatch)
    assert h1 == h2 and e1 == e2
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))
    np.testing.assert_array_equal(p1, p2)


def test_broken_or_missing_module_falls_back(tmp_path, monkeypatch):
    monkeypatch.setenv("FASTNN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(aot, "_KERNELS_DIR", tmp_path / "package")  # not the modules the install built
    monkeypatch.setattr(aot, "_loaded", {})
    assert aot.load("float32") is None  # nothing built there
    path = aot.module_path("float32")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a shared object")
    monkeypatch.setattr(aot, "_loaded", {})
    assert aot.load("float32") is None


def test_the_key_follows_the_kernel_sources(monkeypatch):
    key = aot.cache_key("float32")
    assert key != aot.cache_key("float64")
    monkeypatch.setattr(aot, "_cpu_id", lambda: "another cpu")
    assert aot.cache_key("float32") != key


def test_portable_modules_have_their_own_key_and_are_found_after_this_cpus(monkeypatch):
    assert aot.cache_key("float32", aot.PORTABLE_TARGET) != aot.cache_key("float32")
    monkeypatch.setattr(aot, "runs_portable", lambda: True)
    paths = aot._candidates("float32")
    assert paths[0] == aot.module_path("float32")  # this CPU's build first
    assert aot.module_path("float32", target=aot.PORTABLE_TARGET) in paths
    monkeypatch.setattr(aot, "runs_portable", lambda: False)
    assert all(aot.cache_key("float32", aot.PORTABLE_TARGET) not in str(p) for p in aot._candidates("float32"))
    monkeypatch.setenv("FASTNN_KERNEL_TARGET", "pentium")
    with pytest.raises(ValueError, match="FASTNN_KERNEL_TARGET"):
        aot.build_target()
