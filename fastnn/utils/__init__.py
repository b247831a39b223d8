"""Utilities as Keras lays them out: to_categorical, normalize, pad_sequences, set_random_seed,
plot_model, np_utils (Keras 1/2)."""
import warnings

from ..preprocessing.sequence import pad_sequences
from ..random import set_random_seed
from . import np_utils
from .np_utils import normalize, to_categorical

__all__ = ["to_categorical", "normalize", "pad_sequences", "set_random_seed", "plot_model", "np_utils"]


def plot_model(model, to_file="model.png", *args, **kwargs):
    """keras.utils.plot_model draws the model with pydot and Graphviz; fastnn draws nothing (a Dense
    stack is a list), so it warns, writes no file, and the script goes on."""
    warnings.warn(f"plot_model: fastnn does not draw models, so {to_file!r} was not written; model.summary() "
                  f"prints the layers and their shapes.", stacklevel=2)
