"""Datasets. The seed tutorial's: 5 features uniform in [0, 1), class 1 when the row sums to more
than 2.5, 250 rows to train on (the tutorial's) and a fresh 200-row held-out set. And Keras's own,
as `from keras.datasets import mnist` scripts load them: mnist, fashion_mnist, boston_housing,
imdb, reuters (downloaded from Keras's address into Keras's cache, ~/.keras/datasets: see download.py)."""
import numpy as np

from . import boston_housing, fashion_mnist, imdb, mnist, reuters  # noqa: F401 (keras.datasets.mnist.load_data())

N_FEATURES = 5


def tutorial_data(n=250, seed=0):
    """(x (n, 5) float64, labels (n,) int64 in {0, 1})."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, N_FEATURES))
    return x, (x.sum(axis=1) > 2.5).astype(np.int64)


def tutorial_split(seed=0, n_train=250, n_test=200):
    """((x_train, y_train), (x_test, y_test)), the test rows drawn independently."""
    train_seq, test_seq = np.random.SeedSequence(seed).spawn(2)
    x_train, y_train = tutorial_data(n_train, train_seq)
    x_test, y_test = tutorial_data(n_test, test_seq)
    return (x_train, y_train), (x_test, y_test)
