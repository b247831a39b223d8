"""fastnn evaluate / predict / info / list / warmup: using saved models and the registries."""
import csv
import json
import subprocess
import sys
import time

import numpy as np

from fastnn import tasks
from fastnn._validation import printable

from . import data as D
from .columns import ColumnPlan, numeric_plan
from .errors import CLIError


def _load(path):
    import fastnn

    model = fastnn.load_model(str(path))
    meta = getattr(model, "metadata", {}) or {}
    coding = None
    if "labels" in meta:
        try:
            coding = tasks.LabelCoding.from_json(meta["labels"])
            coding.check_outputs(model.output_dim)
        except (KeyError, TypeError, ValueError) as exc:
            raise CLIError(f"{printable(path)}: the label encoding stored in the model is inconsistent ({exc}); the "
                           f"file was edited or is corrupt.") from None
    for key in ("features",):
        if key in meta and not (isinstance(meta[key], list) and all(isinstance(v, str) for v in meta[key])):
            raise CLIError(f"{printable(path)}: the stored feature names are not a list of names; the file was "
                           f"edited or is corrupt.")
    return model, meta, coding


def _plan(meta, model_path):
    """The model's column plan (one-hot categories, impute values), or None for a model trained
    before plans were stored (its features are taken as numbers)."""
    if "columns" not in meta:
        return None
    try:
        return ColumnPlan.from_json({"columns": meta["columns"]})
    except ValueError as exc:
        raise CLIError(f"{printable(model_path)}: the column plan stored in the model is inconsistent ({exc}); the "
                       f"file was edited or is corrupt.") from None


def _features_for(model, meta, path, labels=None, require_target=False, model_path=None):
    table = str(path).lower().endswith((".csv", ".tsv", ".txt", ".parquet"))  # named columns
    plan = _plan(meta, model_path)
    features = (plan.raw_names if plan is not None else meta.get("features")) if table else None
    ds = D.load(str(path), target=meta.get("target") if require_target and features else None,
                labels=None if labels is None else str(labels), require_target=require_target,
                feature_names=features)
    if plan is None or not table:
        plan = numeric_plan(ds.feature_names)
    ds.planned(plan)
    if ds.x.shape[1] != model.input_dim:
        raise CLIError(f"{path} has {ds.x.shape[1]} feature column(s) but the model takes {model.input_dim}.")
    return ds


def run_evaluate(model_path, data_path, labels, as_json):
    model, meta, coding = _load(model_path)
    if not model.compiled:
        raise CLIError(f"{model_path} was saved without compile settings; it cannot compute a loss.")
    ds = _features_for(model, meta, data_path, labels, require_target=True, model_path=model_path)
    if ds.targets is None:
        raise CLIError(f"{data_path} has no labels to evaluate against.")
    if coding is None:
        coding = tasks.choose_coding(ds.targets, model.loss.name)
    y = coding.encode(ds.targets)
    results = model.evaluate(ds.x, y, verbose=0, return_dict=True)
    if coding.kind != "regression":
        results["class_accuracy"] = coding.accuracy(model.predict(ds.x), ds.targets)
    results["rows"] = int(len(ds.x))
    if as_json:
        print(json.dumps(results))
    else:
        print("  ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in results.items()))


def run_predict(model_path, data_path, out, proba):
    model, meta, coding = _load(model_path)
    ds = _features_for(model, meta, data_path, model_path=model_path)
    outputs = model.predict(ds.x)
    if proba or coding is None:
        result = outputs
        header = [f"output_{i}" for i in range(outputs.shape[1])] if outputs.shape[1] > 1 else ["output"]
    else:
        result = coding.decode(outputs).reshape(-1, 1)
        header = ["prediction"]
    if out is None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows([_cell(v) for v in row] for row in result)
        return
    suffix = str(out).lower()
    if suffix.endswith(".npy"):
        arr = result if result.dtype != object else _object_to_array(result[:, 0])
        np.save(str(out), arr, allow_pickle=False)
    elif suffix.endswith(".csv"):
        with open(out, "w", newline="") as f:  # the csv module quotes labels that hold commas or quotes
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows([_cell(v) for v in row] for row in result)
    else:
        raise CLIError(f"--out {out}: use a .csv or .npy file name.")
    print(f"wrote {len(result)} predictions to {out}", file=sys.stderr)


def _cell(v):
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.7g}"
    return str(v)


