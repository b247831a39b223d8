"""fit / evaluate / predict: validate once at the boundary, then hand whole epochs to the kernel.

Python's part of fit is per CHUNK of epochs, not per batch: it calls kernels.entry_points.train_epochs
for as many epochs as fit in ~0.1 s (one at a time when user callbacks need every epoch),
turns the returned history rows into logs, runs callbacks and prints progress. Ctrl-C is
caught between chunks: fit stops after the running chunk and returns the History so far,
with the weights of the last finished epoch.
"""
import math
import os
import signal
import threading
import time
import warnings

import numpy as np

try:  # the C module under `signal`: the same calls without signal.py's enum conversions (40 us per fit)
    import _signal
except ImportError:  # another Python implementation
    _signal = signal

from .. import _validation as V
from .. import metrics as _metrics
from ..callbacks import CallbackList, History
from ..kernels import codes as C
from ..kernels.args import Data, Objective, Optim, Out, Schedule
from ..losses import Loss, prepare_targets
from ..progress import ProgressLogger, format_value
from . import blas

CHUNK_SECONDS = 0.1  # target wall time of one train_epochs call when callbacks allow chunking
# Epochs of a model with BLAS-size layers that take longer than 2 x SLICE_SECONDS run in slices of
# batches of about SLICE_SECONDS, OpenBLAS's threads chosen anew before each (engine/blas.py): chosen
# once per epoch, one moment of another process's load at its start (a peer's threads winding down)
# cost a whole 784-256-256-10 epoch 40% (1 thread instead of 2), measured in perf's round robin.
SLICE_SECONDS = 0.1
FIRST_SLICE_BATCHES = 8  # before an epoch's time is known
VALIDATION_ROWS = 256


def _check_compiled(model, what):
    if not model.compiled:
        raise RuntimeError(f"{what}: compile the model first, e.g. model.compile('adam', 'mse').")


def _batch_size(batch_size, default=32):
    if batch_size is None:
        return default
    return V.positive_int(batch_size, "batch_size")


def _verbose_level(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}.")
    return int(verbose)


def is_fused(model):
    """Softmax + (sparse) categorical crossentropy and sigmoid + binary crossentropy, on
    probabilities: the loss kernel then returns the gradient w.r.t. the pre-activation."""
    last_act = int(model._layout.layers[-1, C.L_ACT])
    if model.loss.from_logits:
        return False
    last_row = model._layout.layers.shape[0] - 1
    if any(layer.activity_regularizer is not None and model._row_of.get(id(layer)) == last_row
           for layer in model.layers):
        return False  # the output's activity penalty needs dL/d(output), not the fused dL/dz
    if last_act == C.code_of("softmax") and model.loss.name in ("categorical_crossentropy",
                                                                "sparse_categorical_crossentropy"):
        return True
    return last_act == C.code_of("sigmoid") and model.loss.name == "binary_crossentropy"


_METRIC_LOSS_PARAMS = {}


def _metric_loss_params(dtype):
    if dtype not in _METRIC_LOSS_PARAMS:
        _METRIC_LOSS_PARAMS[dtype] = Loss("mse").param_vector(dtype)
    return _METRIC_LOSS_PARAMS[dtype]


class _Objective:
    """Everything the kernels need about the loss and metrics, resolved against the labels, and
    how the streaming metrics' pooled counts become their values (finish)."""

    def __init__(self, model, y):
        dtype = model.dtype
        self.loss_code = model.loss.code
        self.lp = model.loss.param_vector(dtype)
        self.mlp = _metric_loss_params(dtype)  # loss-valued metrics use default options (eps only)
        self.fused = is_fused(model)
        self.n_outputs = model._layout.n_out
        self.plans = _metrics.plan_all(model._metric_identifiers, model.loss, self.n_outputs, y)
        self.metric_names = [p.name for p in self.plans]
        rows, params, blocks = [], [], []
        size = 0
        for plan in self.plans:
            p_off = len(params) if plan.params else -1
            params += plan.params
            c_off = -1
            if plan.metric is not None and plan.metric.streaming:
                c_off = size
                n = plan.metric.block_size(self.n_outputs)
                blocks.append((len(rows), plan.metric, c_off, n))
                size += n
            rows.append((plan.code, plan.arg, p_off, c_off))
        self.metric_codes = np.array(rows, dtype=np.int64).reshape(-1, 4)
        self.streaming = blocks  # (metric index, metric, counts offset, size)
        # whether any metric's value is not simply the kernel's mean (a streaming one, or RMSE's sqrt):
        # otherwise finish() is skipped, since calling it per epoch of a 150-epoch chunk cost S 12%
        self.needs_finish = bool(blocks) or any(p.metric is not None for p in self.plans)
        self.counts, self.val_counts = np.zeros(size), np.zeros(size)
        self.args = Objective(self.loss_code, self.lp, self.fused, self.metric_codes, self.mlp,
                              np.array(params, dtype=np.float64), self.counts, self.val_counts)  # the kernels' view

    def finish(self, values, counts, prefix=""):
        """The metrics' final values for one pass: values[m] is the kernel's mean for metric m;
        streaming metrics take theirs from the pooled counts (then cleared), and a mean metric
        with a final transform (RootMeanSquaredError's square root) gets it. Returns {name: value}."""
        out = {}
        for m, plan in enumerate(self.plans):
            if plan.metric is not None and not plan.metric.streaming:
                out[prefix + plan.name] = _python_scalar(plan.metric.post(values[m]))
        for m, metric, off, n in self.streaming:
            out[prefix + self.plans[m].name] = _python_scalar(metric.finish(counts[off:off + n].copy(), self.n_outputs))
        counts[:] = 0.0
        return out


