"""Input checks at the boundary: everything the kernels receive is validated and coerced here,
once, with errors that name the problem and the fix."""
import math
import os
import stat

import numpy as np


def features(x, n_features, dtype, what="x"):
    """x as a C-contiguous (N, n_features) array of the model dtype, finite, non-empty."""
    if x is None:
        raise ValueError(f"{what} is None: pass a 2-D array of shape (samples, {n_features or 'features'}).")
    if is_sparse(x):  # e.g. scikit-learn's TF-IDF output; Dense layers need every value, as Keras densifies
        x = x.toarray()
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{what} must be numeric, got dtype {arr.dtype}.")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{what} must be real-valued, got dtype {arr.dtype}.")
    if arr.ndim == 1 and n_features is not None and n_features > 1 and arr.shape[0] == n_features:
        raise ValueError(
            f"{what} has shape {arr.shape}: one sample must still be 2-D, i.e. {what}.reshape(1, -1) "
            f"for shape (1, {n_features})."
        )
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(
            f"{what} must be 2-D (samples, features), got shape {arr.shape}. "
            f"Flatten each sample first: {what}.reshape(len({what}), -1)."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{what} is empty (0 samples).")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(
            f"{what} has {arr.shape[1]} feature(s) per sample but the model expects {n_features}."
        )
    if not all_finite(arr):
        bad = np.argwhere(~np.isfinite(arr))
        raise ValueError(
            f"{what} contains {len(bad)} NaN or inf value(s), first at row {bad[0][0]}, column {bad[0][1]}. "
            f"Drop or impute them before training."
        )
    return cast_finite(arr, dtype, what)


def flat_list(items):
    """None, one item, or (nested) lists/tuples of items as one flat list (Keras flattens callbacks=
    and a config's metrics this way)."""
    if items is None:
        return []
    if isinstance(items, (list, tuple)):
        return [x for item in items for x in flat_list(item)]
    return [items]


def single_entry(value, what):
    """A dict of one array (Keras's inputs or outputs by name, e.g. {"digits": x}) as that array;
    fastnn models have one input and one output, so more entries are an error."""
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise ValueError(f"{what} is a dict of {len(value)} arrays ({sorted(map(str, value))}); fastnn models have "
                         f"one input and one output, so pass one array.")
    return next(iter(value.values()))


def is_sparse(x):
    """A SciPy sparse matrix or array (without importing SciPy for everything else)."""
    return type(x).__module__.startswith("scipy.sparse") and hasattr(x, "toarray")


_FINITE_CHUNK = 1 << 16


def all_finite(arr):
    """True when no value is NaN or inf. In chunks that stay in cache: np.isfinite(arr).all() over
    60000x784 float32 allocated a 47 MB mask per fit (19 ms and its page faults; chunks: 10 ms)."""
    flat = arr.reshape(-1)
    if flat.dtype.kind not in "fc":
        return True  # integers and booleans are always finite
    mask = np.empty(min(flat.size, _FINITE_CHUNK), dtype=bool)
    for start in range(0, flat.size, _FINITE_CHUNK):
        part = flat[start:start + _FINITE_CHUNK]
        if not np.isfinite(part, out=mask[:part.size]).all():
            return False
    return True


def cast_finite(arr, dtype, what):
    """arr as C-contiguous dtype; a finite value too large for dtype (1e39 in float32) is an error
    that says so, not a silent inf."""
    target = np.dtype(dtype)
    if arr.dtype.kind == "f" and target.itemsize < arr.dtype.itemsize and arr.size:
        largest = _LARGEST[target.itemsize]
        if arr.max() > largest or arr.min() < -largest:
            bad = np.argwhere(np.abs(arr) > largest)[0]
            where = f"row {bad[0]}" + (f", column {bad[1]}" if len(bad) > 1 else "")
            raise ValueError(f"{what} holds {arr[tuple(bad)]:g} at {where}, which overflows {target.name} (largest "
                             f"{largest:.3g}). Rescale the data, or use dtype='float64' (--dtype float64).")
    return np.ascontiguousarray(arr, dtype=dtype)


_LARGEST = {4: float(np.finfo(np.float32).max), 8: float(np.finfo(np.float64).max)}  # by itemsize


def sample_weights(sw, n, dtype, what="sample_weight"):
    if sw is None:
        return np.ones(n, dtype=dtype)
    arr = np.asarray(sw, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.reshape(-1)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{what} must have one value per sample ({n}), got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{what} must be finite and non-negative.")
    return np.ascontiguousarray(arr, dtype=dtype)


def positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}.")
    return int(value)


def count(value, what):
    """A non-negative whole number (patience, cooldown, an epoch): an int, or a float with no
    fraction such as 3.0, as Keras scripts pass them; never inf or NaN."""
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {value!r}.")
    return int(value)


def check_regular_file(path, what, error=ValueError):
    """Refuse, before opening it, anything but an existing regular file: a directory, a FIFO (which
    would block forever), a device such as /dev/zero (which never ends), a socket."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{what}: no such file {printable(path)}.") from None
    except OSError as exc:
        raise error(f"{what}: cannot read {printable(path)} ({exc.strerror}).") from None
    if stat.S_ISDIR(mode):
        raise error(f"{what}: {printable(path)} is a directory, not a file.")
    if not stat.S_ISREG(mode):
        kind = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise error(f"{what}: {printable(path)} is {kind}, not a regular file; save the data to a file first.")


def printable(path):
    """A path quoted for a one-line message: newlines and other control characters escaped."""
    return repr(os.fspath(path))


def number(owner, name, value, low=None, high=None, low_open=False, high_open=False, allow_none=False):
    """A finite float within [low, high] (or open bounds), else a clear TypeError/ValueError. The one
    scalar check of every hyperparameter, activation parameter and loss option."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner}: {name} must be a number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value}.")
    lo_bad = low is not None and (value <= low if low_open else value < low)
    hi_bad = high is not None and (value >= high if high_open else value > high)
    if lo_bad or hi_bad:
        lo = "" if low is None else ("(" if low_open else "[") + f"{low:g}"
        hi = "" if high is None else f"{high:g}" + (")" if high_open else "]")
        where = f"in {lo}, {hi}" if low is not None and high is not None else (
            f"{'>' if low_open else '>='} {low:g}" if low is not None else f"{'<' if high_open else '<='} {high:g}")
        raise ValueError(f"{owner}: {name} must be {where}, got {value:g}.")
    return value
