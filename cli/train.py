"""fastnn train: load (or generate) data, encode labels for the loss, build the default model
or the --layers one, fit with Keras-style progress, report, save."""
import contextlib
import csv
import json
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


from fastnn._validation import printable

from . import data as D
from .columns import ColumnPlan
from .errors import CLIError, TrainingDiverged
from .layers_spec import format_layers


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
    schedule: str
    l2: Optional[float]
    weight_decay: Optional[float]
    epochs: int
    batch_size: int
    validation_split: float
    split: str
    test_split: float
    scale: str
    impute: str
    metrics: str
    seed: int
    dtype: str
    out: Optional[Path]
    history: Optional[Path]
    as_json: bool
    quiet: bool


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


def _check_outputs(o):
    """Refuse, before any training, outputs that would destroy an input or each other, and output
    directories we cannot write to (found today, not after an hour of training)."""
    inputs = {"--data": o.data, "--labels": o.labels, "--test-data": o.test_data}
    for what, path in {"--out": o.out, "--history": o.history}.items():
        if path is not None:
            check_output_path(what, path, inputs)
    if o.out is not None and o.history is not None and _same_file(o.out, o.history):
        raise CLIError(f"--out and --history are the same file {printable(o.out)}; give them different names.")


def check_output_path(what, path, inputs):
    """An output file we can write without destroying one of `inputs` ({option: path})."""
    shown = printable(path)
    if Path(path).is_dir():
        raise CLIError(f"{what} {shown} is a directory; give a file name.")
    for src, src_path in inputs.items():
        if src_path is not None and _same_file(path, src_path):
            raise CLIError(f"{what} {shown} is the same file as {src}: writing it would destroy the input. "
                           f"Choose another file name.")
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise CLIError(f"{what} {shown}: the directory {printable(parent)} does not exist.")
    if Path(path).exists() and not Path(path).is_file():
        raise CLIError(f"{what} {shown} exists and is not a regular file.")
    try:
        fd, probe = tempfile.mkstemp(prefix=".fastnn-probe-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise CLIError(f"{what} {shown}: cannot write to the directory {printable(parent)} "
                       f"({exc.strerror}).") from None


def _same_file(a, b):
    a, b = Path(a), Path(b)
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def run_train(o: TrainOptions):
    loss, auto, builtin = _check_options(o)
    layer_list = _tasks().parse_layers(o.layers) if o.layers else None
    train_set, test_set, plan, loss, coding = _read_data(o, loss, auto, builtin)
    # the tutorial's 5-20-1 on its data; on a file, 64 hidden units for classes (20 for a quantity,
    # which 64 overfits): perf/tabular.py measured these against scikit-learn's MLP
    tasks = _tasks()
    units = 20 if builtin or coding.kind == "regression" else tasks.TABLE_HIDDEN_UNITS
    layer_list = layer_list or tasks.default_layers(coding, loss.name, o.activation, units)
    stream = sys.stderr if o.as_json else sys.stdout
    if not o.quiet:
        _announce(o, loss, auto, builtin, train_set, plan, layer_list, stream)
    model, hist, summary, caught = _train(o, loss, train_set, test_set, layer_list, stream)
    model.metadata.update({"features": train_set.feature_names, "target": train_set.target_name,
                           "trained_on": train_set.source, "columns": plan.to_json()["columns"]})
    _save_outputs(o, model, hist, summary, caught)
    if o.as_json:
        print(json.dumps(summary))
    else:
        _print_summary(summary, hist, o, model)
    return 130 if summary["interrupted"] else 0


def _tasks():
    """fastnn.tasks, imported on first use (the CLI starts without it)."""
    from fastnn import tasks

    return tasks


def _check_options(o):
    """Every option that can be checked before reading data; returns (loss or None, auto, builtin)."""
    import fastnn
    from fastnn import losses

    tasks = _tasks()
    auto = o.loss.strip().lower() == "auto"
    loss = None if auto else losses.get(o.loss)  # unknown names fail here, before any data is read
    tasks.make_optimizer(o.optimizer, o.lr, weight_decay=o.weight_decay)
    tasks.parse_schedule(o.schedule)
    if o.l2 is not None:
        fastnn.regularizers.L2(o.l2)  # a negative or non-finite value fails here
    if o.activation is not None:
        fastnn.activations.canonical_name(o.activation)
    if o.dtype not in ("float32", "float64"):
        raise CLIError(f"--dtype must be float32 or float64, got {o.dtype!r}.")
    if not 0.0 <= o.validation_split < 1.0:
        raise CLIError(f"--validation-split must be in [0, 1), got {o.validation_split}.")
    if not 0.0 <= o.test_split < 1.0:
        raise CLIError(f"--test-split must be in [0, 1), got {o.test_split}.")
    if o.test_split and o.test_data is not None:
        raise CLIError("--test-split and --test-data both give a test set; use one.")
    builtin = o.data is None  # the tutorial's data: its experiment as the tutorial ran it, unless asked otherwise
    if o.split == "auto":
        o.split = "last" if builtin else "stratified"
    if o.scale == "auto":
        o.scale = "none" if builtin else "standard"
    for option, value, allowed in (("--split", o.split, tasks.SPLIT_RULES), ("--scale", o.scale, tasks.SCALE_RULES),
                                   ("--impute", o.impute, ("none", "mean", "median"))):
        if value not in allowed:
            raise CLIError(f"{option} must be one of {', '.join(allowed)}, got {value!r}.")
    _check_outputs(o)
    if o.history is not None and Path(o.history).suffix.lower() not in (".json", ".csv"):
        raise CLIError(f"--history {o.history}: use a .json or .csv file name.")
    return loss, auto, builtin


