"""Nadam with Keras 3's momentum schedule u_t = b1 (1 - 0.5 * 0.96^t) (Keras 1/2 and the
tf.keras legacy optimizer used 0.96^(0.004 t), which changes results)."""
from ..kernels import codes as C
from .base import Optimizer, check_number


class Nadam(Optimizer):
    """Nadam.

    Args: learning_rate=0.001, beta_1=0.9, beta_2=0.999 (both in [0, 1)), epsilon=1e-7, and
    the common options.
    """

    code = C.OPT_NADAM
    n_slots = 2
    _own_hyperparameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = check_number("Nadam", "beta_1", beta_1, low=0, high=1, high_open=True)
        self.beta_2 = check_number("Nadam", "beta_2", beta_2, low=0, high=1, high_open=True)
        self.epsilon = check_number("Nadam", "epsilon", 1e-7 if epsilon is None else epsilon, low=0)

    def _fill_hyperparameters(self, hp):
        hp[C.HP_BETA_1] = self.beta_1
        hp[C.HP_BETA_2] = self.beta_2
        hp[C.HP_EPSILON] = self.epsilon
