"""Callbacks: Keras hook order and semantics, progress output, Ctrl-C."""
import csv
import os
import signal
import threading

import numpy as np
import pytest

import fastnn
from fastnn import Dense, Sequential, callbacks


def data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 5))
    return x, (x.sum(axis=1) > 2.5) * 2 - 1


def model_(lr=0.01):
    m = Sequential([Dense(8, input_dim=5, activation="tanh"), Dense(1, activation="tanh")], seed=0)
    m.compile(fastnn.Adam(learning_rate=lr), "hinge", metrics=["accuracy"])
    return m


def test_hooks_are_called_in_keras_order():
    calls = []

    class Recorder(callbacks.Callback):
        def on_train_begin(self, logs=None):
            calls.append(("train_begin", self.params["epochs"], self.params["steps"]))

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(("epoch_begin", epoch))

        def on_epoch_end(self, epoch, logs=None):
            calls.append(("epoch_end", epoch, sorted(logs)))

        def on_train_end(self, logs=None):
            calls.append(("train_end",))

    x, y = data()
    model_().fit(x, y, epochs=2, batch_size=50, validation_split=0.5, verbose=0, callbacks=[Recorder()])
    keys = ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert calls == [("train_begin", 2, 2), ("epoch_begin", 0), ("epoch_end", 0, keys), ("epoch_begin", 1),
                     ("epoch_end", 1, keys), ("train_end",)]


def test_batch_hooks_are_called_once_per_batch():
    # (they used to be skipped with a warning; tests/test_batch_callbacks.py covers them in depth)
    class PerBatch(callbacks.Callback):
        calls = 0
        logs = []

        def on_train_batch_end(self, batch, logs=None):
            PerBatch.calls += 1
            PerBatch.logs.append(logs)

    x, y = data()
    history = model_().fit(x, y, epochs=2, batch_size=len(x) // 2, verbose=0, callbacks=[PerBatch()])
    assert PerBatch.calls == 4 and len(history.epoch) == 2
    # Python floats, as Keras's logs (np.float64 prints as np.float64(0.69) in a list of losses)
    assert all(type(v) is float for logs in PerBatch.logs for v in logs.values())


def test_early_stopping_patience_and_restore_best_weights():
    x, y = data()
    model = model_()
    seen = []

    class Snapshot(callbacks.Callback):  # records weights after every epoch
        def on_epoch_end(self, epoch, logs=None):
            seen.append((logs["val_loss"], self.model.get_weights()))

    # monitor a metric that will stop improving: min_delta huge -> no epoch counts as improving after the first
    es = callbacks.EarlyStopping(monitor="val_loss", patience=2, min_delta=10.0, restore_best_weights=True)
    h = model.fit(x, y, epochs=50, validation_split=0.3, verbose=0, callbacks=[Snapshot(), es])
    assert len(h.epoch) == 3 and es.stopped_epoch == 2  # epoch 0 is the best; 2 more without improvement
    for a, b in zip(model.get_weights(), seen[0][1]):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_mode_auto():
    assert callbacks.EarlyStopping(monitor="val_accuracy").mode == "max"
    assert callbacks.EarlyStopping(monitor="val_loss").mode == "min"
    with pytest.raises(ValueError, match="mode"):
        callbacks.EarlyStopping(mode="up")


def test_model_checkpoint_and_csv_logger(tmp_path):
    x, y = data()
    path = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.3f}.fastnn")
    best = str(tmp_path / "best.fastnn")
    log = str(tmp_path / "log.csv")
    model = model_()
    model.fit(x, y, epochs=3, validation_split=0.2, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(path), callbacks.ModelCheckpoint(best, save_best_only=True),
                         callbacks.CSVLogger(log)])
    saved = sorted(os.listdir(tmp_path))
    assert sum(s.startswith("ckpt-") for s in saved) == 3 and "best.fastnn" in saved
    rows = list(csv.DictReader(open(log)))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert set(rows[0]) == {"epoch", "accuracy", "loss", "val_accuracy", "val_loss"}
    restored = fastnn.load_model(best)
    assert restored.count_params() == model.count_params()


