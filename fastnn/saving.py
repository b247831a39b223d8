"""model.save(path) / fastnn.load_model(path): one safe file with everything needed to resume.

The file is a NumPy .npz archive (a zip, CRC-checked) read with allow_pickle=False, so loading
never executes code. Members:
    header          JSON (utf-8 bytes): format name and version, model config, compile settings,
                    seed, user metadata (e.g. the CLI's label names)
    params          the flat parameter buffer
    shuffle_state   the kernel RNG state (uint64), so resumed training shuffles as it would have
    noise_state     the dropout noise stream (key, training step): resumed training draws new masks
    state           non-trainable tensors (BatchNormalization's moving statistics), when the model has any
    opt_slots, opt_state   optimizer state, when saved with include_optimizer=True
Saving writes a temporary file next to the target and renames it over the target (fastnn/atomic.py),
so a crash never leaves a half-written file in place of a good one.
"""
import json
import os

import numpy as np

from ._validation import printable
from .atomic import replacing
from .npyio import READ_ERRORS, NpyFileError, NpzArchive, one_line
from ._version import __version__

FORMAT_NAME = "fastnn-model"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """The file is not a fastnn model, is corrupt, or was written by a newer format."""


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    path = os.fspath(filepath)
    if os.path.isdir(path):
        raise ValueError(f"save: {path!r} is a directory; give a file name such as model.fastnn.")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"save: {path!r} exists and overwrite=False.")
    model._ensure_built()
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "fastnn_version": __version__,
        "config": model.get_config(),
        "seed": model._seed,
        "metadata": getattr(model, "metadata", {}) or {},
        "feature_names": getattr(model, "feature_names", None),
        "compile": None,
    }
    arrays = {"params": model._params, "shuffle_state": model._shuffle_state, "noise_state": model._noise}
    if model._state.size:
        arrays["state"] = model._state
    if model.compiled:
        from .optimizers import serialize

        header["compile"] = {
            "optimizer": serialize(model.optimizer),
            "loss": model.loss.get_config(),
            "metrics": [_metric_config(m) for m in model._metric_identifiers],
        }
        if include_optimizer and model.optimizer.built:
            arrays["opt_slots"], arrays["opt_state"] = model.optimizer.get_state()
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    with replacing(path) as f:
        np.savez(f, **arrays)


MAX_HEADER_BYTES = 16 << 20  # a model's JSON header is a few KB; anything huge is not ours


