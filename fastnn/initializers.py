"""Weight initializers with Keras 3 formulas (keras/src/initializers/*.py).

Variance scaling: fan_in, fan_out = W.shape; glorot uses fan_avg, he scale 2 on fan_in,
lecun scale 1 on fan_in. Uniform variants draw U(-limit, limit), limit = sqrt(3 * scale / n);
normal variants draw a normal truncated at 2 stddev with stddev = sqrt(scale / n) / .8796...
Keras 1 spellings ('uniform', 'normal', 'zero', 'one') map to their Keras 3 equivalents.
"""
import re

import numpy as np

from ._validation import number
from .registry import unknown_name_error

_TRUNC_STD = 0.87962566103423978  # std of a unit normal truncated to [-2, 2]


def _truncated_normal(rng, shape, mean, stddev):
    out = rng.normal(0.0, 1.0, size=shape)
    bad = np.abs(out) > 2.0
    while bad.any():  # redraw values outside two standard deviations
        out[bad] = rng.normal(0.0, 1.0, size=int(bad.sum()))
        bad = np.abs(out) > 2.0
    return mean + stddev * out


class Initializer:
    def __call__(self, shape, rng):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, **{k: v for k, v in vars(self).items()}}


class VarianceScaling(Initializer):
    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        scale = number("VarianceScaling", "scale", scale, low=0, low_open=True)
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}.")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}.")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    name = "variance_scaling"

    def __call__(self, shape, rng):
        fan_in = shape[0] if len(shape) == 2 else shape[0]
        fan_out = shape[1] if len(shape) == 2 else shape[0]
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * scale)
            return rng.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, np.sqrt(scale), size=shape)
        return _truncated_normal(rng, shape, 0.0, np.sqrt(scale) / _TRUNC_STD)


def _variance_scaling_class(name, scale, mode, distribution):
    class Named(VarianceScaling):
        def __init__(self, seed=None):  # seed: Keras 3's argument; fastnn draws from the model's seed
            super().__init__(scale, mode, distribution)

        def get_config(self):
            return {"name": name}

    Named.name = name
    # a module-level name, so instances pickle (joblib, multiprocessing) as fastnn.initializers.GlorotUniform
    Named.__name__ = Named.__qualname__ = "".join(part.capitalize() for part in name.split("_"))
    return Named


GlorotUniform = _variance_scaling_class("glorot_uniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _variance_scaling_class("glorot_normal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _variance_scaling_class("he_uniform", 2.0, "fan_in", "uniform")
HeNormal = _variance_scaling_class("he_normal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _variance_scaling_class("lecun_uniform", 1.0, "fan_in", "uniform")
LecunNormal = _variance_scaling_class("lecun_normal", 1.0, "fan_in", "truncated_normal")


class Zeros(Initializer):
    name = "zeros"

    def __call__(self, shape, rng):
        return np.zeros(shape)


class Ones(Initializer):
    name = "ones"

    def __call__(self, shape, rng):
        return np.ones(shape)


class Constant(Initializer):
    name = "constant"

    def __init__(self, value=0.0):
        self.value = number("Constant", "value", value)

    def __call__(self, shape, rng):
        return np.full(shape, self.value)


class RandomUniform(Initializer):
    name = "random_uniform"

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval = number("RandomUniform", "minval", minval), number("RandomUniform", "maxval", maxval)
        if not self.minval < self.maxval:
            raise ValueError(f"RandomUniform: minval ({minval}) must be < maxval ({maxval}).")

    def __call__(self, shape, rng):
        return rng.uniform(self.minval, self.maxval, size=shape)


class RandomNormal(Initializer):
    name = "random_normal"

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        owner = type(self).__name__
        self.mean, self.stddev = number(owner, "mean", mean), number(owner, "stddev", stddev, low=0)

    def __call__(self, shape, rng):
        return rng.normal(self.mean, self.stddev, size=shape)


class TruncatedNormal(RandomNormal):
    name = "truncated_normal"

    def __call__(self, shape, rng):
        return _truncated_normal(rng, shape, self.mean, self.stddev)


class Orthogonal(Initializer):
    """Keras 3's Orthogonal(gain=1.0): the Q of a QR factorisation of a normal matrix (sign-fixed
    by R's diagonal), so the rows or columns of W are orthonormal, times gain."""

    name = "orthogonal"

    def __init__(self, gain=1.0, seed=None):
        self.gain = number("Orthogonal", "gain", gain)

    def __call__(self, shape, rng):
        rows, cols = (shape[0], int(np.prod(shape[1:]))) if len(shape) > 1 else (shape[0], 1)
        a = rng.normal(0.0, 1.0, size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        q = q if rows >= cols else q.T
        return self.gain * q.reshape(shape)


class Identity(Initializer):
    """Keras 3's Identity(gain=1.0) for a 2-D weight: gain on the diagonal."""

    name = "identity"

    def __init__(self, gain=1.0):
        self.gain = number("Identity", "gain", gain)

    def __call__(self, shape, rng):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer: needs a 2-D weight, got shape {shape}.")
        return self.gain * np.eye(*shape)


_CLASSES = {
    cls.name: cls
    for cls in (GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
                Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling, Orthogonal,
                Identity)
}
_ALIASES = {"uniform": "random_uniform", "normal": "random_normal", "zero": "zeros", "one": "ones"}


def names():
    return sorted(list(_CLASSES) + list(_ALIASES))


def get(identifier):
    """An Initializer from a name, a config dict or an Initializer."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict):
        cfg = dict(identifier)
        if "name" not in cfg and "class_name" in cfg:  # Keras's serialised form: {"class_name": ..., "config": {...}}
            cfg = {"name": cfg["class_name"], **(cfg.get("config") or {})}
        if not isinstance(cfg.get("name"), str):
            raise ValueError(f"An initializer config needs a 'name' (or Keras's 'class_name'), got {identifier!r}.")
        name = cfg.pop("name")
        cls = get(name).__class__
        return cls(**cfg) if cfg else cls()
    if isinstance(identifier, str):
        key = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier).lower()  # 'GlorotUniform' -> 'glorot_uniform'
        key = _ALIASES.get(key, key)
        if key not in _CLASSES:
            raise unknown_name_error("initializer", identifier, names())
        return _CLASSES[key]()
    raise TypeError(f"Initializer must be a name or a fastnn.initializers object, got {identifier!r}.")


# Keras's function-style names: keras.initializers.glorot_uniform, he_normal, zeros, ...
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal = HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal
zeros, ones, constant = Zeros, Ones, Constant
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
