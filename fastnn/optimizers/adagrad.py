"""Adagrad, Keras 3 formula: acc += g^2 (acc starts at initial_accumulator_value);
w -= lr g / sqrt(acc + eps) (epsilon INSIDE the sqrt)."""
from ..kernels import codes as C
from .._validation import number
from .base import Optimizer


class Adagrad(Optimizer):
    """Adagrad.

    Args: learning_rate=0.001, initial_accumulator_value=0.1 (>= 0), epsilon=1e-7, and the
    common options.
    """

    code = C.code_of("adagrad")
    n_slots = 1
    _own_hyperparameters = ("initial_accumulator_value", "epsilon")

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, low=0)
        self.epsilon = number("Adagrad", "epsilon", 1e-7 if epsilon is None else epsilon, low=0)

    @property
    def initial_slot_value(self):
        return self.initial_accumulator_value

    def _fill_hyperparameters(self, hp):
        hp[C.HP_EPSILON] = self.epsilon