def _read_data(o, loss, auto, builtin):
    """The training and test sets with the column plan applied; the loss ('auto' resolved) and label coding."""
    from fastnn import losses

    tasks = _tasks()
    train_set, test_set = D.read_sets(o.data, o.labels, o.target, o.test_data, o.seed)
    if auto:
        loss = losses.get("hinge" if builtin else tasks.auto_loss(train_set.targets))
    coding = tasks.choose_coding(train_set.targets, loss.name)
    if o.test_split:
        kept, held = tasks.split_rows(train_set.targets, o.test_split, o.split, o.seed, coding.kind != "regression",
                                      what="test")
        train_set, test_set = train_set.subset(kept), train_set.subset(held)
    plan = ColumnPlan.fit(train_set.raw, train_set.feature_names, impute=o.impute)
    train_set.planned(plan)
    if test_set is not None:
        test_set.planned(plan)
    return train_set, test_set, plan, loss, coding


def _announce(o, loss, auto, builtin, train_set, plan, layer_list, stream):
    opt = _tasks().make_optimizer(o.optimizer, o.lr)
    encoded = f", one-hot: {', '.join(plan.encoded)}" if plan.encoded else ""
    extras = "".join(f", {name} {value}" for name, value in (("schedule", o.schedule), ("l2", o.l2),
                                                             ("weight decay", o.weight_decay))
                     if value not in (None, "none"))
    print(f"fastnn train: {loss.name}{' (auto)' if auto and not builtin else ''} + {type(opt).__name__} (lr "
          f"{opt.learning_rate:g}{extras}), {format_layers(train_set.x.shape[1], layer_list)}, {o.epochs} epochs, "
          f"batch {o.batch_size}, {o.dtype}, {len(train_set.x)} rows from {train_set.source}"
          + ("" if builtin else f" (scaling {o.scale}, {o.split} validation split{encoded})"), file=stream)


def _train(o, loss, train_set, test_set, layer_list, stream):
    """Load the kernels (timed apart), train and evaluate; fit's warnings are caught for one line each."""
    from fastnn.engine.loop import training_kernels
    from fastnn.engine.warmup import load_training_kernels

    test = (test_set.x, test_set.targets) if test_set is not None else None
    metric_names = [m.strip() for m in o.metrics.split(",") if m.strip()]
    kernel_seconds = load_training_kernels(o.dtype)  # so the training time below is training alone
    compiled = training_kernels(o.dtype).__name__.startswith("fastnn_kernels")
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(stream):
        warnings.simplefilter("always")  # fit's warnings become one "fastnn: warning:" line each
        model, hist, summary = _tasks().train_and_evaluate(
            train_set.x, train_set.targets, test, loss=loss.name, optimizer=o.optimizer, lr=o.lr,
            layers=layer_list, epochs=o.epochs, batch_size=o.batch_size, validation_split=o.validation_split,
            metrics=metric_names, seed=o.seed, dtype=o.dtype, verbose=0 if o.quiet else 2, split=o.split,
            scale=o.scale, l2=o.l2, schedule=o.schedule, weight_decay=o.weight_decay)
    for w in caught:
        if not (summary["nonfinite"] and "fit stopped" in str(w.message)):  # that one becomes the error
            print(f"fastnn: warning: {w.message}", file=sys.stderr)
    summary["kernel_load_seconds"] = round(kernel_seconds, 4)
    summary["kernels"] = "compiled module" if compiled else "numba jit"
    return model, hist, summary, caught


def _save_outputs(o, model, hist, summary, caught):
    if summary["nonfinite"]:  # never save a diverged run (over what may be a good model)
        message = next((str(w.message) for w in caught if "fit stopped" in str(w.message)), "training diverged.")
        kept = f"; {printable(o.out)} was left as it was" if o.out is not None else ""
        raise TrainingDiverged(f"{message} Nothing was saved{kept}.")
    if o.out is not None:
        model.save(str(o.out))
        summary["model"] = str(o.out)
    if o.history is not None:
        _write_history(o.history, hist)
        summary["history"] = str(o.history)


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
    lines.append(f"Time        {s['train_seconds'] * 1e3:.1f} ms for {s['epochs_run']} epochs "
                 f"({per_epoch * 1e6:.0f} us/epoch); kernels ready in {s['kernel_load_seconds']:.2f} s "
                 + ("(compiled module)" if s["kernels"] == "compiled module"
                    else "(Numba JIT; `fastnn warmup` makes this instant)"))
    if "model" in s:
        lines.append(f"Saved       {s['model']}")
    if "history" in s:
        lines.append(f"History     {s['history']}")
    print("\n".join(lines))
