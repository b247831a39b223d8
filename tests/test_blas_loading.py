"""SciPy's BLAS reaches the kernels without importing scipy.linalg (fastnn/engine/blas.py): a model
with BLAS-size layers trains and predicts, and a fresh process never imports scipy.linalg."""
import subprocess
import sys

CODE = """
import sys
import numpy as np
from fastnn import Dense, Sequential
model = Sequential([Dense(64, input_dim=32, activation="relu"), Dense(4)], seed=0)
assert model.build() is None and model._layout.uses_blas
model.compile("adam", "mse")
x = np.random.default_rng(0).random((64, 32)).astype("float32")
loss = model.fit(x, x[:, :4], epochs=3, verbose=0).history["loss"]
assert loss[-1] < loss[0]
print("scipy.linalg" in sys.modules, "scipy.linalg.cython_blas" in sys.modules)
"""


def test_blas_layers_train_without_importing_scipy_linalg():
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True"]


def test_the_direct_load_exposes_the_function_table_and_a_later_scipy_import_works():
    code = ("from fastnn.engine import blas; print(blas.preload()); import scipy.linalg as la, numpy as np; "
            "print(sorted(la.cython_blas.__pyx_capi__)[:1], float(la.norm(np.ones(4))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[0] == "direct" and "2.0" in proc.stdout