def _python_scalar(value):
    """A metric's value as Keras hands it out: a Python float (not np.float64, which prints as
    np.float64(0.98) in evaluate's list), or the array of a per-threshold metric."""
    return float(value) if np.ndim(value) == 0 else value


def _split_validation(x, y, sw, validation_split, validation_data, model):
    if validation_data is not None and validation_split:
        warnings.warn("fit: validation_data is given, so validation_split is ignored (as in Keras).", stacklevel=4)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val).")
        xv = V.features(model._rows(validation_data[0], "validation x"), model.input_dim, model.dtype,
                        what="validation x")
        yv = prepare_targets(model.loss, validation_data[1], model._layout.n_out, model.dtype, what="validation y")
        if len(xv) != len(yv):
            raise ValueError(f"validation x has {len(xv)} samples but validation y has {len(yv)}.")
        swv = V.sample_weights(validation_data[2] if len(validation_data) == 3 else None, len(xv), model.dtype)
        return x, y, sw, xv, yv, swv
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)) \
            or not 0.0 <= validation_split < 1.0:
        raise ValueError(f"validation_split must be a float in [0, 1), got {validation_split!r}.")
    if validation_split == 0:
        empty_x = np.zeros((0, x.shape[1]), dtype=model.dtype)
        empty_y = np.zeros((0, y.shape[1]), dtype=model.dtype)
        return x, y, sw, empty_x, empty_y, np.zeros(0, dtype=model.dtype)
    split_at = int(math.floor(len(x) * (1.0 - validation_split)))  # Keras 3: the LAST fraction, unshuffled
    if split_at == 0 or split_at == len(x):
        raise ValueError(
            f"validation_split={validation_split} leaves {split_at} training and {len(x) - split_at} validation "
            f"samples out of {len(x)}; both must be at least 1."
        )
    return x[:split_at], y[:split_at], sw[:split_at], x[split_at:], y[split_at:], sw[split_at:]


def _class_weights(class_weight, y, sw):
    """Multiply sample weights by class_weight[label]. The class of a sample is its label value
    (rounded) for one-column labels (class ids, 0/1 or ±1), its argmax for one-hot labels."""
    if class_weight is None:
        return sw
    if not isinstance(class_weight, dict):
        raise TypeError("class_weight must be a dict {class: weight}.")
    ids = np.round(y[:, 0]).astype(np.int64) if y.shape[1] == 1 else y.argmax(axis=1)
    weights = np.ones(len(ids), dtype=np.float64)
    for cls, w in class_weight.items():
        # a class missing from the labels is ignored, as in Keras (a cross-validation fold may lack one)
        if isinstance(cls, bool) or not isinstance(cls, (int, np.integer, float, np.floating)) or cls != int(cls):
            raise ValueError(f"class_weight keys must be integer class ids, got {cls!r}.")
        if isinstance(w, bool) or not isinstance(w, (int, float, np.integer, np.floating)) or not np.isfinite(w) \
                or w < 0:
            raise ValueError(f"class_weight[{cls!r}] must be a finite, non-negative number, got {w!r}.")
        weights[ids == int(cls)] = float(w)
    return (sw * weights).astype(sw.dtype)


class _InterruptFlag:
    """Turns the first Ctrl-C during fit into a flag checked between chunks; a second Ctrl-C
    interrupts immediately. Only installed in the main thread."""

    def __init__(self):
        self.raised = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = _signal.getsignal(signal.SIGINT)

            def handler(signum, frame):
                self.raised = True
                _signal.signal(signal.SIGINT, self._previous or signal.default_int_handler)

            _signal.signal(signal.SIGINT, handler)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            _signal.signal(signal.SIGINT, self._previous)
        return False


