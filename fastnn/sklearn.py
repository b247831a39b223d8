"""scikit-learn estimators: FastNNClassifier and FastNNRegressor, a Dense stack trained by fastnn's
kernels behind scikit-learn's conventions (get_params/set_params, clone, pickle, Pipeline,
GridSearchCV, cross_val_score), and checked by scikit-learn's own check_estimator suite
(tests/test_sklearn_estimators.py).

    from fastnn.sklearn import FastNNClassifier
    clf = FastNNClassifier(hidden_layer_sizes=(64,), epochs=100).fit(X, y)

The parameters follow MLPClassifier's where they mean the same thing (hidden_layer_sizes,
activation, learning_rate (Adam's step, MLP's learning_rate_init), batch_size='auto' = min(200,
n), early_stopping with validation_fraction, n_iter_no_change and tol, random_state, verbose);
epochs is MLP's max_iter. As in MLP, training stops when the training loss has not improved by tol
for n_iter_no_change epochs; with early_stopping it watches the loss on a held-out, stratified
validation_fraction and keeps the best weights.

sample_weight follows Keras: each row's loss is weighted and divided by the batch's row count,
so it is not the same as repeating rows (scikit-learn's sample-weight equivalence check is an
expected failure, stated in the test).

Requires scikit-learn (pip install 'fastnn[sklearn]').
"""
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data

from . import activations as _activations
from . import optimizers as _optimizers
from .callbacks import EarlyStopping
from .layers import Dense
from .models import Sequential

# a classifier's loss -> how its labels are encoded and the output activation it needs
_CLASSIFIER_LOSSES = {
    "binary_crossentropy": ("01", "sigmoid"),
    "categorical_crossentropy": ("onehot", "softmax"),
    "sparse_categorical_crossentropy": ("sparse", "softmax"),
    "hinge": ("pm1", "tanh"),
    "squared_hinge": ("pm1", "tanh"),
    "categorical_hinge": ("onehot", "softmax"),
}
_PROBABILISTIC = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")
_REGRESSION_LOSSES = ("mean_squared_error", "mean_absolute_error", "huber", "log_cosh", "mean_squared_logarithmic_error",
                      "mean_absolute_percentage_error")


