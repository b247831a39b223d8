"""Learning-rate schedules, Keras 3's (keras.optimizers.schedules): pass one as learning_rate and
the kernel evaluates it at every optimizer step from the step count (the k-th update uses step
k - 1, as Keras). schedule(step) gives the same value in NumPy; optimizer.learning_rate reads the
current one. get_config/from_config round-trip, and a saved model resumes its schedule exactly
(the step count is saved with the optimizer).

    Adam(learning_rate=schedules.CosineDecay(1e-3, decay_steps=10_000, warmup_target=3e-3, warmup_steps=500))

Each class writes its row for kernels/schedules.py (kernel_tail): [kind, p0..p5, n, bounds, values].
"""
import math

import numpy as np

from .._validation import number
from ..kernels.codes import code_of


class LearningRateSchedule:
    """Base: __call__(step) -> learning rate; get_config/from_config; kernel_tail()."""

    name = None

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _tail(self, *params):
        p = list(params) + [0.0] * (6 - len(params))
        return [float(code_of(self.name))] + [float(v) for v in p] + [0.0]

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


def _steps(owner, what, value):
    return number(owner, what, value, low=0, low_open=True)


class ExponentialDecay(LearningRateSchedule):
    """lr0 * decay_rate ^ (step / decay_steps), the exponent floored with staircase."""

    name = "exponential_decay"

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        owner = type(self).__name__
        self.initial_learning_rate = number(owner, "initial_learning_rate", initial_learning_rate, low=0)
        self.decay_steps = _steps(owner, "decay_steps", decay_steps)
        self.decay_rate = number(owner, "decay_rate", decay_rate, low=0)
        self.staircase = bool(staircase)

    def _power(self, step):
        p = float(step) / self.decay_steps
        return math.floor(p) if self.staircase else p

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self._power(step)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase}

    def kernel_tail(self):
        return self._tail(self.initial_learning_rate, self.decay_steps, self.decay_rate, self.staircase)


