"""Global settings: the default float dtype (Keras's floatx) and the fuzz factor epsilon."""
import numpy as np

_FLOATX = "float32"
EPSILON = 1e-7  # Keras 3 backend epsilon, used by the losses' clipping

_DTYPES = {"float32": np.float32, "float64": np.float64}


def floatx():
    """The default dtype of new models: 'float32' unless changed by set_floatx."""
    return _FLOATX


def set_floatx(dtype):
    """Set the default dtype of new models: 'float32' (fast) or 'float64' (exact)."""
    global _FLOATX
    _FLOATX = resolve_dtype(dtype).__name__


def resolve_dtype(dtype):
    """'float32' / np.float32 / None (-> floatx) to the NumPy scalar type, or a clear error."""
    if dtype is None:
        dtype = _FLOATX
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in _DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}.")
    return _DTYPES[name]


def epsilon():
    return EPSILON
