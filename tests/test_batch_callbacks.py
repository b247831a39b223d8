"""Batch-level callback hooks: called with Keras's logs (the epoch's running means) only when a
callback defines them, without changing a single bit of the training; stop_training from a batch
hook stops at the next batch; evaluate and predict run their batch hooks too."""
import numpy as np
import pytest

from fastnn import Dense, Sequential
from fastnn.callbacks import Callback, LambdaCallback
from fastnn.metrics import AUC


def data(n=100, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    return x, (x[:, 0] > 0).astype(float)


def model(seed=1):
    m = Sequential([Dense(5, input_dim=3, activation="tanh"), Dense(1, activation="sigmoid")], seed=seed)
    m.compile("adam", "binary_crossentropy", metrics=["accuracy", AUC(name="auc")])
    return m


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.train, self.test, self.predict, self.events = [], [], [], []

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append(("begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.train.append((batch, dict(logs)))

    def on_test_batch_end(self, batch, logs=None):
        self.test.append((batch, dict(logs)))

    def on_predict_batch_end(self, batch, logs=None):
        self.predict.append((batch, logs["outputs"].shape))


def test_batch_hooks_see_running_means_and_change_nothing():
    x, y = data()
    plain, hooked = model(), model()
    h1 = plain.fit(x, y, epochs=3, batch_size=32, validation_split=0.2, verbose=0)
    rec = Recorder()
    h2 = hooked.fit(x, y, epochs=3, batch_size=32, validation_split=0.2, verbose=0, callbacks=[rec])
    assert h1.history == h2.history  # bit-identical trajectory and logs
    for a, b in zip(plain.get_weights(), hooked.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert [b for b, _ in rec.train] == [0, 1, 2] * 3 and rec.events[:2] == [("begin", 0), ("begin", 1)]
    last = rec.train[-1][1]  # the last batch's running means are the epoch's values
    for key in ("loss", "accuracy", "auc"):
        assert last[key] == pytest.approx(h2.history[key][-1], rel=1e-12)
    assert len(rec.test) == 3  # validation (20 rows, one batch) batch hooks each epoch
    assert rec.test[-1][1]["loss"] == pytest.approx(h2.history["val_loss"][-1], rel=1e-12)


def test_stop_training_from_a_batch_hook_stops_at_the_next_batch():
    x, y = data()
    m = model()

    def stop_after_two(batch, logs):
        if batch == 1:
            m.stop_training = True

    history = m.fit(x, y, epochs=5, batch_size=10, verbose=0, validation_split=0.2,
                    callbacks=[LambdaCallback(on_train_batch_end=stop_after_two)])
    assert m.optimizer.iterations == 2 and len(history.epoch) == 1  # the partial epoch is logged, as Keras
    assert set(history.history) == {"loss", "accuracy", "auc", "val_loss", "val_accuracy", "val_auc"}
    xv, yv = x[80:], y[80:]
    assert history.history["val_loss"][0] == pytest.approx(m.evaluate(xv, yv, verbose=0)[0], rel=1e-12)


def test_ctrl_c_during_a_batch_hook_stops_at_the_next_batch():
    import signal

    x, y = data()
    m = model()

    def interrupt(batch, logs):
        if batch == 2:
            signal.raise_signal(signal.SIGINT)  # what Ctrl-C sends; fit's handler turns it into a flag

    with pytest.warns(UserWarning, match="Interrupted"):
        history = m.fit(x, y, epochs=5, batch_size=10, verbose=0,
                        callbacks=[LambdaCallback(on_train_batch_end=interrupt)])
    assert history.interrupted and m.optimizer.iterations == 3 and len(history.epoch) == 1


def test_keras2_batch_hook_names():
    x, y = data()
    seen = []
    model().fit(x, y, epochs=2, batch_size=50, verbose=0,
                callbacks=[LambdaCallback(on_batch_begin=lambda b, logs: seen.append(("b", b)),
                                          on_batch_end=lambda b, logs: seen.append(("e", b, round(logs["loss"], 9))))])
    assert [s[:2] for s in seen] == [("b", 0), ("e", 0), ("b", 1), ("e", 1)] * 2


def test_evaluate_and_predict_batch_hooks():
    x, y = data()
    m = model()
    m.fit(x, y, epochs=1, verbose=0)
    rec = Recorder()
    with_hooks = m.evaluate(x, y, batch_size=30, verbose=0, return_dict=True, callbacks=[rec])
    without = m.evaluate(x, y, batch_size=30, verbose=0, return_dict=True)
    assert [b for b, _ in rec.test] == [0, 1, 2, 3]
    for key in without:
        assert with_hooks[key] == pytest.approx(without[key], rel=1e-12)
    assert rec.test[-1][1]["auc"] == pytest.approx(without["auc"], rel=1e-12)
    out = m.predict(x, batch_size=40, callbacks=[rec])
    np.testing.assert_array_equal(out, m.predict(x))
    assert rec.predict == [(0, (40, 1)), (1, (40, 1)), (2, (20, 1))]
