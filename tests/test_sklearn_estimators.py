"""fastnn.sklearn: scikit-learn's own check_estimator suite, then the places users put estimators
(Pipeline, GridSearchCV, cross_val_score with worker processes, pickle/joblib) and what the
parameters promise (multi-output, sample_weight, partial_fit, early stopping, margin losses)."""
import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_breast_cancer, load_iris, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score, train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from fastnn.sklearn import FastNNClassifier, FastNNRegressor  # noqa: E402

SAMPLE_WEIGHT_SEMANTICS = (
    "Keras's sample_weight divides the weighted loss by the batch's row count, and minibatches are "
    "shuffled, so weight 2 is not the same as a repeated row (as for Keras and PyTorch)")


def expected_failures(estimator):
    return {"check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_SEMANTICS}


@parametrize_with_checks([FastNNClassifier(), FastNNRegressor()], expected_failed_checks=expected_failures)
def test_scikit_learn_check_estimator(estimator, check):
    check(estimator)


def iris_split():
    x, y = load_iris(return_X_y=True)
    return train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)


def test_pipeline_and_grid_search():
    xtr, xte, ytr, yte = iris_split()
    search = GridSearchCV(make_pipeline(StandardScaler(), FastNNClassifier(random_state=0)),
                          {"fastnnclassifier__hidden_layer_sizes": [(8,), (32,)],
                           "fastnnclassifier__learning_rate": [0.01, 0.001]}, cv=3)
    search.fit(xtr, ytr)
    assert set(search.best_params_) == {"fastnnclassifier__hidden_layer_sizes", "fastnnclassifier__learning_rate"}
    assert search.score(xte, yte) > 0.9
    randomized = RandomizedSearchCV(FastNNRegressor(epochs=20, random_state=0),
                                     {"hidden_layer_sizes": [(4,), (16,)], "learning_rate": [0.01, 0.003]},
                                     n_iter=2, cv=2, random_state=0).fit(xtr, ytr.astype(float))
    assert len(randomized.cv_results_["params"]) == 2


def test_cross_val_score_in_worker_processes_equals_one_process():
    x, y = load_iris(return_X_y=True)
    est = FastNNClassifier(hidden_layer_sizes=(16,), epochs=50, random_state=1)
    serial = cross_val_score(est, x, y, cv=3)
    parallel = cross_val_score(est, x, y, cv=3, n_jobs=2)
    np.testing.assert_array_equal(serial, parallel)


def test_pickle_keeps_predictions_and_training_continues_the_same():
    xtr, xte, ytr, yte = iris_split()
    clf = FastNNClassifier(hidden_layer_sizes=(8,), epochs=20, random_state=0).fit(xtr, ytr)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(xte), clf.predict_proba(xte))
    clf.partial_fit(xtr, ytr)
    copy.partial_fit(xtr, ytr)
    np.testing.assert_array_equal(copy.predict_proba(xte), clf.predict_proba(xte))


def test_scores_at_least_like_mlpclassifier_on_scaled_data():
    # the same architecture and optimizer defaults as MLPClassifier (100 relu units, Adam 1e-3,
    # batches of min(200, n), 200 epochs, stop after 10 epochs without tol improvement)
    x, y = load_breast_cancer(return_X_y=True)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    ours = make_pipeline(StandardScaler(), FastNNClassifier(random_state=0)).fit(xtr, ytr).score(xte, yte)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLP's ConvergenceWarning
        theirs = make_pipeline(StandardScaler(), MLPClassifier(random_state=0)).fit(xtr, ytr).score(xte, yte)
    assert ours >= theirs - 0.02 and ours > 0.93


def test_multi_output_regression_and_pandas_names():
    pd = pytest.importorskip("pandas")
    x, y = make_regression(n_samples=200, n_features=4, n_targets=2, noise=0.1, random_state=0)
    y = y / y.std(axis=0)
    frame = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    reg = FastNNRegressor(hidden_layer_sizes=(32,), learning_rate=0.01, random_state=0).fit(frame, y)
    assert reg.predict(frame).shape == (200, 2) and reg.n_outputs_ == 2
    assert list(reg.feature_names_in_) == ["a", "b", "c", "d"]
    assert reg.score(frame, y) > 0.95
    one = FastNNRegressor(hidden_layer_sizes=(8,), epochs=5, random_state=0).fit(x, y[:, 0])
    assert one.predict(x).shape == (200,)


def test_sample_weight_moves_the_decision():
    # two overlapping classes: weighting class 1 ten times shifts predictions towards it
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] + rng.normal(scale=2.0, size=400) > 0).astype(int)
    plain = FastNNClassifier(hidden_layer_sizes=(8,), random_state=0).fit(x, y)
    weighted = FastNNClassifier(hidden_layer_sizes=(8,), random_state=0).fit(x, y, sample_weight=np.where(y == 1, 10, 1))
    assert weighted.predict(x).mean() > plain.predict(x).mean() + 0.1


def test_early_stopping_holds_out_a_validation_fraction_and_keeps_the_best():
    xtr, _, ytr, _ = iris_split()
    clf = FastNNClassifier(hidden_layer_sizes=(16,), early_stopping=True, validation_fraction=0.2, epochs=500,
                           n_iter_no_change=5, learning_rate=0.05, random_state=0).fit(xtr, ytr)
    assert len(clf.validation_scores_) == clf.n_iter_ < 500
    assert len(clf.loss_curve_) == clf.n_iter_


def test_partial_fit_needs_classes_first_and_runs_one_epoch():
    xtr, xte, ytr, yte = iris_split()
    clf = FastNNClassifier(hidden_layer_sizes=(16,), learning_rate=0.05, batch_size=16, random_state=0)
    with pytest.raises(ValueError, match="classes="):
        clf.partial_fit(xtr, ytr)
    clf.partial_fit(xtr, ytr, classes=[0, 1, 2])
    first = clf.loss_curve_[-1]
    for _ in range(29):
        clf.partial_fit(xtr, ytr)
    assert clf.n_iter_ == 30 and clf.loss_curve_[-1] < first / 2 and clf.score(xte, yte) > 0.9


def test_margin_losses_have_no_predict_proba_and_string_labels_round_trip():
    x, y = load_breast_cancer(return_X_y=True)
    labels = np.where(y == 1, "benign", "malignant")
    clf = make_pipeline(StandardScaler(), FastNNClassifier(loss="hinge", hidden_layer_sizes=(8,), random_state=0))
    clf.fit(x, labels)
    assert not hasattr(clf[-1], "predict_proba")
    assert set(clf.predict(x)) == {"benign", "malignant"} and clf.score(x, labels) > 0.95
    with pytest.raises(ValueError, match="not a classification loss"):
        FastNNClassifier(loss="mse").fit(x, y)
    with pytest.raises(ValueError, match="takes two classes"):
        FastNNClassifier(loss="hinge").fit(*load_iris(return_X_y=True))
