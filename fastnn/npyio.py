"""Reading .npy and .npz files that may be hostile: never pickle, and read every array's header
(shape, dtype) before its data, so a file that claims more than it holds is refused before
anything that size is allocated. Used by load_model and the command line's data readers.

    header_of(f)                   (shape, dtype) of the .npy stream f, positioned after its header
    read_npy(path)                 one array from a .npy file
    NpzArchive(path)               members of an .npz: .shapes {name: (shape, dtype)}, .read(name)

Every failure is NpyFileError (a ValueError) with a one-line message.
"""
import math
import os
import struct
import tokenize
import zipfile
import zlib

import numpy as np

from ._validation import check_regular_file, printable


class NpyFileError(ValueError):
    """The file is not a readable, safe .npy/.npz file."""


# what corrupt, truncated or crafted archives raise inside zipfile/zlib/numpy
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError, struct.error,
               NotImplementedError, RecursionError, MemoryError, OverflowError, UnicodeDecodeError, TypeError,
               SyntaxError, tokenize.TokenError)  # the last two from NumPy parsing a mangled header


def one_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def header_of(f, where="array"):
    """(shape, dtype) from a .npy header; f is left at the start of the data."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise NpyFileError(f"{where}: unsupported NumPy format version {version}.")
    if dtype.hasobject:
        raise NpyFileError(f"{where} holds Python objects (pickled data); refused, fastnn never unpickles.")
    return tuple(shape), dtype


def _nbytes(shape, dtype):
    return math.prod(shape) * dtype.itemsize


def read_npy(path, what="array"):
    """The array in a .npy file, after checking that the file really holds what its header claims."""
    check_regular_file(path, what, error=NpyFileError)
    try:
        with open(path, "rb") as f:
            shape, dtype = header_of(f, f"{what} {printable(path)}")
            available = os.fstat(f.fileno()).st_size - f.tell()
            if _nbytes(shape, dtype) > available:
                raise NpyFileError(f"{what} {printable(path)}: the header claims shape {shape} ({dtype}) but the "
                                   f"file holds only {available} bytes of data (truncated or corrupt).")
            f.seek(0)
            return np.lib.format.read_array(f, allow_pickle=False)
    except NpyFileError:
        raise
    except READ_ERRORS as exc:
        raise NpyFileError(f"cannot read {what} {printable(path)}: not a valid NumPy file ({one_line(exc)}).") \
            from None


class NpzArchive:
    """An .npz archive opened for safe reading: every member's header is checked on open."""

    def __init__(self, path, what="archive"):
        check_regular_file(path, what, error=NpyFileError)
        self.path, self.what = path, what
        try:
            self.zip = zipfile.ZipFile(path)
        except READ_ERRORS as exc:
            raise NpyFileError(f"cannot read {what} {printable(path)}: not a valid .npz archive "
                               f"({one_line(exc)}).") from None
        try:
            self.shapes = {}
            for info in self.zip.infolist():
                if not info.filename.endswith(".npy"):
                    raise NpyFileError(f"{what} {printable(path)}: unexpected member {info.filename!r}.")
                with self.zip.open(info) as f:
                    shape, dtype = header_of(f, f"{what} {printable(path)}, member {info.filename!r}")
                if _nbytes(shape, dtype) > info.file_size:
                    raise NpyFileError(f"{what} {printable(path)}: member {info.filename!r} claims shape {shape} "
                                       f"but holds {info.file_size} bytes (corrupt).")
                self.shapes[info.filename[:-4]] = (shape, dtype)
        except NpyFileError:
            self.close()
            raise
        except READ_ERRORS as exc:
            self.close()
            raise NpyFileError(f"cannot read {what} {printable(path)}: corrupt .npz archive ({one_line(exc)}).") \
                from None

    def read(self, name):
        try:
            with self.zip.open(name + ".npy") as f:
                return np.lib.format.read_array(f, allow_pickle=False)
        except READ_ERRORS as exc:
            raise NpyFileError(f"cannot read {self.what} {printable(self.path)}, member {name!r}: corrupt "
                               f"({one_line(exc)}).") from None

    def close(self):
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
