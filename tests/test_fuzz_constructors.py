"""Every public class of layers, optimizers, schedules, losses, metrics, callbacks, regularizers,
constraints and initializers, every constructor argument, a list of hostile values: the result is
an object or a ValueError/TypeError that names the argument, never another exception (a traceback
from deep inside), and no numeric hyperparameter takes NaN or infinity (it would train garbage)."""
import inspect
import math
import warnings

import numpy as np
import pytest

import fastnn

MODULES = [fastnn.layers, fastnn.optimizers, fastnn.optimizers.schedules, fastnn.losses, fastnn.metrics,
           fastnn.callbacks, fastnn.regularizers, fastnn.constraints, fastnn.initializers]
INTERNAL = {"SymbolicTensor", "InputSpec", "LossSpec", "Registry", "MetricPlan", "Layer", "Optimizer", "Metric",
            "Callback", "LearningRateSchedule", "Initializer", "Regularizer", "Constraint", "Loss", "History",
            "CallbackList", "MeanMetric", "StreamingMetric"}
HOSTILE = [None, True, -1, 0, 0.5, 1.5, 2, -1e300, 1e300, float("nan"), float("inf"), -float("inf"), 10 ** 30, "x",
           "", [1, 2], (), {"a": 1}, np.float32(0.3), np.int64(3), np.array([1.0, 2.0]), object(), print]
REQUIRED = {"rate": 0.2, "stddev": 0.1, "units": 3, "filepath": "unused.fastnn", "schedule": lambda epoch: 0.01,
            "initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9, "boundaries": [5],
            "values": [0.1, 0.01], "first_decay_steps": 5, "activation": "relu"}
NOT_HYPERPARAMETERS = {"verbose"}  # display level: any number is as good as another


def public_classes():
    seen = {}
    for module in MODULES:
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and obj.__module__.startswith("fastnn") and not name.startswith("_") \
                    and name not in INTERNAL and obj not in seen.values():
                seen[f"{module.__name__.split('.')[-1]}.{name}"] = obj
    return sorted(seen.items())


def arguments(cls):
    params = [p for p in inspect.signature(cls.__init__).parameters.values()
              if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return params, {p.name: REQUIRED.get(p.name, 1) for p in params if p.default is p.empty}


CLASSES = public_classes()


def test_the_sweep_covers_the_public_classes():
    names = {name for name, _ in CLASSES}
    assert len(CLASSES) > 80 and {"layers.Dense", "optimizers.Adam", "metrics.AUC", "callbacks.EarlyStopping",
                                  "initializers.RandomNormal", "layers.BatchNormalization"} <= names


@pytest.mark.parametrize("name,cls", CLASSES, ids=[name for name, _ in CLASSES])
def test_hostile_constructor_arguments_are_clear_errors(name, cls):
    params, base = arguments(cls)
    for p in params:
        for value in HOSTILE:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    obj = cls(**{**base, p.name: value})
                    repr(obj)
                    if hasattr(obj, "get_config"):
                        obj.get_config()
            except (ValueError, TypeError):
                continue
            except Exception as exc:  # noqa: BLE001 (the point: nothing else may escape)
                pytest.fail(f"{name}({p.name}={value!r}) raised {type(exc).__name__}: {exc}")
            numeric = isinstance(p.default, (int, float)) and not isinstance(p.default, bool)
            if numeric and p.name not in NOT_HYPERPARAMETERS and isinstance(value, float) and not math.isfinite(value):
                pytest.fail(f"{name}({p.name}={value!r}) was accepted: a NaN or infinite hyperparameter trains garbage")
