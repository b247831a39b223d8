"""fastnn.kernels: every number fastnn computes, as Numba @njit functions over flat arrays.

No classes, no mutable globals, no Python objects: contiguous float32/float64 arrays,
int64 tables and integer codes (see codes.py). The Python layer above validates and
coerces every input, so nothing here re-checks shapes or names.

Numba's on-disk cache keys each function by its OWN file's timestamp, not by the files of the
functions it calls: after an edit to dense.py, train_epochs' cached code (train.py) would still
hold the old dense code. So on import this package hashes all kernel sources and, when the
hash differs from the one its cache was built from, deletes fastnn's cache entries first.
"""
import hashlib
import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_STAMP = "fastnn-kernel-sources.sha256"


DIRECTORY = _HERE


def numba_cache_dir():
    """Where Numba keeps the compiled kernels: $NUMBA_CACHE_DIR (below which Numba mirrors the
    source directory's absolute path) or kernels/__pycache__."""
    configured = os.environ.get("NUMBA_CACHE_DIR")
    if configured:
        return Path(configured) / str(_HERE).lstrip(os.sep)
    return _HERE / "__pycache__"


def source_digest():
    """One hash of every kernel source (names and bytes): keys the Numba cache and the AOT modules."""
    h = hashlib.sha256()
    for path in sorted(_HERE.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _invalidate_stale_cache():
    digest = source_digest()
    cache = numba_cache_dir()
    stamp = cache / _STAMP
    try:
        if stamp.read_text() == digest:
            return
    except OSError:
        pass
    modules = {p.stem for p in _HERE.glob("*.py")}
    for entry in cache.glob("*.nb[ic]") if cache.is_dir() else ():
        if entry.name.split(".", 1)[0] in modules:
            try:
                entry.unlink()
            except OSError:
                pass
    try:
        cache.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest)
    except OSError:
        pass  # a read-only install: Numba then caches elsewhere or not at all


_invalidate_stale_cache()
