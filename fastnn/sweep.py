"""Which activation, loss and optimizer? Try them all: a grid of trainings, run in parallel.

    from fastnn import sweep
    trials = sweep.grid(activation=["tanh", "relu"], optimizer=["adam", "sgd"], repeats=3)
    results = sweep.run(trials, data, workers=2)            # local processes
    results = sweep.run(trials, data, scheduler="tcp://...")  # an existing Dask cluster
    table = sweep.summarize(results)                       # mean/std over repeats, ranked

A trial is one configuration and one seed (repeat r uses seed `seed + r`). Each trial calls
fastnn.tasks.train_and_evaluate, so the same seed gives the same numbers in this process, in a
local worker process, or on a Dask worker. A trial that fails (a loss that does not fit the
labels, a diverging run) is reported with its error and the sweep goes on.

Results can be kept in a file (CSV or JSON) that is updated after every trial; running again
with the same file skips the trials it already holds, so an interrupted sweep resumes.
"""
import contextlib
import csv
import fcntl
import json
import math
import os
import statistics
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .atomic import replacing

AXES = ("activation", "loss", "optimizer", "lr", "layers", "batch_size", "dropout", "l2")
DEFAULTS = {"activation": None, "loss": "hinge", "optimizer": "adam", "lr": None, "layers": None, "batch_size": 32,
            "dropout": None, "l2": None}


@dataclass
class Data:
    """The sweep's data: training rows with raw labels, and an optional held-out test set."""

    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray = None
    y_test: np.ndarray = None
    name: str = "data"


@dataclass(frozen=True)
class Trial:
    activation: str = None
    loss: str = "hinge"
    optimizer: str = "adam"
    lr: float = None
    layers: str = None
    batch_size: int = 32
    dropout: float = None  # Dropout(rate) after every hidden Dense layer
    l2: float = None  # kernel_regularizer=L2(l2) on every Dense layer
    seed: int = 0
    epochs: int = 150
    validation_split: float = 0.2
    schedule: str = None  # a learning-rate schedule for every trial (tasks.parse_schedule)

    @property
    def key(self):
        """A stable text key: the identity of the trial in a results file (dropout, l2 and schedule only
        when set, so results files written before those options keep their keys)."""
        axes = [k for k in AXES if k not in ("dropout", "l2") or getattr(self, k)]
        extra = ("schedule",) if self.schedule not in (None, "none") else ()
        return "|".join(f"{k}={getattr(self, k)}" for k in tuple(axes) + ("seed", "epochs", "validation_split")
                        + extra)

    def combo(self):
        return tuple(getattr(self, k) for k in AXES)


def _check_values(axis, values):
    from . import activations, losses, optimizers

    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        if axis == "activation":
            activations.canonical_name(v)
        elif axis == "loss":
            losses.get(v)
        elif axis == "optimizer":
            optimizers.get(v)
        elif axis == "lr":
            v = float(v)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"lr values must be finite and >= 0, got {v}.")
        elif axis == "layers":
            from .tasks import parse_layers

            parse_layers(v)
        elif axis == "dropout":
            v = float(v)
            if not (math.isfinite(v) and 0 <= v < 1):
                raise ValueError(f"dropout values must be rates in [0, 1), got {v}.")
        elif axis == "l2":
            v = float(v)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"l2 values must be finite and >= 0, got {v}.")
        elif axis == "batch_size":
            if isinstance(v, float) and not v.is_integer():
                raise ValueError(f"batch_size values must be positive integers, got {v}.")
            v = int(v)
            if v < 1:
                raise ValueError(f"batch_size values must be positive integers, got {v}.")
        out.append(v)
    if len(set(out)) != len(out):
        raise ValueError(f"{axis}: a value is listed twice ({values}).")
    return out


def grid(activation=(None,), loss=("hinge",), optimizer=("adam",), lr=(None,), layers=(None,), batch_size=(32,),
         repeats=1, seed=0, epochs=150, validation_split=0.2, dropout=(None,), l2=(None,), schedule=None):
    """Every combination of the given values, `repeats` seeds each (seed, seed + 1, ...).
    Unknown names and bad values raise ValueError before anything runs."""
    values = {"activation": activation, "loss": loss, "optimizer": optimizer, "lr": lr, "layers": layers,
              "batch_size": batch_size, "dropout": dropout, "l2": l2}
    for axis, vals in values.items():
        if isinstance(vals, (str, int, float)) or vals is None:
            vals = [vals]
        if not list(vals):
            raise ValueError(f"{axis}: give at least one value.")
        values[axis] = _check_values(axis, list(vals))
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}.")
    from .tasks import parse_schedule

    parse_schedule(schedule)
    trials = []
    for a in values["activation"]:
        for lo in values["loss"]:
            for o in values["optimizer"]:
                for r in values["lr"]:
                    for la in values["layers"]:
                        for b in values["batch_size"]:
                            for d in values["dropout"]:
                                for reg in values["l2"]:
                                    for k in range(repeats):
                                        trials.append(Trial(a, lo, o, r, la, b, d, reg, seed + k, epochs,
                                                            validation_split, schedule))
    return trials


