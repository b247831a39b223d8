"""Adadelta, Keras 3 formula: Eg = rho Eg + (1 - rho) g^2;
delta = -sqrt(Edx + eps) / sqrt(Eg + eps) * g; Edx = rho Edx + (1 - rho) delta^2; w += lr delta.
The default learning rate is Keras 3's 0.001 (Keras 1/2 used 1.0)."""
from ..kernels import codes as C
from .._validation import number
from .base import Optimizer


class Adadelta(Optimizer):
    """Adadelta.

    Args: learning_rate=0.001, rho=0.95 (in [0, 1)), epsilon=1e-7, and the common options.
    """

    code = C.code_of("adadelta")
    n_slots = 2
    _own_hyperparameters = ("rho", "epsilon")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = number("Adadelta", "rho", rho, low=0, high=1, high_open=True)
        self.epsilon = number("Adadelta", "epsilon", 1e-7 if epsilon is None else epsilon, low=0)

    def _fill_hyperparameters(self, hp):
        hp[C.HP_RHO] = self.rho
        hp[C.HP_EPSILON] = self.epsilon