def test_model_checkpoint_creates_its_directory_as_keras_3_does(tmp_path):
    x, y = data()
    path = tmp_path / "runs" / "a" / "ckpt-{epoch}.fastnn"
    model_().fit(x, y, epochs=2, verbose=0, callbacks=callbacks.ModelCheckpoint(str(path)))  # one callback, no list
    assert sorted(os.listdir(tmp_path / "runs" / "a")) == ["ckpt-1.fastnn", "ckpt-2.fastnn"]


def test_callbacks_may_be_one_object_or_nested_lists():
    x, y = data()
    seen = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    model_().fit(x, y, epochs=2, verbose=0, callbacks=cb)
    model_().fit(x, y, epochs=2, verbose=0, callbacks=[[cb], (cb,)])
    assert seen == [0, 1, 0, 0, 1, 1]
    with pytest.raises(TypeError, match="Callback objects, got 3"):
        model_().fit(x, y, verbose=0, callbacks=[cb, 3])


def test_reduce_lr_on_plateau():
    x, y = data()
    model = model_(lr=0.1)
    cb = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0, min_lr=0.02)
    h = model.fit(x, y, epochs=6, verbose=0, callbacks=[cb])
    # every epoch after the first fails the huge min_delta: lr halves each epoch down to min_lr
    # (the logged value is the rate the epoch ran with, recorded before the reduction)
    assert h.history["learning_rate"] == [0.1, 0.1, 0.05, 0.025, 0.02, 0.02]
    assert model.optimizer.learning_rate == 0.02
    with pytest.raises(ValueError, match="factor"):
        callbacks.ReduceLROnPlateau(factor=1.5)


def test_learning_rate_scheduler_and_lambda_callback():
    x, y = data()
    model = model_()
    ends = []
    h = model.fit(x, y, epochs=3, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1)),
        callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(epoch))])
    assert ends == [0, 1, 2]
    assert h.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    before = model.get_weights()
    with pytest.raises(ValueError, match="returned 'fast' for epoch 0; it must return the learning rate as a number"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda epoch: "fast")])
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # nothing trained


def test_terminate_on_nan_stops():
    model = model_()
    model.stop_training = False
    cb = callbacks.TerminateOnNaN()
    cb.set_model(model)
    cb.on_epoch_end(0, {"loss": float("nan")})
    assert model.stop_training


def test_progress_output_verbose_1_and_2(capsys):
    x, y = data()
    model_().fit(x, y, epochs=3, validation_split=0.2, verbose=1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3  # not a terminal: one plain line per epoch
    assert lines[0].startswith("Epoch 1/3 - 5/5 - ") and " - accuracy: " in lines[0] and "val_loss: " in lines[0]
    model_().fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_progress_bar_on_a_terminal():
    import io

    from fastnn.progress import ProgressLogger

    class Tty(io.StringIO):
        encoding = "utf-8"

        def isatty(self):
            return True

    stream = Tty()
    logger = ProgressLogger(1, epochs=2, steps=7, stream=stream)
    logger.record(0, {"loss": 0.5, "accuracy": 0.9}, 0.001)
    logger.flush()
    assert stream.getvalue() == "Epoch 1/2\n7/7 ━━━━━━━━━━━━━━━━━━━━ 0s 143us/step - accuracy: 0.9000 - loss: 0.5000\n"


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_stops_after_the_current_chunk_and_keeps_history():
    x, y = data(2000)
    model = model_()

    class InterruptAtEpoch2(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                os.kill(os.getpid(), signal.SIGINT)  # as if the user pressed Ctrl-C

    with pytest.warns(UserWarning, match="Interrupted"):
        h = model.fit(x, y, epochs=100, verbose=0, callbacks=[InterruptAtEpoch2()])
    assert h.interrupted and len(h.epoch) == 3
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored
