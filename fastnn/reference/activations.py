"""Reference activations: forward(name, z, **params) and derivative(name, z, **params).

Vectorised NumPy/SciPy from the Keras 3 formulas (keras/src/activations/activations.py, keras/src/backend/numpy/nn.py). For softmax and
log_softmax, `derivative` is not elementwise: use vjp(name, z, g) for every activation instead.
"""
import numpy as np
from scipy import special

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

_DEFAULTS = {
    "relu": {"negative_slope": 0.0, "max_value": None, "threshold": 0.0},
    "leaky_relu": {"negative_slope": 0.2},
    "elu": {"alpha": 1.0},
    "celu": {"alpha": 1.0},
    "gelu": {"approximate": False},
    "squareplus": {"b": 4.0},
    "soft_shrink": {"threshold": 0.5},
    "hard_shrink": {"threshold": 0.5},
    "threshold": {"threshold": 0.0, "default_value": 0.0},
}


def _p(name, params):
    return {**_DEFAULTS.get(name, {}), **params}


def _softplus(z):
    return np.logaddexp(z, 0.0)


def forward(name, z, **params):
    z = np.asarray(z, dtype=np.float64)
    p = _p(name, params)
    if name == "linear":
        return z.copy()
    if name == "relu":
        s, m, t = p["negative_slope"], p["max_value"], p["threshold"]
        # K3 ReLU.static_call, literally: pos - s * neg
        pos = np.where(z > t, z, 0.0)
        if m is not None:
            pos = np.clip(pos, 0.0, m)
        neg = np.maximum(t - z, 0.0)
        return pos - s * neg
    if name == "leaky_relu":
        return np.where(z >= 0, z, p["negative_slope"] * z)
    if name == "relu6":
        return np.clip(z, 0.0, 6.0)
    if name == "elu":
        return np.where(z > 0, z, p["alpha"] * np.expm1(np.minimum(z, 0.0)))
    if name == "selu":
        return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))
    if name == "celu":
        a = p["alpha"]
        return np.maximum(z, 0.0) + a * np.expm1(np.minimum(z, 0.0) / a)
    if name == "gelu":
        if p["approximate"]:
            c = np.sqrt(2.0 / np.pi)
            # Keras: 0.5 z (1 + tanh u); 1 + tanh u = 2 expit(2u) avoids its cancellation
            return z * special.expit(2.0 * c * (z + 0.044715 * z**3))
        return z * special.ndtr(z)  # x * Phi(x)
    if name in ("silu", "swish"):
        return z * special.expit(z)
    if name == "hard_sigmoid":
        return np.clip(z / 6.0 + 0.5, 0.0, 1.0)
    if name in ("hard_silu", "hard_swish"):
        return z * np.clip(z / 6.0 + 0.5, 0.0, 1.0)
    if name == "sigmoid":
        return special.expit(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "softsign":
        return z / (1.0 + np.abs(z))
    if name == "softplus":
        return _softplus(z)
    if name == "exponential":
        return np.exp(z)
    if name == "mish":
        return z * np.tanh(_softplus(z))
    if name == "log_sigmoid":
        return -_softplus(-z)
    if name == "hard_tanh":
        return np.clip(z, -1.0, 1.0)
    if name == "tanh_shrink":
        return z - np.tanh(z)
    if name == "squareplus":
        return (z + np.sqrt(z * z + p["b"])) / 2.0
    if name == "sparse_plus":
        return np.where(z <= -1, 0.0, np.where(z < 1, 0.25 * (z + 1.0) ** 2, z))
    if name == "sparse_sigmoid":
        return np.clip(0.5 * (z + 1.0), 0.0, 1.0)
    if name == "soft_shrink":
        t = p["threshold"]
        return np.where(z > t, z - t, np.where(z < -t, z + t, 0.0))
    if name == "hard_shrink":
        return np.where(np.abs(z) > p["threshold"], z, 0.0)
    if name == "threshold":
        return np.where(z > p["threshold"], z, p["default_value"])
    if name == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if name == "log_softmax":
        return special.log_softmax(z, axis=-1)
    raise ValueError(f"reference: unknown activation {name!r}")


def derivative(name, z, **params):
    """Elementwise f'(z) (every activation but softmax / log_softmax)."""
    z = np.asarray(z, dtype=np.float64)
    p = _p(name, params)
    one = np.ones_like(z)
    if name == "linear":
        return one
    if name == "threshold":
        return np.where(z > p["threshold"], 1.0, 0.0)
    if name == "relu":
        s, m, t = p["negative_slope"], p["max_value"], p["threshold"]
        above = one if m is None else np.where((z > 0) & (z < m), 1.0, 0.0)
        return np.where(z > t, above, np.where(z < t, s, 0.0))
    if name == "leaky_relu":
        return np.where(z >= 0, 1.0, p["negative_slope"])
    if name == "relu6":
        return np.where((z > 0) & (z < 6), 1.0, 0.0)
    if name == "elu":
        return np.where(z > 0, 1.0, p["alpha"] * np.exp(np.minimum(z, 0.0)))
    if name == "selu":
        return SELU_SCALE * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0.0)))
    if name == "celu":
        return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0) / p["alpha"]))
    if name == "gelu":
        if p["approximate"]:
            c = np.sqrt(2.0 / np.pi)
            t = np.tanh(c * (z + 0.044715 * z**3))
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044715 * z * z)
        return special.ndtr(z) + z * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    if name in ("silu", "swish"):
        s = special.expit(z)
        return s + z * s * (1 - s)
    if name == "hard_sigmoid":
        return np.where((z > -3) & (z < 3), 1.0 / 6.0, 0.0)
    if name in ("hard_silu", "hard_swish"):
        return np.clip(z / 6.0 + 0.5, 0.0, 1.0) + np.where((z > -3) & (z < 3), z / 6.0, 0.0)
    if name == "sigmoid":
        s = special.expit(z)
        return s * (1 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "softsign":
        return 1.0 / (1.0 + np.abs(z)) ** 2
    if name == "softplus":
        return special.expit(z)
    if name == "exponential":
        return np.exp(z)
    if name == "mish":
        t = np.tanh(_softplus(z))
        return t + z * (1 - t * t) * special.expit(z)
    if name == "log_sigmoid":
        return special.expit(-z)
    if name == "hard_tanh":
        return np.where((z > -1) & (z < 1), 1.0, 0.0)
    if name == "tanh_shrink":
        return np.tanh(z) ** 2
    if name == "squareplus":
        return 0.5 * (1 + z / np.sqrt(z * z + p["b"]))
    if name == "sparse_plus":
        return np.where(z <= -1, 0.0, np.where(z < 1, 0.5 * (z + 1.0), 1.0))
    if name == "sparse_sigmoid":
        return np.where((z > -1) & (z < 1), 0.5, 0.0)
    if name in ("soft_shrink", "hard_shrink"):
        return np.where(np.abs(z) > p["threshold"], 1.0, 0.0)
    if name in ("softmax", "log_softmax"):
        raise ValueError(f"{name} has no elementwise derivative: use vjp()")
    raise ValueError(f"reference: unknown activation {name!r}")


def vjp(name, z, g, **params):
    """g (dL/da) -> dL/dz for any activation, softmax's full Jacobian included."""
    z = np.asarray(z, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    if name == "softmax":
        s = forward("softmax", z)
        # explicit Jacobian J_ij = s_i (delta_ij - s_j), one per row
        jac = s[..., :, None] * (np.eye(z.shape[-1]) - s[..., None, :])
        return np.einsum("...ij,...i->...j", jac, g)
    if name == "log_softmax":
        s = forward("softmax", z)
        jac = np.eye(z.shape[-1]) - s[..., None, :]  # d log s_i / d z_j
        return np.einsum("...ij,...i->...j", jac, g)
    return g * derivative(name, z, **params)
