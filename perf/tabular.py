"""`fastnn train` with its defaults against scikit-learn's MLPClassifier/MLPRegressor with theirs,
on scikit-learn's bundled datasets written to CSV sorted by class (or target), as such files
usually are. Both score the same held-out 20% (fastnn's --test-split rows for --seed S: a
stratified draw, plain shuffled for diabetes); scikit-learn trains on all the other rows, fastnn
on 80% of them (it keeps 20% for validation). Also shown: MLP behind a StandardScaler, which is
what a careful scikit-learn user writes.

    python -m perf.tabular                 # prints the README table (needs scikit-learn)

Times are wall-clock seconds in this process with the kernels already loaded: for fastnn the
whole `fastnn train` command (reading the CSV, training, scoring), for scikit-learn fit + score.
"""
import csv
import io
import json
import sys
import tempfile
import time
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

DATASETS = ("iris", "wine", "breast_cancer", "digits", "diabetes")
SEEDS = (0, 1, 2, 3, 4, 5)


def write_sorted_csv(name, path):
    from sklearn import datasets

    d = getattr(datasets, f"load_{name}")()
    regression = name == "diabetes"
    target = d.target if regression else np.asarray(d.target_names)[d.target]
    order = np.argsort(d.target, kind="stable")
    names = [str(f).replace(",", " ") for f in d.feature_names]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names + ["target"])
        for i in order:
            w.writerow([f"{v:.6g}" for v in d.data[i]] + [target[i]])
    return d.data[order], target[order], regression


def fastnn_train(path, seed):
    from fastnn_cli.main import run

    out = io.StringIO()
    t0 = time.perf_counter()
    with redirect_stdout(out):
        try:
            code = run(["train", "--data", str(path), "--test-split", "0.2", "--seed", str(seed), "--json", "--quiet"])
        except SystemExit as exc:  # run() is the console script: it exits with the command's code
            code = exc.code
    seconds = time.perf_counter() - t0
    assert code in (0, None), out.getvalue()
    s = json.loads(out.getvalue())
    return s.get("test_accuracy", s.get("test_r2")), seconds


def sklearn_fit(x, y, regression, kept, held, seed, scaled):
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    est = (MLPRegressor if regression else MLPClassifier)(random_state=seed)
    if scaled:
        est = make_pipeline(StandardScaler(), est)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter=200
        est.fit(x[kept], y[kept])
        score = est.score(x[held], y[held])
    return score, time.perf_counter() - t0


def main():
    from fastnn import tasks
    from fastnn.engine.warmup import load_training_kernels

    load_training_kernels("float32")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in DATASETS:
            path = Path(tmp) / f"{name}.csv"
            x, y, regression = write_sorted_csv(name, path)
            results = {"fastnn": [], "mlp": [], "mlp_scaled": []}
            fastnn_train(path, 0)  # first call: imports
            for seed in SEEDS:
                kept, held = tasks.split_rows(y, 0.2, "stratified", seed, classes=not regression, what="test")
                results["fastnn"].append(fastnn_train(path, seed))
                results["mlp"].append(sklearn_fit(x, y, regression, kept, held, seed, False))
                results["mlp_scaled"].append(sklearn_fit(x, y, regression, kept, held, seed, True))
            summary = {k: (np.mean([r[0] for r in v]), np.median([r[1] for r in v])) for k, v in results.items()}
            rows.append((name, "R^2" if regression else "accuracy", x.shape, summary))
    try:
        from threadpoolctl import threadpool_info

        blas = "; ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}" for i in threadpool_info()
                         if i.get("user_api") == "blas")
    except ImportError:
        blas = "unknown (threadpoolctl not installed)"
    print(f"Seeds {SEEDS}: mean held-out score, median wall time per run. BLAS: {blas}.\n")
    print("| dataset (rows x features) | score | fastnn train | MLP defaults | MLP + StandardScaler |")
    print("|---|---|---|---|---|")
    for name, metric, shape, s in rows:
        cells = [f"{s[k][0]:.3f} in {s[k][1]:.2f} s" for k in ("fastnn", "mlp", "mlp_scaled")]
        print(f"| {name} ({shape[0]} x {shape[1]}) | {metric} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
