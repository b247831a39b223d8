"""Where BLAS starts to beat fastnn's hand loops: forward + backward of one Dense layer on a
feature-major batch, both paths, same process.

    python -m perf.crossover      # prints a table; fastnn/engine/layout.py's BLAS_MIN_WEIGHTS comes from it
"""
import time

import numpy as np

from fastnn.kernels.dense import dense_backward, dense_forward
from fastnn.kernels.jit import kernel


@kernel
def _steps(n_steps, outT, xT, w, b, dxT, dw, db, doutT, n_in, n_out, B, use_blas):
    for _ in range(n_steps):
        dense_forward(outT, xT, w, b, n_in, n_out, B, True, use_blas)
        dense_backward(dxT, dw, db, doutT, xT, w, n_in, n_out, B, True, True, use_blas)


def layer_seconds(n_in, n_out, batch, use_blas, rng):
    f = np.float32
    xT = rng.random(n_in * batch, dtype=f)
    w = rng.random(n_in * n_out, dtype=f)
    b = rng.random(n_out, dtype=f)
    outT, dxT, doutT = np.zeros(n_out * batch, f), np.zeros(n_in * batch, f), rng.random(n_out * batch, dtype=f)
    dw, db = np.zeros(n_in * n_out, f), np.zeros(n_out, f)
    steps = max(10, int(2e7 / (6 * n_in * n_out * batch)))
    args = (outT, xT, w, b, dxT, dw, db, doutT, n_in, n_out, batch, use_blas)
    _steps(1, *args)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        _steps(steps, *args)
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def table(shapes=((5, 20), (20, 1), (64, 2), (12, 12), (16, 16), (32, 32), (64, 64), (256, 10), (256, 256))):
    """Markdown rows: forward + backward of one layer, loops vs BLAS, batch 32 and 128."""
    rng = np.random.default_rng(0)
    rows = ["| batch | layer (n_in x n_out) | loops | BLAS | loops / BLAS | fastnn uses |", "|---|---|---|---|---|---|"]
    from fastnn.engine.layout import BLAS_MIN_SIDE, BLAS_MIN_WEIGHTS

    for batch in (32, 128):
        for n_in, n_out in shapes:
            loops = layer_seconds(n_in, n_out, batch, False, rng)
            blas = layer_seconds(n_in, n_out, batch, True, rng)
            uses = "BLAS" if n_in * n_out >= BLAS_MIN_WEIGHTS and min(n_in, n_out) >= BLAS_MIN_SIDE else "loops"
            rows.append(f"| {batch} | {n_in} x {n_out} | {loops * 1e6:.1f} us | {blas * 1e6:.1f} us | "
                        f"{loops / blas:.2f} | {uses} |")
    return rows


def main():
    print("\n".join(table()))


if __name__ == "__main__":
    main()
