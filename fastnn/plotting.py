"""PNG plots with matplotlib (the optional `plot` extra): every activation and its derivative,
training curves from a history file, and a heatmap of a sweep's results."""
import json
import os

import numpy as np


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no screen needed
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'fastnn[plot]'") from None
    return plt


def _save(fig, out):
    out = os.fspath(out)
    if not out.lower().endswith(".png"):
        raise ValueError(f"plot files are PNG: give a name ending in .png, got {out!r}.")
    fig.savefig(out, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return out


def activations_plot(out, x_range=(-5.0, 5.0)):
    """Every element-wise activation (solid) and its derivative (dashed) on one grid: the
    picture the tutorial describes in words. Derivatives come from the training kernel's backward."""
    from . import activations
    from .kernels.activations import activation_backward

    plt = _pyplot()
    names = [n for n in activations.names() if n not in ("softmax", "log_softmax", "swish", "hard_swish")]
    cols = 6
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3 * cols, 2.4 * rows), squeeze=False)
    x = np.linspace(x_range[0], x_range[1], 801).reshape(1, -1)
    for ax, name in zip(axes.flat, names):
        f = activations.get(name)
        y = f(x)
        dz = np.empty_like(x)  # x is one feature, 801 samples: a (1, 801) block
        activation_backward(dz[0], np.ones(x.shape[1]), x[0], y[0], 1, x.shape[1], f.code, f.param_vector(np.float64))
        ax.plot(x[0], y[0], lw=1.8, label="f")
        ax.plot(x[0], dz[0], lw=1.2, ls="--", label="f'")
        ax.axhline(0, color="0.8", lw=0.6)
        ax.axvline(0, color="0.8", lw=0.6)
        ax.set_title(name, fontsize=10)
        ax.set_ylim(-2.2, 3.2)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("fastnn activations (solid) and their derivatives (dashed)")
    fig.tight_layout()
    return _save(fig, out)


def read_history(path):
    """{key: [values]} from a history file written by `fastnn train --history` (.json or .csv)."""
    import csv

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    try:
        if path.lower().endswith(".json"):
            with open(path) as f:
                data = json.load(f)
            if not isinstance(data, dict):
                raise ValueError("not a dict")
            return {k: [float(v) for v in vals] for k, vals in data.items()}
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows:
            raise ValueError("no rows")
        return {k: [float(r[k]) for r in rows] for k in rows[0]}
    except (ValueError, TypeError, KeyError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a history file written by fastnn train --history ({exc}).") from None


def history_plot(history, out):
    """Loss and metric curves per epoch, training (solid) and validation (dashed)."""
    plt = _pyplot()
    epochs = history.get("epoch") or list(range(1, len(next(iter(history.values()))) + 1))
    keys = [k for k in history if k != "epoch" and not k.startswith("val_") and k != "learning_rate"]
    if not keys:
        raise ValueError("the history holds no metrics to plot.")
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.4), squeeze=False)
    for ax, key in zip(axes[0], keys):
        ax.plot(epochs, history[key], label=key)
        if "val_" + key in history:
            ax.plot(epochs, history["val_" + key], ls="--", label="val_" + key)
        ax.set_xlabel("epoch")
        ax.set_title(key)
        ax.legend()
    fig.tight_layout()
    return _save(fig, out)


def sweep_plot(results, x_axis, y_axis, metric, out):
    """Heatmap of `metric` (mean over repeats) over two grid axes of a sweep."""
    from .sweep import AXES, summarize

    for axis in (x_axis, y_axis):
        if axis not in AXES:
            raise ValueError(f"unknown sweep axis {axis!r}; axes: {', '.join(AXES)}.")
    if x_axis == y_axis:
        raise ValueError("give two different axes to plot.")
    summaries, _ = summarize(results)
    xs = sorted({str(s.combo[x_axis]) for s in summaries})
    ys = sorted({str(s.combo[y_axis]) for s in summaries})
    grid = np.full((len(ys), len(xs)), np.nan)
    counts = np.zeros_like(grid)
    for s in summaries:
        if metric in s.stats:
            i, j = ys.index(str(s.combo[y_axis])), xs.index(str(s.combo[x_axis]))
            value = s.stats[metric][0]
            grid[i, j] = value if np.isnan(grid[i, j]) else grid[i, j] + value
            counts[i, j] += 1
    if not np.any(counts):
        raise ValueError(f"the results hold no {metric!r} values; metrics: val_accuracy, test_accuracy, val_loss, "
                         f"train_loss, test_loss.")
    grid = grid / np.where(counts, counts, 1)  # mean over the other axes
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(1.1 * len(xs) + 3, 0.5 * len(ys) + 2))
    im = ax.imshow(grid, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(xs)), xs, rotation=45, ha="right")
    ax.set_yticks(range(len(ys)), ys)
    ax.set_xlabel(x_axis)
    ax.set_ylabel(y_axis)
    for i in range(len(ys)):
        for j in range(len(xs)):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", color="w", fontsize=8)
    fig.colorbar(im, ax=ax, label=metric)
    ax.set_title(f"{metric} by {y_axis} and {x_axis}")
    fig.tight_layout()
    return _save(fig, out)
