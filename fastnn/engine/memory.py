"""Buffer allocation that avoids 4K aliasing.

Loops that stream several large arrays in lockstep (Adam reads params, grads, m and v at the
same index) slow down 3x when the arrays start at the same offset within a 4096-byte page:
the CPU mistakes a load from one for a dependence on a store to another ("4K aliasing").
malloc hands out large arrays at whatever offset it likes, and P float32 parameters make slot
rows exactly 4096 bytes apart whenever P is a multiple of 1024 (269,312 = 263 * 1024 for the
784-256-256-10 model). So each kind of buffer gets its own 64-byte-aligned page offset.
"""
import math

import numpy as np

PAGE = 4096
# page offsets (bytes) per role; multiples of 64 so every buffer is cache-line aligned
OFFSETS = {"params": 0, "grads": 512, "slots": 1024, "work": 2560, "d1": 3072, "d2": 3584, "batch": 256}
ROLE_NAMES = {"params": "parameters", "grads": "gradients", "slots": "optimizer slots", "work": "activations",
              "d1": "backward buffers", "d2": "backward buffers", "batch": "input batch"}
SLOT_ROW_SHIFT = 512  # consecutive slot rows start 512 bytes further into the page


def zeros(shape, dtype, role):
    """np.zeros(shape, dtype) whose data starts at OFFSETS[role] within a page."""
    dtype = np.dtype(dtype)
    n = math.prod(shape) if isinstance(shape, tuple) else int(shape)
    try:
        raw = np.zeros(n * dtype.itemsize + PAGE, dtype=np.uint8)  # the start moves < PAGE bytes in
    except MemoryError:  # NumPy's own message names a uint8 array of a size the user never asked for
        raise MemoryError(f"fastnn cannot allocate {_size(n * dtype.itemsize)} for the model's {ROLE_NAMES[role]} "
                          f"({n:,} {dtype.name} values): use fewer or narrower layers, or a smaller "
                          f"batch_size.") from None
    start = (OFFSETS[role] - raw.ctypes.data) % PAGE
    return raw[start:start + n * dtype.itemsize].view(dtype).reshape(shape)


def _size(n_bytes):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n_bytes < 1024 or unit == "GiB":
            return f"{n_bytes:.1f} {unit}" if unit != "bytes" else f"{n_bytes} bytes"
        n_bytes /= 1024


def slot_row_length(n_params, dtype):
    """Row length >= n_params that puts consecutive slot rows SLOT_ROW_SHIFT bytes apart mod PAGE."""
    itemsize = np.dtype(dtype).itemsize
    per_page = PAGE // itemsize
    shift = SLOT_ROW_SHIFT // itemsize
    length = n_params + (shift - n_params % per_page) % per_page
    return length if length >= n_params else length + per_page
