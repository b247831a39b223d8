"""RMSprop, Keras 3 formula: v = rho v + (1 - rho) g^2; step = lr g / sqrt(v + eps)
(epsilon INSIDE the sqrt; centered subtracts the squared mean gradient inside it too);
with momentum: m = momentum m + step; w -= m."""
from ..kernels import codes as C
from .._validation import number
from .base import Optimizer


class RMSprop(Optimizer):
    """RMSprop.

    Args: learning_rate=0.001, rho=0.9 (in [0, 1)), momentum=0.0 (in [0, 1]), epsilon=1e-7,
    centered=False, and the common options.
    """

    code = C.code_of("rmsprop")
    n_slots = 3  # velocity, momentum, average gradient
    _own_hyperparameters = ("rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = number("RMSprop", "rho", rho, low=0, high=1, high_open=True)
        self.momentum = number("RMSprop", "momentum", momentum, low=0, high=1)
        self.epsilon = number("RMSprop", "epsilon", 1e-7 if epsilon is None else epsilon, low=0)
        self.centered = bool(centered)

    def _fill_hyperparameters(self, hp):
        hp[C.HP_RHO] = self.rho
        hp[C.HP_MOMENTUM] = self.momentum
        hp[C.HP_EPSILON] = self.epsilon
        hp[C.HP_CENTERED] = float(self.centered)
