"""keras.datasets.reuters: 11,228 Reuters newswires as lists of word ids, labelled with 46 topics
(Keras's file, shuffle, split and word-id mapping)."""
import numpy as np

from . import sequences as S
from .download import ORIGIN, get_file

FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
               "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
               "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
               "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
               "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, start_char=1,
              oov_char=2, index_from=3):
    """((x_train, y_train), (x_test, y_test)): x an object array of word-id lists, y topic ids 0-45."""
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0 <= test_split < 1:
        raise ValueError(f"reuters.load_data: test_split must be in [0, 1), got {test_split!r}.")
    f = S.load_npz(get_file(path, origin=f"{ORIGIN}reuters.npz", file_hash=FILE_HASH))
    xs, labels = f["x"], f["y"]
    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = xs[order], labels[order]
    xs = S.shift(xs, start_char, index_from)  # before maxlen: the length counts start_char
    if maxlen:
        xs, labels = S.shorter_than(maxlen, xs, labels)
    xs = S.limit(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return (S.as_object_array(xs[:cut]), np.array(labels[:cut])), (S.as_object_array(xs[cut:]), np.array(labels[cut:]))


def get_word_index(path="reuters_word_index.json"):
    return S.word_index(path, WORD_INDEX_HASH)


def get_label_names():
    return LABEL_NAMES
