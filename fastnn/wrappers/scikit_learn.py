"""Keras 2's scikit-learn wrappers (keras.wrappers.scikit_learn, removed in Keras 2.12/3), so the
many tutorials built on them run with only their imports changed:

    from fastnn.wrappers.scikit_learn import KerasClassifier
    model = KerasClassifier(build_fn=create_model, epochs=150, batch_size=10, verbose=0)
    results = cross_val_score(model, X, Y, cv=StratifiedKFold(n_splits=10, shuffle=True))

As in Keras 2: `build_fn` returns a compiled model; every other keyword is a parameter that is
routed, by name, to build_fn and to the model's fit/predict/evaluate (epochs, nb_epoch,
batch_size, verbose, ...); get_params/set_params expose them to GridSearchCV; the classifier maps
labels to 0..k-1 (classes_), one-hot encodes them for a categorical crossentropy model, and scores
with the model's accuracy; the regressor scores with -loss. Differences from Keras 2, on purpose:
predict returns a 1-D array of labels (Keras 2 gave (n, 1) for a one-unit model), and fit
returns the History as Keras 2 did (not self).

Requires scikit-learn for clone/GridSearchCV (pip install 'fastnn[sklearn]'); the wrappers
themselves import only NumPy and fastnn.
"""
import inspect
import types

import numpy as np

from ..models import Sequential
from ..utils import to_categorical

try:  # the estimator type (classifier/regressor) that cross_val_score's stratified folds look for
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
except ImportError:  # the wrappers still work by hand; scikit-learn's helpers need scikit-learn
    BaseEstimator = object

    class ClassifierMixin:
        _estimator_type = "classifier"

    class RegressorMixin:
        _estimator_type = "regressor"


def _accepts(fn, name):
    """Whether fn takes a parameter called `name` (Keras 2's has_arg: **kwargs does not count)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    p = params.get(name)
    return p is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)


class BaseWrapper(BaseEstimator):
    """Holds build_fn and the sk_params; builds a fresh model on every fit."""

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_target(self):
        if self.build_fn is None:
            if not callable(getattr(self, "__call__", None)) or type(self).__call__ is BaseWrapper.__call__:
                raise ValueError(f"{type(self).__name__}: pass build_fn=a function returning a compiled model "
                                 f"(or subclass and define __call__).")
            return self.__call__
        if isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn
        if callable(self.build_fn):
            return self.build_fn.__call__
        raise TypeError(f"build_fn must be a function returning a compiled model, got {self.build_fn!r}.")

    def __call__(self, **kwargs):  # subclasses may define the model here instead of build_fn
        raise NotImplementedError

    def check_params(self, params):
        """Every parameter must be an argument of build_fn or of fit/predict/evaluate (as Keras 2)."""
        targets = [Sequential.fit, Sequential.predict, Sequential.predict_classes, Sequential.evaluate]
        if self.build_fn is not None or type(self).__call__ is not BaseWrapper.__call__:
            targets.append(self._build_target())
        for name in params:
            if name == "nb_epoch" or any(_accepts(fn, name) for fn in targets):
                continue
            raise ValueError(f"{name} is not a legal parameter: it is not an argument of build_fn or of the "
                             f"model's fit/predict/evaluate.")

    def get_params(self, deep=True):
        return {**self.sk_params, "build_fn": self.build_fn}

    def set_params(self, **params):
        self.check_params({k: v for k, v in params.items() if k != "build_fn"})
        if "build_fn" in params:
            self.build_fn = params.pop("build_fn")
        self.sk_params.update(params)
        return self

    def __sklearn_is_fitted__(self):
        # scikit-learn's check_is_fitted (Pipeline.score calls it on the last step) looks for this or for
        # attributes ending in "_"; the regressor has none of those, so a Pipeline's score refused it
        return getattr(self, "model", None) is not None

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def filter_sk_params(self, fn, override=None):
        """The sk_params that fn takes, updated by override."""
        out = {name: value for name, value in self.sk_params.items() if _accepts(fn, name)}
        out.update(override or {})
        return out

    def fit(self, x, y, **kwargs):
        """Build a fresh model with build_fn and fit it; returns the History (as Keras 2)."""
        target = self._build_target()
        self.model = target(**self.filter_sk_params(target))
        if not hasattr(self.model, "fit") or not getattr(self.model, "compiled", True):
            raise ValueError("build_fn must return a compiled model (call model.compile(...) before returning it).")
        y = np.asarray(y)
        if _loss_name(self.model) == "categorical_crossentropy" and y.ndim != 2:
            y = to_categorical(y)
        fit_args = self.filter_sk_params(Sequential.fit)
        if "nb_epoch" in self.sk_params and "epochs" not in self.sk_params:
            fit_args["epochs"] = self.sk_params["nb_epoch"]
            fit_args.pop("nb_epoch", None)
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)


def _loss_name(model):
    loss = getattr(model, "loss", None)
    return getattr(loss, "name", getattr(loss, "__name__", loss))


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """Keras 2's classifier wrapper: classes_ from the labels, predict -> labels, predict_proba ->
    (n, classes) probabilities (two columns for a one-unit sigmoid model), score -> accuracy."""

    def fit(self, x, y, **kwargs):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y.reshape(-1))
        else:
            raise ValueError(f"Invalid shape for y: {y.shape}")
        self.n_classes_ = len(self.classes_)
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        proba = self.model.predict(x, **kwargs)
        ids = proba.argmax(axis=-1) if proba.shape[-1] > 1 else (proba[:, 0] > 0.5).astype(np.int64)
        return self.classes_[ids]

    def predict_proba(self, x, **kwargs):
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        probs = self.model.predict(x, **kwargs)
        return np.hstack([1 - probs, probs]) if probs.shape[1] == 1 else probs

    def score(self, x, y, **kwargs):
        y = np.asarray(y)
        y = np.searchsorted(self.classes_, y.reshape(-1)) if y.ndim == 1 or y.shape[1] == 1 else y
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        if _loss_name(self.model) == "categorical_crossentropy" and y.ndim != 2:
            y = to_categorical(y, len(self.classes_))
        kwargs.pop("return_dict", None)
        results = self.model.evaluate(x, y, return_dict=True, **kwargs)
        for name in ("accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy"):
            if name in results:
                return results[name]
        raise ValueError("The model is not configured to compute accuracy. You should pass "
                         "`metrics=['accuracy']` to the `model.compile()` method.")


class KerasRegressor(RegressorMixin, BaseWrapper):
    """Keras 2's regressor wrapper: predict -> (n,) for a one-output model, score -> -loss."""

    def predict(self, x, **kwargs):
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        out = self.model.predict(x, **kwargs)
        return out[:, 0] if out.shape[1] == 1 else out

    def score(self, x, y, **kwargs):
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        kwargs.pop("return_dict", None)
        loss = self.model.evaluate(x, y, **kwargs)
        return -loss[0] if isinstance(loss, list) else -loss
