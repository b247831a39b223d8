"""Metrics for compile(metrics=[...]): names resolved to the kernels' metric codes.

'accuracy' / 'acc' are resolved as Keras 3 does, from shapes only: a 1-unit output gives
binary accuracy (threshold 0.5), class-id labels against several outputs give sparse
categorical accuracy, otherwise categorical accuracy. One deliberate departure: when the
labels are ±1 (a hinge-family loss, or every label in {-1, 1}) a 1-unit output counts SIGN
agreement. Keras 3 compares (p > 0.5) with a -1 label, which can never match, and reports
0.38 on the seed tutorial where the real accuracy is 0.96.

Any loss name is also a metric (its unweighted per-sample mean); 'cosine_similarity' as a
metric is +sum, as in Keras. Metrics are computed inside the training kernel, per batch,
on the outputs of the forward pass before the update (as Keras does).
"""
import numpy as np

from . import losses as _losses
from .kernels.codes import code_of
from .registry import unknown_name_error

ACCURACY_NAMES = ("accuracy", "acc")
# the kernel's metric codes (kernels/metrics.py); a loss as a metric is LOSS_VALUE with the loss's code
BINARY_ACCURACY = code_of("binary_accuracy")
SIGN_ACCURACY = code_of("sign_accuracy")
CATEGORICAL_ACCURACY = code_of("categorical_accuracy")
SPARSE_CATEGORICAL_ACCURACY = code_of("sparse_categorical_accuracy")
LOSS_VALUE = code_of("loss_value")
NEG_LOSS_VALUE = code_of("neg_loss_value")
_FIXED = {
    "binary_accuracy": BINARY_ACCURACY,
    "categorical_accuracy": CATEGORICAL_ACCURACY,
    "sparse_categorical_accuracy": SPARSE_CATEGORICAL_ACCURACY,
    "sign_accuracy": SIGN_ACCURACY,
}


def names():
    return sorted(set(ACCURACY_NAMES) | set(_FIXED) | set(_losses.names()))


def labels_are_pm1(y):
    """True when every label is -1 or +1 (and both the labels and ±1 make sense)."""
    y = np.asarray(y)
    return y.size > 0 and bool(np.all((y == 1) | (y == -1)))


def resolve(identifier, loss, n_outputs, y):
    """(display name, (kernel code, argument)) for one metric given the loss, output width and
    labels (as the loss takes them: (N, n_outputs), or (N, 1) class ids for the sparse loss)."""
    if callable(identifier) and not isinstance(identifier, str):
        identifier = getattr(identifier, "__name__", repr(identifier))
    if not isinstance(identifier, str):
        raise TypeError(f"Metrics must be names, got {identifier!r}.")
    if identifier in ACCURACY_NAMES:
        return identifier, (accuracy_code(loss, n_outputs, y), 0)
    key = identifier.lower()
    if key in _FIXED:
        row = (_FIXED[key], 0)
    else:
        try:
            canonical = _losses.canonical_name(identifier)
        except ValueError:
            raise unknown_name_error("metric", identifier, names()) from None
        row = (NEG_LOSS_VALUE if canonical == "cosine_similarity" else LOSS_VALUE, _losses.Loss(canonical).code)
    _check_label_width(identifier, row, n_outputs, y)
    return identifier, row


def _check_label_width(name, row, n_outputs, y):
    """The kernels read labels and outputs side by side: refuse pairs that do not line up."""
    y = np.asarray(y)
    if y.size == 0:
        return
    cols = 1 if y.ndim == 1 else y.shape[1]
    wants_ids = row[0] == SPARSE_CATEGORICAL_ACCURACY or row == (LOSS_VALUE, code_of("sparse_categorical_crossentropy"))
    if wants_ids and cols != 1:
        raise ValueError(f"metric {name!r} takes class ids (one label column), but the labels have {cols} columns.")
    if wants_ids:
        ids = y.reshape(-1)
        if np.any(ids != np.round(ids)) or ids.min() < 0 or ids.max() >= n_outputs:
            raise ValueError(
                f"metric {name!r} takes integer class ids in [0, {n_outputs - 1}] for a {n_outputs}-unit output, "
                f"but the labels hold values in [{ids.min():g}, {ids.max():g}]. Use 'accuracy' instead (it fits "
                f"±1 and 0/1 labels too).")
    if not wants_ids and cols != n_outputs:
        raise ValueError(
            f"metric {name!r} compares labels with outputs column by column, but the labels have {cols} column(s) "
            f"and the model outputs {n_outputs}. With class-id labels use 'accuracy' or "
            f"'sparse_categorical_crossentropy' as metrics.")


def accuracy_code(loss, n_outputs, y):
    y = np.asarray(y)
    if n_outputs == 1:
        if loss.name in _losses.HINGE_FAMILY or labels_are_pm1(y):
            return SIGN_ACCURACY
        return BINARY_ACCURACY
    if loss.is_sparse or y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
        return SPARSE_CATEGORICAL_ACCURACY
    return CATEGORICAL_ACCURACY


def check_names(identifiers):
    """Raise now for names that can never resolve (typos), before any data is seen."""
    for m in identifiers:
        resolve(m, _losses.Loss("mse"), 1, np.zeros((0, 1)))


def resolve_all(identifiers, loss, n_outputs, y):
    if identifiers is None:
        return [], np.zeros((0, 2), dtype=np.int64)
    if isinstance(identifiers, (str, bytes)) or callable(identifiers):
        identifiers = [identifiers]
    resolved = [resolve(m, loss, n_outputs, y) for m in identifiers]
    seen = set()
    for name, _ in resolved:
        if name in seen:
            raise ValueError(f"Metric {name!r} is listed twice.")
        seen.add(name)
    return [n for n, _ in resolved], np.array([row for _, row in resolved], dtype=np.int64).reshape(-1, 2)
