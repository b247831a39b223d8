"""Activation functions by name, Keras 3 style: fastnn.activations.relu(x, negative_slope=0.1).

One spec row per activation (SPECS below): its name, aliases, parameter defaults, how the
parameters are checked and packed into the kernel's per-layer row, and (via its name) the kernel
code. Everything else reads the registry: names(), get(), the layers, the CLI, the tests.

An ActivationFunction is a name with fixed parameters; called on an array it runs the same kernel
the training loop uses, so what you plot is what you train with. The Keras functions
(relu, tanh, ...) are written out below; layers accept their names, these functions or
ActivationFunction objects.
"""
from dataclasses import dataclass, field

import numpy as np

from . import config
from ._validation import number
from .kernels import codes as C
from .registry import Registry, keras_function_name


@dataclass(frozen=True)
class ActivationSpec:
    name: str
    defaults: dict = field(default_factory=dict)  # parameter -> Keras 3 default
    limits: dict = field(default_factory=dict)  # parameter -> number() bounds (low=, low_open=, ...)
    packed: tuple = ()  # the parameters the kernel reads, in order (codes.N_ACT_PARAMS at most)

    def kernel_name(self, params):
        """The kernel's name for these parameters (its code is code_of(kernel_name))."""
        if self.name == "gelu" and params["approximate"]:
            return "gelu_tanh"
        return self.name


SPECS = Registry("activation", case_sensitive=False)
SPECS.add(ActivationSpec("linear"))
SPECS.add(ActivationSpec("relu", {"negative_slope": 0.0, "max_value": None, "threshold": 0.0},
                         {"negative_slope": {"low": 0}, "max_value": {"low": 0, "allow_none": True}, "threshold": {}},
                         ("negative_slope", "max_value", "threshold")))
SPECS.add(ActivationSpec("leaky_relu", {"negative_slope": 0.2}, {"negative_slope": {}}, ("negative_slope",)))
SPECS.add(ActivationSpec("relu6"))
SPECS.add(ActivationSpec("elu", {"alpha": 1.0}, {"alpha": {}}, ("alpha",)))
SPECS.add(ActivationSpec("selu"))
SPECS.add(ActivationSpec("celu", {"alpha": 1.0}, {"alpha": {}}, ("alpha",)))
SPECS.add(ActivationSpec("gelu", {"approximate": False}))
SPECS.add(ActivationSpec("silu"), aliases=("swish",))
SPECS.add(ActivationSpec("hard_sigmoid"))
SPECS.add(ActivationSpec("hard_silu"), aliases=("hard_swish",))
SPECS.add(ActivationSpec("sigmoid"))
SPECS.add(ActivationSpec("tanh"))
SPECS.add(ActivationSpec("softsign"))
SPECS.add(ActivationSpec("softplus"))
SPECS.add(ActivationSpec("exponential"))
SPECS.add(ActivationSpec("mish"))
SPECS.add(ActivationSpec("log_sigmoid"))
SPECS.add(ActivationSpec("hard_tanh"))
SPECS.add(ActivationSpec("tanh_shrink"))
SPECS.add(ActivationSpec("squareplus", {"b": 4.0}, {"b": {"low": 0}}, ("b",)))
SPECS.add(ActivationSpec("sparse_plus"))
SPECS.add(ActivationSpec("sparse_sigmoid"))
SPECS.add(ActivationSpec("soft_shrink", {"threshold": 0.5}, {"threshold": {"low": 0}}, ("threshold",)))
SPECS.add(ActivationSpec("hard_shrink", {"threshold": 0.5}, {"threshold": {"low": 0}}, ("threshold",)))
SPECS.add(ActivationSpec("threshold", {"threshold": 0.0, "default_value": 0.0},
                         {"threshold": {}, "default_value": {}}, ("threshold", "default_value")))
SPECS.add(ActivationSpec("softmax", {"axis": -1}))
SPECS.add(ActivationSpec("log_softmax", {"axis": -1}))


def names():
    """Every accepted activation name, aliases included, sorted."""
    return SPECS.names()


def canonical_name(name):
    """'Swish' -> 'silu'; unknown names raise ValueError with the closest valid one."""
    return SPECS.canonical(name)


def _check(spec, params):
    owner = f"Activation {spec.name!r}"
    for key, bounds in spec.limits.items():
        params[key] = number(owner, key, params[key], **bounds)
    if spec.name == "celu" and params["alpha"] == 0:
        raise ValueError("celu: alpha must not be 0 (it divides by alpha).")
    if spec.name in ("softmax", "log_softmax") and params["axis"] not in (-1,):
        raise ValueError(f"{spec.name}: fastnn applies it over the last axis only (axis=-1).")
    if spec.name == "gelu" and not isinstance(params["approximate"], (bool, np.bool_)):
        raise TypeError(f"gelu: approximate must be True or False, got {params['approximate']!r}.")


