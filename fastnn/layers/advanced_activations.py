"""Keras 1/2's module path keras.layers.advanced_activations."""
from . import ELU, LeakyReLU, PReLU, ReLU, Softmax  # noqa: F401
