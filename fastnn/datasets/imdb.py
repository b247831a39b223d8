"""keras.datasets.imdb: 25,000 + 25,000 movie reviews as lists of word ids, labelled 0/1 (Keras's
file, shuffle and word-id mapping)."""
import numpy as np

from . import sequences as S
from .download import ORIGIN, get_file

FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, **kwargs):
    """((x_train, y_train), (x_test, y_test)): x an object array of word-id lists, y 0/1."""
    if kwargs:
        raise TypeError(f"imdb.load_data got unexpected argument(s): {sorted(kwargs)}.")
    f = S.load_npz(get_file(path, origin=f"{ORIGIN}imdb.npz", file_hash=FILE_HASH))
    rng = np.random.RandomState(seed)
    parts = []
    for x, y in ((f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])):
        order = np.arange(len(x))
        rng.shuffle(order)  # one generator for both, in this order, as Keras
        xs = S.shift(x[order], start_char, index_from)
        labels = y[order]
        if maxlen:
            xs, labels = S.shorter_than(maxlen, xs, labels)
            if not xs:
                raise ValueError(f"imdb.load_data: no sequence is shorter than maxlen={maxlen}; increase maxlen.")
        parts.append((xs, np.asarray(labels)))
    (x_train, y_train), (x_test, y_test) = parts
    xs = S.limit(x_train + x_test, num_words, skip_top, oov_char)
    return ((S.as_object_array(xs[:len(x_train)]), y_train), (S.as_object_array(xs[len(x_train):]), y_test))


def get_word_index(path="imdb_word_index.json"):
    return S.word_index(path, WORD_INDEX_HASH)
