"""Keras 3's metric objects: update_state / result / reset_state standalone (NumPy), and in compile
the same metric computed inside the training kernel.

Two families, as in Keras (keras/src/metrics/):
- MeanMetric: a per-sample value averaged over the epoch (total / count). Accuracies, top-k,
  every loss as a metric, RootMeanSquaredError (the square root of the pooled mean).
  In compile: a kernel metric code (fastnn/kernels/metrics.py) whose batch sums the loop divides
  by the sample count.
- StreamingMetric: state that is not a mean (thresholded confusion counts, AUC's histogram,
  per-class F-score counts, R2's sums). update_state adds to a count block, result() is a pure
  function of the pooled block (Keras's rule: an epoch's value is result() of the state pooled
  over every batch, not a mean of batch values). In compile the kernel fills the same block.

Each class says how to run it in the kernel (kernel_row) and how its value follows from the
kernel's output (finish); standalone update_state computes the same block in NumPy.
"""
import math
import re

import numpy as np

from .._validation import count, number, positive_int
from ..kernels.codes import code_of

EPSILON = 1e-7  # Keras's backend epsilon (AUC's threshold ends, F-score denominators)
_NAMES = {}  # snake_case base name -> how many metrics took it (Keras: auc, auc_1, ...)


def _snake(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def _auto_name(base):
    n = _NAMES.get(base, 0)
    _NAMES[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def _2d(a):
    a = np.asarray(a, dtype=np.float64)
    return a.reshape(-1, 1) if a.ndim <= 1 else a.reshape(len(a), -1)


def _weights(sample_weight, n):
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=np.float64)
    return w.reshape(n, -1) if w.size != n else w.reshape(n)


class Metric:
    """Base class: name (snake_case class name, numbered like Keras's: auc, auc_1), update_state,
    result, reset_state, __call__ (update then result), get_config/from_config."""

    default_name = None
    streaming = False

    def __init__(self, name=None, dtype=None):
        if type(self) is Metric:
            raise TypeError("Metric is the base class; use a concrete metric such as fastnn.metrics.AUC() (fastnn "
                            "computes metrics inside its kernels, so subclasses with Python update_state cannot run).")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, got {name!r}.")
        self.name = name if name is not None else _auto_name(self.default_name or _snake(type(self).__name__))
        self.dtype = dtype
        self.reset_state()

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight=sample_weight)
        return self.result()

    def reset_states(self):  # Keras 2's name
        self.reset_state()

    def _options(self):
        return {}

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._options()}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


# ---- mean metrics ------------------------------------------------------------------------------

