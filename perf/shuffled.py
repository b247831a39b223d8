"""Shuffled vs in-order epochs, per row, on a dataset that fits the caches and on one that does not.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m perf.shuffled

The seed model (5-20-1 tanh, hinge, Adam, batch 32) trains about 2e6 rows each way; the best of
two runs is reported. A shuffled epoch reads its rows in random order: once the data outgrows the
caches each row is a miss to main memory (perf/README.md, "Shuffled epochs").
"""
import time

import numpy as np


def per_row(x, y, shuffle, rows_total=2_000_000):
    import fastnn as f

    model = f.Sequential([f.Dense(20, input_dim=5, activation="tanh"), f.Dense(1, activation="tanh")], seed=0)
    model.compile(f.Adam(0.001), "hinge", metrics=["accuracy"])
    model.fit(x[:1000], y[:1000], epochs=1, batch_size=32, verbose=0)  # warm: kernels loaded, buffers built
    epochs = max(1, rows_total // len(x))
    t0 = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, shuffle=shuffle)
    return (time.perf_counter() - t0) / (epochs * len(x))


def main():
    rng = np.random.default_rng(0)
    print("| rows | in order | shuffled | shuffled / in order |\n|---|---|---|---|")
    for n in (10_000, 1_000_000):
        x = rng.random((n, 5)).astype(np.float32)
        y = ((x.sum(axis=1) > 2.5) * 2 - 1).astype(np.float32)
        best = {s: min(per_row(x, y, s) for _ in range(2)) for s in (False, True)}
        print(f"| {n:,} | {best[False] * 1e9:.1f} ns | {best[True] * 1e9:.1f} ns | {best[True] / best[False]:.2f}x |")


if __name__ == "__main__":
    main()
