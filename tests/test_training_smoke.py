"""Every loss trains on a task that suits it (the loss falls), and the issue's minimal model
(5-20-1 tanh, sgd + mse) learns the built-in dataset."""
import numpy as np
import pytest

from fastnn import Dense, Sequential, datasets, losses

TASKS = {  # loss -> (output layer, label kind)
    "mean_squared_error": ((1, "tanh"), "pm1"),
    "mean_absolute_error": ((1, "tanh"), "pm1"),
    "mean_absolute_percentage_error": ((1, "tanh"), "pm1"),
    "mean_squared_logarithmic_error": ((1, "sigmoid"), "01"),
    "hinge": ((1, "tanh"), "pm1"),
    "squared_hinge": ((1, "tanh"), "pm1"),
    "categorical_hinge": ((2, "linear"), "onehot"),
    "binary_crossentropy": ((1, "sigmoid"), "01"),
    "categorical_crossentropy": ((2, "softmax"), "onehot"),
    "sparse_categorical_crossentropy": ((2, "softmax"), "ids"),
    "kl_divergence": ((2, "softmax"), "onehot"),
    "poisson": ((1, "softplus"), "01"),
    "cosine_similarity": ((2, "linear"), "onehot"),
    "log_cosh": ((1, "tanh"), "pm1"),
    "huber": ((1, "tanh"), "pm1"),
}


def test_every_loss_has_a_task():
    assert set(TASKS) == {losses.canonical_name(n) for n in losses.names()}


@pytest.mark.parametrize("loss", TASKS)
def test_training_reduces_the_loss(loss):
    (x, ids), _ = datasets.tutorial_split(1)
    (units, act), kind = TASKS[loss]
    y = {"pm1": ids * 2.0 - 1, "01": ids.astype(float), "onehot": np.eye(2)[ids], "ids": ids}[kind]
    model = Sequential([Dense(20, input_dim=5, activation="tanh"), Dense(units, activation=act)], seed=0)
    model.compile("adam", loss)
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0).history["loss"]
    assert np.all(np.isfinite(history))
    assert history[-1] < history[0] - 0.02 * abs(history[0]), history


def test_minimal_model_sgd_mse_learns_the_builtin_dataset():
    (x, y), (xt, yt) = datasets.tutorial_split(0)
    model = Sequential([Dense(20, input_dim=5, activation="tanh"), Dense(1, activation="tanh")], seed=0)
    model.compile("sgd", "mse")
    model.fit(x, y * 2 - 1, epochs=100, batch_size=32, verbose=0)
    accuracy = np.mean(np.sign(model.predict(xt)[:, 0]) == yt * 2 - 1)
    assert accuracy >= 0.9
