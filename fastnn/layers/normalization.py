"""Keras 1/2's module path keras.layers.normalization."""
from . import BatchNormalization, LayerNormalization, Normalization  # noqa: F401
