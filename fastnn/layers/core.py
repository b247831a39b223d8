"""Keras 1/2's module path keras.layers.core: `from fastnn.layers.core import Dense, Dropout`."""
from . import Activation, Dense, Dropout, Flatten, InputLayer  # noqa: F401
