"""Workload G: fastnn's time per epoch against rows (1e3 .. 1e6) and width (16 .. 1024 units)."""
import time

import numpy as np


def _epoch_time(model, x, y, batch, repeats):
    model.fit(x[:batch * 2], y[:batch * 2], batch_size=batch, verbose=0)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        best = min(best, time.perf_counter() - t0)
    return best


def scaling(quick=False):
    import fastnn

    rng = np.random.default_rng(0)
    lines = ["## G: scaling (fastnn; best of 5 epochs)", "",
             "Rows: the seed model (5-20-1 tanh, hinge, Adam, batch 32) on N rows.", "",
             "| rows | epoch time | per sample |", "|---|---|---|"]
    per_sample = {}
    for n in (10**3, 10**4, 10**5, 10**6):
        x = rng.random((n, 5)).astype(np.float32)
        y = ((x.sum(axis=1) > 2.5) * 2 - 1).astype(np.float32)
        model = fastnn.Sequential([fastnn.Dense(20, input_dim=5, activation="tanh"),
                                   fastnn.Dense(1, activation="tanh")], seed=0)
        model.compile("adam", "hinge")
        t = _epoch_time(model, x, y, 32, 3 if quick and n == 10**6 else 5)
        per_sample[n] = t / n
        lines.append(f"| {n:,} | {t * 1e3:.1f} ms | {t / n * 1e9:.0f} ns |")
    lines += ["", "Width: 10,000 rows of 64 features, 64-W-W-10 relu/relu/softmax, sparse CCE, Adam, batch 128.", "",
              "| width W | epoch time | GFLOP/s |", "|---|---|---|"]
    x = rng.random((10000, 64)).astype(np.float32)
    y = rng.integers(0, 10, 10000)
    for w in (16, 64, 256, 1024):
        model = fastnn.Sequential([fastnn.Dense(w, input_dim=64, activation="relu"), fastnn.Dense(w, activation="relu"),
                                   fastnn.Dense(10, activation="softmax")], seed=0)
        model.compile("adam", "sparse_categorical_crossentropy")
        t = _epoch_time(model, x, y, 128, 2 if quick else 3)
        flops = 6 * 10000 * (64 * w + w * w + w * 10)
        lines.append(f"| {w} | {t * 1e3:.1f} ms | {flops / t / 1e9:.1f} |")
    # linear means a fixed cost plus a constant cost per row: compare the marginal cost per row
    sizes = sorted(per_sample)
    marginal = [(per_sample[b] * b - per_sample[a] * a) / (b - a) for a, b in zip(sizes, sizes[1:])]
    spread = max(marginal) / min(marginal)
    lines += ["", "Marginal cost per extra row: " + ", ".join(
        f"{a:.0e}->{b:.0e}: {m * 1e9:.0f} ns" for a, b, m in zip(sizes, sizes[1:], marginal))]
    verdicts = [f"G: marginal time per row varies {spread:.2f}x from 1e3 to 1e6 rows (linear: <= 1.5x): "
                f"{'MET' if spread <= 1.5 else 'NOT MET'}"]
    return {"markdown": lines + [""], "verdicts": verdicts}
