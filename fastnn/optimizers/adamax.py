"""Adamax, Keras 3 formula: m += (g - m)(1 - b1); u = max(b2 u, |g|);
w -= lr / (1 - b1^t) * m / (u + eps)."""
from ..kernels import codes as C
from .base import Optimizer


class Adamax(Optimizer):
    """Adamax.

    Args: learning_rate=0.001, beta_1=0.9, beta_2=0.999 (both in [0, 1)), epsilon=1e-7, and
    the common options.
    """

    code = C.OPT_ADAMAX
    n_slots = 2
    _own_hyperparameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self._set_moments(beta_1, beta_2, epsilon)

    def _fill_hyperparameters(self, hp):
        self._fill_moments(hp)