# Keras 2's fit/evaluate/predict options for generators: scripts pass them with arrays too, and Keras
# ignored them there
KERAS2_GENERATOR_OPTIONS = ("max_queue_size", "workers", "use_multiprocessing")


def _fit_arguments(model, kwargs, epochs, nb_epoch, initial_epoch, shuffle, verbose, batch_size):
    """Validate fit's scalar arguments (Keras 1/2 spellings included); returns them normalised."""
    for legacy in ("show_accuracy",) + KERAS2_GENERATOR_OPTIONS:  # Keras 1's show_accuracy too
        kwargs.pop(legacy, None)
    for unsupported in ("steps_per_epoch", "validation_steps", "validation_batch_size", "validation_freq"):
        if kwargs.get(unsupported) is not None:
            raise TypeError(f"fit: {unsupported} is not supported by fastnn (arrays only).")
        kwargs.pop(unsupported, None)
    if kwargs:
        raise TypeError(f"fit got unexpected argument(s): {sorted(kwargs)}.")
    _check_compiled(model, "fit")
    if nb_epoch is not None:
        epochs = nb_epoch
    epochs = V.positive_int(epochs, "epochs")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer)) or initial_epoch < 0:
        raise ValueError(f"initial_epoch must be a non-negative integer, got {initial_epoch!r}.")
    if shuffle not in (True, False):
        raise ValueError("shuffle must be True or False ('batch' shuffling is not supported).")
    return epochs, _verbose_level(verbose), _batch_size(batch_size)


HISTORY_BYTES_PER_VALUE = 32  # a float in a list: the object and its pointer


