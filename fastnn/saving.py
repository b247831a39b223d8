"""model.save(path) / fastnn.load_model(path): one safe file with everything needed to resume.

The file is a NumPy .npz archive (a zip, CRC-checked) read with allow_pickle=False, so loading
never executes code. Members:
    header          JSON (utf-8 bytes): format name and version, model config, compile settings,
                    seed, user metadata (e.g. the CLI's label names)
    params          the flat parameter buffer
    shuffle_state   the kernel RNG state (uint64), so resumed training shuffles as it would have
    opt_slots, opt_state   optimizer state, when saved with include_optimizer=True
Saving writes a temporary file next to the target and renames it over the target, so a crash
never leaves a half-written file in place of a good one.
"""
import json
import os
import tempfile
import zipfile

import numpy as np

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
        "compile": None,
    }
    arrays = {"params": model._params, "shuffle_state": model._shuffle_state}
    if model.compiled:
        from .optimizers import serialize

        header["compile"] = {
            "optimizer": serialize(model.optimizer),
            "loss": model.loss.get_config(),
            "metrics": [m if isinstance(m, str) else getattr(m, "__name__", str(m)) for m in model._metric_identifiers],
        }
        if include_optimizer and model.optimizer.built:
            arrays["opt_slots"], arrays["opt_state"] = model.optimizer.get_state()
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".fastnn-save-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read(path):
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_model: no such file {path!r}.")
    if os.path.isdir(path):
        raise ModelFileError(f"load_model: {path!r} is a directory, not a fastnn model file.")
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):  # a bare .npy array
            raise ModelFileError(f"{path!r} is a NumPy array file, not a fastnn model file.")
        with data:
            if "header" not in data.files:
                raise ModelFileError(f"{path!r} is not a fastnn model file (no fastnn header).")
            arrays = {name: data[name] for name in data.files}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise ModelFileError(
            f"{path!r} is not a readable fastnn model file (truncated, corrupt, or another format): {exc}"
        ) from None
    try:
        header = json.loads(arrays.pop("header").tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path!r}: the fastnn header is corrupt ({exc}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path!r} is not a fastnn model file.")
    if header.get("format_version", 0) > FORMAT_VERSION:
        raise ModelFileError(f"{path!r} was written by a newer fastnn (format {header['format_version']}); "
                             f"this fastnn {__version__} reads format {FORMAT_VERSION}. Upgrade fastnn.")
    return header, arrays


def load_model(filepath, compile=True):
    """Rebuild a model saved by model.save: architecture, weights, compile settings and
    optimizer state, so fit continues exactly where it stopped."""
    from .models import Sequential
    from .optimizers import get as get_optimizer

    path = os.fspath(filepath)
    header, arrays = _read(path)
    try:
        model = Sequential.from_config(header["config"], seed=header.get("seed"))
        model.build()
        params = arrays["params"]
        if params.shape != model._params.shape or params.dtype != model._params.dtype:
            raise ModelFileError(f"{path!r}: the weights ({params.shape}, {params.dtype}) do not match the "
                                 f"architecture ({model._params.shape}, {model._params.dtype}).")
        if not np.all(np.isfinite(params)):
            raise ModelFileError(f"{path!r}: the saved weights contain NaN or inf.")
        model._params[:] = params
        model._shuffle_state[:] = arrays["shuffle_state"]
        model.metadata = header.get("metadata") or {}
        comp = header.get("compile")
        if compile and comp:
            model.compile(optimizer=get_optimizer(comp["optimizer"]), loss=comp["loss"], metrics=comp["metrics"])
            if "opt_slots" in arrays:
                slots = arrays["opt_slots"]
                if slots.ndim != 2 or slots.shape[1] != model._params.size:
                    raise ModelFileError(f"{path!r}: the optimizer state does not match the weights.")
                model.optimizer.set_state(slots.astype(model.dtype), arrays["opt_state"])
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path!r}: the model description is invalid or incomplete ({exc}).") from None
    return model
