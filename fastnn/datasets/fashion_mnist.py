"""keras.datasets.fashion_mnist: Zalando's 28x28 clothing images, laid out as MNIST (four gzipped
IDX files; Keras gives no hashes for them, so each file's IDX header is checked instead)."""
import gzip
import os

import numpy as np

from .download import ORIGIN, get_file

FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz"]
_MAGIC = {1: 2049, 3: 2051}  # IDX magic numbers: labels (1-D), images (3-D)


def _idx(path, dims):
    with gzip.open(path, "rb") as f:
        data = f.read()
    header = 4 * (1 + dims)
    if len(data) < header or int.from_bytes(data[:4], "big") != _MAGIC[dims]:
        raise ValueError(f"{path} is not a gzipped IDX file of {dims} dimension(s); delete it to download it again.")
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    arr = np.frombuffer(data, np.uint8, offset=header)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{path} holds {arr.size} values for shape {tuple(shape)}; delete it to download it again.")
    return arr.reshape(shape)


def load_data():
    """((x_train (60000, 28, 28), y_train), (x_test (10000, 28, 28), y_test)), uint8, as Keras."""
    subdir = os.path.join("datasets", "fashion-mnist")
    y_train, x_train, y_test, x_test = (
        _idx(get_file(name, origin=ORIGIN + name, cache_subdir=subdir), 1 if "labels" in name else 3)
        for name in FILES)
    return (x_train, y_train), (x_test, y_test)
