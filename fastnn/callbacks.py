"""Callbacks with Keras's hook names and Keras 3 semantics.

fit runs many epochs per compiled-kernel call when only History and progress listen, one epoch
per call when a callback has epoch hooks, and one batch per call only when a callback defines a
batch hook (on_train_batch_*, on_batch_*, on_test_batch_*, on_predict_batch_*): those get Keras's
logs (the epoch's running means so far), and stop_training set in one stops fit at the next
batch. A fit without batch hooks keeps its speed.
"""
import csv
import math
import os
import warnings

import numpy as np

from ._validation import count, flat_list, number

_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")
_TEST_HOOKS = ("on_test_batch_begin", "on_test_batch_end")
_PREDICT_HOOKS = ("on_predict_batch_begin", "on_predict_batch_end")


class Callback:
    """Base class. Override any of the on_* hooks; self.model and self.params are set by fit."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)  # Keras: the train-batch hooks default to the Keras 2 names

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def _defines(self, hooks):
        """Whether this callback has any of `hooks` of its own (not the do-nothing defaults)."""
        return any(getattr(type(self), h) is not getattr(Callback, h) for h in hooks)

    # True for callbacks that only read the final logs (History, progress): they let fit run
    # many epochs per kernel call. User callbacks get one call per epoch.
    _passive = False


# names one metric has had across Keras versions: a History recorded under one answers to all
_METRIC_ALIASES = [{"acc", "accuracy"}, {"mae", "mean_absolute_error"}, {"mse", "mean_squared_error"},
                   {"mape", "mean_absolute_percentage_error"}, {"msle", "mean_squared_logarithmic_error"},
                   {"cosine", "cosine_proximity", "cosine_similarity"}]


class HistoryDict(dict):
    """history.history: the keys are the names the user passed (metrics=['acc'] records 'acc'), and
    a lookup by another Keras version's spelling of the same metric finds it too ('accuracy' and
    'acc', 'val_mean_absolute_error' and 'val_mae'), so old scripts' plots keep working."""

    def _alias(self, key):
        if not isinstance(key, str):
            return None
        prefix, name = ("val_", key[4:]) if key.startswith("val_") else ("", key)
        for group in _METRIC_ALIASES:
            if name in group:
                for other in sorted(group):
                    if prefix + other in self.keys():
                        return prefix + other
        return None

    def __missing__(self, key):
        alias = self._alias(key)
        if alias is None:
            raise KeyError(key)
        return dict.__getitem__(self, alias)

    def __contains__(self, key):
        return dict.__contains__(self, key) or self._alias(key) is not None

    def get(self, key, default=None):
        return self[key] if key in self else default


class History(Callback):
    """Records every epoch's logs: history.history['loss'], history.epoch."""

    _passive = True

    def __init__(self):
        super().__init__()
        self.history = HistoryDict()
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def extend(self, epochs, columns):
        """Record several epochs at once: columns maps each log key to a list of values."""
        if not epochs:
            return
        self.epoch.extend(epochs)
        for key, values in columns.items():
            self.history.setdefault(key, []).extend(values)


class CallbackList:
    """Dispatches each hook to every callback, in order."""

    def __init__(self, callbacks, model, params):
        self.callbacks = flat_list(callbacks)  # one callback, or nested lists of them, as Keras 3 takes
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be fastnn.callbacks.Callback objects, got {cb!r}.")
            cb.set_model(model)
            cb.set_params(params)

    @property
    def all_passive(self):
        return all(cb._passive for cb in self.callbacks)

    @property
    def wants_train_batches(self):
        return any(cb._defines(_BATCH_HOOKS) for cb in self.callbacks)

    @property
    def wants_test_batches(self):
        return any(cb._defines(_TEST_HOOKS) for cb in self.callbacks)

    @property
    def wants_predict_batches(self):
        return any(cb._defines(_PREDICT_HOOKS) for cb in self.callbacks)

    def __getattr__(self, hook):
        # every other hook (on_train_batch_end, on_test_begin, ...) goes to every callback in order
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def dispatch(*args, **kwargs):
            for cb in self.callbacks:
                getattr(cb, hook)(*args, **kwargs)
        return dispatch

    def on_train_begin(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)


def _monitor_name(monitor, owner):
    if not isinstance(monitor, str):
        raise TypeError(f"{owner}: monitor must be the name of a logged value such as 'val_loss', got {monitor!r}.")
    return monitor


def _auto_mode(monitor, mode, owner):
    _monitor_name(monitor, owner)
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}.")
    if mode != "auto":
        return mode
    return "max" if monitor.endswith(("acc", "accuracy", "auc")) else "min"


def _monitored(logs, monitor, owner):
    value = (logs or {}).get(monitor)
    if value is None:
        warnings.warn(f"{owner}: metric {monitor!r} is not in the logs (available: {sorted(logs or {})}); "
                      f"it has no effect.", stacklevel=3)
    return value