class MeanMetric(Metric):
    """total += sum(value * w), count += sum(w); result = total / count (0 when count is 0)."""

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def values(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        if len(np.asarray(y_pred)) == 0:
            return  # an empty batch adds nothing
        v = np.asarray(self.values(y_true, y_pred), dtype=np.float64).reshape(len(np.asarray(y_pred)), -1)
        v = v.mean(axis=1)
        w = _weights(sample_weight, len(v))
        if w.ndim > 1:
            w = w.mean(axis=1)
        self.total += float(np.sum(v * w))
        self.count += float(np.sum(w))

    def result(self):
        mean = self.total / self.count if self.count else 0.0
        return self.post(mean)

    def post(self, mean):
        return mean

    def kernel_row(self, loss, n_outputs, y):
        """(code, argument, params): how the training kernel computes the per-sample values."""
        raise NotImplementedError


class BinaryAccuracy(MeanMetric):
    """1[(y_pred > threshold) == y_true] per element, averaged over outputs (Keras 3)."""

    def __init__(self, name=None, dtype=None, threshold=0.5):
        self.threshold = number(type(self).__name__, "threshold", threshold)
        super().__init__(name, dtype)

    def _options(self):
        return {"threshold": self.threshold}

    def values(self, y_true, y_pred):
        return (_2d(y_pred) > self.threshold).astype(float) == _2d(y_true)

    def kernel_row(self, loss, n_outputs, y):
        return code_of("binary_accuracy"), 0, [self.threshold]


class CategoricalAccuracy(MeanMetric):
    def values(self, y_true, y_pred):
        return np.argmax(_2d(y_true), axis=1) == np.argmax(_2d(y_pred), axis=1)

    def kernel_row(self, loss, n_outputs, y):
        return code_of("categorical_accuracy"), 0, []


class SparseCategoricalAccuracy(MeanMetric):
    def values(self, y_true, y_pred):
        return np.asarray(y_true, dtype=np.float64).reshape(-1) == np.argmax(_2d(y_pred), axis=1)

    def kernel_row(self, loss, n_outputs, y):
        return code_of("sparse_categorical_accuracy"), 0, []


def _in_top_k(targets, p, k):
    p = _2d(p)
    target_scores = p[np.arange(len(p)), targets]
    score = np.where(np.isnan(target_scores), -np.inf, target_scores)[:, None]
    greater = np.sum((p > score) & ~np.isnan(p), axis=1)  # ties favour the target, as Keras's in_top_k
    return greater < k


class TopKCategoricalAccuracy(MeanMetric):
    def __init__(self, k=5, name=None, dtype=None):
        self.k = positive_int(k, f"{type(self).__name__}: k")
        super().__init__(name, dtype)

    def _options(self):
        return {"k": self.k}

    def values(self, y_true, y_pred):
        return _in_top_k(np.argmax(_2d(y_true), axis=1), y_pred, self.k)

    def kernel_row(self, loss, n_outputs, y):
        return code_of("top_k_categorical_accuracy"), self.k, []


class SparseTopKCategoricalAccuracy(TopKCategoricalAccuracy):
    def __init__(self, k=5, name=None, dtype=None, from_sorted_ids=False):
        if from_sorted_ids:
            raise ValueError("SparseTopKCategoricalAccuracy: from_sorted_ids is not supported by fastnn.")
        super().__init__(k, name, dtype)

    def values(self, y_true, y_pred):
        return _in_top_k(np.asarray(y_true).reshape(-1).astype(np.int64), y_pred, self.k)

    def kernel_row(self, loss, n_outputs, y):
        return code_of("sparse_top_k_categorical_accuracy"), self.k, []


class LossMetric(MeanMetric):
    """A loss's per-sample value as a metric (keras.metrics.MeanSquaredError, BinaryCrossentropy, ...)."""

    loss_name = None
    sign = 1.0

    def values(self, y_true, y_pred):
        from ..losses import Loss

        return self.sign * Loss(self.loss_name).per_sample(np.asarray(y_true), np.asarray(y_pred, dtype=np.float64))

    def kernel_row(self, loss, n_outputs, y):
        from ..losses import Loss

        return code_of("neg_loss_value" if self.sign < 0 else "loss_value"), Loss(self.loss_name).code, []


class MeanSquaredError(LossMetric):
    loss_name = "mean_squared_error"


class MeanAbsoluteError(LossMetric):
    loss_name = "mean_absolute_error"


class MeanAbsolutePercentageError(LossMetric):
    loss_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(LossMetric):
    loss_name = "mean_squared_logarithmic_error"


class LogCoshError(LossMetric):
    default_name = "logcosh"
    loss_name = "log_cosh"


class CosineSimilarity(LossMetric):
    """+cos(y_true, y_pred) per sample (the loss is its negative)."""

    loss_name = "cosine_similarity"
    sign = -1.0


class BinaryCrossentropy(LossMetric):
    loss_name = "binary_crossentropy"


class CategoricalCrossentropy(LossMetric):
    loss_name = "categorical_crossentropy"


class SparseCategoricalCrossentropy(LossMetric):
    loss_name = "sparse_categorical_crossentropy"


class Hinge(LossMetric):
    loss_name = "hinge"


class SquaredHinge(LossMetric):
    loss_name = "squared_hinge"


class CategoricalHinge(LossMetric):
    loss_name = "categorical_hinge"


class KLDivergence(LossMetric):
    loss_name = "kl_divergence"


class Poisson(LossMetric):
    loss_name = "poisson"


class RootMeanSquaredError(LossMetric):
    """The square root of the pooled mean squared error, taken at the end, never per batch."""

    loss_name = "mean_squared_error"

    def post(self, mean):
        return math.sqrt(mean)


# ---- streaming metrics: confusion counts -----------------------------------------------------

class StreamingMetric(Metric):
    """State = one count block (what the kernel fills in compile); result = finish(block)."""

    streaming = True

    def reset_state(self):
        self.counts = None

    def block_size(self, n_outputs):
        raise NotImplementedError

    def accumulate(self, block, y_true, y_pred, sample_weight):
        """Add a batch to `block` in NumPy, exactly as the kernel does (plus sample weights)."""
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _2d(y_pred)
        y_true = _2d(y_true)
        if len(y_pred) == 0 and len(y_true) == 0:
            return  # an empty batch adds nothing
        if np.isnan(y_pred).any():
            raise ValueError(f"{self.name}: y_pred holds {int(np.isnan(y_pred).sum())} NaN value(s); a NaN has no "
                             f"rank, so thresholded counts and AUC would be meaningless.")
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{self.name}: y_true has shape {y_true.shape} and y_pred {y_pred.shape}; they must "
                             f"match.")
        if self.counts is None:
            self.counts = np.zeros(self.block_size(y_pred.shape[1]))
        w = np.broadcast_to(_weights(sample_weight, len(y_pred)).reshape(len(y_pred), -1), y_pred.shape)
        self.accumulate(self.counts, y_true, y_pred, w)

    def result(self):
        if self.counts is None:
            return self.finish(np.zeros(self.block_size(1)), 1)
        return self.finish(self.counts, self._outputs_of(self.counts))

    def _outputs_of(self, block):
        return 1