def _read(path):
    """(header dict, NpzArchive) after every check that needs no array data."""
    try:
        archive = NpzArchive(path, "model file")
    except FileNotFoundError:
        raise
    except NpyFileError as exc:
        if os.path.isfile(path) and open(path, "rb").read(6) == b"\x93NUMPY":
            raise ModelFileError(f"{printable(path)} is a NumPy array file, not a fastnn model file.") from None
        raise ModelFileError(f"{exc} It is not a readable fastnn model file (truncated, corrupt, or another "
                             f"format).") from None
    try:
        if "header" not in archive.shapes:
            raise ModelFileError(f"{printable(path)} is not a fastnn model file (no fastnn header).")
        shape, dtype = archive.shapes["header"]
        if len(shape) != 1 or dtype != np.uint8 or shape[0] > MAX_HEADER_BYTES:
            raise ModelFileError(f"{printable(path)}: the header is not a small JSON text; not a fastnn model file.")
        header = json.loads(archive.read("header").tobytes().decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
            raise ModelFileError(f"{printable(path)} is not a fastnn model file.")
        version = header.get("format_version", 0)
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ModelFileError(f"{printable(path)} was written by a newer fastnn (format {version!r}); this "
                                 f"fastnn {__version__} reads format {FORMAT_VERSION}. Upgrade fastnn.")
    except ModelFileError:
        archive.close()
        raise
    except (NpyFileError, json.JSONDecodeError) + READ_ERRORS as exc:
        archive.close()
        raise ModelFileError(f"{printable(path)}: the fastnn header is corrupt ({one_line(exc)}).") from None
    return header, archive


def _expect(shapes, name, shape, dtype, path, what):
    """Check a member's shape and dtype from its header before reading (a header that claims
    12k x 12k units is refused here, before anything that size is allocated)."""
    if name not in shapes:
        raise ModelFileError(f"{printable(path)}: {what} is missing.")
    got_shape, got_dtype = shapes[name]
    if got_shape != tuple(shape) or got_dtype != np.dtype(dtype):
        raise ModelFileError(f"{printable(path)}: {what} ({got_shape}, {got_dtype}) does not match the architecture "
                             f"({tuple(shape)}, {np.dtype(dtype)}); the file is corrupt or was edited.")


def _metric_config(m):
    """A compiled metric as JSON: its name, or a metric object's class and config."""
    from .metrics import Metric

    if isinstance(m, str):
        return m
    if isinstance(m, Metric):
        return {"class_name": type(m).__name__, "config": m.get_config()}
    return getattr(m, "__name__", str(m))


def load_model(filepath, compile=True):
    """Rebuild a model saved by model.save: architecture, weights, compile settings and
    optimizer state, so fit continues exactly where it stopped. Refuses corrupt files (and NaN/inf
    weights or optimizer state) with ModelFileError, before allocating what the file claims."""
    path = os.fspath(filepath)
    from . import keras_import

    if os.path.isfile(path) and keras_import.is_keras_file(path):
        return keras_import.load(path, compile)  # a Keras 3 .keras or Keras 1/2 .h5 file
    header, archive = _read(path)
    with archive:
        try:
            return _rebuild(header, archive, path, compile)
        except ModelFileError:
            raise
        except (NpyFileError,) + READ_ERRORS as exc:
            raise ModelFileError(f"{printable(path)}: the model description is invalid or incomplete "
                                 f"({one_line(exc)}).") from None


def _rebuild(header, archive, path, compile):
    from .models import Sequential
    from .optimizers import get as get_optimizer

    shapes = archive.shapes
    model = Sequential.from_config(header["config"], seed=header.get("seed"))
    layout = model._plan_layout()  # the architecture's sizes, nothing allocated yet
    _expect(shapes, "params", (layout.n_params,), model.dtype, path, "the weights")
    _expect(shapes, "shuffle_state", (1,), np.uint64, path, "the shuffle state")
    params = archive.read("params")
    if not np.all(np.isfinite(params)):
        raise ModelFileError(f"{path!r}: the saved weights contain NaN or inf.")
    model.build(initialize=False)
    model._params[:] = params
    model._shuffle_state[:] = archive.read("shuffle_state")
    if layout.n_state or "state" in shapes:
        _expect(shapes, "state", (layout.n_state,), model.dtype, path, "the moving statistics")
        state = archive.read("state")
        if not np.all(np.isfinite(state)):
            raise ModelFileError(f"{printable(path)}: the saved moving statistics contain NaN or inf.")
        model._state[:] = state
    if "noise_state" in shapes:  # (files written before dropout existed have none: the seed's start is right)
        _expect(shapes, "noise_state", (2,), np.uint64, path, "the noise state")
        model._noise[:] = archive.read("noise_state")
    metadata = header.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ModelFileError(f"{path!r}: the metadata is not a JSON object.")
    model.metadata = metadata
    names = header.get("feature_names")
    if names is not None and (not isinstance(names, list) or not all(isinstance(n, str) for n in names)
                              or len(names) != layout.n_in or len(set(names)) != len(names)):
        raise ModelFileError(f"{printable(path)}: the feature names are not {layout.n_in} distinct strings.")
    model.feature_names = names
    comp = header.get("compile")
    if compile and comp:
        from .metrics import get as get_metric

        metrics = [get_metric(m) if isinstance(m, dict) else m for m in comp["metrics"]]
        model.compile(optimizer=get_optimizer(comp["optimizer"]), loss=comp["loss"], metrics=metrics)
        if "opt_slots" in shapes:
            rows = max(model.optimizer.n_slots, 1)
            _expect(shapes, "opt_slots", (rows, layout.n_params), model.dtype, path, "the optimizer state")
            _expect(shapes, "opt_state", shapes["opt_state"][0], np.float64, path, "the optimizer state")
            slots, state = archive.read("opt_slots"), archive.read("opt_state")
            if not (np.all(np.isfinite(slots)) and np.all(np.isfinite(state))):
                raise ModelFileError(f"{path!r}: the saved optimizer state contains NaN or inf; load it with "
                                     f"compile=False, or retrain.")
            model.optimizer.set_state(slots, state)
    return model