def run_trial(trial, data):
    """Train and evaluate one trial; never raises: failures come back as status 'error'."""
    from .tasks import train_and_evaluate

    t0 = time.perf_counter()
    record = {"key": trial.key, **{k: getattr(trial, k) for k in AXES + ("seed", "epochs")}}
    try:
        test = (data.x_test, data.y_test) if data.x_test is not None else None
        _, _, summary = train_and_evaluate(
            data.x, data.y, test, loss=trial.loss, optimizer=trial.optimizer, lr=trial.lr, layers=trial.layers,
            activation=trial.activation, epochs=trial.epochs, batch_size=trial.batch_size,
            validation_split=trial.validation_split, seed=trial.seed, dropout=trial.dropout, l2=trial.l2,
            schedule=trial.schedule)
        record.update(status="ok", error="", train_loss=summary.get("loss"), train_accuracy=summary.get("accuracy"),
                      **{k: summary.get(k) for k in ("val_loss", "val_accuracy", "test_loss", "test_accuracy",
                                                     "epochs_run", "train_seconds")})
        if summary.get("interrupted"):  # Ctrl-C reached fit: not a result, rerun on resume
            record["status"] = "interrupted"
            record["error"] = "interrupted by Ctrl-C"
        elif summary.get("nonfinite"):
            record["status"] = "diverged"
            record["error"] = "the loss became NaN or inf; training stopped early"
    except (ValueError, TypeError, FloatingPointError) as exc:
        record.update(status="error", error=f"{type(exc).__name__}: {exc}")
    record["seconds"] = round(time.perf_counter() - t0, 4)
    return record


def _worker_init():
    """Load the compiled kernels once per worker, so trial times measure training only."""
    from .engine.warmup import compile_dtype

    compile_dtype("float32")


def _run_local(trials, data, workers, on_result):
    import concurrent.futures as cf
    import multiprocessing as mp

    if workers == 1:
        for t in trials:
            on_result(run_trial(t, data))
        return
    saved = os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # inherited by the spawned workers at start
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_worker_init)
    try:
        futures = [pool.submit(run_trial, t, data) for t in trials]
        for f in cf.as_completed(futures):
            on_result(f.result())
    except BaseException:  # Ctrl-C (or an interrupted trial): start nothing more
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown()
    finally:
        if saved is None:
            os.environ.pop("OPENBLAS_NUM_THREADS", None)
        else:
            os.environ["OPENBLAS_NUM_THREADS"] = saved


def _run_dask(trials, data, scheduler, on_result):
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise ImportError("scheduler=... needs Dask: pip install 'fastnn[distributed]'") from None
    if isinstance(scheduler, Client):
        client = scheduler
    else:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc}). Is `dask scheduler` "
                             f"running there, and the port open?") from None
    try:
        shared = client.scatter(data, broadcast=True)
        futures = client.map(run_trial, trials, data=shared, pure=False)
        for f in as_completed(futures):
            on_result(f.result())
    finally:
        if not isinstance(scheduler, Client):
            client.close()


def run(trials, data, workers=None, scheduler=None, out=None, progress=None):
    """Run the trials, skipping those already in `out`; returns every result (old and new).

    workers   local worker processes (default: every core); 1 runs in this process
    scheduler a Dask scheduler address ('tcp://host:8786') or a dask.distributed.Client
    out       a .csv or .json results file, rewritten after each trial (resumable)
    progress  callable(done, total, result) after each trial
    """
    store = ResultsFile(out) if out else None
    with store.locked() if store else _no_lock():
        done = {k: r for k, r in store.load().items() if r["status"] in FINISHED} if store else {}
        todo = [t for t in trials if t.key not in done]
        results = [done[t.key] for t in trials if t.key in done]
        total = len(trials)
        count = [len(results)]

        def on_result(record):
            if store:
                store.add(record)
            if record["status"] == "interrupted":  # Ctrl-C reached a trial's fit: stop the sweep
                raise KeyboardInterrupt
            results.append(record)
            count[0] += 1
            if progress:
                progress(count[0], total, record)

        if todo:
            if scheduler is not None:
                _run_dask(todo, data, scheduler, on_result)
            else:
                _run_local(todo, data, workers or os.cpu_count() or 1, on_result)
    order = {t.key: i for i, t in enumerate(trials)}
    return sorted(results, key=lambda r: order.get(r["key"], len(order)))


FINISHED = ("ok", "error", "diverged")  # statuses a resumed sweep does not run again


@contextlib.contextmanager
def _no_lock():
    yield


@dataclass
class Summary:
    combo: dict
    n: int
    failures: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # metric -> (mean, std)
    seconds: float = 0.0  # mean training time per trial


