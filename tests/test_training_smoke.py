"""Every loss trains on a task that suits it (the loss falls), and the issue's minimal model
(5-20-1 tanh, sgd + mse) learns the built-in dataset."""
import numpy as np
import pytest

from fastnn import Dense, Sequential, datasets, losses

def task_for(loss):
    """The output layer and labels a loss takes, from its spec row (fastnn/losses.py)."""
    spec = losses.SPECS.spec(loss)
    units = 2 if spec.labels in ("onehot", "sparse") else 1
    return (units, spec.output), spec.labels


LOSSES = [spec.name for spec in losses.SPECS.specs()]


@pytest.mark.parametrize("loss", LOSSES)
def test_training_reduces_the_loss(loss):
    (x, ids), _ = datasets.tutorial_split(1)
    (units, act), kind = task_for(loss)
    y = {"pm1": ids * 2.0 - 1, "01": ids.astype(float), "onehot": np.eye(2)[ids], "sparse": ids}[kind]
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
