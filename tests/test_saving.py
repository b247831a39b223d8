"""model.save / fastnn.load_model: round trips that resume training bit-identically, and clear
errors for truncated, corrupt or foreign files; never a half-written file."""
import os

import numpy as np
import pytest

import fastnn
from fastnn import Dense, Sequential


def data():
    rng = np.random.default_rng(0)
    x = rng.random((200, 5))
    return x, (x.sum(axis=1) > 2.5).astype(int)


def make():
    m = Sequential([Dense(10, input_dim=5, activation="relu"), Dense(2, activation="softmax")], seed=5)
    m.compile(fastnn.Nadam(learning_rate=0.01, clipnorm=1.0), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return m


def test_save_load_resumes_training_bit_identically(tmp_path):
    x, y = data()
    straight = make()
    h_straight = straight.fit(x, y, epochs=6, batch_size=16, validation_split=0.2, verbose=0)

    first = make()
    h1 = first.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
    path = tmp_path / "model.fastnn"
    first.save(path)
    resumed = fastnn.load_model(path)
    assert isinstance(resumed.optimizer, fastnn.Nadam) and resumed.optimizer.clipnorm == 1.0
    assert resumed.optimizer.iterations == first.optimizer.iterations
    h2 = resumed.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
    assert h1.history["loss"] + h2.history["loss"] == h_straight.history["loss"]
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_round_trip_keeps_architecture_dtype_and_metadata(tmp_path):
    model = Sequential([Dense(4, input_dim=3, activation="leaky_relu"), fastnn.Activation("softplus"),
                        Dense(1, use_bias=False)], dtype="float64", seed=1)
    model.metadata = {"labels": ["a", "b"]}
    model.save(tmp_path / "m")
    loaded = fastnn.load_model(tmp_path / "m")
    assert loaded.dtype == np.float64 and not loaded.compiled
    assert loaded.metadata == {"labels": ["a", "b"]}
    x = np.random.default_rng(0).random((5, 3))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_truncated_corrupt_and_foreign_files(tmp_path):
    x, y = data()
    model = make()
    model.fit(x, y, epochs=1, verbose=0)
    good = tmp_path / "good.fastnn"
    model.save(good)
    raw = good.read_bytes()
    (tmp_path / "truncated").write_bytes(raw[: len(raw) // 2])
    corrupt = bytearray(raw)
    corrupt[len(raw) // 3: len(raw) // 3 + 64] = b"\x00" * 64
    (tmp_path / "corrupt").write_bytes(bytes(corrupt))
    (tmp_path / "text.csv").write_text("a,b\n1,2\n")
    np.save(tmp_path / "array.npy", np.ones(3))
    np.savez(tmp_path / "other.npz", weights=np.ones(3))
    for name in ("truncated", "corrupt", "text.csv", "array.npy", "other.npz"):
        with pytest.raises(fastnn.ModelFileError):
            fastnn.load_model(tmp_path / name)
    with pytest.raises(FileNotFoundError):
        fastnn.load_model(tmp_path / "missing.fastnn")


def test_newer_format_is_refused(tmp_path, monkeypatch):
    from fastnn import saving

    monkeypatch.setattr(saving, "FORMAT_VERSION", 99)
    make().save(tmp_path / "future")
    monkeypatch.setattr(saving, "FORMAT_VERSION", 1)
    with pytest.raises(fastnn.ModelFileError, match="newer fastnn"):
        fastnn.load_model(tmp_path / "future")


def test_a_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "model.fastnn"
    model = make()
    model.save(path)
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", explode)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.fastnn"]  # no temporary file left behind


def test_overwrite_false(tmp_path):
    model = make()
    model.save(tmp_path / "m")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m", overwrite=False)