class _Thresholded(StreamingMetric):
    """TP/FP/TN/FN at each threshold from histograms of positives and negatives over the buckets
    'number of thresholds strictly below p' (a prediction is positive iff p > t; a label iff y != 0)."""

    def __init__(self, thresholds=None, name=None, dtype=None, class_id=None):
        self.thresholds = self._thresholds(thresholds)
        self.class_id = None if class_id is None else count(class_id, f"{type(self).__name__}: class_id")
        super().__init__(name, dtype)

    def _thresholds(self, thresholds):
        t = np.atleast_1d(np.asarray(0.5 if thresholds is None else thresholds, dtype=np.float64))
        if not np.all((t >= 0) & (t <= 1)):  # NaN fails this too
            raise ValueError(f"{type(self).__name__}: thresholds must lie in [0, 1], got {thresholds!r}.")
        self._scalar = thresholds is None or np.ndim(thresholds) == 0
        return t

    def _options(self):
        th = self.thresholds
        return {"thresholds": None if self._scalar and th[0] == 0.5 else (float(th[0]) if self._scalar
                                                                           else th.tolist()),
                "class_id": self.class_id}

    @property
    def _sorted(self):
        return np.sort(self.thresholds)

    multi_label = False
    from_logits = False
    label_weights = None

    def _labels(self, n_outputs):
        return n_outputs if self.multi_label else 1

    def block_size(self, n_outputs):
        return 2 * (len(self.thresholds) + 1) * self._labels(n_outputs)

    def _outputs_of(self, block):
        return len(block) // (2 * (len(self.thresholds) + 1))

    def kernel_row(self, loss, n_outputs, y):
        lw = [] if self.label_weights is None else list(np.broadcast_to(self.label_weights, (n_outputs,)))
        params = list(self._sorted) + [-1 if self.class_id is None else self.class_id, float(self.from_logits),
                                       float(self.multi_label), float(bool(lw))] + lw
        if self.class_id is not None and not 0 <= self.class_id < n_outputs:
            raise ValueError(f"{self.name}: class_id {self.class_id} is out of range for {n_outputs} outputs.")
        return code_of("confusion_counts"), len(self.thresholds), params

    def accumulate(self, block, y_true, y_pred, w):
        T = len(self.thresholds)
        cols = range(y_pred.shape[1]) if self.class_id is None else [self.class_id]
        lw = None if self.label_weights is None else np.broadcast_to(self.label_weights, (y_pred.shape[1],))
        for j in cols:
            p = y_pred[:, j]
            if self.from_logits:
                p = 1.0 / (1.0 + np.exp(-p))
            bucket = np.searchsorted(self._sorted, p, side="left")  # thresholds strictly below p
            bucket = np.where(np.isnan(p), 0, bucket)
            base = j * 2 * (T + 1) if self.multi_label else 0
            weight = w[:, j] * (1.0 if lw is None else lw[j])
            positive = y_true[:, j] != 0
            np.add.at(block, base + bucket[positive], weight[positive])
            np.add.at(block, base + T + 1 + bucket[~positive], weight[~positive])

    def confusion(self, block):
        """(TP, FP, TN, FN), each (T,) in sorted-threshold order, or (L, T) per label."""
        T = len(self.thresholds)
        blocks = np.asarray(block, dtype=np.float64).reshape(-1, 2, T + 1)
        pos, neg = blocks[:, 0], blocks[:, 1]
        above_pos = np.cumsum(pos[:, ::-1], axis=1)[:, ::-1]  # above_pos[:, b] = positives in buckets >= b
        above_neg = np.cumsum(neg[:, ::-1], axis=1)[:, ::-1]
        tp, fp = above_pos[:, 1:], above_neg[:, 1:]  # p > t_k  <=>  bucket >= k + 1
        fn, tn = pos.sum(axis=1, keepdims=True) - tp, neg.sum(axis=1, keepdims=True) - fp
        if not self.multi_label:
            return tp[0], fp[0], tn[0], fn[0]
        return tp, fp, tn, fn

    def _per_threshold(self, values):
        order = np.argsort(self.thresholds, kind="stable")
        out = np.empty_like(values)
        out[order] = values  # back to the order the thresholds were given in
        return float(out[0]) if self._scalar else out


