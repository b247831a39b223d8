"""Adam and AdamW, Keras 3 formula: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps): the bias correction is folded into
the step size and epsilon is added to the raw sqrt(v) (PyTorch adds it after correction).
AdamW is Adam with decoupled weight decay on by default (w -= w * weight_decay * lr first)."""
from ..kernels import codes as C
from .base import MomentOptimizer


class Adam(MomentOptimizer):
    """Adam.

    Args: learning_rate=0.001, beta_1=0.9, beta_2=0.999 (both in [0, 1)), epsilon=1e-7,
    amsgrad=False, and the common options.
    """

    code = C.code_of("adam")  # AdamW too: Adam with decoupled weight decay on by default
    n_slots = 3  # momentum, velocity, velocity_hat (amsgrad)
    _own_hyperparameters = ("beta_1", "beta_2", "epsilon", "amsgrad")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, **kwargs)
        self.amsgrad = bool(amsgrad)

    def _fill_hyperparameters(self, hp):
        super()._fill_hyperparameters(hp)
        hp[C.HP_AMSGRAD] = float(self.amsgrad)


class AdamW(Adam):
    """Adam with decoupled weight decay.

    Args: learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
    amsgrad=False, and the common options.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a number (use Adam for none).")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
