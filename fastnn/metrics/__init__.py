"""Metrics for compile(metrics=[...]): names resolved to the kernels' metric codes.

'accuracy' / 'acc' are resolved as Keras 3 does, from shapes only: a 1-unit output gives
binary accuracy (threshold 0.5), class-id labels against several outputs give sparse
categorical accuracy, otherwise categorical accuracy. One deliberate departure: when the
labels are ±1 (a hinge-family loss, or every label in {-1, 1}) a 1-unit output counts SIGN
agreement. Keras 3 compares (p > 0.5) with a -1 label, which can never match, and reports
0.38 on the seed tutorial where the real accuracy is 0.96.

Any loss name is also a metric (its unweighted per-sample mean); 'cosine_similarity' as a
metric is +sum, as in Keras. Metric objects (AUC(), Precision(name='prec'), ...) keep their
name; strings naming a metric class ('AUC', 'precision', 'f1_score') make one with its
defaults. Metrics are computed inside the training kernel, per batch, on the outputs of the
forward pass before the update, unweighted (Keras's `metrics`, not `weighted_metrics`); the
streaming ones (confusion counts, AUC, F-scores, R2) pool their state over the epoch and take
their value from it, as Keras does (objects.py).
"""
import numpy as np

from .. import losses as _losses
from ..kernels.codes import code_of
from ..registry import unknown_name_error

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
    return sorted(set(ACCURACY_NAMES) | set(_FIXED) | set(_losses.names()) | set(_BY_NAME))


def labels_are_pm1(y):
    """True when every label is -1 or +1 (and both the labels and ±1 make sense)."""
    y = np.asarray(y)
    return y.size > 0 and bool(np.all((y == 1) | (y == -1)))


def get(identifier):
    """A metric object from a name (class name or snake_case: 'AUC', 'auc', 'precision'), a
    config dict, or an object; functions and plain names stay as they are."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        cfg = dict(identifier.get("config", identifier))
        cls = _BY_NAME.get(_snake(identifier.get("class_name", cfg.pop("class_name", ""))))
        if cls is None:
            raise unknown_name_error("metric", str(identifier), names())
        return cls.from_config(cfg)
    if isinstance(identifier, str) and _snake(identifier) in _BY_NAME:
        return _BY_NAME[_snake(identifier)]()
    return identifier


def resolve(identifier, loss, n_outputs, y):
    """(display name, (kernel code, argument)) for one metric given the loss, output width and
    labels (as the loss takes them: (N, n_outputs), or (N, 1) class ids for the sparse loss)."""
    plan = plan_metric(identifier, loss, n_outputs, y)
    return plan.name, (plan.code, plan.arg)


class MetricPlan:
    """How one compiled metric runs: its History name, kernel row (code, argument), parameters
    for the kernel, and the metric object for streaming state or a final transform (or None)."""

    def __init__(self, name, code, arg=0, params=(), metric=None):
        self.name, self.code, self.arg, self.params, self.metric = name, code, arg, list(params), metric


def plan_metric(identifier, loss, n_outputs, y):
    if isinstance(identifier, str) and identifier.lower() not in ACCURACY_NAMES \
            and identifier.lower() not in _FIXED and _snake(identifier) in _BY_NAME \
            and not _is_loss_name(identifier):
        metric = get(identifier)
        return _object_plan(identifier, metric, loss, n_outputs, y)
    if isinstance(identifier, Metric):
        return _object_plan(identifier.name, identifier, loss, n_outputs, y)
    function = callable(identifier) and not isinstance(identifier, str)
    if function:  # keras.metrics.mae and friends, passed as functions, are known by name
        identifier = getattr(identifier, "__name__", repr(identifier))
        known = identifier in ACCURACY_NAMES or identifier.lower() in _FIXED or _is_loss_name(identifier)
        if not known:
            raise TypeError(f"Metric function {identifier!r} is not one of Keras's built-in metrics: fastnn computes "
                            f"metrics inside its compiled kernels, where Python code cannot run. Use a built-in name "
                            f"or metric object (e.g. 'mae', fastnn.metrics.R2Score()), or compute it from "
                            f"model.predict(x) after fit.")
    if not isinstance(identifier, str):
        raise TypeError(f"Metrics must be names, metric objects or metric functions, got {identifier!r}.")
    if identifier in ACCURACY_NAMES:
        return MetricPlan(identifier, accuracy_code(loss, n_outputs, y))
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
    return MetricPlan(identifier, *row, params=[0.5] if row[0] == BINARY_ACCURACY else [])


def _is_loss_name(identifier):
    try:
        _losses.canonical_name(identifier)
        return True
    except ValueError:
        return False


def _object_plan(name, metric, loss, n_outputs, y):
    code, arg, params = metric.kernel_row(loss, n_outputs, y)
    y = np.asarray(y)
    cols = 1 if y.ndim == 1 else (y.shape[1] if y.size else n_outputs)
    sparse = isinstance(metric, (objects.SparseCategoricalAccuracy, objects.SparseTopKCategoricalAccuracy,
                                 objects.SparseCategoricalCrossentropy))
    if y.size and sparse and cols != 1:
        raise ValueError(f"metric {name!r} takes class ids (one label column), but the labels have {cols} columns.")
    if y.size and not sparse and cols != n_outputs:
        raise ValueError(f"metric {name!r} compares labels with outputs column by column, but the labels have "
                         f"{cols} column(s) and the model outputs {n_outputs}. Use one-hot labels (with "
                         f"categorical_crossentropy) for it.")
    if code in (code_of("top_k_categorical_accuracy"), code_of("sparse_top_k_categorical_accuracy")) \
            and n_outputs < 2:
        raise ValueError(f"metric {name!r} ranks classes, but the model has {n_outputs} output.")
    return MetricPlan(name, code, arg, params, metric)


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
        if isinstance(m, (Metric, dict)):
            continue
        if isinstance(m, str) and _snake(m) in _BY_NAME:
            continue
        resolve(m, _losses.Loss("mse"), 1, np.zeros((0, 1)))


def plan_all(identifiers, loss, n_outputs, y):
    """[MetricPlan] for compile's metrics, in order; a name listed twice is an error."""
    if identifiers is None:
        return []
    if isinstance(identifiers, (str, bytes, Metric)) or callable(identifiers):
        identifiers = [identifiers]
    plans = [plan_metric(m, loss, n_outputs, y) for m in identifiers]
    seen = set()
    for plan in plans:
        if plan.name in seen:
            raise ValueError(f"Metric {plan.name!r} is listed twice; give metric objects distinct name=... .")
        seen.add(plan.name)
    return plans


