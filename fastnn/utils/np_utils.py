"""keras.utils.np_utils (Keras 1/2): to_categorical, normalize."""
import numpy as np


def to_categorical(y, num_classes=None, dtype="float32", nb_classes=None):
    """Class ids (N,) -> one-hot (N, num_classes). nb_classes= is Keras 1's spelling."""
    if nb_classes is not None:
        num_classes = nb_classes
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim != 1:
        raise ValueError(f"to_categorical takes class ids of shape (N,), got shape {y.shape}.")
    if y.size and (not np.all(np.isfinite(y.astype(np.float64))) or np.any(y != np.round(y)) or y.min() < 0):
        raise ValueError("to_categorical needs non-negative integer class ids.")
    ids = y.astype(np.int64)
    n = int(ids.max()) + 1 if ids.size else 0
    if num_classes is None:
        num_classes = n
    elif num_classes < n:
        raise ValueError(f"to_categorical: class id {n - 1} does not fit num_classes={num_classes}.")
    out = np.zeros((len(ids), num_classes), dtype=dtype)
    out[np.arange(len(ids)), ids] = 1
    return out


def normalize(x, axis=-1, order=2):
    """keras.utils.normalize: x divided by its `order`-norm along `axis` (rows of norm 0 left as they are)."""
    x = np.asarray(x)
    if x.dtype == object or not np.issubdtype(x.dtype, np.number):
        raise ValueError(f"normalize takes a numeric array, got dtype {x.dtype}.")
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
