"""Reference layer kinds, plain NumPy on row-major (samples, features) arrays, from the Keras 3
formulas (keras/src/layers/regularization/*.py, normalization/*.py, activations/prelu.py).

    forward(layer, x, training, step) -> (y, cache)      backward(layer, g, cache) -> (dx, grads)

`layer` is a dict: {"kind": ..., plus its tensors and options}. BatchNormalization updates its
moving statistics in place during a training forward pass, as Keras does. The dropout family
draws its masks with noise_uniform/noise_normal below: an independent pure-Python copy of the
kernels' counter-based stream (kernels/rng.py), so a whole training trajectory can be compared
mask for mask.
"""
import math

import numpy as np

_MASK = (1 << 64) - 1
_K_STEP, _K_LAYER, _K_ELEMENT = 0xD1B54A32D192ED03, 0xAEF17502108EF2D9, 0x9E3779B97F4A7C15
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _base(key, step, layer):
    return _mix64((key + step * _K_STEP + layer * _K_LAYER) & _MASK)


def noise_uniform(key, step, layer, count):
    """The kernels' U[0, 1) draws 0..count-1 of one layer in one training step."""
    base = _base(key, step, layer)
    return np.array([(_mix64((base + i * _K_ELEMENT) & _MASK) >> 11) / 9007199254740992.0 for i in range(count)])


def noise_normal(key, step, layer, count):
    """The kernels' N(0, 1) draws (Box-Muller on the two 32-bit halves of each)."""
    base = _base(key, step, layer)
    out = np.empty(count)
    for i in range(count):
        h = _mix64((base + i * _K_ELEMENT) & _MASK)
        u1 = ((h >> 32) + 0.5) / 4294967296.0
        u2 = (h & 0xFFFFFFFF) / 4294967296.0
        out[i] = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
    return out


def _draws_feature_major(draw, shape, share):
    """Draws laid out as the kernels index them (element (sample i, feature j) takes draw j*N + i, or
    one per sample / per feature / in all when noise_shape shares an axis), as an (N, n) array."""
    n_samples, n_features = shape
    share_samples, share_features = share
    if share_samples and share_features:
        return np.full(shape, draw(1)[0])
    if share_samples:
        return np.tile(draw(n_features), (n_samples, 1))
    if share_features:
        return np.tile(draw(n_samples)[:, None], (1, n_features))
    return draw(n_features * n_samples).reshape(n_features, n_samples).T


def forward(layer, x, training=False, noise=None):
    """noise = (key, step, layer index) for the dropout family in training."""
    kind = layer["kind"]
    if kind in ("dropout", "alpha_dropout", "gaussian_dropout", "gaussian_noise") and not (training and layer["rate"]):
        return x.copy(), np.ones_like(x)
    if kind == "dropout":
        keep = 1.0 - layer["rate"]
        u = _draws_feature_major(lambda c: noise_uniform(*noise, c), x.shape, layer.get("share", (0, 0)))
        mult = np.where(u < keep, 1.0 / keep, 0.0)
        return x * mult, mult
    if kind == "alpha_dropout":
        rate = layer["rate"]
        ap = -SELU_ALPHA * SELU_SCALE
        a = ((1 - rate) * (1 + rate * ap * ap)) ** -0.5
        b = -a * ap * rate
        k = _draws_feature_major(lambda c: noise_uniform(*noise, c), x.shape, layer.get("share", (0, 0))) >= rate
        return np.where(k, a * x + b, a * ap + b), np.where(k, a, 0.0)
    if kind == "gaussian_dropout":
        sigma = math.sqrt(layer["rate"] / (1 - layer["rate"]))
        g = 1 + sigma * noise_normal(*noise, x.size).reshape(x.shape[1], x.shape[0]).T
        return x * g, g
    if kind == "gaussian_noise":
        return x + layer["rate"] * noise_normal(*noise, x.size).reshape(x.shape[1], x.shape[0]).T, np.ones_like(x)
    if kind == "batch_normalization":
        gamma, beta = layer.get("gamma"), layer.get("beta")
        if training:
            mu, var = x.mean(axis=0), x.var(axis=0)
            m = layer["momentum"]
            layer["moving_mean"] = layer["moving_mean"] * m + mu * (1 - m)
            layer["moving_variance"] = layer["moving_variance"] * m + var * (1 - m)
        else:
            mu, var = layer["moving_mean"], layer["moving_variance"]
        inv = 1.0 / np.sqrt(var + layer["epsilon"])
        xhat = (x - mu) * inv
        return xhat * (1.0 if gamma is None else gamma) + (0.0 if beta is None else beta), (xhat, inv)
    if kind == "layer_normalization":
        gamma, beta = layer.get("gamma"), layer.get("beta")
        mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
        inv = 1.0 / np.sqrt(var + layer["epsilon"])
        xhat = (x - mu) * inv
        return xhat * (1.0 if gamma is None else gamma) + (0.0 if beta is None else beta), (xhat, inv)
    if kind == "prelu":
        return np.where(x > 0, x, layer["alpha"] * x), x
    if kind == "normalization":
        std = np.maximum(np.sqrt(layer["variance"]), 1e-7)
        if layer.get("invert"):
            return layer["mean"] + x * std, std
        return (x - layer["mean"]) / std, 1.0 / std
    raise ValueError(f"reference: unknown layer kind {kind!r}")


def backward(layer, g, cache):
    """(dL/dx, {tensor name: gradient}) for the upstream gradient g."""
    kind = layer["kind"]
    if kind in ("dropout", "alpha_dropout", "gaussian_dropout", "gaussian_noise"):
        return g * cache, {}
    if kind == "batch_normalization":
        xhat, inv = cache
        n = len(g)
        gamma = 1.0 if layer.get("gamma") is None else layer["gamma"]
        grads = {"gamma": (g * xhat).sum(axis=0), "beta": g.sum(axis=0)}
        dx = gamma * inv / n * (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
        return dx, grads
    if kind == "layer_normalization":
        xhat, inv = cache
        n = g.shape[1]
        gamma = 1.0 if layer.get("gamma") is None else layer["gamma"]
        grads = {"gamma": (g * xhat).sum(axis=0), "beta": g.sum(axis=0)}
        gg = g * gamma
        dx = inv / n * (n * gg - gg.sum(axis=1, keepdims=True) - xhat * (gg * xhat).sum(axis=1, keepdims=True))
        return dx, grads
    if kind == "normalization":
        return g * cache, {}
    if kind == "prelu":
        x = cache
        return np.where(x > 0, g, np.where(x < 0, layer["alpha"] * g, 0.0)), {"alpha": (g * np.minimum(x, 0)).sum(0)}
    raise ValueError(f"reference: unknown layer kind {kind!r}")
