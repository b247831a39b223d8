"""Activation functions by name, Keras 3 style: fastnn.activations.get('relu')(x, negative_slope=0.1).

Every activation is an ActivationFunction: a name, its parameters and the integer code the
kernels dispatch on. Called on a NumPy array it runs the same kernel the training loop uses,
so what you plot is what you train with. Layers accept the same names, ActivationFunction
objects (fastnn.activations.relu) or get()'s result.
"""
import math

import numpy as np

from . import config
from ._names import keras_function_name, unknown_name_error
from .kernels import codes as C

# name -> (kernel code, default parameters); every Keras 3 element-wise activation
_SPECS = {
    "linear": (C.ACT_LINEAR, {}),
    "relu": (C.ACT_RELU, {"negative_slope": 0.0, "max_value": None, "threshold": 0.0}),
    "leaky_relu": (C.ACT_LEAKY_RELU, {"negative_slope": 0.2}),
    "relu6": (C.ACT_RELU6, {}),
    "elu": (C.ACT_ELU, {"alpha": 1.0}),
    "selu": (C.ACT_SELU, {}),
    "celu": (C.ACT_CELU, {"alpha": 1.0}),
    "gelu": (C.ACT_GELU, {"approximate": False}),
    "silu": (C.ACT_SILU, {}),
    "hard_sigmoid": (C.ACT_HARD_SIGMOID, {}),
    "hard_silu": (C.ACT_HARD_SILU, {}),
    "sigmoid": (C.ACT_SIGMOID, {}),
    "tanh": (C.ACT_TANH, {}),
    "softsign": (C.ACT_SOFTSIGN, {}),
    "softplus": (C.ACT_SOFTPLUS, {}),
    "exponential": (C.ACT_EXPONENTIAL, {}),
    "mish": (C.ACT_MISH, {}),
    "log_sigmoid": (C.ACT_LOG_SIGMOID, {}),
    "hard_tanh": (C.ACT_HARD_TANH, {}),
    "tanh_shrink": (C.ACT_TANH_SHRINK, {}),
    "squareplus": (C.ACT_SQUAREPLUS, {"b": 4.0}),
    "sparse_plus": (C.ACT_SPARSE_PLUS, {}),
    "sparse_sigmoid": (C.ACT_SPARSE_SIGMOID, {}),
    "soft_shrink": (C.ACT_SOFT_SHRINK, {"threshold": 0.5}),
    "hard_shrink": (C.ACT_HARD_SHRINK, {"threshold": 0.5}),
    "softmax": (C.ACT_SOFTMAX, {"axis": -1}),
    "log_softmax": (C.ACT_LOG_SOFTMAX, {"axis": -1}),
}
_ALIASES = {"swish": "silu", "hard_swish": "hard_silu"}


def names():
    """Every accepted activation name, aliases included, sorted."""
    return sorted(list(_SPECS) + list(_ALIASES))


def canonical_name(name):
    """'Swish' -> 'silu'; unknown names raise ValueError with the closest valid one."""
    key = str(name).lower()
    key = _ALIASES.get(key, key)
    if key not in _SPECS:
        raise unknown_name_error("activation", name, names())
    return key


class ActivationFunction:
    """A named activation with fixed parameters. Call it on an array: f(x, **overrides)."""

    def __init__(self, name, **params):
        self.name = canonical_name(name)
        defaults = _SPECS[self.name][1]
        unknown = set(params) - set(defaults)
        if unknown:
            allowed = ", ".join(defaults) or "none"
            raise TypeError(
                f"Activation {self.name!r} got unexpected parameter(s) {sorted(unknown)}; "
                f"its parameters: {allowed}."
            )
        self.params = {**defaults, **params}
        _check_params(self.name, self.params)

    @property
    def code(self):
        if self.name == "gelu" and self.params["approximate"]:
            return C.ACT_GELU_TANH
        return _SPECS[self.name][0]

    def param_vector(self, dtype):
        """The kernel's per-layer parameter row (codes.N_ACT_PARAMS values)."""
        p = self.params
        v = np.zeros(C.N_ACT_PARAMS, dtype=dtype)
        if self.name == "relu":
            has_max = p["max_value"] is not None
            v[:] = [p["negative_slope"], p["max_value"] if has_max else 0.0, p["threshold"], has_max]
        elif self.name == "leaky_relu":
            v[0] = p["negative_slope"]
        elif self.name in ("elu", "celu"):
            v[0] = p["alpha"]
        elif self.name == "squareplus":
            v[0] = p["b"]
        elif self.name in ("soft_shrink", "hard_shrink"):
            v[0] = p["threshold"]
        return v

    def get_config(self):
        return {"name": self.name, **self.params}

    def __call__(self, x, **overrides):
        f = ActivationFunction(self.name, **{**self.params, **overrides}) if overrides else self
        return _apply(f, x)

    def __repr__(self):
        changed = {k: v for k, v in self.params.items() if v != _SPECS[self.name][1][k]}
        args = "".join(f", {k}={v!r}" for k, v in changed.items())
        return f"<activation {self.name}{args}>"

    def __eq__(self, other):
        return isinstance(other, ActivationFunction) and other.get_config() == self.get_config()

    __hash__ = None


