"""Reference learning-rate schedules and constraints, written from Keras 3's formulas (and the
reference loops its tests use) without sharing code with fastnn/optimizers/schedules.py or
fastnn/constraints.py. Each schedule is a function of the 0-based step."""
import math

import numpy as np


def schedule(name, **p):
    """A function step -> learning rate."""
    if name == "exponential_decay":
        return lambda s: p["initial_learning_rate"] * p["decay_rate"] ** (
            (s // p["decay_steps"]) if p.get("staircase") else s / p["decay_steps"])
    if name == "inverse_time_decay":
        return lambda s: p["initial_learning_rate"] / (1 + p["decay_rate"] * (
            (s // p["decay_steps"]) if p.get("staircase") else s / p["decay_steps"]))
    if name == "piecewise_constant_decay":
        def piecewise(s):
            for bound, value in zip(p["boundaries"], p["values"]):
                if s <= bound:
                    return value
            return p["values"][-1]
        return piecewise
    if name == "polynomial_decay":
        def poly(s):
            lr0, end, power, decay = p["initial_learning_rate"], p.get("end_learning_rate", 1e-4), \
                p.get("power", 1.0), p["decay_steps"]
            if p.get("cycle"):
                decay = decay * max(1, math.ceil(s / decay))
            return (lr0 - end) * (1 - min(s, decay) / decay) ** power + end
        return poly
    if name == "cosine_decay":
        def cos(s):
            lr0, decay, alpha = p["initial_learning_rate"], p["decay_steps"], p.get("alpha", 0.0)
            target, warm = p.get("warmup_target"), p.get("warmup_steps", 0)
            if target is not None and s < warm:
                return lr0 + (target - lr0) * s / warm
            peak, t = (lr0, s) if target is None else (target, s - warm)
            t = min(t, decay)
            return peak * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * t / decay)) + alpha)
        return cos
    if name == "cosine_decay_restarts":
        def restarts(s):  # the loop Keras's test uses as its reference
            length, fac, t = p["first_decay_steps"], 1.0, float(s)
            while t >= length:
                t -= length
                length *= p.get("t_mul", 2.0)
                fac *= p.get("m_mul", 1.0)
            alpha = p.get("alpha", 0.0)
            return p["initial_learning_rate"] * ((1 - alpha) * fac * 0.5 * (1 + math.cos(math.pi * t / length)) + alpha)
        return restarts
    raise ValueError(f"reference: unknown schedule {name!r}")


def constraint(name, **p):
    """A projection w -> w' (Keras 3's constraints; n = the L2 norm over axis, eps outside the root)."""
    eps = 1e-7
    axis = p.get("axis", 0)

    def norm(w):
        return np.sqrt(np.sum(w * w, axis=0 if w.ndim == 1 else axis, keepdims=True))

    if name == "non_neg":
        return lambda w: w * (w >= 0)
    if name == "max_norm":
        return lambda w: w * np.clip(norm(w), 0, p.get("max_value", 2.0)) / (eps + norm(w))
    if name == "unit_norm":
        return lambda w: w / (eps + norm(w))
    if name == "min_max_norm":
        lo, hi, rate = p.get("min_value", 0.0), p.get("max_value", 1.0), p.get("rate", 1.0)
        return lambda w: w * (rate * np.clip(norm(w), lo, hi) + (1 - rate) * norm(w)) / (eps + norm(w))
    raise ValueError(f"reference: unknown constraint {name!r}")
