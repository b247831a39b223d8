"""Keras's get_file for its datasets: a file in Keras's cache ($KERAS_HOME or ~/.keras, then
/tmp/.keras when that is not writable), downloaded from Keras's address when missing or damaged.

A file already in the cache is used as it is when its SHA-256 matches, so data a Keras user has
already downloaded loads offline. A download goes to a temporary file in the cache directory and
becomes the cached file only once it is complete and its hash matches (fastnn/atomic.py): an
interrupted or corrupt download never leaves a damaged file behind.
"""
import hashlib
import os
import tempfile

from ..atomic import replacing

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
TIMEOUT = 60  # seconds without data before a download is given up


def cache_dir(subdir="datasets"):
    """Where Keras keeps downloaded datasets (created if needed)."""
    base = os.path.expanduser(os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))
    if not _creatable(base):  # as Keras: a read-only home falls back to the temporary directory
        base = os.path.join(tempfile.gettempdir(), ".keras")
    path = os.path.join(base, subdir)
    os.makedirs(path, exist_ok=True)
    return path


def _creatable(path):
    try:
        os.makedirs(path, exist_ok=True)
        return os.access(path, os.W_OK)
    except OSError:
        return False


def _hasher(file_hash):
    # Keras's hashes are SHA-256 (64 hex digits), a few older ones MD5 (32), as its get_file tells them apart
    return hashlib.md5() if file_hash is not None and len(file_hash) == 32 else hashlib.sha256()


def file_digest(path, file_hash=None):
    """The hex digest of the file at path, with the algorithm file_hash is written in."""
    digest = _hasher(file_hash)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def get_file(fname, origin, file_hash=None, cache_subdir="datasets"):
    """The path of fname in the cache, downloading it from origin first if it is missing or its
    hash (SHA-256, or MD5 for a 32-digit file_hash) is not file_hash."""
    import urllib.error  # here, not at import: urllib.request costs `import fastnn` ~15 ms
    import urllib.request

    path = os.path.join(cache_dir(cache_subdir), fname)
    if os.path.isfile(path) and (file_hash is None or file_digest(path, file_hash) == file_hash):
        return path
    try:
        with urllib.request.urlopen(origin, timeout=TIMEOUT) as response, replacing(path) as out:
            digest = _hasher(file_hash)
            for block in iter(lambda: response.read(1 << 20), b""):
                out.write(block)
                digest.update(block)
            if file_hash is not None and digest.hexdigest() != file_hash:
                raise ValueError(f"the file downloaded from {origin} does not have the expected hash ({file_hash}); "
                                 f"it was not kept. Try again, or place a good copy at {path}.")
    except (urllib.error.URLError, OSError) as exc:  # no network, DNS, refused, timeout, disk full
        reason = getattr(exc, "reason", None) or exc
        raise OSError(f"could not download {fname} from {origin} ({reason}). On a machine without internet, copy "
                      f"the file to {path} (Keras's cache: a file Keras downloaded works as it is).") from None
    return path
