"""Keras's metric functions: per-sample values, as keras.metrics.binary_accuracy(y_true, y_pred)
returns them. compile(metrics=[fastnn.metrics.binary_accuracy]) runs the same metric in the kernel."""
import numpy as np

from ..losses import (  # noqa: F401 (every loss function is a metric function too)
    binary_crossentropy, categorical_crossentropy, categorical_hinge, cosine_similarity, hinge, kl_divergence,
    log_cosh, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge,
)
from .objects import _2d, _in_top_k


def binary_accuracy(y_true, y_pred, threshold=0.5):
    return np.mean((_2d(y_pred) > threshold).astype(float) == _2d(y_true), axis=-1)


def categorical_accuracy(y_true, y_pred):
    return (np.argmax(_2d(y_true), axis=-1) == np.argmax(_2d(y_pred), axis=-1)).astype(float)


def sparse_categorical_accuracy(y_true, y_pred):
    return (np.asarray(y_true, dtype=np.float64).reshape(-1) == np.argmax(_2d(y_pred), axis=-1)).astype(float)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    return _in_top_k(np.argmax(_2d(y_true), axis=-1), y_pred, k).astype(float)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    return _in_top_k(np.asarray(y_true).reshape(-1).astype(np.int64), y_pred, k).astype(float)


# Keras 1/2 short names
mse, mae, mape, msle = mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, \
    mean_squared_logarithmic_error
