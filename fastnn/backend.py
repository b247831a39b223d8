"""keras.backend's global settings, as old scripts call them: clear_session, floatx/set_floatx,
epsilon/set_epsilon, image_data_format/set_image_data_format.

fastnn keeps no graph or session, so clear_session only resets what Keras's does that fastnn has:
the automatic layer names (dense, dense_1, ... start again) and, with a seed set by
set_random_seed, nothing else.
"""
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
