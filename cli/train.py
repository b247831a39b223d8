"""fastnn train: load (or generate) data, encode labels for the loss, build the default model
or the --layers one, fit with Keras-style progress, report, save."""
import contextlib
import csv
import json
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from . import data as D
from .errors import CLIError
from .layers_spec import format_layers, parse_layers


@dataclass
class TrainOptions:
    data: Optional[Path]
    labels: Optional[Path]
    target: Optional[str]
    test_data: Optional[Path]
    layers: Optional[str]
    activation: Optional[str]
    loss: str
    optimizer: str
    lr: Optional[float]
    epochs: int
    batch_size: int
    validation_split: float
    metrics: str
    seed: int
    dtype: str
    out: Optional[Path]
    history: Optional[Path]
    as_json: bool
    quiet: bool


def default_layers(coding, loss_name, activation):
    """One hidden layer of 20 and an output layer that fits the loss and label encoding."""
    categorical = coding.kind in ("onehot", "sparse")
    hidden = activation or ("relu" if categorical else "tanh")
    if coding.kind == "pm1":
        output = (1, "tanh")
    elif coding.kind == "01" or loss_name == "mean_squared_logarithmic_error":
        output = (1, "softplus" if loss_name == "poisson" else "sigmoid")
    elif coding.kind == "regression":
        output = (1, "softplus" if loss_name in ("poisson", "mean_squared_logarithmic_error") else "linear")
    elif loss_name in ("categorical_hinge", "cosine_similarity"):
        output = (coding.n_outputs, "linear")
    else:
        output = (coding.n_outputs, "softmax")
    return [(20, hidden), output]


def _optimizer(name, lr):
    from fastnn import optimizers

    opt = optimizers.get(name)
    if lr is not None:
        opt = type(opt)(**{**opt.get_config(), "learning_rate": lr})
    return opt


def _write_history(path, hist):
    keys = list(hist.history)
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["epoch"] + keys)
            for i, epoch in enumerate(hist.epoch):
                w.writerow([epoch + 1] + [hist.history[k][i] for k in keys])
    elif path.suffix.lower() == ".json":
        with open(path, "w") as f:
            json.dump({"epoch": [e + 1 for e in hist.epoch], **hist.history}, f, indent=1)
    else:
        raise CLIError(f"--history {path}: use a .json or .csv file name.")


def _check_out_path(path, what):
    if path is None:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise CLIError(f"{what} {path}: the directory {parent} does not exist.")
    if Path(path).is_dir():
        raise CLIError(f"{what} {path} is a directory; give a file name.")


