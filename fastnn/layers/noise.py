"""Keras 2's module path keras.layers.noise."""
from . import AlphaDropout, GaussianDropout, GaussianNoise  # noqa: F401
