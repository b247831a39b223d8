"""Where BLAS starts to beat fastnn's hand loops: forward + backward of one Dense layer
(n x n weights) on a feature-major batch, both paths, same process, interleaved.

    python -m perf.crossover      # prints a table; fastnn/layout.py's BLAS_MIN_WEIGHTS comes from it
"""
import time

import numpy as np

from fastnn.kernels.dense import dense_backward, dense_forward
from fastnn.kernels.jit import kernel


@kernel
def _steps(n_steps, outT, xT, w, b, dxT, dw, db, doutT, use_blas):
    for _ in range(n_steps):
        dense_forward(outT, xT, w, b, True, use_blas)
        dense_backward(dxT, dw, db, doutT, xT, w, True, True, use_blas)


def layer_seconds(n, batch, use_blas, rng):
    f = np.float32
    xT = rng.random((n, batch), dtype=f)
    w = rng.random((n, n), dtype=f)
    b = rng.random(n, dtype=f)
    outT, dxT, doutT = np.zeros((n, batch), f), np.zeros((n, batch), f), rng.random((n, batch), dtype=f)
    dw, db = np.zeros((n, n), f), np.zeros(n, f)
    steps = max(10, int(2e7 / (6 * n * n * batch)))
    _steps(1, outT, xT, w, b, dxT, dw, db, doutT, use_blas)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        _steps(steps, outT, xT, w, b, dxT, dw, db, doutT, use_blas)
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def main():
    rng = np.random.default_rng(0)
    print("| batch | n (weights n x n) | loops | BLAS | loops / BLAS |")
    print("|---|---|---|---|---|")
    for batch in (32, 128):
        for n in (8, 16, 32, 48, 64, 96, 128, 256):
            loops = layer_seconds(n, batch, False, rng)
            blas = layer_seconds(n, batch, True, rng)
            print(f"| {batch} | {n} ({n * n} weights) | {loops * 1e6:.1f} us | {blas * 1e6:.1f} us | {loops / blas:.2f} |")


if __name__ == "__main__":
    main()
