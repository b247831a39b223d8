"""Property-based fuzzing of everything that reads a user's file: the model loader and the command
line's data readers. Random bytes, truncations and bit flips of valid files may only end in the
documented errors (ModelFileError / the CLI's one-line CLIError), or in a valid result; never in
another exception, a hang or NaN weights. Derandomized, so CI runs the same examples every time."""
import io
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastnn
from fastnn import Dense, Sequential
from fastnn.saving import ModelFileError
from fastnn_cli import data as D
from fastnn_cli.columns import ColumnPlan
from fastnn_cli.errors import CLIError

FUZZ = settings(max_examples=1000, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _model_bytes():
    rng = np.random.default_rng(0)
    model = Sequential([Dense(6, activation="tanh", input_dim=4), Dense(2, activation="softmax")], seed=0)
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    model.fit(rng.random((20, 4)), np.eye(2)[rng.integers(0, 2, 20)], epochs=2, verbose=0)
    model.metadata = {"labels": {"kind": "onehot", "classes": ["a", "b"]}}
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as d:
        model.save(os.path.join(d, "m.fastnn"))
        buf.write(open(os.path.join(d, "m.fastnn"), "rb").read())
    return buf.getvalue()


MODEL = _model_bytes()


def _csv_bytes():
    rng = np.random.default_rng(1)
    rows = "".join(f"{a:.4f},{b:.4f},{'yes' if a > b else 'no'}\n" for a, b in rng.random((12, 2)))
    return ("a,b,label\n" + rows).encode()


def _npz_bytes():
    buf = io.BytesIO()
    np.savez(buf, x=np.arange(12.0).reshape(6, 2), y=np.arange(6) % 2)
    return buf.getvalue()


def _npy_bytes():
    buf = io.BytesIO()
    np.save(buf, np.arange(12.0).reshape(6, 2))
    return buf.getvalue()


VALID = {".fastnn": MODEL, ".csv": _csv_bytes(), ".npz": _npz_bytes(), ".npy": _npy_bytes()}


@st.composite
def damaged(draw, original):
    """A valid file's bytes, truncated and/or with bits flipped, or random bytes."""
    kind = draw(st.sampled_from(["truncate", "flip", "both", "random"]))
    if kind == "random":
        return draw(st.binary(max_size=2048))
    raw = bytearray(original)
    if kind in ("truncate", "both"):
        raw = raw[:draw(st.integers(0, len(raw)))]
    if kind in ("flip", "both") and raw:
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(raw) - 1))
            raw[i] ^= 1 << draw(st.integers(0, 7))
    return bytes(raw)


def _write(tmp, suffix, content):
    path = os.path.join(tmp, "f" + suffix)
    with open(path, "wb") as f:
        f.write(content)
    return path


@pytest.fixture(scope="module")
def tmp():
    with tempfile.TemporaryDirectory() as d:
        yield d


@FUZZ
@given(content=damaged(MODEL))
def test_the_model_loader_only_raises_model_file_errors(tmp, content):
    path = _write(tmp, ".fastnn", content)
    try:
        model = fastnn.load_model(path)
    except ModelFileError:
        return
    assert all(np.isfinite(w).all() for w in model.get_weights())  # a harmless flip: still a sound model
    slots, state = model.optimizer.get_state()
    assert np.isfinite(slots).all() and np.isfinite(state).all()


@FUZZ
@given(suffix=st.sampled_from([".csv", ".npz", ".npy"]), data=st.data())
def test_the_data_readers_only_raise_cli_errors(tmp, suffix, data):
    content = data.draw(damaged(VALID[suffix]))
    path = _write(tmp, suffix, content)
    labels = None
    if suffix == ".npy":  # .npy features come with a valid labels file
        buf = io.BytesIO()
        np.save(buf, np.arange(6) % 2)
        labels = _write(tmp, "_labels.npy", buf.getvalue())
    try:
        ds = D.load(path, labels=labels)
        ds.planned(ColumnPlan.fit(ds.raw, ds.feature_names))  # text columns one-hot; a missing cell is an error
    except CLIError:
        return
    assert ds.x.ndim == 2 and len(ds.x) > 0 and np.isfinite(ds.x).all()


KERAS_FILES = {name: open(os.path.join(os.path.dirname(__file__), "data", "keras", name), "rb").read()
               for name in ("mlp.keras", "mlp_legacy.h5")}


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(sorted(KERAS_FILES)), data=st.data())
def test_damaged_keras_files_only_raise_model_file_errors(tmp, name, data):
    pytest.importorskip("h5py")
    import warnings

    content = data.draw(damaged(KERAS_FILES[name]))
    path = _write(tmp, os.path.splitext(name)[1], content)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a flipped option may be reported as ignored
            model = fastnn.load_model(path)
    except ModelFileError:
        return
    assert all(np.isfinite(w).all() for w in model.get_weights())