def run_train(o: TrainOptions):
    import fastnn
    from fastnn import losses

    loss = losses.get(o.loss)  # unknown names fail here, before any data is read
    opt = _optimizer(o.optimizer, o.lr)
    if o.activation is not None:
        fastnn.activations.canonical_name(o.activation)
    if o.dtype not in ("float32", "float64"):
        raise CLIError(f"--dtype must be float32 or float64, got {o.dtype!r}.")
    if not 0.0 <= o.validation_split < 1.0:
        raise CLIError(f"--validation-split must be in [0, 1), got {o.validation_split}.")
    _check_out_path(o.out, "--out")
    _check_out_path(o.history, "--history")
    if o.history is not None and Path(o.history).suffix.lower() not in (".json", ".csv"):
        raise CLIError(f"--history {o.history}: use a .json or .csv file name.")

    if o.data is None:
        if o.labels or o.target:
            raise CLIError("--labels and --target need --data.")
        train_set, test_set = D.builtin(o.seed)
    else:
        train_set = D.load(str(o.data), target=o.target, labels=None if o.labels is None else str(o.labels))
        test_set = None
        if o.test_data is not None:
            test_set = D.load(str(o.test_data), target=train_set.target_name if o.target else None,
                              feature_names=train_set.feature_names if train_set.source.endswith(".csv") else None,
                              labels=None, require_target=True)
    coding = D.choose_coding(train_set.targets, loss.name)
    y = coding.encode(train_set.targets)
    layer_list = parse_layers(o.layers) if o.layers else default_layers(coding, loss.name, o.activation)
    if layer_list[-1][0] != coding.n_outputs:
        raise CLIError(f"--layers ends with {layer_list[-1][0]} unit(s) but loss {loss.name!r} on this target "
                       f"needs {coding.n_outputs} output(s) ({coding.kind} labels, classes: {coding.classes}).")
    metric_names = [m.strip() for m in o.metrics.split(",") if m.strip()]
    if coding.kind == "regression":
        metric_names = [m for m in metric_names if m not in ("accuracy", "acc")]

    n_features = train_set.x.shape[1]
    model = fastnn.Sequential(name="fastnn_cli", dtype=o.dtype, seed=o.seed)
    for i, (units, act) in enumerate(layer_list):
        model.add(fastnn.Dense(units, activation=act, input_dim=n_features if i == 0 else None))
    model.compile(optimizer=opt, loss=loss, metrics=metric_names)
    model.metadata = {"labels": coding.to_json(), "features": train_set.feature_names,
                      "target": train_set.target_name, "trained_on": train_set.source}

    stream = sys.stderr if o.as_json else sys.stdout
    if not o.quiet:
        print(f"fastnn train: {loss.name} + {type(opt).__name__} (lr {opt.learning_rate:g}), "
              f"{format_layers(n_features, layer_list)}, {o.epochs} epochs, batch {o.batch_size}, {o.dtype}, "
              f"{len(y)} rows from {train_set.source}", file=stream)
    verbose = 0 if o.quiet else 2
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(stream):
        warnings.simplefilter("always")  # fit's warnings become one "fastnn: warning:" line each
        hist = model.fit(train_set.x, y, epochs=o.epochs, batch_size=o.batch_size,
                         validation_split=o.validation_split, verbose=verbose)
    train_seconds = time.perf_counter() - t0
    for w in caught:
        print(f"fastnn: warning: {w.message}", file=sys.stderr)
    interrupted = hist.interrupted

    summary = {"loss_function": loss.name, "optimizer": type(opt).__name__.lower(), "learning_rate": opt.learning_rate,
               "layers": [f"{u}:{a}" for u, a in layer_list], "epochs_run": len(hist.epoch),
               "train_seconds": round(train_seconds, 6), "interrupted": bool(interrupted)}
    summary.update({k: v[-1] for k, v in hist.history.items() if v})
    if test_set is not None and test_set.targets is not None:
        yt = coding.encode(test_set.targets)
        results = model.evaluate(test_set.x, yt, verbose=0, return_dict=True)
        summary.update({f"test_{k}": v for k, v in results.items()})
        if coding.kind != "regression":
            predicted = coding.decode(model.predict(test_set.x))
            truth = np.array(coding.classes, dtype=object)[coding.class_ids(test_set.targets)]
            summary["test_accuracy"] = float(np.mean(predicted == truth))
        summary["test_rows"] = int(len(test_set.x))

    if o.out is not None:
        model.save(str(o.out))
        summary["model"] = str(o.out)
    if o.history is not None:
        _write_history(o.history, hist)
        summary["history"] = str(o.history)

    if o.as_json:
        print(json.dumps(summary))
    else:
        _print_summary(summary, hist, o, model)
    return 130 if interrupted else 0


def _print_summary(s, hist, o, model):
    def metrics_of(prefix):
        keys = [k for k in hist.history if (k.startswith("val_") if prefix else not k.startswith("val_"))]
        return "  ".join(f"{k.removeprefix('val_')} {s[k]:.4f}" for k in keys)

    lines = []
    if s["interrupted"]:
        lines.append(f"Interrupted after {s['epochs_run']} epoch(s); results so far:")
    lines.append(f"Final       {metrics_of('')}")
    if any(k.startswith("val_") for k in hist.history):
        lines.append(f"Validation  {metrics_of('val_')}")
    if "test_rows" in s:
        test = "  ".join(f"{k.removeprefix('test_')} {v:.4f}" for k, v in s.items()
                         if k.startswith("test_") and k != "test_rows")
        lines.append(f"Test        {test}  ({s['test_rows']} held-out rows)")
    per_epoch = s["train_seconds"] / max(s["epochs_run"], 1)
    lines.append(f"Time        {s['train_seconds']:.3f} s for {s['epochs_run']} epochs "
                 f"({per_epoch * 1e3:.3f} ms/epoch)")
    if "model" in s:
        lines.append(f"Saved       {s['model']}")
    if "history" in s:
        lines.append(f"History     {s['history']}")
    print("\n".join(lines))
