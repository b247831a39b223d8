"""A diverging fit never leaves NaN/inf behind, says why, and a model file never carries NaN/inf."""
import json
import threading
import warnings
import zipfile

import numpy as np
import pytest

import fastnn
from fastnn import Dense, Sequential, optimizers
from fastnn.saving import ModelFileError


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 5))
    return x, (x.sum(axis=1) > 2.5) * 2.0 - 1


def model_with(opt, loss="mse", last="tanh", dtype="float32"):
    model = Sequential([Dense(8, activation="tanh", input_dim=5), Dense(1, activation=last)], dtype=dtype, seed=1)
    model.compile(opt, loss)
    return model


def test_an_overflowing_first_update_rolls_back_to_the_initial_weights():
    x, y = data()
    model = model_with(optimizers.SGD(learning_rate=3e38), last="linear")
    initial = model.get_weights()
    with pytest.warns(RuntimeWarning, match="made the weights .* found at epoch 1, batch 2.* rolled back to the "
                                            "start of epoch 1"):
        history = model.fit(x * 100, y, epochs=5, verbose=0)
    assert history.nonfinite and history.epoch == []
    for got, want in zip(model.get_weights(), initial):
        np.testing.assert_array_equal(got, want)  # the last finite weights: the initial ones
    assert np.isfinite(model.optimizer.get_state()[0]).all()


def test_a_later_overflow_keeps_the_finished_epochs():
    x, y = data()
    model = model_with(optimizers.SGD(learning_rate=1e-6), last="linear")
    model.fit(x * 100, y, epochs=3, verbose=0)
    after_three = model.get_weights()
    model.optimizer.learning_rate = 3e38
    with pytest.warns(RuntimeWarning, match="made the weights or the optimizer state NaN or inf"):
        history = model.fit(x * 100, y, epochs=3, verbose=0)
    assert history.epoch == []
    for got, want in zip(model.get_weights(), after_three):
        np.testing.assert_array_equal(got, want)


def test_optimizer_state_that_overflows_is_rolled_back_too():
    # Adam's velocity overflows float32 (g^2 > 3.4e38) while the step itself stays finite
    # (mae keeps the loss itself finite: |error| ~ 1e22, but the gradients ~ 1e20 square to inf)
    x, y = data()
    model = Sequential([Dense(8, input_dim=5), Dense(1)], seed=1)
    model.compile(optimizers.Adam(learning_rate=0.001), "mae")
    with pytest.warns(RuntimeWarning, match="optimizer state NaN or inf"):
        history = model.fit(x * 1e22, y, epochs=2, verbose=0)
    assert history.nonfinite
    slots, state = model.optimizer.get_state()
    assert np.isfinite(slots).all() and np.isfinite(state).all()
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_a_learning_rate_that_overflows_the_dtype_is_refused():
    x, y = data()
    model = model_with(optimizers.Adam(learning_rate=1e308))
    with pytest.raises(ValueError, match="overflows float32"):
        model.fit(x, y, epochs=1, verbose=0)
    model64 = model_with(optimizers.SGD(learning_rate=1e308), dtype="float64", last="linear")
    with pytest.warns(RuntimeWarning, match="fit stopped"):
        model64.fit(x * 100, y, epochs=1, verbose=0)
    assert all(np.isfinite(w).all() for w in model64.get_weights())


@pytest.mark.parametrize("loss,last,cause", [
    ("poisson", "tanh", "poisson needs non-negative predictions"),
    ("categorical_crossentropy", "relu", "needs a softmax output layer"),
])
def test_nan_at_the_first_batch_names_the_likely_cause(loss, last, cause):
    rng = np.random.default_rng(0)
    x = rng.random((40, 5)) - 3.0  # drives the outputs negative / to zero
    model = Sequential([Dense(2, activation=last, input_dim=5, kernel_initializer="ones")], seed=0)
    model.compile("adam", loss)
    y = np.eye(2)[rng.integers(0, 2, 40)]
    with pytest.warns(RuntimeWarning, match=cause):
        history = model.fit(x, y, epochs=2, verbose=0)
    assert history.nonfinite and history.history == {}


def test_evaluate_and_predict_say_why_outputs_overflow():
    x, y = data()
    model = model_with("adam", last="linear")
    w = model.get_weights()
    w[2][:] = 3e38  # finite weights whose products overflow float32
    model.set_weights(w)
    with pytest.warns(RuntimeWarning, match="overflow float32"):
        loss = model.evaluate(x, y, verbose=0)
    assert not np.isfinite(loss)
    with pytest.warns(RuntimeWarning, match=r"outputs are NaN or inf for \d+ of 64"):
        model.predict(x)


def _rewrite_member(path, name, array):
    """Rewrite one array of a saved .npz model (a hand-made corrupt file, as an attacker would)."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    import io

    buf = io.BytesIO()
    np.save(buf, array)
    members[name + ".npy"] = buf.getvalue()
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)


def test_load_model_refuses_nan_weights_and_nan_optimizer_state(tmp_path):
    x, y = data()
    model = model_with("adam")
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "m.fastnn"
    model.save(path)
    slots, _ = model.optimizer.get_state()
    bad = slots.copy()
    bad[1, 3] = np.nan
    _rewrite_member(path, "opt_slots", bad)
    with pytest.raises(ModelFileError, match="optimizer state contains NaN or inf"):
        fastnn.load_model(path)
    model.save(path)
    _, state = model.optimizer.get_state()
    bad_state = state.copy()
    bad_state[0] = np.inf
    _rewrite_member(path, "opt_state", bad_state)
    with pytest.raises(ModelFileError, match="optimizer state contains NaN or inf"):
        fastnn.load_model(path)


def test_predict_from_many_threads_at_once_is_exact():
    rng = np.random.default_rng(2)
    model = Sequential([Dense(40, activation="relu", input_dim=12), Dense(3, activation="softmax")], seed=2)
    inputs = [rng.random((int(rng.integers(1, 300)), 12)) for _ in range(16)]
    expected = [model.predict(x) for x in inputs]
    errors = []

    def worker(k):
        for _ in range(25):
            i = (k * 7 + _) % len(inputs)
            if not np.array_equal(model.predict(inputs[i]), expected[i]):
                errors.append(i)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_evaluate_and_fit_from_several_threads_are_safe():
    x, y = data(200)
    model = model_with("adam")
    reference = model_with("adam")
    reference.fit(x, y, epochs=4, verbose=0, shuffle=False)
    expected_eval = model.evaluate(x, y, verbose=0)
    results = []

    def evaluate():
        for _ in range(20):
            results.append(model.evaluate(x, y, verbose=0))

    threads = [threading.Thread(target=evaluate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected_eval] * 80
    # two fits of one model from two threads run one after the other, never interleaved
    fits = [threading.Thread(target=lambda: model.fit(x, y, epochs=2, verbose=0, shuffle=False)) for _ in range(2)]
    for t in fits:
        t.start()
    for t in fits:
        t.join()
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_nothing_warns_on_an_ordinary_fit():
    x, y = data()
    model = model_with("adam")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, epochs=3, verbose=0)
        model.evaluate(x, y, verbose=0)
        model.predict(x)
    assert json.dumps(model.history.history)
