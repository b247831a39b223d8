"""Keras-style progress output for fit.

verbose=1 on a terminal:   Epoch 3/150
                           7/7 ━━━━━━━━━━━━━━━━━━━━ 0s 41us/step - accuracy: 0.9300 - loss: 0.4100 - ...
verbose=2, or verbose=1 when stdout is not a terminal (plain lines, no bar):
                           Epoch 3/150 - 7/7 - 0s - 41us/step - accuracy: 0.9300 - loss: 0.4100 - ...
verbose=0: silent.

Epochs arrive in chunks from the training kernel; the lines of a chunk are written with a
single write, so printing never dominates training even for microsecond epochs.
"""
import numpy as np
import sys

_BAR_WIDTH = 20


def format_value(value):
    if value is None:
        return "nan"
    if np.ndim(value):  # a vector metric (thresholds=[...], F1Score(average=None))
        return "[" + ", ".join(format_value(v) for v in np.ravel(value)) + "]"
    v = float(value)
    return f"{v:.4f}" if v == 0 or 1e-3 <= abs(v) < 1e6 else f"{v:.4e}"


def format_logs(logs):
    # Keras 3 order: metrics, then loss, then the val_ versions
    train = [k for k in logs if not k.startswith("val_") and k != "loss"]
    val = [k for k in logs if k.startswith("val_") and k != "val_loss"]
    keys = train + (["loss"] if "loss" in logs else []) + val + (["val_loss"] if "val_loss" in logs else [])
    return " - ".join(f"{k}: {format_value(logs[k])}" for k in keys)


def format_time_per_step(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class ProgressLogger:
    """fit calls record() for each finished epoch and flush() after each kernel call."""

    def __init__(self, verbose, epochs, steps, stream=None):
        self.stream = stream or sys.stdout
        self.epochs = epochs
        self.steps = steps
        isatty = getattr(self.stream, "isatty", lambda: False)()
        self.live = verbose == 1 and isatty
        self.bar = "━" * _BAR_WIDTH
        try:
            self.bar.encode(getattr(self.stream, "encoding", None) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            self.bar = "=" * _BAR_WIDTH
        self._pending = []

    def record(self, epoch, logs, seconds):
        per_step = format_time_per_step(seconds / max(self.steps, 1))
        head = f"Epoch {epoch + 1}/{self.epochs}"
        body = format_logs(logs)
        if self.live:
            self._pending.append(f"{head}\n{self.steps}/{self.steps} {self.bar} {seconds:.0f}s {per_step} - {body}\n")
        else:
            self._pending.append(f"{head} - {self.steps}/{self.steps} - {seconds:.0f}s - {per_step} - {body}\n")

    def flush(self):
        if self._pending:
            self.stream.write("".join(self._pending))
            self.stream.flush()
            self._pending = []

    def message(self, text):
        self.flush()
        self.stream.write(text + "\n")
        self.stream.flush()
