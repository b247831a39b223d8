"""Losses by name or class, Keras 3 style: compile(loss='hinge') or loss=Huber(delta=2.0).

One spec row per loss (SPECS below): name, class name, aliases, option defaults, and the labels it
takes (what `fastnn train` encodes class labels as, and whether it takes regression targets). A
Loss object is a spec with options; its kernel code is code_of(name). Calling it runs the same
kernel the training loop uses and returns Keras 3's sum_over_batch_size reduction:

    fastnn.losses.get('mse')(y_true, y_pred, sample_weight=None) -> float

Names: every Keras 3 name and alias, plus the Keras 1/2 names old tutorials use
(kullback_leibler_divergence, cosine_proximity, cosine, logcosh, huber_loss). Keras 3 itself
rejects those legacy names; fastnn maps them to the Keras 3 loss of the same meaning.
"""
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import config
from ._validation import cast_finite, number, single_entry
from .registry import Registry, keras_function_name
from .tabular import as_array
from .kernels import codes as C

@dataclass(frozen=True)
class LossSpec:
    name: str
    class_name: str
    options: dict = field(default_factory=dict)  # option -> Keras 3 default
    labels: str = "pm1"  # how `fastnn train` encodes class labels: pm1 | 01 | onehot | sparse
    regression: bool = False  # also takes numeric targets (more than two values) as they are
    output: str = "tanh"  # the output activation of the CLI's default model for class labels

    @property
    def code(self):
        return C.code_of(self.name)


SPECS = Registry("loss")
SPECS.add(LossSpec("mean_squared_error", "MeanSquaredError", regression=True), aliases=("mse", "MSE"))
SPECS.add(LossSpec("mean_absolute_error", "MeanAbsoluteError", regression=True), aliases=("mae", "MAE"))
SPECS.add(LossSpec("mean_absolute_percentage_error", "MeanAbsolutePercentageError", regression=True),
          aliases=("mape", "MAPE"))
SPECS.add(LossSpec("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", labels="01", regression=True,
                   output="sigmoid"), aliases=("msle", "MSLE"))
SPECS.add(LossSpec("hinge", "Hinge"))
SPECS.add(LossSpec("squared_hinge", "SquaredHinge"))
SPECS.add(LossSpec("categorical_hinge", "CategoricalHinge", labels="onehot", output="linear"))
SPECS.add(LossSpec("binary_crossentropy", "BinaryCrossentropy", {"from_logits": False, "label_smoothing": 0.0},
                   labels="01", output="sigmoid"), aliases=("bce", "BCE"))
SPECS.add(LossSpec("categorical_crossentropy", "CategoricalCrossentropy",
                   {"from_logits": False, "label_smoothing": 0.0}, labels="onehot", output="softmax"))
SPECS.add(LossSpec("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {"from_logits": False},
                   labels="sparse", output="softmax"))
SPECS.add(LossSpec("kl_divergence", "KLDivergence", labels="onehot", output="softmax"),
          aliases=("kld", "KLD", "kullback_leibler_divergence"))
SPECS.add(LossSpec("poisson", "Poisson", labels="01", regression=True, output="softplus"))
SPECS.add(LossSpec("cosine_similarity", "CosineSimilarity", labels="onehot", output="linear"),
          aliases=("cosine_proximity", "cosine"))
SPECS.add(LossSpec("log_cosh", "LogCosh", regression=True), aliases=("logcosh",))
SPECS.add(LossSpec("huber", "Huber", {"delta": 1.0}, regression=True), aliases=("huber_loss",))
for _spec in SPECS.specs():  # the class names are accepted as names too: compile(loss='Huber')
    SPECS.add_alias(_spec.class_name, _spec.name)
HINGE_FAMILY = ("hinge", "squared_hinge", "categorical_hinge")


def names():
    """Every accepted loss name: canonical names, aliases and class names."""
    return SPECS.names()


def canonical_name(name):
    return SPECS.canonical(name)


def aliases_of(canonical):
    return [a for a in SPECS.aliases_of(canonical) if a != SPECS.spec(canonical).class_name]