class EarlyStopping(Callback):
    """Stop when `monitor` stops improving (Keras 3 rules, including restore_best_weights).

    Args: monitor='val_loss', min_delta=0, patience=0, verbose=0, mode='auto', baseline=None,
    restore_best_weights=False, start_from_epoch=0.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.patience = count(patience, "EarlyStopping: patience")
        self.verbose = verbose
        self.baseline = number("EarlyStopping", "baseline", baseline, allow_none=True)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = count(start_from_epoch, "EarlyStopping: start_from_epoch")
        self.mode = _auto_mode(monitor, mode, "EarlyStopping")
        self.min_delta = abs(number("EarlyStopping", "min_delta", min_delta)) * (1 if self.mode == "max" else -1)

    def _improved(self, value, reference):
        if reference is None:
            return True
        shifted = value - self.min_delta
        return shifted > reference if self.mode == "max" else shifted < reference

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = _monitored(logs, self.monitor, "EarlyStopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._improved(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class ModelCheckpoint(Callback):
    """Save the model after each epoch (or only when `monitor` improves).

    Args: filepath (may hold {epoch:02d}, {val_loss:.2f}, ... fields), monitor='val_loss',
    verbose=0, save_best_only=False, save_weights_only=False, mode='auto',
    initial_value_threshold=None.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        if save_freq != "epoch":
            raise ValueError("ModelCheckpoint: only save_freq='epoch' is supported (batches run in compiled code).")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = _auto_mode(monitor, mode, "ModelCheckpoint")
        self.best = number("ModelCheckpoint", "initial_value_threshold", initial_value_threshold, allow_none=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = _monitored(logs, self.monitor, "ModelCheckpoint")
            if current is None:
                return
            better = self.best is None or (current > self.best if self.mode == "max" else current < self.best)
            if not better:
                return
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best} to {current:.5f}, saving to {path}")
            self.best = current
        directory = os.path.dirname(path)
        if directory:  # Keras 3 creates the checkpoint's directory
            os.makedirs(directory, exist_ok=True)
        self.model.save(path, include_optimizer=not self.save_weights_only)


class CSVLogger(Callback):
    """Write each epoch's logs as a CSV row: CSVLogger(filename, separator=',', append=False)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self.keys = None
        self._file = None
        self._writer = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._append_header = not exists

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self.keys, delimiter=self.separator)
            if self._append_header:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}})
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None
        self._writer = None
        self.keys = None


class TerminateOnNaN(Callback):
    """Stop training when the epoch loss is NaN or inf. (fit already stops at the first
    non-finite BATCH loss, before that update, and warns; this callback is kept for Keras code.)"""

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Epoch {epoch + 1}: invalid loss, terminating training")
            self.model.stop_training = True


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` has not improved for `patience` epochs.

    Args: monitor='val_loss', factor=0.1 (< 1), patience=10, verbose=0, mode='auto',
    min_delta=1e-4, cooldown=0, min_lr=0.0.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected argument(s): {sorted(kwargs)}.")
        self.monitor = _monitor_name(monitor, "ReduceLROnPlateau")
        self.factor = number("ReduceLROnPlateau", "factor", factor, low=0, high=1, high_open=True)
        self.patience, self.cooldown = count(patience, "ReduceLROnPlateau: patience"), count(cooldown, "ReduceLROnPlateau: cooldown")
        self.verbose = verbose
        self.min_delta = number("ReduceLROnPlateau", "min_delta", min_delta)
        self.min_lr = number("ReduceLROnPlateau", "min_lr", min_lr, low=0)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'auto', 'min' or 'max', got {mode!r}.")
        self.mode = mode

    def on_train_begin(self, logs=None):
        self._maximize = self.mode == "max" or (self.mode == "auto" and "acc" in self.monitor)
        self.best = -np.inf if self._maximize else np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def _better(self, current):
        if self._maximize:
            return current > self.best + self.min_delta
        return current < self.best - self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = _monitored(logs, self.monitor, "ReduceLROnPlateau")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(self.model.optimizer.learning_rate)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch start: schedule(epoch, lr) -> new lr."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be a function of the epoch (and the learning "
                            f"rate), got {schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.model.optimizer.learning_rate)
        try:
            new_lr = self.schedule(epoch, lr)
        except TypeError:  # Keras also accepts schedule(epoch)
            new_lr = self.schedule(epoch)
        if isinstance(new_lr, bool) or not isinstance(new_lr, (int, float, np.integer, np.floating)):
            raise ValueError(f"LearningRateScheduler: the schedule returned {new_lr!r} for epoch {epoch}; it must "
                             f"return the learning rate as a number.")
        self.model.optimizer.learning_rate = float(new_lr)
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {new_lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class LambdaCallback(Callback):
    """A callback from plain functions: LambdaCallback(on_epoch_end=lambda epoch, logs: ...)."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_batch_begin=None, on_batch_end=None, on_train_batch_begin=None, on_train_batch_end=None):
        super().__init__()
        self._user_hooks = {
            "on_batch_begin": on_batch_begin, "on_batch_end": on_batch_end,
            "on_train_batch_begin": on_train_batch_begin, "on_train_batch_end": on_train_batch_end,
        }
        hooks = {**self._user_hooks, "on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end}
        for hook, fn in hooks.items():  # now, not as a TypeError in the middle of training
            if fn is not None and not callable(fn):
                raise TypeError(f"LambdaCallback: {hook} must be a function, got {fn!r}.")
        self._epoch_begin, self._epoch_end = on_epoch_begin, on_epoch_end
        self._train_begin, self._train_end = on_train_begin, on_train_end

    def _defines(self, hooks):
        return any(self._user_hooks.get(h) for h in hooks)

    def on_train_batch_begin(self, batch, logs=None):
        hook = self._user_hooks["on_train_batch_begin"] or self._user_hooks["on_batch_begin"]
        if hook:
            hook(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        hook = self._user_hooks["on_train_batch_end"] or self._user_hooks["on_batch_end"]
        if hook:
            hook(batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        if self._epoch_begin:
            self._epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._epoch_end:
            self._epoch_end(epoch, logs)

    def on_train_begin(self, logs=None):
        if self._train_begin:
            self._train_begin(logs)

    def on_train_end(self, logs=None):
        if self._train_end:
            self._train_end(logs)
