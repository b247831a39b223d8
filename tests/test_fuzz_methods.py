"""The model's methods (fit, evaluate, predict, compile, train_on_batch, save, ...) and
Sequential/load_model with each argument set to hostile values: the call works, or fails with a
ValueError/TypeError (or a file error naming the path), and a call that fails leaves the weights
exactly as they were."""
import inspect
import os
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import Sequential

HOSTILE = [None, True, -1, 0, 0.5, 1.5, 2, -1e300, 1e300, float("nan"), float("inf"), 10 ** 30, "x", "", [1, 2], (),
           {"a": 1}, np.float32(0.3), np.int64(3), np.array([1.0, 2.0]), object(), print]
CLEAR = (ValueError, TypeError, FileNotFoundError, FileExistsError)


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4))
    return x, (x[:, 0] > 0).astype(float)


def model():
    m = Sequential([fastnn.Dense(5, input_dim=4, activation="relu"), fastnn.layers.Dropout(0.1),
                    fastnn.Dense(1, activation="sigmoid")], seed=0)
    m.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return m


def calls(tmp):
    x, y = data()
    saved = os.path.join(tmp, "m.fastnn")
    return {  # name -> (the function whose parameters are swept, a call with one argument replaced)
        "fit": (Sequential.fit, lambda m, k, v: m.fit(**{"x": x, "y": y, "epochs": 1, "verbose": 0, k: v})),
        "evaluate": (Sequential.evaluate, lambda m, k, v: m.evaluate(**{"x": x, "y": y, "verbose": 0, k: v})),
        "predict": (Sequential.predict, lambda m, k, v: m.predict(**{"x": x, k: v})),
        "compile": (Sequential.compile, lambda m, k, v: m.compile(**{"optimizer": "adam", "loss": "mse", k: v})),
        "train_on_batch": (Sequential.train_on_batch, lambda m, k, v: m.train_on_batch(**{"x": x, "y": y, k: v})),
        "test_on_batch": (Sequential.test_on_batch, lambda m, k, v: m.test_on_batch(**{"x": x, "y": y, k: v})),
        "predict_classes": (Sequential.predict_classes, lambda m, k, v: m.predict_classes(**{"x": x, k: v})),
        "get_layer": (Sequential.get_layer, lambda m, k, v: m.get_layer(**{k: v})),
        "save": (Sequential.save, lambda m, k, v: m.save(**{"filepath": saved, k: v})),
        "set_weights": (Sequential.set_weights, lambda m, k, v: m.set_weights(v)),
        "Sequential": (Sequential.__init__, lambda m, k, v: Sequential(
            **{"layers": [fastnn.Dense(2, input_dim=4)], k: v}).predict(x)),
        "load_model": (fastnn.load_model, lambda m, k, v: fastnn.load_model(**{"filepath": saved, k: v})),
    }


NAMES = sorted(calls("/unused"))


@pytest.mark.parametrize("name", NAMES)
def test_hostile_method_arguments_are_clear_errors_and_change_nothing(name, tmp_path):
    model().save(tmp_path / "m.fastnn")
    function, call = calls(str(tmp_path))[name]
    params = [p.name for p in inspect.signature(function).parameters.values()
              if p.name not in ("self", "x", "y", "layers", "filepath") and p.kind not in (p.VAR_POSITIONAL,
                                                                                          p.VAR_KEYWORD)]
    for k in params or ["weights"]:
        for value in HOSTILE:
            m = model()
            m.fit(*data(), epochs=1, verbose=0)
            before = m.get_weights()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    call(m, k, value)
            except CLEAR:
                after = m.get_weights()
                assert all(np.array_equal(a, b) for a, b in zip(before, after)), \
                    f"{name}({k}={value!r}) failed but changed the weights"
            except Exception as exc:  # noqa: BLE001 (the point: nothing else may escape)
                pytest.fail(f"{name}({k}={value!r}) raised {type(exc).__name__}: {exc}")