class Loss:
    """A loss with its options. loss(y_true, y_pred, sample_weight=None) -> float."""

    def __init__(self, name, **options):
        spec = SPECS.spec(name)
        self.name = spec.name
        defaults = spec.options
        unknown = set(options) - set(defaults) - {"reduction", "name", "dtype"}
        if unknown:
            raise TypeError(
                f"Loss {self.name!r} got unexpected option(s) {sorted(unknown)}; "
                f"its options: {', '.join(defaults) or 'none'}."
            )
        reduction = options.pop("reduction", "sum_over_batch_size")
        options.pop("name", None)
        options.pop("dtype", None)
        if reduction not in ("sum_over_batch_size", "auto"):
            raise ValueError(f"Loss {self.name!r}: only reduction='sum_over_batch_size' is supported.")
        self.code = spec.code
        self.spec = spec
        self.options = {**defaults, **options}
        if "label_smoothing" in self.options:
            self.options["label_smoothing"] = number(self.name, "label_smoothing", self.options["label_smoothing"],
                                                     low=0, high=1)
        if "delta" in self.options:
            self.options["delta"] = number(self.name, "delta", self.options["delta"], low=0, low_open=True)

    @property
    def from_logits(self):
        return bool(self.options.get("from_logits", False))

    @property
    def is_sparse(self):
        return self.name == "sparse_categorical_crossentropy"

    def param_vector(self, dtype):
        """The kernel's loss parameters (codes.LP_*), in the model dtype so that float32
        clipping rounds exactly as Keras's (1 - 1e-7 is 0.99999988 in float32)."""
        eps = dtype(config.epsilon())
        lp = np.zeros(C.N_LOSS_PARAMS, dtype=dtype)
        lp[C.LP_EPS] = eps
        lp[C.LP_ONE_MINUS_EPS] = dtype(1) - eps
        lp[C.LP_LABEL_SMOOTHING] = self.options.get("label_smoothing", 0.0)
        lp[C.LP_DELTA] = self.options.get("delta", 1.0)
        lp[C.LP_FROM_LOGITS] = float(self.from_logits)
        return lp

    def get_config(self):
        return {"name": self.name, **self.options}

    def per_sample(self, y_true, y_pred):
        """Per-sample losses (N,), as Keras's loss functions return them."""
        from .kernels.losses import loss_forward

        y_true, y_pred, dtype = _prepare(self, y_true, y_pred)
        values = np.zeros(len(y_pred), dtype=np.float64)
        loss_forward(values, y_pred, y_true, len(y_pred), self.code, self.param_vector(dtype))
        return values

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.per_sample(y_true, y_pred)
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=np.float64)
            if sw.ndim == 0:
                sw = np.full(len(values), float(sw))
            sw = sw.reshape(-1)
            if sw.shape[0] != len(values):
                raise ValueError(f"sample_weight has {sw.shape[0]} values for {len(values)} samples.")
            values = values * sw
        return float(values.sum() / max(len(values), 1))  # Keras 3 sum_over_batch_size

    def __repr__(self):
        return f"<loss {self.name} {self.options}>" if self.options else f"<loss {self.name}>"

    def __eq__(self, other):
        return isinstance(other, Loss) and other.get_config() == self.get_config()

    __hash__ = None


def _prepare(loss, y_true, y_pred):
    """Coerce (y_true, y_pred) to the kernels' 2-D arrays and check the labels fit the loss."""
    y_pred = np.asarray(y_pred)
    dtype = y_pred.dtype.type if y_pred.dtype in (np.float32, np.float64) else config.resolve_dtype(None)
    y_pred = np.ascontiguousarray(y_pred, dtype=dtype)
    if y_pred.ndim == 1:
        y_pred = y_pred.reshape(-1, 1)
    if y_pred.ndim != 2:
        raise ValueError(f"y_pred must be 1-D or 2-D (samples, outputs), got shape {y_pred.shape}.")
    y_true = prepare_targets(loss, y_true, y_pred.shape[1], dtype, warn=False)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} samples but y_pred has {len(y_pred)}.")
    return y_true, y_pred, dtype