def summarize(results, rank_by=None):
    """Mean and std over repeats per combination, ranked best first (by validation accuracy
    when there is one, else by validation loss)."""
    groups = {}
    for r in results:
        groups.setdefault(tuple(r.get(k) for k in AXES), []).append(r)
    metrics = ("val_accuracy", "test_accuracy", "val_loss", "train_loss", "test_loss")
    summaries = []
    for combo, rs in groups.items():
        ok = [r for r in rs if r["status"] == "ok"]
        s = Summary(dict(zip(AXES, combo)), len(rs), [r["error"] for r in rs if r["status"] != "ok"])
        for m in metrics:
            vals = [float(r[m]) for r in ok if r.get(m) not in (None, "")]
            if vals:
                s.stats[m] = (statistics.fmean(vals), statistics.pstdev(vals) if len(vals) > 1 else 0.0)
        s.seconds = statistics.fmean(float(r.get("train_seconds") or r["seconds"]) for r in rs)
        summaries.append(s)
    if rank_by is None:
        rank_by = "val_accuracy" if any("val_accuracy" in s.stats for s in summaries) else "val_loss"
    higher = rank_by.endswith("accuracy")

    def key(s):
        if rank_by not in s.stats:
            return (1, 0.0)
        mean = s.stats[rank_by][0]
        return (0, -mean if higher else mean)

    return sorted(summaries, key=key), rank_by


class ResultsFile:
    """A results file in CSV or JSON, rewritten atomically after every trial."""

    COLUMNS = ["key", *AXES, "seed", "epochs", "status", "error", "train_loss", "train_accuracy", "val_loss",
               "val_accuracy", "test_loss", "test_accuracy", "epochs_run", "train_seconds", "seconds"]

    def __init__(self, path):
        self.path = os.fspath(path)
        ext = os.path.splitext(self.path)[1].lower()
        if ext not in (".csv", ".json"):
            raise ValueError(f"results file {self.path!r}: use a .csv or .json name.")
        self.format = ext[1:]
        self.records = {}

    @contextlib.contextmanager
    def locked(self):
        """Hold <file>.lock for the whole sweep: a second sweep on the same results file is refused
        at once instead of the two overwriting each other's trials."""
        lock_path = self.path + ".lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise ValueError(f"results file {self.path!r} is in use by another sweep (locked: {lock_path}); "
                                 f"wait for it to finish or choose another --out.") from None
            yield self
        finally:
            os.close(fd)

    def load(self):
        if not os.path.exists(self.path) or os.path.getsize(self.path) == 0:
            return {}
        try:
            if self.format == "json":
                with open(self.path) as f:
                    rows = json.load(f)
            else:
                with open(self.path, newline="") as f:
                    rows = list(csv.DictReader(f))
        except (json.JSONDecodeError, csv.Error, UnicodeDecodeError, RecursionError) as exc:
            raise ValueError(f"results file {self.path!r} is not a readable sweep results file ({exc}); "
                             f"move it away or choose another --out.") from None
        if not isinstance(rows, list) or any(not isinstance(r, dict) or "key" not in r for r in rows):
            raise ValueError(f"results file {self.path!r} is not a fastnn sweep results file.")
        records, skipped = {}, 0
        for row in rows:
            try:
                if self.format == "csv" and (None in row or any(v is None for v in row.values())):
                    raise ValueError("a row with missing or extra fields")
                record = _typed(row)
                if record.get("status") not in FINISHED + ("interrupted",) or not isinstance(record["key"], str):
                    raise ValueError("bad status")
            except (TypeError, ValueError):  # a row cut short by a kill during a write
                skipped += 1
                continue
            records[record["key"]] = record
        if skipped:
            warnings.warn(f"results file {self.path!r}: skipped {skipped} damaged row(s) (cut short by a kill?); "
                          f"those trials run again.", stacklevel=3)
        self.records = records
        return dict(self.records)

    def add(self, record):
        """Store one result: the whole file is rewritten atomically (fastnn/atomic.py)."""
        self.records[record["key"]] = record
        rows = list(self.records.values())
        with replacing(self.path, text=True) as f:
            if self.format == "json":
                json.dump(rows, f, indent=1)
            else:
                w = csv.DictWriter(f, fieldnames=self.COLUMNS, extrasaction="ignore")
                w.writeheader()
                for r in rows:
                    w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in self.COLUMNS})


def _typed(row):
    """CSV gives strings: restore numbers and None so summaries and keys work."""
    out = dict(row)
    for k in ("lr", "dropout", "l2", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy",
              "train_seconds", "seconds"):
        v = out.get(k)
        if isinstance(v, str):
            out[k] = float(v) if v not in ("", "None") else None
    for k in ("batch_size", "seed", "epochs", "epochs_run"):
        v = out.get(k)
        if isinstance(v, str) and v not in ("", "None"):
            out[k] = int(float(v))
    for k in ("activation", "layers"):
        if out.get(k) in ("", "None"):
            out[k] = None
    return out
