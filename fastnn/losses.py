"""Losses by name or class, Keras 3 style: compile(loss='hinge') or loss=Huber(delta=2.0).

Every loss is a Loss object: a canonical name, its options (from_logits, label_smoothing,
delta) and the integer code the kernels dispatch on. Calling it runs the same kernel the
training loop uses and returns Keras 3's sum_over_batch_size reduction:

    fastnn.losses.get('mse')(y_true, y_pred, sample_weight=None) -> float

Names: every Keras 3 name and alias, plus the Keras 1/2 names old tutorials use
(kullback_leibler_divergence, cosine_proximity, cosine, logcosh, huber_loss). Keras 3 itself
rejects those legacy names; fastnn maps them to the Keras 3 loss of the same meaning.
"""
import warnings

import numpy as np

from . import config
from ._names import keras_function_name, unknown_name_error
from ._validation import cast_finite
from .kernels import codes as C

# canonical name -> (code, option defaults, class name)
_SPECS = {
    "mean_squared_error": (C.LOSS_MSE, {}, "MeanSquaredError"),
    "mean_absolute_error": (C.LOSS_MAE, {}, "MeanAbsoluteError"),
    "mean_absolute_percentage_error": (C.LOSS_MAPE, {}, "MeanAbsolutePercentageError"),
    "mean_squared_logarithmic_error": (C.LOSS_MSLE, {}, "MeanSquaredLogarithmicError"),
    "hinge": (C.LOSS_HINGE, {}, "Hinge"),
    "squared_hinge": (C.LOSS_SQUARED_HINGE, {}, "SquaredHinge"),
    "categorical_hinge": (C.LOSS_CATEGORICAL_HINGE, {}, "CategoricalHinge"),
    "binary_crossentropy": (C.LOSS_BCE, {"from_logits": False, "label_smoothing": 0.0}, "BinaryCrossentropy"),
    "categorical_crossentropy": (
        C.LOSS_CCE, {"from_logits": False, "label_smoothing": 0.0}, "CategoricalCrossentropy"),
    "sparse_categorical_crossentropy": (
        C.LOSS_SCCE, {"from_logits": False}, "SparseCategoricalCrossentropy"),
    "kl_divergence": (C.LOSS_KLD, {}, "KLDivergence"),
    "poisson": (C.LOSS_POISSON, {}, "Poisson"),
    "cosine_similarity": (C.LOSS_COSINE, {}, "CosineSimilarity"),
    "log_cosh": (C.LOSS_LOG_COSH, {}, "LogCosh"),
    "huber": (C.LOSS_HUBER, {"delta": 1.0}, "Huber"),
}
# Keras 3 aliases (case-sensitive in Keras: 'mse' and 'MSE') and Keras 1/2 legacy names
ALIASES = {
    "mse": "mean_squared_error", "MSE": "mean_squared_error",
    "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
    "bce": "binary_crossentropy", "BCE": "binary_crossentropy",
    "kld": "kl_divergence", "KLD": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
    "cosine_proximity": "cosine_similarity", "cosine": "cosine_similarity",
    "logcosh": "log_cosh", "huber_loss": "huber",
}
_BY_CLASS = {spec[2]: name for name, spec in _SPECS.items()}
HINGE_FAMILY = ("hinge", "squared_hinge", "categorical_hinge")


def names():
    """Every accepted loss name: canonical names, aliases and class names."""
    return sorted(set(_SPECS) | set(ALIASES) | set(_BY_CLASS))


def canonical_name(name):
    if name in _SPECS:
        return name
    if name in ALIASES:
        return ALIASES[name]
    if name in _BY_CLASS:
        return _BY_CLASS[name]
    raise unknown_name_error("loss", name, names())


def aliases_of(canonical):
    return sorted(alias for alias, target in ALIASES.items() if target == canonical)


class Loss:
    """A loss with its options. loss(y_true, y_pred, sample_weight=None) -> float."""

    def __init__(self, name, **options):
        self.name = canonical_name(name)
        code, defaults, _ = _SPECS[self.name]
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
        self.code = code
        self.options = {**defaults, **options}
        ls = float(self.options.get("label_smoothing", 0.0))
        if not 0.0 <= ls <= 1.0:
            raise ValueError(f"{self.name}: label_smoothing must be in [0, 1], got {ls}.")
        if "delta" in self.options and not float(self.options["delta"]) > 0:
            raise ValueError(f"{self.name}: delta must be > 0, got {self.options['delta']}.")

    @property
    def from_logits(self):
        return bool(self.options.get("from_logits", False))

    @property
    def is_sparse(self):
        return self.code == C.LOSS_SCCE

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
    y = np.asarray(y)
    if y.dtype == object or not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise ValueError(f"{what} must be numeric, got dtype {y.dtype}. Encode string labels as integers.")
    if y.ndim == 0 or y.ndim > 2:
        raise ValueError(f"{what} must be 1-D or 2-D (samples, outputs), got shape {y.shape}.")
    if not np.all(np.isfinite(y)):
        bad = np.argwhere(~np.isfinite(y))
        raise ValueError(f"{what} contains {len(bad)} NaN or inf value(s), first at index {tuple(bad[0])}.")
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
    values = np.unique(y)
    if name in ("hinge", "squared_hinge"):
        if not (set(values.tolist()) <= {-1.0, 1.0} or set(values.tolist()) <= {0.0, 1.0}):
            raise ValueError(
                f"{name} needs labels in {{-1, 1}} (or {{0, 1}}, converted as Keras 3 does), got values "
                f"{values[:6].tolist()}. For more than two classes use categorical_crossentropy."
            )
    if name == "binary_crossentropy" and (values.min() < 0 or values.max() > 1):
        raise ValueError(
            f"binary_crossentropy needs labels in [0, 1], got values in [{values.min()}, {values.max()}]. "
            f"For ±1 labels use hinge, or map them with (y + 1) / 2."
        )
    if name == "categorical_crossentropy":
        if values.min() < 0:
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
    name = keras_function_name(identifier)
    if name:
        return Loss(name)  # keras.losses.mean_squared_error passed by habit
    raise TypeError(
        f"Loss {identifier!r} is not supported: fastnn computes losses inside compiled kernels, so "
        f"use a name ({', '.join(_SPECS)}) or a fastnn.losses class."
    )


def _loss_class(canonical):
    _, defaults, class_name = _SPECS[canonical]

    def __init__(self, **options):
        Loss.__init__(self, canonical, **options)

    doc = f"{class_name}({', '.join(f'{k}={v!r}' for k, v in defaults.items())}): the {canonical} loss."
    return type(class_name, (Loss,), {"__init__": __init__, "__doc__": doc})


for _canonical, (_code, _defaults, _class_name) in _SPECS.items():
    globals()[_class_name] = _loss_class(_canonical)


def _per_sample_function(canonical):
    def fn(y_true, y_pred):
        return Loss(canonical).per_sample(y_true, y_pred)

    fn.__name__ = canonical
    fn.__doc__ = f"Per-sample {canonical} values (N,), like keras.losses.{canonical}."
    return fn


# fastnn.losses.mean_squared_error(y_true, y_pred) -> per-sample values, as in Keras
for _canonical in _SPECS:
    globals()[_canonical] = _per_sample_function(_canonical)
for _alias in ("mse", "mae", "mape", "msle", "kld"):
    globals()[_alias] = globals()[ALIASES[_alias]]
del _canonical, _code, _defaults, _class_name, _alias
