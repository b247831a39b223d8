"""Keras 3's metric objects and functions. Standalone results are checked against the values
Keras's own tests assert (confusion_metrics_test, accuracy_metrics_test, f_score_metrics_test,
regression_metrics_test; collected in shared/reference/keras3-layers-metrics.md §7); in compile
the kernel's pooled counts must give what the standalone metric gives on the same predictions."""
import numpy as np
import pytest

from fastnn import Dense, Sequential, metrics
from fastnn.optimizers import Adam
from fastnn.metrics import (
    AUC, BinaryAccuracy, CategoricalAccuracy, F1Score, FalseNegatives, FalsePositives, FBetaScore, Precision,
    R2Score, Recall, RootMeanSquaredError, SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, TrueNegatives,
    TruePositives,
)


def test_confusion_counts_keras_goldens():
    y_true = np.array([[0, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0], [0, 0, 0, 0, 1]])
    y_pred = np.array([[0, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0], [1, 1, 1, 1, 1]])
    assert FalsePositives()(y_true, y_pred) == 7.0
    assert FalsePositives()(y_true, y_pred, sample_weight=[1.0, 1.5, 2.0, 2.5]) == 14.0
    y_pred = np.array([[0.9, 0.2, 0.8, 0.1], [0.2, 0.9, 0.7, 0.6], [0.1, 0.2, 0.4, 0.3], [0, 1, 0.7, 0.3]])
    y_true = np.array([[0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]])
    np.testing.assert_array_equal(FalsePositives(thresholds=[0.15, 0.5, 0.85])(y_true, y_pred), [7, 4, 2])
    assert Precision()([0, 1, 1, 0], [1, 0, 1, 0]) == 0.5
    assert Precision()([[0, 1, 1, 0], [1, 0, 0, 1]], [[1, 0, 1, 0], [1, 0, 1, 0]],
                       sample_weight=[[1, 2, 3, 4], [4, 3, 2, 1]]) == pytest.approx(0.7)
    y_true, y_pred = [0, 1, 1, 0, 1, 0], [0.5, 0.5, 0.7, 0.2, 0.9, 0.6]  # 0.5 counts as negative
    assert (TruePositives()(y_true, y_pred), FalsePositives()(y_true, y_pred), TrueNegatives()(y_true, y_pred),
            FalseNegatives()(y_true, y_pred)) == (2, 1, 2, 1)
    assert Precision()(y_true, y_pred) == pytest.approx(2 / 3) and Recall()(y_true, y_pred) == pytest.approx(2 / 3)


def test_auc_keras_goldens():
    y_true, y_pred, w = [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 2, 3, 4]
    assert AUC(num_thresholds=3)(y_true, y_pred) == pytest.approx(0.75)
    logits = np.log(np.clip(y_pred, 1e-12, None) / np.clip(1 - np.array(y_pred), 1e-12, None))
    assert AUC(num_thresholds=3, from_logits=True)(y_true, logits) == pytest.approx(0.75)
    expected = {("ROC", "interpolation"): 0.785714, ("ROC", "majoring"): 1.0, ("ROC", "minoring"): 4 / 7,
                ("PR", "majoring"): 1.0, ("PR", "minoring"): 0.3, ("PR", "interpolation"): 0.916613}
    for (curve, method), value in expected.items():
        auc = AUC(num_thresholds=3, curve=curve, summation_method=method)
        assert auc(y_true, y_pred, sample_weight=w) == pytest.approx(value, abs=1e-5), (curve, method)
    assert AUC()(y_true, y_true) == pytest.approx(1.0)
    multi = AUC(num_thresholds=5, multi_label=True)
    yt = np.array([[0, 0], [0, 0], [1, 1], [1, 1]])
    yp = np.array([[0, 0.1], [0.5, 0.2], [0.3, 0.3], [0.9, 0.4]])
    assert multi(yt, yp) == pytest.approx(0.9375)
    y_true, y_pred = [0, 1, 1, 0, 1, 0], [0.5, 0.5, 0.7, 0.2, 0.9, 0.6]
    assert AUC()(y_true, y_pred) == pytest.approx(0.8333334, abs=1e-6)
    split = AUC()
    split.update_state(y_true[:3], y_pred[:3])
    split.update_state(y_true[3:], y_pred[3:])
    assert split.result() == pytest.approx(0.8333334, abs=1e-6)
    assert AUC(curve="PR")(y_true, y_pred) == pytest.approx(0.8759022, abs=1e-5)


