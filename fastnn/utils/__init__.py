"""Utilities as Keras lays them out: to_categorical, set_random_seed, np_utils (Keras 1/2)."""
from ..random import set_random_seed
from . import np_utils
from .np_utils import to_categorical

__all__ = ["to_categorical", "set_random_seed", "np_utils"]
