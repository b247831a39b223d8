"""keras.backend's global settings, as old scripts call them: clear_session, floatx/set_floatx,
epsilon/set_epsilon, image_data_format/set_image_data_format; and the value helpers Keras 2 scripts
use on weights and on the optimizer's learning rate: get_value/eval, set_value, count_params,
int_shape.

fastnn keeps no graph or session, so clear_session only resets what Keras's does that fastnn has:
the automatic layer names (dense, dense_1, ... start again) and, with a seed set by
set_random_seed, nothing else.
"""
import numpy as np

from . import config
from .config import floatx, set_floatx  # noqa: F401

_IMAGE_DATA_FORMAT = "channels_last"


def clear_session(free_memory=True):
    """Forget the automatic layer-name counters (Keras: a fresh global state)."""
    from .layers import Layer

    Layer._counter.clear()


def epsilon():
    """The fuzz factor the losses clip with (1e-7, Keras's default)."""
    return config.EPSILON


def set_epsilon(value):
    """Change the losses' fuzz factor for models compiled after this call, as in Keras."""
    from ._validation import number

    config.EPSILON = number("set_epsilon", "value", value, low=0, high=0.5, low_open=True, high_open=True)


def image_data_format():
    """'channels_last' (Keras's default), or what set_image_data_format chose; Flatten's default."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}.")
    _IMAGE_DATA_FORMAT = data_format


# ---- values: fastnn's weights are NumPy arrays and its hyperparameters numbers ----------------------

def get_value(x):
    """The value of x as NumPy holds it: a float for a scalar (model.optimizer.lr), else an array."""
    arr = np.asarray(x)
    return float(arr) if arr.ndim == 0 else arr


eval = get_value  # noqa: A001 (keras.backend.eval)


def set_value(x, value):
    """Keras 2's K.set_value(model.optimizer.lr, value): sets that optimizer's learning rate. Other
    values fastnn hands out are copies, so setting them would change nothing; that is an error."""
    from .optimizers.base import LearningRate

    optimizer = x.optimizer() if isinstance(x, LearningRate) else None
    if optimizer is None:
        raise TypeError(f"set_value: fastnn can set an optimizer's learning rate this way "
                        f"(K.set_value(model.optimizer.lr, 0.01)), not {type(x).__name__} values; for weights use "
                        f"layer.set_weights(...) or model.set_weights(...).")
    optimizer.learning_rate = float(get_value(value))


def count_params(x):
    """The number of values in a weight array (K.count_params)."""
    return int(np.size(x))


def int_shape(x):
    """The shape of a weight array as a tuple of ints (K.int_shape)."""
    return tuple(int(s) for s in np.shape(x))