def test_fscore_keras_goldens():
    y_pred = [[0.7, 0.7, 0.7], [1, 0, 0], [0.9, 0.8, 0]]
    y_true = [[0, 0, 1], [1, 1, 0], [1, 1, 1]]
    np.testing.assert_allclose(FBetaScore(threshold=0.66)(y_true, y_pred), [0.8, 0.5, 0.6666667], rtol=1e-5)
    assert FBetaScore(average="micro", threshold=0.66)(y_true, y_pred) == pytest.approx(0.6666667, rel=1e-5)
    assert FBetaScore(average="macro", threshold=0.66)(y_true, y_pred) == pytest.approx(0.6555555, rel=1e-5)
    assert FBetaScore(average="weighted", threshold=0.66)(y_true, y_pred) == pytest.approx(0.6555555, rel=1e-5)
    y_true = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 0, 1]]
    y_pred = [[0.9, 0.1, 0], [0.2, 0.6, 0.2], [0, 0, 1], [0.4, 0.3, 0.3], [0, 0.9, 0.1], [0, 0, 1]]
    np.testing.assert_allclose(F1Score()(y_true, y_pred), [0.8, 0.6666667, 1.0], rtol=1e-5)
    assert F1Score(average="micro")(y_true, y_pred) == pytest.approx(0.833334, rel=1e-5)
    assert F1Score(average="macro")(y_true, y_pred) == pytest.approx(0.822222, rel=1e-5)
    assert F1Score(average="weighted")(y_true, y_pred) == pytest.approx(0.844445, rel=1e-5)