def prepare_targets(loss, y, n_outputs, dtype, warn=True, what="y"):
    """Labels as the kernels need them: (N, n_outputs) floats, or (N, 1) class ids for the sparse
    loss. (N,) labels against a 1-unit output expand to (N, 1) (never broadcast to (N, N)).
    Raises ValueError when the labels cannot fit this loss, saying what to do instead."""
    if y is None:
        raise ValueError(f"{what} (the labels) is required.")
    y = np.asarray(as_array(single_entry(y, what), what)[0])
    if y.dtype == object or not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise ValueError(f"{what} must be numeric, got dtype {y.dtype}. Encode string labels as integers.")
    if y.ndim == 0 or y.ndim > 2:
        raise ValueError(f"{what} must be 1-D or 2-D (samples, outputs), got shape {y.shape}.")
    if not np.all(np.isfinite(y)):
        bad = np.argwhere(~np.isfinite(y))
        where = ", ".join(f"{axis} {int(i)}" for axis, i in zip(("row", "column"), bad[0]))
        raise ValueError(f"{what} contains {len(bad)} NaN or inf value(s), first at {where}.")
    name = loss.name
    if loss.is_sparse:
        if y.ndim == 2 and y.shape[1] != 1:
            raise ValueError(
                f"sparse_categorical_crossentropy takes integer class ids of shape (N,), but {what} has "
                f"shape {y.shape} (one-hot?). Use loss='categorical_crossentropy', or pass {what}.argmax(axis=1)."
            )
        ids = y.reshape(-1)
        if np.any(ids != np.round(ids)):
            raise ValueError(f"sparse_categorical_crossentropy needs integer class ids; {what} has non-integer values.")
        if ids.size and (ids.min() < 0 or ids.max() >= n_outputs):
            raise ValueError(
                f"sparse_categorical_crossentropy: class ids must be in [0, {n_outputs - 1}] for a "
                f"{n_outputs}-unit output, got values in [{int(ids.min())}, {int(ids.max())}]."
            )
        return np.ascontiguousarray(ids.reshape(-1, 1), dtype=dtype)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.shape[1] != n_outputs:
        if name == "categorical_crossentropy" and y.shape[1] == 1 and n_outputs > 1:
            raise ValueError(
                f"categorical_crossentropy needs one-hot labels of shape (N, {n_outputs}), but {what} holds one "
                f"value per sample. Use loss='sparse_categorical_crossentropy' for class ids, or "
                f"fastnn.utils.to_categorical({what})."
            )
        raise ValueError(
            f"{what} has {y.shape[1]} column(s) but the model outputs {n_outputs} value(s) per sample; "
            f"they must match for loss {name!r}."
        )
    # one pass each, no sort: np.unique over a 60000x10 one-hot y took longer than a small fit
    if name in ("hinge", "squared_hinge"):
        if not (np.all((y == 1) | (y == -1)) or np.all((y == 0) | (y == 1))):
            raise ValueError(
                f"{name} needs labels in {{-1, 1}} (or {{0, 1}}, converted as Keras 3 does), got values "
                f"{np.unique(y)[:6].tolist()}. For more than two classes use categorical_crossentropy."
            )
    lowest, highest = y.min(), y.max()
    if name == "binary_crossentropy" and (lowest < 0 or highest > 1):
        raise ValueError(
            f"binary_crossentropy needs labels in [0, 1], got values in [{lowest}, {highest}]. "
            f"For ±1 labels use hinge, or map them with (y + 1) / 2."
        )
    if name == "categorical_crossentropy":
        if lowest < 0:
            raise ValueError("categorical_crossentropy needs non-negative (one-hot or probability) labels.")
        if warn and n_outputs == 1:
            warnings.warn(
                "categorical_crossentropy on a 1-unit output is always ~0 (the single probability is "
                "renormalised to 1). Use binary_crossentropy, or 2 softmax units.",
                SyntaxWarning, stacklevel=4,
            )
    return cast_finite(y, dtype, what)


