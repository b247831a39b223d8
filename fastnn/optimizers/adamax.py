"""Adamax, Keras 3 formula: m += (g - m)(1 - b1); u = max(b2 u, |g|);
w -= lr / (1 - b1^t) * m / (u + eps)."""
from ..kernels import codes as C
from .base import MomentOptimizer


class Adamax(MomentOptimizer):
    """Adamax.

    Args: learning_rate=0.001, beta_1=0.9, beta_2=0.999 (both in [0, 1)), epsilon=1e-7, and
    the common options.
    """

    code = C.code_of("adamax")