def test_accuracy_family_keras_goldens():
    y_true, y_pred = [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]
    assert BinaryAccuracy()(y_true, y_pred) == 0.75
    assert BinaryAccuracy()(y_true, y_pred, sample_weight=[1, 0, 0, 1]) == 0.5
    y_pred = [[0.98], [0.5], [0.1], [0.2]]
    assert BinaryAccuracy(threshold=0.3)(y_true, y_pred) == 1.0 and BinaryAccuracy(threshold=0.9)(y_true, y_pred) == 0.75
    y_true, y_pred = [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    assert CategoricalAccuracy()(y_true, y_pred) == 0.5
    assert CategoricalAccuracy()(y_true, y_pred, sample_weight=[0.7, 0.3]) == pytest.approx(0.3)
    assert TopKCategoricalAccuracy(k=1)(y_true, y_pred) == 0.5
    assert SparseTopKCategoricalAccuracy(k=1)([2, 1], y_pred, sample_weight=[0.7, 0.3]) == pytest.approx(0.3)
    assert SparseTopKCategoricalAccuracy(k=1)([1, 0], [[0.5, 0.5, 0], [0.5, 0.5, 0]]) == 1.0  # ties: the target
    assert TopKCategoricalAccuracy(k=2)([[0, 0, 1]], [[0.4, 0.4, 0.4]]) == 1.0
    with pytest.raises(ValueError, match="k must be a positive integer, got 0"):
        TopKCategoricalAccuracy(k=0)
    np.testing.assert_array_equal(metrics.binary_accuracy([[1], [0]], [[0.7], [0.7]]), [1.0, 0.0])
    np.testing.assert_array_equal(metrics.top_k_categorical_accuracy([[0, 1]], [[0.6, 0.4]], k=1), [0.0])


def test_regression_metrics_keras_goldens():
    assert RootMeanSquaredError()([2, 4, 6], [1, 3, 2]) == pytest.approx(np.sqrt(6))
    assert RootMeanSquaredError()([2, 4, 6, 8], [1, 3, 2, 3], sample_weight=[0, 1, 0, 1]) == pytest.approx(np.sqrt(13))
    rmse = RootMeanSquaredError()
    rmse.update_state([[1], [2]], [[0], [0]])
    rmse.update_state([[3]], [[0]])
    assert rmse.result() == pytest.approx(2.1602468)  # pooled, not a mean of batch roots
    y_true = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    y_pred = [[0.4, 0.5, 0.6], [0.1, 0.2, 0.3], [0.5, 0.8, 0.2]]
    np.testing.assert_allclose(R2Score(class_aggregation=None)(y_true, y_pred), [0.37, -1.295, 0.565], rtol=1e-5)
    assert R2Score()(y_true, y_pred) == pytest.approx(-0.12, abs=1e-6)
    assert R2Score()([[1], [2], [3], [4]], [[1.5], [2], [2.5], [4.5]]) == pytest.approx(0.85)


def test_state_reset_and_config():
    auc = AUC(name="my_auc", num_thresholds=50)
    auc.update_state([0, 1], [0.2, 0.8])
    auc.reset_state()
    assert auc.result() == 0.0
    clone = AUC.from_config(auc.get_config())
    assert clone.name == "my_auc" and clone.num_thresholds == 50
    assert Precision(name="prec").get_config()["name"] == "prec"
    with pytest.raises(ValueError, match="top_k is not supported"):
        Precision(top_k=2)
    with pytest.raises(ValueError, match="curve must be"):
        AUC(curve="DET")


def binary_model(seed=0):
    model = Sequential([Dense(6, input_dim=4, activation="tanh"), Dense(1, activation="sigmoid")], seed=seed)
    return model


def test_compiled_streaming_metrics_equal_the_standalone_metrics_on_the_same_predictions():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    y = (x[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(float)
    objects = [AUC(name="auc"), AUC(curve="PR", name="pr"), Precision(name="prec"), Recall(name="rec"),
               TruePositives(name="tp"), FalseNegatives(thresholds=[0.3, 0.7], name="fn"),
               BinaryAccuracy(threshold=0.4, name="acc4"), F1Score(threshold=0.5, name="f1"),
               RootMeanSquaredError(name="rmse")]
    model = binary_model()
    model.compile("adam", "binary_crossentropy", metrics=objects + ["AUC"])
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    results = model.evaluate(x, y, verbose=0, return_dict=True, batch_size=64)
    p = model.predict(x)
    for m in objects:
        fresh = type(m).from_config(m.get_config())
        np.testing.assert_allclose(results[m.name], fresh(y.reshape(-1, 1), p), rtol=1e-5, atol=1e-7,
                                   err_msg=m.name)
    assert results["AUC"] == pytest.approx(results["auc"])


def test_history_holds_the_epoch_pooled_values_with_val_twins():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 4))
    y = (x[:, 1] > 0).astype(float)
    model = binary_model(1)
    model.compile(Adam(0.05), "binary_crossentropy", metrics=[AUC(name="auc"), "precision", F1Score(name="f1")])
    history = model.fit(x, y, epochs=4, validation_split=0.25, verbose=0).history
    assert list(history) == ["loss", "auc", "precision", "f1", "val_loss", "val_auc", "val_precision", "val_f1"]
    assert all(len(v) == 4 for v in history.values())
    xv, yv = x[150:], y[150:]
    assert history["val_auc"][-1] == pytest.approx(AUC()(yv, model.predict(xv)), abs=1e-6)
    assert np.ndim(history["f1"][-1]) == 1  # average=None: a per-class vector, as Keras
    assert 0.8 < history["auc"][-1] <= 1.0  # x1 > 0 is learnable


def test_multiclass_topk_and_r2_in_compile():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(120, 5))
    labels = np.argmax(x[:, :3], axis=1)
    model = Sequential([Dense(8, input_dim=5, activation="relu"), Dense(3, activation="softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=[SparseTopKCategoricalAccuracy(k=2, name="top2"), "sparse_categorical_accuracy"])
    model.fit(x, labels, epochs=3, verbose=0)
    r = model.evaluate(x, labels, verbose=0, return_dict=True)
    assert r["top2"] == pytest.approx(SparseTopKCategoricalAccuracy(k=2)(labels, model.predict(x)))
    reg = Sequential([Dense(4, input_dim=5, activation="tanh"), Dense(2)], seed=0)
    reg.compile("adam", "mse", metrics=[R2Score(name="r2"), "rmse"])
    yr = x[:, :2] * 2.0
    reg.fit(x, yr, epochs=5, verbose=0)
    out = reg.evaluate(x, yr, verbose=0, return_dict=True)
    assert out["r2"] == pytest.approx(R2Score()(yr, reg.predict(x)), abs=1e-5)
    assert out["rmse"] == pytest.approx(np.sqrt(np.mean((yr - reg.predict(x)) ** 2)), rel=1e-5)
    # evaluate hands out Python floats, as Keras: a metric object's value printed as np.float64(0.98)
    for values in (model.evaluate(x, labels, verbose=0), list(out.values())):
        assert all(type(v) is float for v in values)


def test_metric_label_shape_mismatch_is_a_clear_error():
    model = Sequential([Dense(3, input_dim=2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=[AUC()])
    with pytest.raises(ValueError, match="column by column"):
        model.fit(np.ones((4, 2)), np.array([0, 1, 2, 1]), epochs=1, verbose=0)


def test_the_keras_io_imbalanced_classification_example_runs_with_only_its_imports_changed(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    import fastnn

    script = Path(__file__).resolve().parents[1] / "examples" / "imbalanced_classification.py"
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path,
                          env=dict(os.environ, EPOCHS="3"))
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    logs = dict(part.split(": ") for part in last.split(" - ")[4:])
    assert set(logs) >= {"fn", "fp", "tn", "tp", "precision", "recall", "val_precision", "val_recall"}
    assert float(logs["tp"]) + float(logs["fn"]) > 0 and float(logs["val_recall"]) > 0.8  # class_weight finds them
    tp, fp = float(logs["val_tp"]), float(logs["val_fp"])
    assert float(logs["val_precision"]) == pytest.approx(tp / (tp + fp), abs=1e-4)
    checkpoint = fastnn.load_model(tmp_path / "fraud_model_at_epoch_3.keras")
    assert checkpoint.count_params() == 139777


def test_nan_predictions_and_empty_batches():
    with pytest.raises(ValueError, match="NaN"):
        AUC()([0, 1, 1], [np.nan, 0.5, 0.9])
    empty = AUC()
    empty.update_state(np.zeros(0), np.zeros(0))
    assert empty.result() == 0.0
    mean = BinaryAccuracy()
    mean.update_state(np.zeros((0, 1)), np.zeros((0, 1)))
    assert mean.result() == 0.0