def _object_to_array(values):
    try:
        return np.array([float(v) for v in values])
    except ValueError:
        return np.array([str(v) for v in values])


def run_info(model_path):
    model, meta, coding = _load(model_path)
    model.summary()
    if coding is not None:
        print(f" Labels: {coding.kind}" + (f" {coding.classes}" if coding.classes else ""))
    if meta.get("features"):
        print(f" Features: {', '.join(meta['features'])}; target: {meta.get('target')}")
    plan = _plan(meta, model_path)
    if plan is not None:
        for c in plan.columns:
            if c["kind"] == "category":
                print(f" One-hot: {c['name']} -> {', '.join(c['categories'])}")
        filled = [f"{c['name']}={c['fill']}" for c in plan.columns if c.get("fill") is not None]
        if filled:
            print(f" Missing cells filled with: {', '.join(filled)}")
    if meta.get("trained_on"):
        print(f" Trained on: {meta['trained_on']}")
    if model.compiled and model.optimizer.built:
        print(f" Optimizer steps taken: {model.optimizer.iterations}")
    from fastnn.onnx_export import describe

    print(" ONNX export (fastnn export): " + "; ".join(describe(model)))


def run_export(model_path, out):
    from .train import check_output_path

    if not str(out).lower().endswith(".onnx"):
        raise CLIError(f"{printable(out)}: give the ONNX file a .onnx name.")
    check_output_path("OUT", out, {"MODEL": model_path})
    model, _, _ = _load(model_path)
    try:
        model.export(str(out))
    except ImportError as exc:
        raise CLIError(str(exc)) from None
    print(f"wrote {printable(out)}: {model.input_dim} inputs -> {model.output_dim} outputs, opset 17", file=sys.stderr)


def run_list():
    from fastnn import activations, losses, optimizers

    print("Activations:")
    print("  " + ", ".join(activations.names()))
    print("Losses (aliases in brackets):")
    canonical = sorted({losses.canonical_name(n) for n in losses.names()})
    for name in canonical:
        aliases = losses.aliases_of(name)
        options = losses.Loss(name).options
        extra = f" [{', '.join(aliases)}]" if aliases else ""
        opts = f"  options: {', '.join(f'{k}={v}' for k, v in options.items())}" if options else ""
        print(f"  {name}{extra}{opts}")
    print("Optimizers (Keras 3 defaults):")
    for name in optimizers.names():
        cfg = optimizers.get(name).get_config()
        shown = {k: v for k, v in cfg.items() if k != "name" and v is not None}
        print(f"  {name}: " + ", ".join(f"{k}={v}" for k, v in shown.items()))


def run_warmup(dtype):
    from fastnn.engine import aot, warmup

    if dtype not in ("float32", "float64", "all"):
        raise CLIError(f"--dtype must be float32, float64 or all, got {dtype!r}.")
    dtypes = ["float32", "float64"] if dtype == "all" else [dtype]
    print(f"Compiling fastnn's kernels: modules in {aot.cache_dir()}, Numba's cache in {warmup.cache_dir()} ...",
          flush=True)
    t0 = time.perf_counter()
    # one process per dtype: compilation is single-threaded, so both cores work
    procs = [subprocess.Popen(aot.python_command(f"from fastnn.engine.warmup import warm; print(warm(['{dt}'])[0])"),
                              stdout=subprocess.PIPE, text=True) for dt in dtypes]
    for p in procs:
        out, _ = p.communicate()
        if p.returncode:
            raise CLIError("warmup failed in a worker process (see the messages above).")
        print("  " + out.strip())
    print(f"Done in {time.perf_counter() - t0:.1f} s. Later runs start from these; rerun after upgrading fastnn "
          f"or numba.")
