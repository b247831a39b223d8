"""Optimizers, Keras 3 formulas and defaults: compile(optimizer='nadam') or Nadam(learning_rate=...).

Names resolve case-insensitively ('Adam', 'adam'); an unknown name raises ValueError with
the closest valid one.
"""
from .._names import unknown_name_error
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .base import Optimizer
from .nadam import Nadam
from .rmsprop import RMSprop
from .sgd import SGD

_CLASSES = {cls.__name__.lower(): cls for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam, AdamW)}


def names():
    return sorted(_CLASSES)


def get(identifier):
    """An Optimizer from a name, a config dict ({'name': 'adam', 'learning_rate': ...}) or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _CLASSES:
            raise unknown_name_error("optimizer", identifier, names())
        return _CLASSES[key]()
    if isinstance(identifier, dict):
        cfg = dict(identifier)
        cls = get(cfg.pop("class_name", cfg.get("name", ""))).__class__
        return cls.from_config(cfg)
    raise TypeError(f"Optimizer must be a name or a fastnn.optimizers object, got {identifier!r}.")


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, **optimizer.get_config()}


__all__ = ["SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam", "AdamW", "Optimizer", "get", "names"]