def _div(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


class TruePositives(_Thresholded):
    def finish(self, block, n_outputs):
        return self._per_threshold(self.confusion(block)[0])


class FalsePositives(_Thresholded):
    def finish(self, block, n_outputs):
        return self._per_threshold(self.confusion(block)[1])


class TrueNegatives(_Thresholded):
    def finish(self, block, n_outputs):
        return self._per_threshold(self.confusion(block)[2])


class FalseNegatives(_Thresholded):
    def finish(self, block, n_outputs):
        return self._per_threshold(self.confusion(block)[3])


class Precision(_Thresholded):
    """TP / (TP + FP) at each threshold (0.5 by default); 0 when nothing is predicted positive."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if top_k is not None:
            raise ValueError(f"{type(self).__name__}: top_k is not supported by fastnn; use thresholds or class_id.")
        super().__init__(thresholds, name, dtype, class_id)

    def finish(self, block, n_outputs):
        tp, fp, _, _ = self.confusion(block)
        return self._per_threshold(_div(tp, tp + fp))


class Recall(Precision):
    """TP / (TP + FN) at each threshold (0.5 by default); 0 when there are no positive labels."""

    def finish(self, block, n_outputs):
        tp, _, _, fn = self.confusion(block)
        return self._per_threshold(_div(tp, tp + fn))


MAX_THRESHOLDS = 10_000_000  # Keras's default is 200; this many already takes ~0.3 GB of counts


class AUC(_Thresholded):
    """Area under the ROC or PR curve from confusion counts at num_thresholds thresholds
    (-1e-7, 1/(T-1), ..., 1 + 1e-7), Keras 3's summation methods, multi_label and label_weights."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if not isinstance(curve, str) or curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', got {curve!r}.")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be interpolation, minoring or majoring, got "
                             f"{summation_method!r}.")
        if thresholds is None and (isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer))
                                   or not 1 < num_thresholds <= MAX_THRESHOLDS):
            raise ValueError(f"AUC: num_thresholds must be an integer in [2, {MAX_THRESHOLDS:,}], got {num_thresholds!r}.")
        if thresholds is None:
            inner = [i / (num_thresholds - 1) for i in range(1, num_thresholds - 1)]
        else:
            inner = sorted(float(t) for t in np.atleast_1d(thresholds))
            if not all(0 <= t <= 1 for t in inner):  # NaN fails this too
                raise ValueError(f"AUC: thresholds must lie in [0, 1], got {thresholds!r}.")
        self.num_thresholds = len(inner) + 2
        self._given = None if thresholds is None else list(inner)
        self.curve, self.summation_method = curve.upper(), summation_method
        self.multi_label = bool(multi_label)
        self.num_labels = None if num_labels is None else positive_int(num_labels, "AUC: num_labels")
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float64)
        if self.label_weights is not None and not np.all(np.isfinite(self.label_weights) & (self.label_weights >= 0)):
            raise ValueError(f"AUC: label_weights must be finite and non-negative, got {label_weights!r}.")
        self.from_logits = bool(from_logits)
        Metric.__init__(self, name, dtype)
        self.thresholds = np.array([-EPSILON] + inner + [1.0 + EPSILON])
        self.class_id, self._scalar = None, True

    def _options(self):
        return {"num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "thresholds": self._given,
                "multi_label": self.multi_label, "num_labels": self.num_labels,
                "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                "from_logits": self.from_logits}

    def finish(self, block, n_outputs):
        tp, fp, tn, fn = self.confusion(block)
        if not self.multi_label:
            return float(self._area(tp, fp, tn, fn))
        areas = np.array([self._area(*c) for c in zip(tp, fp, tn, fn)])
        if self.label_weights is None:
            return float(areas.mean())
        lw = np.broadcast_to(self.label_weights, areas.shape)
        return float(np.sum(areas * lw) / np.sum(lw))

    def _area(self, tp, fp, tn, fn):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._pr_interpolated(tp, fp, fn)
        if self.curve == "ROC":
            x, y = _div(fp, fp + tn), _div(tp, tp + fn)
        else:
            x, y = _div(tp, tp + fn), _div(tp, tp + fp)
        heights = {"interpolation": (y[:-1] + y[1:]) / 2.0, "minoring": np.minimum(y[:-1], y[1:]),
                   "majoring": np.maximum(y[:-1], y[1:])}[self.summation_method]
        return float(np.sum((x[:-1] - x[1:]) * heights))

    @staticmethod
    def _pr_interpolated(tp, fp, fn):
        # Davis & Goadrich's interpolation, as Keras's interpolate_pr_auc
        p = tp + fp
        d_tp, d_p = tp[:-1] - tp[1:], p[:-1] - p[1:]
        slope = _div(d_tp, np.maximum(d_p, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _div(p[:-1], np.where(both, p[1:], 1.0)), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            inc = slope * (d_tp + intercept * np.log(np.where(ratio > 0, ratio, 1.0)))
        return float(np.sum(_div(inc, np.maximum(tp[1:] + fn[1:], 0))))


# ---- streaming metrics: F-scores and R2 ---------------------------------------------------------

class FBetaScore(StreamingMetric):
    """Keras 3's FBetaScore(average=None, beta=1.0, threshold=None): per-class TP/FP/FN/support;
    threshold None takes each row's maxima (never an all-zero row) as the positives."""

    default_name = "fbeta_score"

    def __init__(self, average=None, beta=1.0, threshold=None, name=None, dtype=None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"{type(self).__name__}: average must be None, 'micro', 'macro' or 'weighted', got "
                             f"{average!r}.")
        if not isinstance(beta, (int, float)) or isinstance(beta, bool) or not 0 < beta < math.inf:
            raise ValueError(f"{type(self).__name__}: beta must be a number > 0, got {beta!r}.")
        if threshold is not None and not 0 < threshold <= 1:
            raise ValueError(f"{type(self).__name__}: threshold must be in (0, 1], got {threshold!r}.")
        self.average, self.beta, self.threshold = average, float(beta), threshold
        super().__init__(name, dtype)

    def _options(self):
        return {"average": self.average, "beta": self.beta, "threshold": self.threshold}

    def block_size(self, n_outputs):
        return 4 * n_outputs

    def _outputs_of(self, block):
        return len(block) // 4

    def kernel_row(self, loss, n_outputs, y):
        return code_of("fbeta_counts"), n_outputs, [-1.0 if self.threshold is None else float(self.threshold)]

    def accumulate(self, block, y_true, y_pred, w):
        C = y_pred.shape[1]
        if self.threshold is None:
            hit = (y_pred >= y_pred.max(axis=1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            hit = y_pred > self.threshold
        b = hit.astype(float)
        block[:C] += np.sum(b * y_true * w, axis=0)
        block[C:2 * C] += np.sum(b * (1 - y_true) * w, axis=0)
        block[2 * C:3 * C] += np.sum((1 - b) * y_true * w, axis=0)
        block[3 * C:] += np.sum(y_true * w, axis=0)

    def finish(self, block, n_outputs):
        C = n_outputs
        tp, fp, fn, support = (np.asarray(block[k * C:(k + 1) * C], dtype=np.float64) for k in range(4))
        if self.average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        b2 = self.beta ** 2
        f = (1 + b2) * precision * recall / (b2 * precision + recall + EPSILON)
        if self.average == "macro":
            return float(np.mean(f))
        if self.average == "weighted":
            return float(np.sum(f * support) / (np.sum(support) + EPSILON))
        return float(f) if np.ndim(f) == 0 else f


class F1Score(FBetaScore):
    default_name = "f1_score"

    def __init__(self, average=None, threshold=None, name=None, dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def _options(self):
        return {"average": self.average, "threshold": self.threshold}


class R2Score(StreamingMetric):
    """Keras 3's R2Score(class_aggregation='uniform_average', num_regressors=0) from pooled sums."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name=None, dtype=None):
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError(f"R2Score: class_aggregation must be None, 'uniform_average' or "
                             f"'variance_weighted_average', got {class_aggregation!r}.")
        if not isinstance(num_regressors, int) or num_regressors < 0:
            raise ValueError(f"R2Score: num_regressors must be a non-negative integer, got {num_regressors!r}.")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        super().__init__(name, dtype)

    def _options(self):
        return {"class_aggregation": self.class_aggregation, "num_regressors": self.num_regressors}

    def block_size(self, n_outputs):
        return 4 * n_outputs + 1

    def _outputs_of(self, block):
        return (len(block) - 1) // 4

    def kernel_row(self, loss, n_outputs, y):
        return code_of("r2_sums"), n_outputs, []

    def accumulate(self, block, y_true, y_pred, w):
        C = y_pred.shape[1]
        block[:C] += np.sum(w * y_true, axis=0)
        block[C:2 * C] += np.sum(w * y_true ** 2, axis=0)
        block[2 * C:3 * C] += np.sum(w * (y_true - y_pred) ** 2, axis=0)
        block[3 * C:4 * C] += np.sum(w, axis=0)
        block[4 * C] += y_true.size

    def finish(self, block, n_outputs):
        C = n_outputs
        s, sq, resid, count = (np.asarray(block[k * C:(k + 1) * C], dtype=np.float64) for k in range(4))
        n = float(block[4 * C])
        mean = _div(s, count)
        total = sq - s * mean
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = 1.0 - resid / total
        r2 = np.where(np.isfinite(r2), r2, 0.0)
        if self.class_aggregation is None:
            result = r2
        elif self.class_aggregation == "uniform_average":
            result = float(np.mean(r2))
        else:
            result = float(np.sum(total * r2) / np.sum(total)) if np.sum(total) else 0.0
        p = self.num_regressors
        if p and p < n - 1:
            result = 1.0 - (1.0 - result) * (n - 1) / (n - p - 1)
        return result
