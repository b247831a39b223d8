"""Weight and activity regularizers, Keras 3's (keras/src/regularizers/regularizers.py): the
penalty is l1 * sum|w| + l2 * sum w^2, with no 1/2 and no averaging, added to the loss at full
strength once per batch (activity penalties divided by the batch size). In fit the kernel
computes them and their gradient (fastnn/kernels/regularization.py); calling a regularizer on
an array gives the same number in NumPy.

    Dense(64, kernel_regularizer=regularizers.l2(1e-4), activity_regularizer="l1")
"""
import numpy as np

from ._validation import number
from .registry import unknown_name_error


class Regularizer:
    """Base: __call__(x) -> the penalty; get_config/from_config."""

    l1 = 0.0
    l2 = 0.0

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float64)
        return float(self.l1 * np.sum(np.abs(x)) + self.l2 * np.sum(x * x))

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v:g}' for k, v in self.get_config().items())})"


def _coefficient(owner, name, value):
    return number(owner, name, 0.0 if value is None else value, low=0)


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _coefficient("L1L2", "l1", l1), _coefficient("L1L2", "l2", l2)


class L1(Regularizer):
    def __init__(self, l1=0.01):
        self.l1 = _coefficient("L1", "l1", l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    def __init__(self, l2=0.01):
        self.l2 = _coefficient("L2", "l2", l2)

    def get_config(self):
        return {"l2": self.l2}


def l1(l1=0.01):  # noqa: E743 (Keras's function names)
    return L1(l1)


def l2(l2=0.01):
    return L2(l2)


def l1_l2(l1=0.01, l2=0.01):  # Keras 2's defaults for the function form
    return L1L2(l1, l2)


_CLASSES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier):
    """A Regularizer from None, a name ('l2'), a config dict or an object."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _CLASSES:
            raise unknown_name_error("regularizer", identifier, sorted(_CLASSES))
        return _CLASSES[key]()
    if isinstance(identifier, dict):
        name = identifier.get("class_name", identifier.get("name", ""))
        cls = _CLASSES.get(str(name).lower())
        if cls is None:
            raise unknown_name_error("regularizer", str(name), sorted(_CLASSES))
        cfg = identifier.get("config", {k: v for k, v in identifier.items() if k not in ("class_name", "name")})
        return cls(**cfg)
    raise TypeError(f"A regularizer must be None, a name such as 'l2', or fastnn.regularizers.L2(...); got "
                    f"{identifier!r} (custom regularizer functions cannot run inside the kernels).")


def serialize(reg):
    return None if reg is None else {"class_name": type(reg).__name__, "config": reg.get_config()}
