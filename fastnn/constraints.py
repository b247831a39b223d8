"""Weight constraints, Keras 3's (keras/src/constraints/constraints.py): projections applied to a
tensor right after each optimizer update (never at initialization or in the forward pass). In fit
the kernel applies them (fastnn/kernels/regularization.py); calling one on an array gives the
same projection in NumPy. n is the L2 norm along `axis` (0: each column of a Dense kernel, that is
one unit's incoming weights) and eps = 1e-7 sits outside the square root.

    Dense(64, kernel_constraint=constraints.MaxNorm(3))
"""
import numpy as np

from ._validation import number
from .registry import unknown_name_error

EPSILON = 1e-7


def _axis(owner, axis):
    if axis in (0, 1, -1, [0], [1], [-1], (0,), (1,), (-1,)):
        return int(np.ravel(axis)[0])
    raise ValueError(f"{owner}: axis must be 0 (each column of a Dense kernel) or 1 / -1 (each row); got {axis!r}.")


class Constraint:
    kind = None

    def __call__(self, w):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _norm(self, w):
        axis = 0 if w.ndim == 1 else (self.axis if self.axis >= 0 else w.ndim - 1)
        return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))

    def row(self, offset, rows, cols):
        """The kernel's constraint row (kernels/regularization.py) for a (rows, cols) tensor."""
        from .kernels.codes import code_of

        axis = getattr(self, "axis", 0)
        axis = 0 if cols == 1 else (1 if axis in (1, -1) else 0)
        return [code_of(self.kind), offset, rows, cols, axis, getattr(self, "max_value", 0.0),
                getattr(self, "min_value", 0.0), getattr(self, "rate", 1.0)]

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class MaxNorm(Constraint):
    kind = "max_norm"

    def __init__(self, max_value=2, axis=0):
        self.max_value = number("MaxNorm", "max_value", max_value, low=0)
        self.axis = _axis("MaxNorm", axis)

    def __call__(self, w):
        w = np.asarray(w, dtype=np.float64)
        n = self._norm(w)
        return w * np.clip(n, 0, self.max_value) / (EPSILON + n)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    kind = "non_neg"

    def __call__(self, w):
        return np.maximum(np.asarray(w, dtype=np.float64), 0.0)


class UnitNorm(Constraint):
    kind = "unit_norm"

    def __init__(self, axis=0):
        self.axis = _axis("UnitNorm", axis)

    def __call__(self, w):
        w = np.asarray(w, dtype=np.float64)
        return w / (EPSILON + self._norm(w))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    kind = "min_max_norm"

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = number("MinMaxNorm", "min_value", min_value, low=0)
        self.max_value = number("MinMaxNorm", "max_value", max_value, low=self.min_value)
        self.rate = number("MinMaxNorm", "rate", rate, low=0, high=1)
        self.axis = _axis("MinMaxNorm", axis)

    def __call__(self, w):
        w = np.asarray(w, dtype=np.float64)
        n = self._norm(w)
        return w * (self.rate * np.clip(n, self.min_value, self.max_value) + (1 - self.rate) * n) / (EPSILON + n)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm  # Keras's lowercase aliases
maxnorm, nonneg, unitnorm = MaxNorm, NonNeg, UnitNorm  # Keras 1/2
_CLASSES = {"max_norm": MaxNorm, "maxnorm": MaxNorm, "non_neg": NonNeg, "nonneg": NonNeg, "unit_norm": UnitNorm,
            "unitnorm": UnitNorm, "min_max_norm": MinMaxNorm}


def get(identifier):
    """A Constraint from None, a name ('max_norm'), a config dict or an object."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        import re

        key = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier).lower()
        if key not in _CLASSES:
            raise unknown_name_error("constraint", identifier, sorted(_CLASSES))
        return _CLASSES[key]()
    if isinstance(identifier, dict):
        name = identifier.get("class_name", identifier.get("name", ""))
        cls = get(str(name)).__class__
        cfg = identifier.get("config", {k: v for k, v in identifier.items() if k not in ("class_name", "name")})
        return cls(**cfg)
    raise TypeError(f"A constraint must be None, a name such as 'max_norm', or fastnn.constraints.MaxNorm(...); got "
                    f"{identifier!r} (custom constraint functions cannot run inside the kernels).")


def serialize(con):
    return None if con is None else {"class_name": type(con).__name__, "config": con.get_config()}
