"""Optimizers, Keras 3 formulas and defaults: compile(optimizer='nadam') or Nadam(learning_rate=...).

Every module of this package defines Optimizer subclasses; importing the package imports them
all and registers each class under its lowercased name (Keras 3's rule: 'Adam' and 'adam' both
work), so a new optimizer is one new file here (plus its kernel and reference). An unknown name
raises ValueError with the closest valid one.
"""
import importlib
import pkgutil

from ..registry import unknown_name_error
from .base import MomentOptimizer, Optimizer

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


_CLASSES = {cls.__name__.lower(): cls for cls in _subclasses(Optimizer) if cls.code is not None}
globals().update({cls.__name__: cls for cls in _CLASSES.values()})  # fastnn.optimizers.Adam, ...


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


__all__ = [cls.__name__ for cls in _CLASSES.values()] + ["Optimizer", "get", "names", "serialize"]
