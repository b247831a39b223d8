"""What keras.datasets.imdb and reuters share: reading their .npz files, whose reviews and
newswires are ragged lists of word ids stored as NumPy object arrays (a pickle stream), and Keras's
re-indexing of the word ids (shift: start_char, index_from; then maxlen; then limit: num_words,
skip_top, oov_char).

Object arrays can only be read by unpickling, and unpickling a tampered file can run code, so the
unpickler here accepts only the three globals that rebuild a NumPy array (as Keras's own
npz_utils does); anything else is refused before it runs.
"""
import io
import json
import pickle
import zipfile

import numpy as np

from .download import ORIGIN, get_file

_ARRAY_GLOBALS = frozenset({("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
                            ("numpy._core.multiarray", "_reconstruct")})


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ARRAY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file: only NumPy arrays are "
                                     f"expected; the file may be damaged or malicious.")


def _read_member(buffer):
    try:
        return np.lib.format.read_array(buffer, allow_pickle=False)  # numeric arrays: no pickle at all
    except ValueError:  # an object array: its pickle stream, read by the restricted unpickler
        buffer.seek(0)
        major, _ = np.lib.format.read_magic(buffer)
        if major == 1:
            np.lib.format.read_array_header_1_0(buffer)
        elif major in (2, 3):
            np.lib.format.read_array_header_2_0(buffer)
        else:
            raise ValueError(f"unsupported .npy version {major}") from None
        return _ArraysOnly(buffer).load()


def load_npz(path):
    """{name: array} of an .npz archive, object arrays included, without unpickling anything but arrays."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[:-4]] = _read_member(io.BytesIO(raw.read()))
    return arrays


def shift(xs, start_char, index_from):
    """Keras's first step: every word id + index_from, with start_char in front (when not None)."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    return [[w + index_from for w in x] for x in xs]


def limit(xs, num_words, skip_top, oov_char):
    """Keras's last step: ids outside [skip_top, num_words) become oov_char, or are dropped when it is
    None. Without num_words the limit is the largest id, which (as in Keras) is itself left out."""
    if not num_words:
        num_words = max(max(x) for x in xs if len(x))
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def shorter_than(maxlen, xs, labels):
    """The sequences (and their labels) shorter than maxlen (Keras's remove_long_seq)."""
    kept = [i for i, x in enumerate(xs) if len(x) < maxlen]
    return [xs[i] for i in kept], np.asarray(labels)[kept]


def as_object_array(xs):
    out = np.empty(len(xs), dtype=object)  # always 1-D of lists, even when every list has the same length
    out[:] = xs
    return out


def word_index(fname, file_hash):
    """{word: id} from Keras's JSON word index."""
    with open(get_file(fname, origin=ORIGIN + fname, file_hash=file_hash)) as f:
        return json.load(f)