class _FastNNEstimator(BaseEstimator):
    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [str],
        "loss": [str],
        "optimizer": [str],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "dtype": [StrOptions({"float32", "float64"})],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", loss="auto", optimizer="adam",
                 learning_rate=0.001, epochs=200, batch_size="auto", early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-4, random_state=None, verbose=0, dtype="float32"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype

    # ---- shared machinery ---------------------------------------------------------------------
    def _hidden(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        if any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}.")
        return [int(s) for s in sizes]

    def _new_model(self, n_outputs, output_activation, loss, seed):
        _activations.canonical_name(self.activation)  # an unknown name fails here, with suggestions
        layers = [Dense(units, activation=self.activation) for units in self._hidden()]
        model = Sequential(layers + [Dense(n_outputs, activation=output_activation)], dtype=self.dtype, seed=seed)
        optimizer = _optimizers.get(self.optimizer)
        optimizer = type(optimizer)(**{**optimizer.get_config(), "learning_rate": float(self.learning_rate)})
        model.compile(optimizer=optimizer, loss=loss)
        return model

    def _seed(self):
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _batch(self, n):
        return min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)

    def _train(self, X, y_encoded, sample_weight, stratify, epochs, stopping=True):
        """Fit self.model_ for up to `epochs` epochs, with MLP's stopping rule unless stopping=False
        (partial_fit: the caller runs the loop); returns the History."""
        validation = None
        if stopping and self.early_stopping:
            idx = np.arange(len(X))
            try:
                train_idx, val_idx = train_test_split(idx, test_size=self.validation_fraction,
                                                      random_state=self._split_seed, stratify=stratify)
            except ValueError:  # a class too small to stratify: a plain shuffled split
                train_idx, val_idx = train_test_split(idx, test_size=self.validation_fraction,
                                                      random_state=self._split_seed)
            if len(val_idx) < 2:
                raise ValueError(f"early_stopping: validation_fraction={self.validation_fraction} of {len(X)} samples "
                                 f"leaves {len(val_idx)} validation sample(s); use more data or a larger fraction.")
            sw_val = None if sample_weight is None else sample_weight[val_idx]
            validation = (X[val_idx], y_encoded[val_idx]) + ((sw_val,) if sw_val is not None else ())
            X, y_encoded = X[train_idx], y_encoded[train_idx]
            sample_weight = None if sample_weight is None else sample_weight[train_idx]
        stop = [EarlyStopping(monitor="val_loss" if validation else "loss", min_delta=self.tol,
                              patience=self.n_iter_no_change, restore_best_weights=validation is not None)]
        history = self.model_.fit(X, y_encoded, epochs=epochs, batch_size=self._batch(len(X)),
                                  verbose=2 if self.verbose else 0, sample_weight=sample_weight,
                                  validation_data=validation, callbacks=stop if stopping else [])
        self.loss_curve_ = getattr(self, "loss_curve_", []) + list(history.history.get("loss", []))
        if validation is not None:
            self.validation_scores_ = getattr(self, "validation_scores_", []) + list(history.history["val_loss"])
        self.n_iter_ = getattr(self, "n_iter_", 0) + len(history.epoch)
        return history

    def _reset(self):
        for name in ("loss_curve_", "validation_scores_", "n_iter_"):
            self.__dict__.pop(name, None)
        seed = self._seed()
        self._split_seed = seed
        return seed

    def _predict_outputs(self, X):
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return self.model_.predict(np.ascontiguousarray(X, dtype=self.dtype), verbose=0).astype(np.float64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


class FastNNClassifier(ClassifierMixin, _FastNNEstimator):
    """A Dense network classifier. loss='auto' uses binary crossentropy on a sigmoid for two
    classes and sparse categorical crossentropy on a softmax for more; 'hinge', 'squared_hinge'
    and 'categorical_hinge' train margin classifiers (predict_proba is then not available).

    Fitted attributes: classes_, n_features_in_, feature_names_in_ (DataFrames), model_ (the
    fastnn Sequential), loss_curve_, n_iter_, validation_scores_ (with early_stopping)."""

    def _loss_and_coding(self):
        loss = self.loss
        if loss == "auto":
            loss = "binary_crossentropy" if len(self.classes_) == 2 else "sparse_categorical_crossentropy"
        from .losses import get as get_loss

        name = get_loss(loss).name
        if name not in _CLASSIFIER_LOSSES:
            raise ValueError(f"FastNNClassifier: loss {self.loss!r} is not a classification loss; use 'auto' or one "
                             f"of {sorted(_CLASSIFIER_LOSSES)}.")
        coding, output = _CLASSIFIER_LOSSES[name]
        if coding in ("01", "pm1") and len(self.classes_) != 2:
            raise ValueError(f"FastNNClassifier: loss {name!r} takes two classes, the target has "
                             f"{len(self.classes_)}; use loss='auto' or 'categorical_crossentropy'.")
        return name, coding, output

    def _encode(self, ids):
        if self._coding == "01":
            return ids.astype(np.float64)
        if self._coding == "pm1":
            return ids * 2.0 - 1.0
        if self._coding == "onehot":
            return np.eye(len(self.classes_))[ids]
        return ids

    def _ids(self, y):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        known = np.searchsorted(self.classes_, y)
        known = np.clip(known, 0, len(self.classes_) - 1)
        unseen = self.classes_[known] != y
        if unseen.any():
            raise ValueError(f"y holds label(s) {np.unique(y[unseen])[:5].tolist()} not in classes_ "
                             f"{self.classes_.tolist()}.")
        return known

    def _start(self, X, y, classes):
        check_classification_targets(y)
        self.classes_ = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        if len(self.classes_) < 2:
            raise ValueError(f"FastNNClassifier needs samples of at least 2 classes in the data, but the data "
                             f"contains only one class: {self.classes_.tolist()}.")
        self.loss_, self._coding, output = self._loss_and_coding()
        n_outputs = 1 if self._coding in ("01", "pm1") else len(self.classes_)
        self.model_ = self._new_model(n_outputs, output, self.loss_, self._reset())

    def fit(self, X, y, sample_weight=None):
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        y = column_or_1d(y, warn=True)
        self._start(X, y, None)
        sw = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        self._train(X, self._encode(self._ids(y)), sw, y, self.epochs)
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y); the first call needs `classes` (every label the model will see)."""
        first = not hasattr(self, "model_")
        if first:
            self._validate_params()
            if classes is None:
                raise ValueError("FastNNClassifier.partial_fit: pass classes=... (all labels) on the first call.")
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], reset=first)
        y = column_or_1d(y, warn=True)
        if first:
            self._start(X, y, classes)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes={classes!r} differs from the first call's {self.classes_.tolist()}.")
        sw = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        self._train(X, self._encode(self._ids(y)), sw, None, 1, stopping=False)
        return self

    def predict(self, X):
        out = self._predict_outputs(X)
        if self._coding == "01":
            ids = (out[:, 0] > 0.5).astype(np.int64)
        elif self._coding == "pm1":
            ids = (out[:, 0] > 0).astype(np.int64)
        else:
            ids = out.argmax(axis=1)
        return self.classes_[ids]

    def _has_probabilities(self):
        # predict_proba exists for the crossentropy losses only (a margin loss gives no probabilities)
        from .losses import get as get_loss

        loss = getattr(self, "loss_", self.loss)
        try:
            return loss == "auto" or get_loss(loss).name in _PROBABILISTIC
        except ValueError:
            return False

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        out = self._predict_outputs(X)
        if self._coding == "01":
            p = np.clip(out[:, 0], 0.0, 1.0)
            return np.column_stack([1.0 - p, p])
        return out / out.sum(axis=1, keepdims=True)

    @available_if(_has_probabilities)
    def predict_log_proba(self, X):
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


class FastNNRegressor(RegressorMixin, _FastNNEstimator):
    """A Dense network regressor with a linear output, one unit per target column (multi-output
    regression for a 2-D y). loss='auto' is mean squared error; any regression loss name works.

    Fitted attributes: n_features_in_, feature_names_in_ (DataFrames), n_outputs_, model_,
    loss_curve_, n_iter_, validation_scores_ (with early_stopping)."""

    def _start(self, y):
        from .losses import get as get_loss

        name = get_loss("mse" if self.loss == "auto" else self.loss).name
        if name not in _REGRESSION_LOSSES:
            raise ValueError(f"FastNNRegressor: loss {self.loss!r} is not a regression loss; use 'auto' or one of "
                             f"{list(_REGRESSION_LOSSES)}.")
        self.loss_ = name
        self._one_column = y.ndim == 1
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        self.model_ = self._new_model(self.n_outputs_, "linear", name, self._reset())

    def fit(self, X, y, sample_weight=None):
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], multi_output=True, y_numeric=True)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.reshape(-1, 1)
        self._start(y)
        sw = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        self._train(X, y.reshape(len(y), -1).astype(np.float64), sw, None, self.epochs)
        return self

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y)."""
        first = not hasattr(self, "model_")
        if first:
            self._validate_params()
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], multi_output=True, y_numeric=True,
                             reset=first)
        if first:
            self._start(y)
        elif (1 if y.ndim == 1 else y.shape[1]) != self.n_outputs_:
            raise ValueError(f"y has {1 if y.ndim == 1 else y.shape[1]} target column(s), the model has "
                             f"{self.n_outputs_}.")
        sw = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        self._train(X, y.reshape(len(y), -1).astype(np.float64), sw, None, 1, stopping=False)
        return self

    def predict(self, X):
        out = self._predict_outputs(X)
        return out[:, 0] if self._one_column else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