class InverseTimeDecay(ExponentialDecay):
    """lr0 / (1 + decay_rate * step / decay_steps), floored with staircase."""

    name = "inverse_time_decay"

    def __call__(self, step):
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._power(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] up to boundaries[0] (inclusive), values[i] up to boundaries[i], values[-1] after."""

    name = "piecewise_constant_decay"

    def __init__(self, boundaries, values, name=None):
        boundaries, values = [float(b) for b in boundaries], [float(v) for v in values]
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"PiecewiseConstantDecay: {len(values)} values for {len(boundaries)} boundaries; give "
                             f"one more value than boundaries.")
        if any(b2 < b1 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError("PiecewiseConstantDecay: the boundaries must be increasing.")
        for v in values:
            number("PiecewiseConstantDecay", "values", v, low=0)
        self.boundaries, self.values = boundaries, values

    def __call__(self, step):
        s = float(step)
        for bound, value in zip(self.boundaries, self.values):
            if s <= bound:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values}

    def kernel_tail(self):
        return [float(code_of(self.name))] + [0.0] * 6 + [float(len(self.boundaries))] + self.boundaries + self.values


class PolynomialDecay(LearningRateSchedule):
    """(lr0 - end) * (1 - min(step, D) / D) ^ power + end; with cycle, D grows to the next multiple."""

    name = "polynomial_decay"

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=1e-4, power=1.0, cycle=False,
                 name=None):
        owner = type(self).__name__
        self.initial_learning_rate = number(owner, "initial_learning_rate", initial_learning_rate, low=0)
        self.decay_steps = _steps(owner, "decay_steps", decay_steps)
        self.end_learning_rate = number(owner, "end_learning_rate", end_learning_rate, low=0)
        self.power = number(owner, "power", power)
        self.cycle = bool(cycle)

    def __call__(self, step):
        s, d = float(step), self.decay_steps
        if self.cycle:
            d = d * (1.0 if s == 0 else math.ceil(s / d))
        else:
            s = min(s, d)
        return (self.initial_learning_rate - self.end_learning_rate) * (1 - s / d) ** self.power \
            + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle}

    def kernel_tail(self):
        return self._tail(self.initial_learning_rate, self.decay_steps, self.end_learning_rate, self.power,
                          self.cycle)


def _cosine(s, decay_steps, alpha):
    s = min(s, decay_steps)
    return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay_steps)) + alpha


class CosineDecay(LearningRateSchedule):
    """Cosine decay to alpha * lr0 over decay_steps; with warmup_target, a linear warmup from lr0 to
    warmup_target over warmup_steps first, then cosine decay from warmup_target."""

    name = "cosine_decay"

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None, warmup_target=None,
                 warmup_steps=0):
        owner = type(self).__name__
        self.initial_learning_rate = number(owner, "initial_learning_rate", initial_learning_rate, low=0)
        self.decay_steps = _steps(owner, "decay_steps", decay_steps)
        self.alpha = number(owner, "alpha", alpha, low=0, high=1)
        self.warmup_target = number(owner, "warmup_target", warmup_target, low=0, allow_none=True)
        self.warmup_steps = number(owner, "warmup_steps", warmup_steps, low=0)

    def __call__(self, step):
        s = float(step)
        if self.warmup_target is None:
            return self.initial_learning_rate * _cosine(s, self.decay_steps, self.alpha)
        s = min(s, self.decay_steps + self.warmup_steps)
        if s < self.warmup_steps:
            return self.initial_learning_rate + (self.warmup_target - self.initial_learning_rate) * s / \
                self.warmup_steps
        return self.warmup_target * _cosine(s - self.warmup_steps, self.decay_steps, self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}

    def kernel_tail(self):
        target = math.nan if self.warmup_target is None else self.warmup_target
        return self._tail(self.initial_learning_rate, self.decay_steps, self.alpha, target, self.warmup_steps)


class CosineDecayRestarts(LearningRateSchedule):
    """SGDR: cosine periods of first_decay_steps * t_mul^k, the k-th peak scaled by m_mul^k (alpha
    unscaled)."""

    name = "cosine_decay_restarts"

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name=None):
        owner = type(self).__name__
        self.initial_learning_rate = number(owner, "initial_learning_rate", initial_learning_rate, low=0)
        self.first_decay_steps = _steps(owner, "first_decay_steps", first_decay_steps)
        # t_mul < 1 shrinks the periods to nothing after first_decay_steps / (1 - t_mul) steps, after which
        # Keras's formula is NaN: refused rather than training on NaN learning rates
        self.t_mul = number(owner, "t_mul", t_mul, low=1)
        self.m_mul = number(owner, "m_mul", m_mul, low=0)
        self.alpha = number(owner, "alpha", alpha, low=0, high=1)

    def __call__(self, step):
        f = float(step) / self.first_decay_steps
        if self.t_mul == 1.0:
            i = math.floor(f)
            f -= i
        else:
            i = math.floor(math.log(1 - f * (1 - self.t_mul)) / math.log(self.t_mul))
            f = (f - (1 - self.t_mul ** i) / (1 - self.t_mul)) / self.t_mul ** i
        return self.initial_learning_rate * ((1 - self.alpha) * 0.5 * self.m_mul ** i * (1 + math.cos(math.pi * f))
                                             + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self.t_mul, "m_mul": self.m_mul, "alpha": self.alpha}

    def kernel_tail(self):
        return self._tail(self.initial_learning_rate, self.first_decay_steps, self.t_mul, self.m_mul, self.alpha)


_CLASSES = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay,
                                          CosineDecay, CosineDecayRestarts)}


def serialize(schedule):
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    """A schedule from serialize()'s dict (Keras's {'class_name': ..., 'config': ...})."""
    name = config.get("class_name")
    if name not in _CLASSES:
        raise ValueError(f"Unknown learning-rate schedule {name!r}; fastnn has {', '.join(_CLASSES)}.")
    cfg = {k: v for k, v in (config.get("config") or {}).items() if k != "name"}
    return _CLASSES[name].from_config(cfg)


def kernel_vector(schedule):
    return np.array(schedule.kernel_tail(), dtype=np.float64)