def resolve_all(identifiers, loss, n_outputs, y):
    """(names, (M, 2) kernel rows): the mean metrics' view, kept for the registry tests."""
    plans = plan_all(identifiers, loss, n_outputs, y)
    return [p.name for p in plans], np.array([(p.code, p.arg) for p in plans], dtype=np.int64).reshape(-1, 2)


from . import objects  # noqa: E402 (the classes use the codes above)
from .functions import *  # noqa: E402,F401,F403
from .functions import binary_accuracy, categorical_accuracy, sparse_categorical_accuracy  # noqa: E402,F401
from .functions import sparse_top_k_categorical_accuracy, top_k_categorical_accuracy  # noqa: E402,F401
from .objects import (  # noqa: E402,F401
    AUC, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy, CategoricalCrossentropy, CategoricalHinge,
    CosineSimilarity, F1Score, FalseNegatives, FalsePositives, FBetaScore, Hinge, KLDivergence, LogCoshError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanMetric, MeanSquaredError, MeanSquaredLogarithmicError,
    Metric, Poisson, Precision, R2Score, Recall, RootMeanSquaredError, SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy, SquaredHinge, StreamingMetric,
    TopKCategoricalAccuracy, TrueNegatives, TruePositives,
)
from .objects import _snake  # noqa: E402

# class names (snake_case) -> class, for strings like 'AUC' or 'precision' in compile
_BY_NAME = {_snake(cls.__name__): cls for cls in (
    AUC, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, Precision, Recall, TruePositives, TrueNegatives, FalsePositives, FalseNegatives,
    F1Score, FBetaScore, R2Score, RootMeanSquaredError, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError, CosineSimilarity, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge, SquaredHinge, CategoricalHinge, KLDivergence,
    Poisson)}
_BY_NAME.update({"auc": AUC, "rmse": RootMeanSquaredError, "f_beta_score": FBetaScore, "fbeta_score": FBetaScore,
                 "logcosh": LogCoshError})
