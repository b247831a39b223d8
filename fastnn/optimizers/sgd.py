"""SGD with optional (Nesterov) momentum, Keras 3 formula:
m = momentum * m - lr * g;  w += m  (nesterov: w += momentum * m - lr * g)."""
from ..kernels import codes as C
from .._validation import number
from .base import Optimizer


class SGD(Optimizer):
    """Gradient descent with momentum.

    Args: learning_rate=0.01, momentum=0.0 (in [0, 1]), nesterov=False, and the common
    weight_decay, clipnorm, clipvalue, global_clipnorm (None) and lr= (Keras 1/2 alias).
    """

    code = C.code_of("sgd")
    n_slots = 1
    _own_hyperparameters = ("momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = number("SGD", "momentum", momentum, low=0, high=1)
        self.nesterov = bool(nesterov)

    def _fill_hyperparameters(self, hp):
        hp[C.HP_MOMENTUM] = self.momentum
        hp[C.HP_NESTEROV] = float(self.nesterov)