def _check_history_fits(epochs, columns):
    """History keeps every epoch's values, and a small model runs a million epochs a second: a huge
    epochs= would fill memory until the process is killed. Refuse what cannot fit in a quarter of it."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return
    need = max(epochs, 0) * columns * HISTORY_BYTES_PER_VALUE
    if need > memory // 4:
        raise ValueError(f"epochs={epochs:,} would keep {epochs * columns:,} values in the History (about "
                         f"{need / 2 ** 30:,.0f} GiB, over a quarter of this machine's memory); train in several fit "
                         f"calls (each continues where the last stopped), or use fewer epochs.")


def _fit_data(model, x, y, sample_weight, class_weight, validation_split, validation_data):
    """Validated, coerced training and validation sets (kernels/args.Data)."""
    x = V.features(model._rows(x, learn_names=True), model.input_dim, model.dtype)
    model._ensure_built(x.shape[1])
    if y is None:
        raise ValueError("fit: y (the labels) is required.")
    y = prepare_targets(model.loss, y, model._layout.n_out, model.dtype)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must match.")
    sw = V.sample_weights(sample_weight, len(x), model.dtype)
    x, y, sw, xv, yv, swv = _split_validation(x, y, sw, validation_split, validation_data, model)
    sw = _class_weights(class_weight, y, sw)  # the training rows only: Keras never weights validation by class
    return Data(x, y, sw), Data(xv, yv, swv)


def fit(model, x, y, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
        validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
        nb_epoch=None, **kwargs):
    epochs, verbose, batch_size = _fit_arguments(model, kwargs, epochs, nb_epoch, initial_epoch, shuffle, verbose,
                                                 batch_size)
    with model._fit_lock:  # one fit at a time per model: it owns the weights and optimizer state
        train, val = _fit_data(model, x, y, sample_weight, class_weight, validation_split, validation_data)
        objective = _Objective(model, train.y)
        run = _FitRun(model, train, val, objective, batch_size, shuffle)
        _check_history_fits(epochs - initial_epoch, len(run.columns))
        history = History()
        history.interrupted = False  # set when Ctrl-C stopped training
        history.nonfinite = False  # set when NaN/inf values stopped training
        # History goes last, as in Keras, so it records what other callbacks add to the logs
        cbs = CallbackList([callbacks, history], model,
                           {"epochs": epochs, "steps": run.steps, "verbose": verbose, "batch_size": batch_size})
        progress = ProgressLogger(verbose, epochs, run.steps) if verbose else None
        model.history = history
        model.stop_training = False
        cbs.on_train_begin()
        work = (model._layout.n_params, train.x.shape[1], run.batch_rows, np.dtype(model.dtype).name)
        with blas.ThreadsForLoad(work) if getattr(model._layout, "uses_blas", True) else _no_threads() as threads:
            run.threads = threads
            _train_loop(model, run, cbs, history, progress, initial_epoch, epochs)
        cbs.on_train_end()
    return history


class _FitRun:
    """Everything one fit hands the training kernel, built once; chunk() runs n epochs."""

    def __init__(self, model, train, val, objective, batch_size, shuffle):
        layout = model._layout
        opt = model.optimizer
        if not opt.built_for(layout.n_params, model.dtype):
            opt.build(layout.n_params, model.dtype)
        self.model, self.train, self.val, self.objective = model, train, val, objective
        self.kernels = _kernels_for(model)
        rows = min(batch_size, len(train.x))
        self.steps = math.ceil(len(train.x) / rows)
        slots, self.opt_state = opt.state_arrays()
        self.slots = slots
        model._sync_trainable(slots)
        # the end-of-epoch validation runs in chunks of up to VALIDATION_ROWS rows, not batch_size: the same
        # numbers (each row's forward pass and the running sums do not depend on the chunk), fewer calls
        ws_rows = max(rows, min(len(val.x), VALIDATION_ROWS))
        self.ws, self.grads = model._fit_buffers(ws_rows, train.y.shape[1], slots.shape[0])
        self.order = np.arange(len(train.x), dtype=np.int64)
        self.report = np.zeros(C.N_REPORT, dtype=np.int64)
        self.shuffle = bool(shuffle)
        self.columns = _log_keys(objective.metric_names, len(val.x) > 0)
        self.one_epoch_per_call = bool(objective.streaming)  # pooled counts are per epoch
        self.overrides = []
        self.batch_rows = rows
        self.threads = None  # blas.ThreadsForLoad while fit runs, for models with BLAS-size layers
        self.val_for_kernel = val  # validation runs in Python instead when callbacks watch its batches

    def chunk(self, n, rows_out=None, first_batch=0, max_batches=-1):
        """Train n epochs in one kernel call; returns (history rows (n, columns), seconds). With
        max_batches >= 0: batches [first_batch, first_batch + max_batches) of one epoch, summing into
        rows_out (the same array for every slice of the epoch)."""
        model, opt, obj = self.model, self.model.optimizer, self.objective
        hp = opt.hyperparameters()
        _check_representable(hp, model.dtype)
        optim = Optim(self.grads, self.slots, model._layout.tensors, opt.code, hp, self.opt_state, model._constraints)
        if rows_out is None:
            rows_out = np.zeros((n, len(self.columns)), dtype=np.float64)
        if first_batch == 0:
            obj.counts[:] = 0.0
            obj.val_counts[:] = 0.0
        if self.threads is not None:
            self.threads.adapt()  # OpenBLAS gets the cores that are free right now
        t0 = time.perf_counter()
        self.kernels.train_epochs(
            model._net(), optim, self.train, self.val_for_kernel, obj.args,
            Schedule(n, self.shuffle, model._shuffle_state, self.order, first_batch, max_batches, self.batch_rows),
            self.ws,
            Out(rows_out, self.report))
        elapsed = time.perf_counter() - t0
        if max_batches >= 0 and not self.report[C.R_EPOCHS_DONE]:
            if self.threads is not None and first_batch > 0:
                # a slice of equal batches: its speed says how the threads did (not the epoch's first
                # slice, which also snapshots the state and shuffles: 1.3-1.6x slower per batch on L)
                self.threads.record(elapsed, int(self.report[C.R_NEXT_BATCH]) - first_batch)
            self.overrides = []
            return rows_out, elapsed  # mid-epoch: the sums stay in rows_out
        # the metrics whose value is not the kernel's mean: streaming ones from their counts, RMSE's sqrt
        m, val_col = len(obj.metric_names), 1 + len(obj.metric_names)
        self.overrides = []
        for k in range(int(self.report[C.R_EPOCHS_DONE]) if obj.needs_finish else 0):
            values = obj.finish(rows_out[k, 1:1 + m], obj.counts)
            if len(self.columns) > val_col:
                values.update(obj.finish(rows_out[k, val_col + 1:], obj.val_counts, "val_"))
            self.overrides.append(values)
        return rows_out, elapsed


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _check_representable(hp, dtype):
    """A learning rate that overflows the model dtype (1e39 in float32) would make every update inf."""
    lr = hp[C.HP_LR]
    if dtype is np.float32 and lr > _FLOAT32_MAX:
        raise ValueError(f"learning_rate {lr:g} overflows {np.dtype(dtype).name} (largest "
                         f"{np.finfo(dtype).max:.3g}); use a smaller learning rate.")


def _epoch_by_batches(model, run, cbs, interrupt):
    """One epoch, one kernel call per batch, with the batch hooks in between (Keras's logs: the
    epoch's running means so far). Stopping mid-epoch (stop_training, Ctrl-C) ends the epoch on the
    batches run, as Keras does, and it is validated and logged like a whole one. Returns
    (history row, seconds, epoch finished by the kernel)."""
    obj, n, size = run.objective, len(run.train.x), run.batch_rows
    rows = np.zeros((1, len(run.columns)), dtype=np.float64)
    m = len(obj.metric_names)
    elapsed, batch = 0.0, 0
    while batch < run.steps:
        cbs.on_train_batch_begin(batch)
        _, seconds = run.chunk(1, rows, first_batch=batch, max_batches=1)
        elapsed += seconds
        if run.report[C.R_STATUS] != C.STATUS_OK:
            return rows, elapsed, True
        if run.report[C.R_EPOCHS_DONE]:  # the last batch: the kernel finished the epoch (means, validation)
            logs = {"loss": float(rows[0, 0]), **{name: float(rows[0, 1 + i]) for i, name in enumerate(obj.metric_names)}}
            logs.update({k: v for k, v in (run.overrides[0] if run.overrides else {}).items()
                         if not k.startswith("val_")})
            cbs.on_train_batch_end(batch, logs)
            return rows, elapsed, True
        seen = min((batch + 1) * size, n)
        logs = {"loss": float(rows[0, 0] / seen),
                **{name: float(rows[0, 1 + i] / seen) for i, name in enumerate(obj.metric_names)}}
        logs.update(obj.finish(rows[0, 1:1 + m] / seen, obj.counts.copy()))
        cbs.on_train_batch_end(batch, logs)
        batch += 1
        if model.stop_training or interrupt.raised:
            break
    seen = min(batch * size, n)  # stopped early: the epoch is the batches run
    rows[0, :1 + m] /= max(seen, 1)
    run.overrides = [obj.finish(rows[0, 1:1 + m], obj.counts)]
    if len(run.val.x):
        logs = _evaluate_arrays(model, run.val, obj, run.batch_rows, cbs if cbs.wants_test_batches else None)
        rows[0, 1 + m:] = [logs["loss"]] + [logs[name] if np.ndim(logs[name]) == 0 else 0.0
                                            for name in obj.metric_names]
        run.overrides[0].update({f"val_{k}": v for k, v in logs.items() if k != "loss"})
    return rows, elapsed, False


def _epoch_in_slices(run):
    """One epoch in kernel calls of about SLICE_SECONDS each (chunk() re-chooses the BLAS threads
    before each); the same numbers as one call. Returns (history row, seconds)."""
    rows = np.zeros((1, len(run.columns)), dtype=np.float64)
    elapsed, batch, size = 0.0, 0, FIRST_SLICE_BATCHES
    while True:
        _, seconds = run.chunk(1, rows, first_batch=batch, max_batches=size)
        elapsed += seconds
        if run.report[C.R_STATUS] != C.STATUS_OK or run.report[C.R_EPOCHS_DONE]:
            return rows, elapsed
        batch, size = int(run.report[C.R_NEXT_BATCH]), max(1, int(SLICE_SECONDS * size / max(seconds, 1e-9)))


def _train_loop(model, run, cbs, history, progress, epoch, epochs):
    """Chunks of epochs until done, stopped by a callback, Ctrl-C or non-finite values. Each chunk
    is sized to take about CHUNK_SECONDS; one epoch per call when callbacks need every epoch."""
    per_epoch_calls = not cbs.all_passive
    passive_only = cbs.all_passive and progress is None
    by_batches = cbs.wants_train_batches or (cbs.wants_test_batches and len(run.val.x) > 0)
    if cbs.wants_test_batches and len(run.val.x):  # validation batch by batch, in Python
        run.val_for_kernel = Data(run.val.x[:0], run.val.y[:0], run.val.sw[:0])
        run.columns = _log_keys(run.objective.metric_names, True)
    chunk, per_epoch = 1, None
    with _InterruptFlag() as interrupt:
        while epoch < epochs and not model.stop_training:
            n = 1 if per_epoch_calls or run.one_epoch_per_call or by_batches else min(chunk, epochs - epoch)
            if per_epoch_calls:
                cbs.on_epoch_begin(epoch)
            if by_batches:
                rows, elapsed, kernel_done = _epoch_by_batches(model, run, cbs, interrupt)
                if kernel_done and len(run.val.x) and run.val_for_kernel is not run.val:
                    _validate_in_python(model, run, rows, cbs)
                done = 1 if run.report[C.R_STATUS] == C.STATUS_OK else int(run.report[C.R_EPOCHS_DONE])
            elif run.threads is not None and n == 1 and (per_epoch is None or per_epoch > 2 * SLICE_SECONDS):
                rows, elapsed = _epoch_in_slices(run)
                done = int(run.report[C.R_EPOCHS_DONE])
            else:
                rows, elapsed = run.chunk(n)
                done = int(run.report[C.R_EPOCHS_DONE])
            columns = {key: rows[:done, i].tolist() for i, key in enumerate(run.columns)}
            for k, values in enumerate(run.overrides[:done]):
                for key, value in values.items():
                    columns[key][k] = value
            if passive_only:  # only History listens: record the whole chunk at once
                history.extend(range(epoch, epoch + done), columns)
                epoch += done
            for k in range(0 if passive_only else done):
                logs = {key: values[k] for key, values in columns.items()}
                if progress:
                    progress.record(epoch, logs, elapsed / max(done, 1))
                cbs.on_epoch_end(epoch, logs)
                epoch += 1
            if progress:
                progress.flush()
            if run.report[C.R_STATUS] == C.STATUS_UNKNOWN_CODE:
                raise _unknown_code(model)
            if run.report[C.R_STATUS] != C.STATUS_OK:
                _warn_nonfinite(model, epoch, run.report, progress)
                history.nonfinite = True
                break
            if interrupt.raised:
                msg = f"Interrupted: training stopped after epoch {epoch}; returning the History so far."
                if progress:
                    progress.message(msg)
                else:
                    warnings.warn(msg, stacklevel=4)
                model.stop_training = True
                history.interrupted = True
                break
            per_epoch = elapsed / max(done, 1)
            if not per_epoch_calls:  # size the next call to take about CHUNK_SECONDS
                chunk = max(1, min(int(CHUNK_SECONDS / max(per_epoch, 1e-9)), 100 * chunk, 1_000_000))


def _unknown_code(model):
    """A kernel met a code it has no branch for: a spec wired in Python without its kernel (a bug)."""
    what = f"loss {model.loss.name!r}, optimizer {type(model.optimizer).__name__}, activations " + ", ".join(
        sorted({layer.activation.name for layer in model.layers if hasattr(layer, "activation")}))
    return RuntimeError(f"a training kernel has no branch for one of this model's codes ({what}): a fastnn bug; "
                        f"the weights were left as they were before that step.")


def _log_keys(metric_names, has_val):
    """The history row's columns in order: loss, metrics, then (with validation) their val_ twins."""
    keys = ["loss", *metric_names]
    return keys + [f"val_{k}" for k in keys] if has_val else keys


def _warn_nonfinite(model, epoch, report, progress):
    where = f"epoch {epoch + 1}, batch {int(report[C.R_BATCH]) + 1}"
    if report[C.R_STATUS] == C.STATUS_NONFINITE_LOSS:
        what = (f"the loss became NaN or inf in {where}. That batch's update was not applied, so the weights are "
                f"the last finite ones.")
    else:
        what = (f"an update made the weights or the optimizer state NaN or inf (overflow; found at {where}). "
                f"The weights and optimizer state were rolled back to the start of epoch {epoch + 1}, the last "
                f"finite state.")
    msg = f"fit stopped: {what} {nonfinite_hint(model)}"
    if progress:
        progress.flush()
    warnings.warn(msg, RuntimeWarning, stacklevel=4)
    model.stop_training = True


# output activations whose values are never negative (poisson's log needs p >= 0)
_NON_NEGATIVE = {"softplus", "exponential", "relu", "relu6", "sigmoid", "hard_sigmoid", "softmax", "sparse_plus",
                 "sparse_sigmoid", "hard_silu"}


def nonfinite_hint(model):
    """The likely cause of a NaN/inf loss for this model and loss, and the fix, in one sentence."""
    last = model.output_activation_name()
    loss = model.loss.name
    if loss == "poisson" and last not in _NON_NEGATIVE - {"hard_silu"}:
        return (f"Likely cause: poisson needs non-negative predictions but the output activation is {last!r}; "
                f"use softplus or exponential on the output layer.")
    if loss in ("categorical_crossentropy", "sparse_categorical_crossentropy") and not model.loss.from_logits \
            and last != "softmax":
        return (f"Likely cause: {loss} on probabilities needs a softmax output layer, but the output activation "
                f"is {last!r} (its outputs can sum to 0 or be negative); use softmax, or a linear output with "
                f"from_logits=True.")
    return ("Try a lower learning rate, scaled inputs, gradient clipping (clipnorm=1.0), or an output activation "
            "that fits the loss.")


def _workspace(model, rows):
    """Scratch buffers for evaluate/predict, cached per THREAD (kernels release the GIL, so two
    threads predicting with one model at once must not share a workspace)."""
    cache = model._workspaces.__dict__.setdefault("by_rows", {})
    ws = cache.get(rows)
    if ws is None:
        if len(cache) > 8:
            cache.clear()
        ws = cache[rows] = model._layout.workspace(rows)
    return ws


def _evaluate_arrays(model, data, objective, rows, cbs=None):
    """{loss, metrics} over data (kernels/args.Data). With cbs (test-batch hooks) one kernel call per
    batch, the hooks between them with the running means; the slices' means combine by their rows,
    and streaming counts pool across the calls, so the result equals one whole-data call."""
    ws = _workspace(model, rows)
    kernels, net, n_rows = _kernels_for(model), model._net(), len(data.x)
    m = len(objective.metric_names)
    objective.counts[:] = 0.0
    slices = [(0, n_rows)] if cbs is None else [(s, min(s + rows, n_rows)) for s in range(0, n_rows, rows)]
    totals = np.zeros(1 + m, dtype=np.float64)
    logs = np.zeros(1 + m, dtype=np.float64)
    for b, (start, stop) in enumerate(slices):
        if cbs is not None:
            cbs.on_test_batch_begin(b)
        part = Data(data.x[start:stop], data.y[start:stop], data.sw[start:stop])
        if kernels.evaluate_dataset(logs, net, part, objective.args, ws):
            raise _unknown_code(model)
        totals += logs * (stop - start)
        if cbs is not None:
            running = totals / stop
            batch_logs = {"loss": float(running[0]), **{name: float(running[1 + i])
                                                        for i, name in enumerate(objective.metric_names)}}
            batch_logs.update(objective.finish(running[1:], objective.counts.copy()))
            cbs.on_test_batch_end(b, batch_logs)
    means = totals / max(n_rows, 1)
    values = {"loss": float(means[0])}
    for i, name in enumerate(objective.metric_names):
        values[name] = float(means[1 + i])
    values.update(objective.finish(means[1:], objective.counts))
    return values


def _validate_in_python(model, run, rows, cbs):
    """The epoch's validation when callbacks watch its batches (the kernel was given none)."""
    obj = run.objective
    m = len(obj.metric_names)
    logs = _evaluate_arrays(model, run.val, obj, run.batch_rows, cbs)
    rows[0, 1 + m:] = [logs["loss"]] + [logs[n] if np.ndim(logs[n]) == 0 else 0.0 for n in obj.metric_names]
    if run.overrides:
        run.overrides[0].update({f"val_{k}": v for k, v in logs.items() if k != "loss"})


def evaluate(model, x, y, batch_size=None, verbose="auto", sample_weight=None, return_dict=False, callbacks=None,
             **kwargs):
    if kwargs.pop("steps", None) is not None:
        raise TypeError("evaluate: steps is not supported (arrays only).")
    for legacy in KERAS2_GENERATOR_OPTIONS:
        kwargs.pop(legacy, None)
    if kwargs:
        raise TypeError(f"evaluate got unexpected argument(s): {sorted(kwargs)}.")
    _check_compiled(model, "evaluate")
    x = V.features(model._rows(x), model.input_dim, model.dtype)
    model._ensure_built(x.shape[1])
    model._sync_trainable()  # the current regularizers: evaluate's loss includes their penalties
    y = prepare_targets(model.loss, y, model._layout.n_out, model.dtype)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must match.")
    sw = V.sample_weights(sample_weight, len(x), model.dtype)
    objective = _Objective(model, y)
    rows = min(_batch_size(batch_size), len(x))
    cbs = CallbackList(callbacks or [], model, {"steps": math.ceil(len(x) / rows), "verbose": verbose}) \
        if callbacks else None
    if cbs is not None:
        cbs.on_test_begin()
    values = _evaluate_arrays(model, Data(x, y, sw), objective, rows,
                              cbs if cbs is not None and cbs.wants_test_batches else None)
    if cbs is not None:
        cbs.on_test_end(values)
    if not np.isfinite(values["loss"]):
        _warn_nonfinite_outputs(model, "evaluate: the loss is not finite", _predict(model, x))
    if _verbose_level(verbose):
        steps = math.ceil(len(x) / rows)
        print(f"{steps}/{steps} - " + " - ".join(f"{k}: {format_value(v)}" for k, v in values.items()))
    if return_dict:
        return values
    return values["loss"] if not objective.metric_names else list(values.values())


_kernels = {}


class _no_threads:
    """ThreadsForLoad's stand-in for models without BLAS-size layers."""

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _kernels_for(model):
    """training_kernels for this model, with SciPy's BLAS loaded fast first when a layer uses it."""
    if getattr(model._layout, "uses_blas", True):
        blas.preload()  # the kernels' dgemm/sgemm without scipy.linalg's 0.25 s import
    return training_kernels(model.dtype)


def training_kernels(dtype):
    """The module with train_epochs / evaluate_dataset / predict_into for a dtype: the
    ahead-of-time compiled one when `fastnn warmup` has built it for this machine (no Numba
    import at all), else fastnn.kernels.entry_points, JIT-compiled and cached by Numba."""
    name = getattr(dtype, "__name__", None) or np.dtype(dtype).name
    module = _kernels.get(name)
    if module is None:
        from . import aot

        module = aot.load(name)
        if module is None:
            from ..kernels import entry_points as module
        _kernels[name] = module
    return module


def predict(model, x, batch_size=None, callbacks=None, **kwargs):
    if callbacks:
        return _predict_with_callbacks(model, x, batch_size, callbacks, **kwargs)
    out = _predict(model, x, batch_size, **kwargs)
    if not np.isfinite(out).all():
        _warn_nonfinite_outputs(model, "predict", out)
    return out


def _predict_with_callbacks(model, x, batch_size, callbacks, **kwargs):
    """predict with on_predict_begin/end, and one kernel call per batch when a callback watches
    batches (on_predict_batch_end gets {'outputs': that batch's outputs}, as Keras)."""
    x = V.features(model._rows(x), model.input_dim, model.dtype)
    model._ensure_built(x.shape[1])
    rows = min(_batch_size(batch_size), len(x))
    cbs = CallbackList(callbacks, model, {"steps": math.ceil(len(x) / rows)})
    cbs.on_predict_begin()
    if not cbs.wants_predict_batches:
        out = predict(model, x, batch_size, **kwargs)
    else:
        parts = []
        for b, start in enumerate(range(0, len(x), rows)):
            cbs.on_predict_batch_begin(b)
            parts.append(predict(model, x[start:start + rows], batch_size, **kwargs))
            cbs.on_predict_batch_end(b, {"outputs": parts[-1]})
        out = np.concatenate(parts)
    cbs.on_predict_end()
    return out


def _predict(model, x, batch_size=None, **kwargs):
    if kwargs:
        for ignored in ("verbose",) + KERAS2_GENERATOR_OPTIONS:
            kwargs.pop(ignored, None)
        if kwargs.pop("steps", None) is not None or kwargs.pop("callbacks", None) is not None:
            raise TypeError("predict: steps and callbacks are not supported.")
        if kwargs:
            raise TypeError(f"predict got unexpected argument(s): {sorted(kwargs)}.")
    # fast path (single-row predict costs microseconds): an array that needs no conversion
    ready = (type(x) is np.ndarray and x.ndim == 2 and x.dtype == model.dtype and x.flags.c_contiguous
             and model._layout is not None and x.shape[1] == model._layout.n_in and x.shape[0] > 0)
    if not ready:
        x = V.features(model._rows(x), model.input_dim, model.dtype)
        model._ensure_built(x.shape[1])
    rows = min(_batch_size(batch_size, default=1024), len(x))
    ws = _workspace(model, rows)
    out = np.empty((len(x), model._layout.n_out), dtype=model.dtype)
    bad = _kernels_for(model).predict_into(out, model._net(), x, ws)
    if bad < 0:
        raise _unknown_code(model)
    if bad:
        V.features(model._rows(x), model.input_dim, model.dtype)  # raises, naming the first NaN/inf
    return out


def _warn_nonfinite_outputs(model, what, outputs):
    """Finite weights and inputs can still overflow the model dtype on the way to the output (a model
    stopped by divergence, or inputs far outside the training range): say so, with the fix."""
    bad = int((~np.isfinite(outputs)).any(axis=1).sum())
    if bad == 0:
        return
    name = np.dtype(model.dtype).name
    warnings.warn(f"{what}: the model's outputs are NaN or inf for {bad} of {len(outputs)} row(s): the weights are "
                  f"finite, but the activations overflow {name} on the way to the output (weights grown too large "
                  f"by a diverging fit, or inputs far outside the training range). Retrain with a lower learning "
                  f"rate or scaled inputs" + (", or use dtype='float64'." if name == "float32" else "."),
                  RuntimeWarning, stacklevel=4)


def predict_classes(model, x, batch_size=None):
    p = predict(model, x, batch_size=batch_size)
    if p.shape[1] > 1:
        return p.argmax(axis=1)
    signed = model.loss is not None and (model.loss.name in ("hinge", "squared_hinge"))
    return np.where(p[:, 0] > (0.0 if signed else 0.5), 1, -1 if signed else 0)
