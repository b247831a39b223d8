"""Metric resolution (Keras 3 shapes rule + the ±1 sign rule) and hand-computed values."""
import numpy as np
import pytest

from fastnn import Dense, Sequential, losses, metrics
from fastnn.kernels import metrics as M
from fastnn.kernels.codes import code_of
from fastnn.kernels.metrics import metrics_update


@pytest.mark.parametrize("loss,n_out,y,expected", [
    ("hinge", 1, np.array([-1.0, 1.0]), M.SIGN_ACCURACY),
    ("hinge", 1, np.array([0.0, 1.0]), M.SIGN_ACCURACY),  # hinge family: sign, even on 0/1 labels
    ("mse", 1, np.array([-1.0, 1.0, 1.0]), M.SIGN_ACCURACY),  # ±1 labels: sign
    ("binary_crossentropy", 1, np.array([0.0, 1.0]), M.BINARY_ACCURACY),
    ("mse", 1, np.array([0.2, 0.7]), M.BINARY_ACCURACY),
    ("categorical_crossentropy", 3, np.eye(3), M.CATEGORICAL_ACCURACY),
    ("sparse_categorical_crossentropy", 3, np.array([0.0, 2.0]), M.SPARSE_CATEGORICAL_ACCURACY),
    ("binary_crossentropy", 3, np.eye(3), M.CATEGORICAL_ACCURACY),  # K3: shapes decide, not the loss
])
def test_accuracy_resolution(loss, n_out, y, expected):
    assert metrics.resolve("accuracy", losses.get(loss), n_out, y) == ("accuracy", (expected, 0))
    assert metrics.resolve("acc", losses.get(loss), n_out, y)[0] == "acc"


def kernel_objective(rows, params=(), counts=0):
    """The kernels' Objective for metric rows [code, arg, params offset, counts offset]."""
    from fastnn.kernels.args import Objective

    lp = losses.get("mse").param_vector(np.float64)
    return Objective(0, lp, False, np.array(rows, dtype=np.int64).reshape(-1, 4), lp,
                     np.array(params, dtype=np.float64), np.zeros(counts), np.zeros(counts))


def run_metric(code, pred, y, arg=0):
    sums = np.zeros(1)
    params = [0.5] if code == M.BINARY_ACCURACY else []
    obj = kernel_objective([[code, arg, 0 if params else -1, -1]], params)
    assert metrics_update(sums, np.asarray(pred, float), np.asarray(y, float), len(pred), obj, obj.counts,
                          np.zeros(len(pred)))
    return sums[0] / len(pred)


def test_hand_computed_accuracies():
    # sign rule: p > 0 against y > 0
    assert run_metric(M.SIGN_ACCURACY, [[0.3], [-0.2], [0.9], [-0.7]], [[1], [1], [1], [-1]]) == 0.75
    # Keras 3 binary rule on the same ±1 data could never count the -1 label
    assert run_metric(M.BINARY_ACCURACY, [[0.3], [-0.2], [0.9], [-0.7]], [[1], [1], [1], [-1]]) == 0.25
    # binary accuracy averages over the last axis; strictly greater than 0.5
    assert run_metric(M.BINARY_ACCURACY, [[0.5, 0.6], [0.1, 0.9]], [[1, 1], [0, 1]]) == 0.75
    # categorical: first maximum wins
    assert run_metric(M.CATEGORICAL_ACCURACY, [[0.2, 0.5, 0.3], [0.4, 0.4, 0.2]], [[0, 1, 0], [0, 1, 0]]) == 0.5
    assert run_metric(M.SPARSE_CATEGORICAL_ACCURACY, [[0.2, 0.5, 0.3], [0.1, 0.2, 0.7]], [[1], [0]]) == 0.5


def test_loss_valued_metrics():
    pred = np.array([[0.5], [2.0]])
    y = np.array([[1.0], [1.0]])
    assert run_metric(M.LOSS_VALUE, pred, y, code_of("mean_squared_error")) == pytest.approx((0.25 + 1.0) / 2)
    assert run_metric(M.LOSS_VALUE, pred, y, code_of("mean_absolute_error")) == pytest.approx(0.75)


def test_metrics_in_fit_logs_and_the_tutorial_sign_rule():
    rng = np.random.default_rng(0)
    x = rng.random((250, 5))
    y = (x.sum(axis=1) > 2.5) * 2 - 1
    model = Sequential([Dense(20, input_dim=5, activation="tanh"), Dense(1, activation="tanh")], seed=1)
    model.compile("adam", "hinge", metrics=["accuracy", "mse", "mae"])
    h = model.fit(x, y, epochs=150, validation_split=0.2, verbose=0)
    assert set(h.history) == {"loss", "accuracy", "mse", "mae", "val_loss", "val_accuracy", "val_mse", "val_mae"}
    pred = model.predict(x[200:])[:, 0]
    assert h.history["val_accuracy"][-1] == pytest.approx(np.mean(np.sign(pred) == y[200:]))
    assert h.history["val_mse"][-1] == pytest.approx(np.mean((pred - y[200:]) ** 2), rel=1e-5)
    assert h.history["val_accuracy"][-1] > 0.8  # the Keras 3 rule would report < fraction of +1 labels


def test_unknown_metric_fails_at_compile():
    model = Sequential([Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        model.compile("sgd", "mse", metrics=["acuracy"])


def test_metrics_that_cannot_line_up_with_the_labels_are_refused():
    x = np.random.default_rng(0).random((20, 3))
    model = Sequential([Dense(3, input_dim=3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["mse"])
    with pytest.raises(ValueError, match="labels have 1 column"):
        model.fit(x, np.arange(20) % 3, verbose=0)  # mse of class ids against 3 probabilities
    model.compile("adam", "categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
    with pytest.raises(ValueError, match="takes class ids"):
        model.fit(x, np.eye(3)[np.arange(20) % 3], verbose=0)
