"""fastnn: Keras-compatible training of Dense networks on the CPU, every step a Numba kernel.

    from fastnn import Sequential, Dense
    model = Sequential([Dense(20, input_dim=5, activation='tanh'), Dense(1, activation='tanh')])
    model.compile('adam', 'hinge', metrics=['accuracy'])
    model.fit(x, y, epochs=150, validation_split=0.2)

Importing fastnn does not import Numba; the kernels load (from Numba's on-disk cache) on
first use.
"""
from . import (  # noqa: F401
    activations, backend, callbacks, config, constraints, datasets, initializers, layers, losses, metrics, models,
    optimizers, preprocessing, regularizers, utils,
)
from ._version import __version__
from .callbacks import (
    Callback, CSVLogger, EarlyStopping, History, LambdaCallback, LearningRateScheduler, ModelCheckpoint,
    ReduceLROnPlateau, TerminateOnNaN,
)
from .config import floatx, set_floatx
from .layers import ELU, Activation, Dense, Input, LeakyReLU, ReLU, Softmax
from .models import Model, Sequential
from .optimizers import *  # noqa: F403 (every optimizer class: SGD, Adam, ...)
from .random import set_random_seed
from .saving import ModelFileError, load_model
from .utils import to_categorical

__all__ = [
    "Sequential", "Dense", "Activation", "Input", "ReLU", "LeakyReLU", "ELU", "Softmax",
    "Callback", "History", "EarlyStopping", "ModelCheckpoint", "CSVLogger", "TerminateOnNaN",
    "ReduceLROnPlateau", "LearningRateScheduler", "LambdaCallback",
    "load_model", "ModelFileError", "to_categorical", "set_random_seed", "floatx", "set_floatx",
    "activations", "callbacks", "config", "initializers", "layers", "losses", "metrics", "models",
    "optimizers", "utils", "__version__",
] + [name for name in optimizers.__all__ if name[0].isupper() and name != "Optimizer"]
