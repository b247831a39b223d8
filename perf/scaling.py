"""Workload G: fastnn's time per epoch against rows (1e3 .. 1e6) and width (16 .. 1024 units)."""
import time

import numpy as np


def _epoch_time(model, x, y, batch, repeats, shuffle=True):
    model.fit(x[:batch * 2], y[:batch * 2], batch_size=batch, verbose=0)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=shuffle)
        best = min(best, time.perf_counter() - t0)
    return best


def _marginal(per_row):
    """Cost of each extra row between consecutive sizes (the fixed cost of a fit cancels)."""
    sizes = sorted(per_row)
    return sizes, [(per_row[b] * b - per_row[a] * a) / (b - a) for a, b in zip(sizes, sizes[1:])]


def scaling(quick=False):
    import fastnn

    rng = np.random.default_rng(0)
    lines = ["## G: scaling (fastnn; best of 5 epochs)", "",
             "Rows: the seed model (5-20-1 tanh, hinge, Adam, batch 32) on N rows, shuffled each epoch (the "
             "default) and in order.", "",
             "| rows | epoch time (shuffled) | per row | epoch time (in order) | per row |", "|---|---|---|---|---|"]
    per_row = {True: {}, False: {}}
    for n in (10**3, 10**4, 10**5, 10**6):
        x = rng.random((n, 5)).astype(np.float32)
        y = ((x.sum(axis=1) > 2.5) * 2 - 1).astype(np.float32)
        times = {}
        for shuffle in (True, False):
            model = fastnn.Sequential([fastnn.Dense(20, input_dim=5, activation="tanh"),
                                       fastnn.Dense(1, activation="tanh")], seed=0)
            model.compile("adam", "hinge")
            times[shuffle] = _epoch_time(model, x, y, 32, 3 if quick and n == 10**6 else 5, shuffle)
            per_row[shuffle][n] = times[shuffle] / n
        lines.append(f"| {n:,} | {times[True] * 1e3:.1f} ms | {times[True] / n * 1e9:.0f} ns | "
                     f"{times[False] * 1e3:.1f} ms | {times[False] / n * 1e9:.0f} ns |")
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
    # linear = no super-linear growth: the cost of an extra row at 1e5..1e6 rows is at most 1.5x
    # what it is at 1e3..1e4 (a lower cost, as noise or a warm CPU can give, is no failure)
    verdicts = []
    for shuffle, label in ((False, "in order"), (True, "shuffled")):
        sizes, marginal = _marginal(per_row[shuffle])
        growth = marginal[-1] / marginal[0]
        lines += ["", f"Marginal cost per extra row ({label}): " + ", ".join(
            f"{a:.0e}->{b:.0e}: {m * 1e9:.0f} ns" for a, b, m in zip(sizes, sizes[1:], marginal))]
        verdicts.append(f"G ({label}): an extra row costs {growth:.2f}x as much at 1e5..1e6 rows as at 1e3..1e4 "
                        f"(linear: <= 1.5x): {'MET' if growth <= 1.5 else 'NOT MET'}")
    lines += ["", "Shuffled rows are gathered in random order: once the data outgrow the CPU caches each row "
              "costs a cache miss, which in-order epochs do not pay."]
    return {"markdown": lines + [""], "verdicts": verdicts}