class ActivationFunction:
    """A named activation with fixed parameters. Call it on an array: f(x, **overrides)."""

    def __init__(self, name, **params):
        spec = SPECS.spec(name)
        unknown = set(params) - set(spec.defaults)
        if unknown:
            raise TypeError(f"Activation {spec.name!r} got unexpected parameter(s) {sorted(unknown)}; "
                            f"its parameters: {', '.join(spec.defaults) or 'none'}.")
        self.name = spec.name
        self.params = {**spec.defaults, **params}
        _check(spec, self.params)
        self.code = C.code_of(spec.kernel_name(self.params))
        self._spec = spec

    def param_vector(self, dtype):
        """The kernel's per-layer parameter row: the packed parameters, then has_max_value for relu."""
        v = np.zeros(C.N_ACT_PARAMS, dtype=dtype)
        for i, key in enumerate(self._spec.packed):
            v[i] = 0.0 if self.params[key] is None else self.params[key]
        if self.name == "relu":
            v[3] = self.params["max_value"] is not None
        return v

    def get_config(self):
        return {"name": self.name, **self.params}

    def __call__(self, x, **overrides):
        f = ActivationFunction(self.name, **{**self.params, **overrides}) if overrides else self
        return _apply(f, x)

    def __repr__(self):
        changed = {k: v for k, v in self.params.items() if v != self._spec.defaults[k]}
        args = "".join(f", {k}={v!r}" for k, v in changed.items())
        return f"<activation {self.name}{args}>"

    def __eq__(self, other):
        return isinstance(other, ActivationFunction) and other.get_config() == self.get_config()

    __hash__ = None


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
    if not activation_forward(out, cols, n, B, f.code, f.param_vector(dtype)):
        raise RuntimeError(f"the activation kernel has no branch for {f.name!r} (code {f.code}): a fastnn bug.")
    return out.reshape(n, B).T.reshape(shape)


def get(identifier):
    """An ActivationFunction from a name, None ('linear'), a config dict, an ActivationFunction,
    or one of the functions below (fastnn's or Keras's, matched by name).

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
    name = getattr(identifier, "__name__", None) if getattr(identifier, "__module__", None) == __name__ else None
    name = name or keras_function_name(identifier)
    if name in SPECS:
        return ActivationFunction(name)  # fastnn.activations.relu, or keras.activations.relu by habit
    raise TypeError(
        f"Activation {identifier!r} is not supported: fastnn runs activations inside compiled "
        f"kernels, so use one of the names {names()} (or fastnn.activations.<name>)."
    )


# ---- the Keras functions: fastnn.activations.relu(x), .tanh(x), ... --------------------------------

def linear(x):
    return _apply(ActivationFunction("linear"), x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    return _apply(ActivationFunction("relu", negative_slope=negative_slope, max_value=max_value,
                                     threshold=threshold), x)


def leaky_relu(x, negative_slope=0.2):
    return _apply(ActivationFunction("leaky_relu", negative_slope=negative_slope), x)


def relu6(x):
    return _apply(ActivationFunction("relu6"), x)


def elu(x, alpha=1.0):
    return _apply(ActivationFunction("elu", alpha=alpha), x)


def selu(x):
    return _apply(ActivationFunction("selu"), x)


def celu(x, alpha=1.0):
    return _apply(ActivationFunction("celu", alpha=alpha), x)


def gelu(x, approximate=False):
    return _apply(ActivationFunction("gelu", approximate=approximate), x)


def silu(x):
    return _apply(ActivationFunction("silu"), x)


def hard_sigmoid(x):
    return _apply(ActivationFunction("hard_sigmoid"), x)


def hard_silu(x):
    return _apply(ActivationFunction("hard_silu"), x)


def sigmoid(x):
    return _apply(ActivationFunction("sigmoid"), x)


def tanh(x):
    return _apply(ActivationFunction("tanh"), x)


def softsign(x):
    return _apply(ActivationFunction("softsign"), x)


def softplus(x):
    return _apply(ActivationFunction("softplus"), x)


def exponential(x):
    return _apply(ActivationFunction("exponential"), x)


def mish(x):
    return _apply(ActivationFunction("mish"), x)


def log_sigmoid(x):
    return _apply(ActivationFunction("log_sigmoid"), x)


def hard_tanh(x):
    return _apply(ActivationFunction("hard_tanh"), x)


def tanh_shrink(x):
    return _apply(ActivationFunction("tanh_shrink"), x)


def squareplus(x, b=4.0):
    return _apply(ActivationFunction("squareplus", b=b), x)


def sparse_plus(x):
    return _apply(ActivationFunction("sparse_plus"), x)


def sparse_sigmoid(x):
    return _apply(ActivationFunction("sparse_sigmoid"), x)


def soft_shrink(x, threshold=0.5):
    return _apply(ActivationFunction("soft_shrink", threshold=threshold), x)


def hard_shrink(x, threshold=0.5):
    return _apply(ActivationFunction("hard_shrink", threshold=threshold), x)


def threshold(x, threshold=0.0, default_value=0.0):
    """x where x > threshold, default_value elsewhere (Keras 3's keras.activations.threshold)."""
    return _apply(ActivationFunction("threshold", threshold=threshold, default_value=default_value), x)


def softmax(x, axis=-1):
    return _apply(ActivationFunction("softmax", axis=axis), x)


def log_softmax(x, axis=-1):
    return _apply(ActivationFunction("log_softmax", axis=axis), x)


swish = silu
hard_swish = hard_silu
