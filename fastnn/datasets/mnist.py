"""keras.datasets.mnist: 60,000 + 10,000 28x28 uint8 digit images and their uint8 labels."""
import numpy as np

from .download import ORIGIN, get_file

FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # Keras's, for mnist.npz


def load_data(path="mnist.npz"):
    """((x_train (60000, 28, 28), y_train (60000,)), (x_test (10000, 28, 28), y_test (10000,))), as Keras."""
    path = get_file(path, origin=f"{ORIGIN}mnist.npz", file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
