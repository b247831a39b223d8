"""Long epochs of models with BLAS-size layers run in slices of batches, with OpenBLAS's threads
chosen anew before each slice (engine/loop.py, SLICE_SECONDS), and validation runs in chunks of up
to VALIDATION_ROWS rows rather than batch_size: neither may change a number."""
import numpy as np
import pytest

import fastnn
from fastnn.engine import loop

CHUNK = loop._FitRun.chunk


def fit_once(monkeypatch, first_slice, slice_seconds):
    monkeypatch.setattr(loop, "FIRST_SLICE_BATCHES", first_slice)
    monkeypatch.setattr(loop, "SLICE_SECONDS", slice_seconds)
    rng = np.random.default_rng(0)
    x = rng.random((300, 64)).astype(np.float32)
    y = (x[:, :32].sum(axis=1) > x[:, 32:].sum(axis=1)).astype(np.float32)
    model = fastnn.Sequential([fastnn.Dense(64, input_dim=64, activation="relu"), fastnn.layers.Dropout(0.2),
                               fastnn.Dense(64, activation="relu"), fastnn.Dense(1, activation="sigmoid")], seed=1)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy", fastnn.metrics.AUC(name="auc")])
    assert model._layout.uses_blas  # the slicing applies to models with BLAS-size layers only
    calls = []

    def counting(run, n, *args, **kwargs):
        calls.append(kwargs.get("max_batches", -1))
        return CHUNK(run, n, *args, **kwargs)

    monkeypatch.setattr(loop._FitRun, "chunk", counting)
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
    return history.history, model.get_weights(), calls


@pytest.mark.parametrize("first_slice", [1, 3])
def test_sliced_epochs_give_the_same_numbers(monkeypatch, first_slice):
    whole, whole_weights, whole_calls = fit_once(monkeypatch, 10**6, 1e9)
    sliced, sliced_weights, sliced_calls = fit_once(monkeypatch, first_slice, 1e-12)
    assert len(sliced_calls) > 3 * len(whole_calls)  # 15 batches an epoch, in slices of 1-3
    assert sliced == whole
    for a, b in zip(sliced_weights, whole_weights):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("blas", [False, True], ids=["loops", "blas"])
def test_validation_chunk_size_changes_nothing(monkeypatch, blas):
    rng = np.random.default_rng(2)
    x = rng.random((400, 64 if blas else 5))
    y = (x.sum(axis=1) > x.shape[1] / 2).astype(float)

    def run(rows):
        monkeypatch.setattr(loop, "VALIDATION_ROWS", rows)
        width = 64 if blas else 8
        model = fastnn.Sequential([fastnn.Dense(width, input_dim=x.shape[1], activation="tanh"),
                                   fastnn.Dense(1, activation="sigmoid")], seed=4)
        model.compile("adam", "binary_crossentropy", metrics=["accuracy", fastnn.metrics.AUC(name="auc")])
        assert model._layout.uses_blas == blas
        return model.fit(x, y, epochs=3, batch_size=16, validation_split=0.3, verbose=0).history

    assert run(1) == run(256)  # 120 validation rows: in chunks of 16 (the batch) or all at once


def test_an_overflow_in_a_later_slice_rolls_back_to_the_epoch_start(monkeypatch):
    # the epoch-start copy is taken by the first slice only: a later slice that overflows must still
    # restore the weights the epoch began with, as a whole-epoch call does
    monkeypatch.setattr(loop, "FIRST_SLICE_BATCHES", 1)
    monkeypatch.setattr(loop, "SLICE_SECONDS", 1e-12)
    rng = np.random.default_rng(3)
    x = rng.random((160, 64)) * 100
    y = x.sum(axis=1, keepdims=True)
    model = fastnn.Sequential([fastnn.Dense(64, input_dim=64, activation="linear"), fastnn.Dense(1)], seed=2)
    model.compile(fastnn.optimizers.SGD(learning_rate=1e-12), "mse")
    assert model._layout.uses_blas
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    after_one = model.get_weights()
    model.optimizer.learning_rate = 3e38
    with pytest.warns(RuntimeWarning, match="rolled back to the start of epoch 1"):
        history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert history.nonfinite and history.epoch == []
    for got, want in zip(model.get_weights(), after_one):
        np.testing.assert_array_equal(got, want)
