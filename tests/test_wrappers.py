"""fastnn.wrappers.scikit_learn: Keras 2's KerasClassifier/KerasRegressor (build_fn API) under
scikit-learn's clone, cross_val_score and GridSearchCV, with the tutorial scripts' usage."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone, is_classifier, is_regressor  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402

from fastnn.layers import Dense  # noqa: E402
from fastnn.models import Sequential  # noqa: E402
from fastnn.optimizers import Adam  # noqa: E402
from fastnn.wrappers.scikit_learn import KerasClassifier, KerasRegressor  # noqa: E402


def iris_model(units=8, optimizer="adam", loss="categorical_crossentropy"):
    model = Sequential([Dense(units, input_dim=4, activation="relu"), Dense(3, activation="softmax")], seed=0)
    model.compile(loss=loss, optimizer=optimizer, metrics=["accuracy"])
    return model


def test_classifier_routes_parameters_one_hot_encodes_and_scores_accuracy():
    x, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = KerasClassifier(build_fn=iris_model, units=16, epochs=60, batch_size=8, verbose=0)
    history = clf.fit(x, names)
    assert len(history.history["loss"]) == 60  # epochs routed to fit, units to build_fn
    assert clf.model.layers[0].units == 16
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert set(clf.predict(x)) <= set(clf.classes_) and clf.predict(x).shape == (150,)
    proba = clf.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    accuracy = clf.score(x, names)
    assert accuracy == pytest.approx(np.mean(clf.predict(x) == names), abs=1e-6) and accuracy > 0.9


def test_clone_get_params_and_legal_parameters():
    clf = KerasClassifier(build_fn=iris_model, nb_epoch=3, batch_size=5, units=4)
    assert clf.get_params() == {"build_fn": iris_model, "nb_epoch": 3, "batch_size": 5, "units": 4}
    twin = clone(clf)
    assert twin.get_params() == clf.get_params() and twin is not clf
    assert is_classifier(clf) and is_regressor(KerasRegressor(build_fn=iris_model))
    with pytest.raises(ValueError, match="unitz is not a legal parameter"):
        KerasClassifier(build_fn=iris_model, unitz=4)
    x, y = load_iris(return_X_y=True)
    assert len(twin.fit(x, y).history["loss"]) == 3  # Keras 1's nb_epoch


def test_grid_search_over_build_fn_and_fit_parameters():
    x, y = load_iris(return_X_y=True)
    grid = GridSearchCV(KerasClassifier(build_fn=iris_model, verbose=0),
                        {"units": [4, 16], "epochs": [5, 40], "batch_size": [16]}, cv=3)
    grid.fit(x, y)
    assert grid.best_params_["epochs"] == 40 and len(grid.cv_results_["params"]) == 4


def test_binary_model_probabilities_and_an_uncompiled_model_is_a_clear_error():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 2))
    y = np.where(x[:, 0] > 0, 5, 9)

    def binary():
        m = Sequential([Dense(4, input_dim=2, activation="tanh"), Dense(1, activation="sigmoid")], seed=0)
        m.compile("adam", "binary_crossentropy", metrics=["accuracy"])
        return m

    clf = KerasClassifier(build_fn=binary, epochs=40, batch_size=8, verbose=0)
    clf.fit(x, y)
    assert clf.predict_proba(x).shape == (120, 2) and set(clf.predict(x)) <= {5, 9}
    assert clf.score(x, y) > 0.9
    with pytest.raises(ValueError, match="compiled model"):
        KerasClassifier(build_fn=lambda: Sequential([Dense(1, input_dim=2)])).fit(x, y)


def test_regressor_cross_val_score_is_minus_the_loss():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3))
    y = x @ np.array([1.0, -2.0, 0.5])

    def linear():
        m = Sequential([Dense(8, input_dim=3, activation="relu"), Dense(1)], seed=0)
        m.compile(loss="mean_squared_error", optimizer=Adam(0.01))
        return m

    reg = KerasRegressor(build_fn=linear, epochs=30, batch_size=16, verbose=0)
    scores = cross_val_score(reg, x, y, cv=KFold(n_splits=3))
    assert np.all(scores < 0) and np.all(scores > -0.5)  # the target's variance is 5.25
    reg.fit(x, y)
    assert reg.predict(x).shape == (200,)
    assert reg.score(x, y) == pytest.approx(-np.mean((reg.predict(x) - y) ** 2), rel=1e-4)


def test_a_regressor_ending_a_pipeline_scores_under_cross_val_score():
    # the Keras 2 regression tutorial: StandardScaler then KerasRegressor in a Pipeline. scikit-learn's
    # Pipeline.score asks whether its last step is fitted, which the regressor must answer
    from sklearn.exceptions import NotFittedError
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.validation import check_is_fitted

    rng = np.random.default_rng(2)
    x = rng.normal(size=(120, 3)) * [1.0, 10.0, 100.0]
    y = x @ np.array([1.0, 0.1, 0.01])

    def linear():
        m = Sequential([Dense(1, input_dim=3)], seed=0)
        m.compile(loss="mean_squared_error", optimizer=Adam(0.05))
        return m

    reg = KerasRegressor(build_fn=linear, epochs=20, batch_size=8, verbose=0)
    with pytest.raises(NotFittedError):
        check_is_fitted(reg)
    pipeline = Pipeline([("standardize", StandardScaler()), ("mlp", reg)])
    scores = cross_val_score(pipeline, x, y, cv=KFold(n_splits=3))
    assert np.all(np.isfinite(scores)) and np.all(scores < 0)


def test_the_keras2_grid_search_tutorial_runs_with_only_its_imports_changed():
    script = Path(__file__).resolve().parents[1] / "examples" / "keras2_grid_search.py"
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, QUICK="1"))
    assert proc.returncode == 0, proc.stderr
    best = float(proc.stdout.split("Best: ")[1].split()[0])
    assert best > 0.6, proc.stdout  # the synthetic stand-in's base rate is ~0.55