def _check_params(name, p):
    def number(key):
        value = p[key]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise TypeError(f"Activation {name!r}: {key} must be a number, got {value!r}.")
        if not math.isfinite(value):
            raise ValueError(f"Activation {name!r}: {key} must be finite, got {value!r}.")
        return float(value)

    if name == "relu":
        if number("negative_slope") < 0:
            raise ValueError("relu: negative_slope must be >= 0 (Keras 3 rule).")
        number("threshold")
        if p["max_value"] is not None and number("max_value") < 0:
            raise ValueError("relu: max_value must be >= 0 or None.")
    for key in ("alpha", "b", "threshold", "negative_slope"):
        if key in p:
            number(key)
    if name == "celu" and p["alpha"] == 0:
        raise ValueError("celu: alpha must not be 0 (it divides by alpha).")
    if name == "squareplus" and p["b"] < 0:
        raise ValueError("squareplus: b must be >= 0.")
    if name in ("soft_shrink", "hard_shrink") and p["threshold"] < 0:
        raise ValueError(f"{name}: threshold must be >= 0.")
    if name in ("softmax", "log_softmax") and p["axis"] not in (-1,):
        raise ValueError(f"{name}: fastnn applies it over the last axis only (axis=-1).")


def _apply(f, x):
    from .kernels.activations import activation_forward  # imported on first use: keeps import fast

    arr = np.asarray(x)
    dtype = arr.dtype.type if arr.dtype in (np.float32, np.float64) else config.resolve_dtype(None)
    shape = arr.shape
    if arr.ndim == 0:
        rows = np.ascontiguousarray(arr, dtype=dtype).reshape(1, 1)
    else:
        if arr.shape[-1] == 0:
            return arr.astype(dtype)
        rows = np.ascontiguousarray(arr, dtype=dtype).reshape(-1, shape[-1])
    n, B = rows.shape[1], rows.shape[0]
    cols = np.ascontiguousarray(rows.T).reshape(-1)  # the kernels are feature-major: one column per sample
    out = np.empty_like(cols)
    activation_forward(out, cols, n, B, f.code, f.param_vector(dtype))
    return out.reshape(n, B).T.reshape(shape)


def get(identifier):
    """An ActivationFunction from a name, None ('linear'), or an ActivationFunction.

    Raises ValueError for unknown names (naming the closest valid one) and TypeError for other
    callables: fastnn's kernels cannot run arbitrary Python functions.
    """
    if identifier is None:
        return ActivationFunction("linear")
    if isinstance(identifier, ActivationFunction):
        return identifier
    if isinstance(identifier, str):
        return ActivationFunction(identifier)
    if isinstance(identifier, dict) and "name" in identifier:
        cfg = dict(identifier)
        return ActivationFunction(cfg.pop("name"), **cfg)
    name = keras_function_name(identifier)
    if name in names():
        return ActivationFunction(name)  # keras.activations.relu passed by habit: same function
    raise TypeError(
        f"Activation {identifier!r} is not supported: fastnn runs activations inside compiled "
        f"kernels, so use one of the names {names()} (or fastnn.activations.<name>)."
    )


# fastnn.activations.relu(x), .tanh(x), ... as in keras.activations
for _name in names():
    globals()[_name] = ActivationFunction(_name)
del _name
