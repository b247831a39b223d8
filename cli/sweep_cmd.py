"""fastnn sweep: a grid of trainings over activations, losses, optimizers, ... on all cores or a
Dask cluster, a ranked table on the terminal, every result in a resumable file."""
import sys
import time
import warnings

from fastnn import sweep

from . import data as D
from .errors import CLIError


def _split(value, sep=","):
    if value is None:
        return [None]
    parts = [p.strip() for p in value.split(sep)]
    if any(not p for p in parts):
        raise CLIError(f"empty value in {value!r} (two separators in a row?).")
    return parts


def _numbers(value, kind, option):
    out = []
    for p in _split(value):
        if p is None:
            return [None]
        try:
            out.append(kind(float(p)) if kind is int and float(p).is_integer() else kind(p))
        except ValueError:
            raise CLIError(f"{option}: {p!r} is not a {'whole number' if kind is int else 'number'}.") from None
    return out


def run_sweep(o):
    if o.workers is not None and o.workers < 1:
        raise CLIError(f"--workers must be at least 1, got {o.workers}.")
    if o.top < 0:
        raise CLIError(f"--top must be 0 (all rows) or more, got {o.top}.")
    if not 0.0 <= o.validation_split < 1.0:
        raise CLIError(f"--validation-split must be in [0, 1), got {o.validation_split}.")
    if o.out:  # a bad name, an unreadable file or another sweep on it fails before any work
        store = sweep.ResultsFile(o.out)
        with store.locked(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # run() reports damaged rows once, below
            store.load()
    if o.scheduler and not o.scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise CLIError(f"--scheduler {o.scheduler!r}: give the scheduler's address, e.g. tls://10.0.0.5:8786 "
                       f"(or tcp:// on a trusted network).")
    if o.scheduler and o.scheduler.startswith("tcp://") and not _is_loopback(o.scheduler):
        print("fastnn: warning: the Dask scheduler is reached over plain tcp:// (no encryption, no "
              "authentication): anyone who can reach it can run code on its workers. Use tls:// with "
              "certificates (see the README) unless the network is private and trusted.", file=sys.stderr)
    layers = [None]
    if o.layers:
        layers = [p for spec in o.layers for p in _split(spec, ";")]
    trials = sweep.grid(
        activation=_split(o.activation), loss=_split(o.loss), optimizer=_split(o.optimizer),
        lr=_numbers(o.lr, float, "--lr"), layers=layers, batch_size=_numbers(o.batch_size, int, "--batch-size"),
        dropout=_numbers(o.dropout, float, "--dropout"), l2=_numbers(o.l2, float, "--l2"),
        repeats=o.repeats, seed=o.seed, epochs=o.epochs, validation_split=o.validation_split, schedule=o.schedule)
    train_set, test_set = D.train_and_test(o.data, o.labels, o.target, o.test_data, o.seed)
    data = sweep.Data(train_set.x, train_set.targets, None if test_set is None else test_set.x,
                      None if test_set is None else test_set.targets, train_set.source)
    where = o.scheduler or f"{o.workers or 'all'} local worker(s)"
    print(f"fastnn sweep: {len(trials)} trials ({len(trials) // o.repeats} combinations x {o.repeats} seeds) on "
          f"{train_set.source}, {where}", file=sys.stderr)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = _run_with_progress(trials, data, o)
    for w in caught:
        print(f"fastnn: warning: {w.message}", file=sys.stderr)
    seconds = time.perf_counter() - t0
    summaries, rank_by = sweep.summarize(results)
    _print_table(summaries, rank_by, o.top)
    failed = sum(1 for r in results if r["status"] != "ok")
    print(f"\n{len(results)} trials in {seconds:.1f} s wall ({failed} failed)"
          + (f"; all results in {o.out}" if o.out else ""))


def _run_with_progress(trials, data, o):
    try:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    except ImportError:  # rich comes with typer, but stay usable without it
        return sweep.run(trials, data, workers=o.workers, scheduler=o.scheduler, out=o.out)
    columns = [TextColumn("trials"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, transient=True, disable=o.quiet or not sys.stderr.isatty()) as bar:
        task = bar.add_task("sweep", total=len(trials))
        return sweep.run(trials, data, workers=o.workers, scheduler=o.scheduler, out=o.out,
                         progress=lambda done, total, _: bar.update(task, completed=done))


def _fmt(stat, digits=3):
    if stat is None:
        return "-"
    mean, std = stat
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _print_table(summaries, rank_by, top):
    varying = [a for a in sweep.AXES if len({str(s.combo[a]) for s in summaries}) > 1] or ["activation"]
    header = ["#"] + varying + [rank_by, "test_accuracy", "train_loss", "s/trial", "failures"]
    rows = []
    for i, s in enumerate(summaries[:top] if top else summaries, 1):
        rows.append([str(i)] + [str(s.combo[a]) for a in varying]
                    + [_fmt(s.stats.get(rank_by)), _fmt(s.stats.get("test_accuracy")), _fmt(s.stats.get("train_loss")),
                       f"{s.seconds:.3f}", (f"{len(s.failures)}: {s.failures[0][:60]}" if s.failures else "")])
    widths = [max(len(r[c]) for r in rows + [header]) for c in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(r, widths)) + " |")


def _is_loopback(address):
    host = address.split("://", 1)[1].rsplit(":", 1)[0].strip("[]")
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")