def get(identifier):
    """A Loss from a name (any alias), a config dict or a Loss."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return Loss(identifier)
    if isinstance(identifier, dict) and "name" in identifier:
        cfg = dict(identifier)
        return Loss(cfg.pop("name"), **cfg)
    name = getattr(identifier, "__name__", None) if getattr(identifier, "__module__", None) == __name__ else None
    name = name or keras_function_name(identifier)
    if name in SPECS:
        return Loss(name)  # fastnn.losses.mse, or keras.losses.mean_squared_error passed by habit
    raise TypeError(
        f"Loss {identifier!r} is not supported: fastnn computes losses inside compiled kernels, so "
        f"use a name ({', '.join(s.name for s in SPECS.specs())}) or a fastnn.losses class."
    )


# ---- the Keras classes: compile(loss=Huber(delta=2.0)) -----------------------------------------------

class MeanSquaredError(Loss):
    def __init__(self, **options):
        super().__init__("mean_squared_error", **options)


class MeanAbsoluteError(Loss):
    def __init__(self, **options):
        super().__init__("mean_absolute_error", **options)


class MeanAbsolutePercentageError(Loss):
    def __init__(self, **options):
        super().__init__("mean_absolute_percentage_error", **options)


class MeanSquaredLogarithmicError(Loss):
    def __init__(self, **options):
        super().__init__("mean_squared_logarithmic_error", **options)


class Hinge(Loss):
    def __init__(self, **options):
        super().__init__("hinge", **options)


class SquaredHinge(Loss):
    def __init__(self, **options):
        super().__init__("squared_hinge", **options)


class CategoricalHinge(Loss):
    def __init__(self, **options):
        super().__init__("categorical_hinge", **options)


class BinaryCrossentropy(Loss):
    def __init__(self, from_logits=False, label_smoothing=0.0, **options):
        super().__init__("binary_crossentropy", from_logits=from_logits, label_smoothing=label_smoothing, **options)


class CategoricalCrossentropy(Loss):
    def __init__(self, from_logits=False, label_smoothing=0.0, **options):
        super().__init__("categorical_crossentropy", from_logits=from_logits, label_smoothing=label_smoothing,
                         **options)


class SparseCategoricalCrossentropy(Loss):
    def __init__(self, from_logits=False, **options):
        super().__init__("sparse_categorical_crossentropy", from_logits=from_logits, **options)


class KLDivergence(Loss):
    def __init__(self, **options):
        super().__init__("kl_divergence", **options)


class Poisson(Loss):
    def __init__(self, **options):
        super().__init__("poisson", **options)


class CosineSimilarity(Loss):
    def __init__(self, **options):
        super().__init__("cosine_similarity", **options)


class LogCosh(Loss):
    def __init__(self, **options):
        super().__init__("log_cosh", **options)


class Huber(Loss):
    def __init__(self, delta=1.0, **options):
        super().__init__("huber", delta=delta, **options)


# ---- the Keras functions: per-sample values (N,), as keras.losses.mean_squared_error returns ---------

def mean_squared_error(y_true, y_pred):
    return Loss("mean_squared_error").per_sample(y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    return Loss("mean_absolute_error").per_sample(y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    return Loss("mean_absolute_percentage_error").per_sample(y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    return Loss("mean_squared_logarithmic_error").per_sample(y_true, y_pred)


def hinge(y_true, y_pred):
    return Loss("hinge").per_sample(y_true, y_pred)


def squared_hinge(y_true, y_pred):
    return Loss("squared_hinge").per_sample(y_true, y_pred)


def categorical_hinge(y_true, y_pred):
    return Loss("categorical_hinge").per_sample(y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    return Loss("binary_crossentropy", from_logits=from_logits, label_smoothing=label_smoothing).per_sample(
        y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    return Loss("categorical_crossentropy", from_logits=from_logits, label_smoothing=label_smoothing).per_sample(
        y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    return Loss("sparse_categorical_crossentropy", from_logits=from_logits).per_sample(y_true, y_pred)


def kl_divergence(y_true, y_pred):
    return Loss("kl_divergence").per_sample(y_true, y_pred)


def poisson(y_true, y_pred):
    return Loss("poisson").per_sample(y_true, y_pred)


def cosine_similarity(y_true, y_pred):
    return Loss("cosine_similarity").per_sample(y_true, y_pred)


def log_cosh(y_true, y_pred):
    return Loss("log_cosh").per_sample(y_true, y_pred)


def huber(y_true, y_pred, delta=1.0):
    return Loss("huber", delta=delta).per_sample(y_true, y_pred)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
