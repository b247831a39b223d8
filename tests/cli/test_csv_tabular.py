"""`fastnn train` on real-shaped CSVs: a class-sorted file is split stratified by default (Keras's
last-rows rule on request), features (and a numeric target) are scaled from the training rows
inside the model, text columns are one-hot encoded, missing cells are named or imputed, and
--test-split scores held-out rows. Every stored step is applied again by evaluate/predict."""
import csv
import json

import numpy as np
import pytest

import fastnn
import fastnn.tasks
from tests.cli.test_cli import assert_bad_input, invoke


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def sorted_classes(tmp_path):
    """Three separable classes, sorted by class as iris.csv is, with features of very different scales."""
    rng = np.random.default_rng(0)
    rows = []
    for k, name in enumerate(["a", "b", "c"]):
        centre = np.array([k * 1.0, k * 1000.0, -k * 0.01])
        for x in centre + rng.normal(size=(40, 3)) * np.array([0.2, 200.0, 0.002]):
            rows.append([*x.round(6), name])
    return write_csv(tmp_path / "sorted.csv", ["f1", "f2", "f3", "kind"], rows)


def train_json(*args):
    result = invoke("train", "--json", "--quiet", *map(str, args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_class_sorted_file_validates_on_every_class_by_default(sorted_classes):
    stratified = train_json("--data", sorted_classes, "--validation-split", "0.34")
    last_rows = train_json("--data", sorted_classes, "--validation-split", "0.34", "--split", "last")
    assert stratified["split"] == "stratified" and stratified["loss_function"] == "categorical_crossentropy"
    assert stratified["val_accuracy"] > 0.9
    assert last_rows["val_accuracy"] < 0.1  # the last 34% are class c, never seen in training


def test_scaling_is_learned_from_training_rows_and_kept_in_the_model(sorted_classes, tmp_path):
    out = tmp_path / "m.fastnn"
    scaled = train_json("--data", sorted_classes, "--epochs", "150", "--out", out)
    unscaled = train_json("--data", sorted_classes, "--epochs", "150", "--scale", "none")
    assert scaled["val_accuracy"] > unscaled["val_accuracy"]
    model = fastnn.load_model(out)
    assert model.layers[0].kind == "normalization"
    x = np.loadtxt(sorted_classes, delimiter=",", skiprows=1, usecols=(0, 1, 2))
    mean, variance = model.layers[0].get_weights()
    labels = np.loadtxt(sorted_classes, delimiter=",", skiprows=1, usecols=3, dtype=str)
    kept, held = fastnn.tasks.split_rows(labels, 0.2, "stratified", 0)  # the CLI's split for --seed 0
    assert len(held) == 24 and sorted(set(labels[held])) == ["a", "b", "c"]
    np.testing.assert_allclose(mean, x[kept].mean(axis=0), rtol=1e-6)  # training rows only
    np.testing.assert_allclose(variance, x[kept].var(axis=0), rtol=1e-5)
    assert variance[1] > 1e5 and variance[2] < 1e-3
    result = invoke("evaluate", out, sorted_classes, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["class_accuracy"] > 0.9  # the raw file, scaled by the model itself


def test_minmax_scaling_maps_training_rows_into_the_unit_interval(sorted_classes, tmp_path):
    out = tmp_path / "m.fastnn"
    train_json("--data", sorted_classes, "--epochs", "2", "--scale", "minmax", "--validation-split", "0", "--out", out)
    model = fastnn.load_model(out)
    x = np.loadtxt(sorted_classes, delimiter=",", skiprows=1, usecols=(0, 1, 2))
    low, variance = model.layers[0].get_weights()
    np.testing.assert_allclose(low, x.min(axis=0), rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(variance), x.max(axis=0) - x.min(axis=0), rtol=1e-5)


def test_a_numeric_target_trains_scaled_and_predicts_in_its_own_units(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 4))
    y = 150 + 60 * x[:, 0] - 30 * x[:, 1] + rng.normal(size=300)  # like diabetes: far from 0, large spread
    path = write_csv(tmp_path / "reg.csv", ["a", "b", "c", "d", "target"], np.column_stack([x, y]).round(5))
    out = tmp_path / "r.fastnn"
    s = train_json("--data", path, "--out", out)
    assert s["loss_function"] == "mean_squared_error" and s["split"] == "stratified"
    assert s["val_loss"] < 0.1 * y.var()  # in the target's units: explains > 90% of the variance
    plain = train_json("--data", path, "--scale", "none")
    assert plain["val_loss"] > 0.5 * y.var()  # what 150 epochs of Adam reach on the raw target
    result = invoke("predict", out, path)
    predictions = np.array([float(v) for v in result.stdout.split()])
    assert abs(predictions.mean() - y.mean()) < 5


def test_missing_cells_are_named_or_imputed_from_training_rows(tmp_path):
    rows = [[1.0, "red", 0], [2.0, "blue", 1], ["", "red", 0], [4.0, "blue", 1], [5.0, "", 0], [6.0, "red", 1],
            [7.0, "red", 0], [100.0, "blue", 1]]
    path = write_csv(tmp_path / "m.csv", ["num", "color", "y"], rows)
    assert_bad_input(invoke("train", "--data", path), "missing", "'num'", "line 4", "--impute")
    out = tmp_path / "m.fastnn"
    for rule, fill in (("mean", np.mean([1, 2, 4, 5, 6, 7, 100])), ("median", 5.0)):
        result = invoke("train", "--data", path, "--impute", rule, "--validation-split", "0", "--epochs", "2",
                        "--out", out)
        assert result.exit_code == 0, result.output
        columns = fastnn.load_model(out).metadata["columns"]
        assert columns[0]["fill"] == pytest.approx(fill) and columns[1]["fill"] == "red"
    new = write_csv(tmp_path / "new.csv", ["num", "color"], [["", "blue"], [3.0, ""]])
    result = invoke("predict", out, new)
    assert result.exit_code == 0 and len(result.stdout.split()) == 2


def test_test_split_scores_held_out_rows_of_every_class(sorted_classes):
    s = train_json("--data", sorted_classes, "--test-split", "0.25", "--epochs", "150")
    assert s["test_rows"] == 30 and s["test_accuracy"] > 0.9
    assert_bad_input(invoke("train", "--data", sorted_classes, "--test-split", "0.2", "--test-data", sorted_classes),
                     "--test-split and --test-data")
    assert_bad_input(invoke("train", "--data", sorted_classes, "--split", "random"), "--split", "stratified")
    assert_bad_input(invoke("train", "--data", sorted_classes, "--scale", "robust"), "--scale", "minmax")


def test_the_built_in_tutorial_keeps_its_own_experiment():
    s = train_json("--epochs", "3")
    assert (s["loss_function"], s["split"], s["scale"]) == ("hinge", "last", "none")


def test_a_parquet_file_trains_like_its_csv_and_the_model_reads_either(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    rows = [[i * 0.5, ["red", "blue", None][i % 3], i % 2] for i in range(30)]
    frame = pd.DataFrame(rows, columns=["num", "color", "y"])
    frame.to_parquet(tmp_path / "d.parquet")
    frame.fillna("").to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "m.fastnn"
    from_parquet = train_json("--data", tmp_path / "d.parquet", "--impute", "mean", "--epochs", "5", "--out", out)
    from_csv = train_json("--data", tmp_path / "d.csv", "--impute", "mean", "--epochs", "5")
    assert from_parquet["val_loss"] == from_csv["val_loss"]
    for data in ("d.parquet", "d.csv"):
        result = invoke("evaluate", out, tmp_path / data, "--json")
        assert result.exit_code == 0, result.output
    (tmp_path / "g.parquet").write_text("not parquet")
    assert_bad_input(invoke("train", "--data", tmp_path / "g.parquet"), "not a readable Parquet file")


def test_an_id_column_is_not_one_hot_encoded_into_thousands_of_columns(tmp_path):
    rows = [[f"user{i}", i % 7, i % 2] for i in range(1500)]
    path = write_csv(tmp_path / "ids.csv", ["id", "a", "y"], rows)
    assert_bad_input(invoke("train", "--data", path), "'id'", "1,500 distinct text values", "'user0'", "line 2")


def test_regularization_weight_decay_and_schedule_flags(tmp_path):
    out = tmp_path / "m.fastnn"
    s = train_json("--epochs", "4", "--l2", "1e-3", "--weight-decay", "0.01", "--schedule", "warmup-cosine:0.25",
                   "--out", out)
    assert s["l2"] == 1e-3 and s["schedule"] == "warmup-cosine:0.25"
    model = fastnn.load_model(out)
    assert all(layer._regularizers["kernel"].l2 == 1e-3 for layer in model.layers if layer.kind == "dense")
    schedule = model.optimizer.learning_rate_schedule
    steps = model.optimizer.iterations  # 4 epochs of 7 batches: warmup over a quarter of them
    assert steps == 28 and schedule.warmup_steps == 7 and schedule.warmup_target == pytest.approx(0.001)
    assert model.optimizer.weight_decay == 0.01
    plain = train_json("--epochs", "4")
    assert s["loss"] != plain["loss"]
    assert_bad_input(invoke("train", "--schedule", "linear"), "schedule 'linear'", "warmup-cosine")
    assert_bad_input(invoke("train", "--l2", "-1"), "l2 must be >= 0")


def test_sweep_takes_an_l2_axis_and_a_schedule(tmp_path):
    result = invoke("sweep", "--l2", "0,1e-3", "--schedule", "exponential:0.9", "--epochs", "3", "--workers", "1",
                    "--quiet", "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(tmp_path / "r.csv")))
    assert sorted(r["l2"] for r in rows) == ["0.0", "0.001"]
    assert all("schedule=exponential:0.9" in r["key"] for r in rows)
