"""The fastnn command line: every command and every bad-input case (one line on stderr, exit 2)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from fastnn import losses, optimizers
from fastnn_cli.main import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_bad_input(result, *fragments):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastnn: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output


@pytest.fixture
def csv_path(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((120, 3))
    species = np.where(x.sum(axis=1) > 1.5, "big", "small")
    path = tmp_path / "data.csv"
    with open(path, "w") as f:
        f.write("a,b,c,species\n")
        for row, s in zip(x, species):
            f.write(f"{row[0]},{row[1]},{row[2]},{s}\n")
    return path


def test_train_builtin_default_reproduces_the_tutorial():
    result = invoke("train", "--epochs", "150", "--seed", "0")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("fastnn train: hinge + Adam (lr 0.001), 5-20-1 tanh/tanh, 150 epochs")
    assert lines[1].startswith("Epoch 1/150 - 7/7") and "val_accuracy" in lines[1]
    test_line = next(line for line in lines if line.startswith("Test"))
    assert float(test_line.split("accuracy ")[1].split()[0]) >= 0.9


def test_train_json_history_and_out(tmp_path):
    out, hist = tmp_path / "m.fastnn", tmp_path / "h.csv"
    result = invoke("train", "--loss", "categorical_crossentropy", "--opt", "rmsprop", "--epochs", "20",
                    "--json", "--out", out, "--history", hist)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["loss_function"] == "categorical_crossentropy" and summary["layers"] == ["20:relu", "2:softmax"]
    assert summary["epochs_run"] == 20 and 0 <= summary["test_accuracy"] <= 1 and summary["model"] == str(out)
    assert out.exists() and len(hist.read_text().splitlines()) == 21
    assert "Epoch 20/20" in result.stderr  # progress goes to stderr with --json


def test_train_on_csv_with_string_labels_then_predict_evaluate_info(tmp_path, csv_path):
    model = tmp_path / "m.fastnn"
    result = invoke("train", "--data", csv_path, "--target", "species", "--loss", "binary_crossentropy",
                    "--epochs", "60", "--lr", "0.01", "--quiet", "--out", model)
    assert result.exit_code == 0, result.output
    pred = invoke("predict", model, csv_path)
    assert pred.exit_code == 0, pred.output
    labels = pred.stdout.split()
    assert len(labels) == 120 and set(labels) <= {"big", "small"}
    proba = invoke("predict", model, csv_path, "--proba", "--out", tmp_path / "p.npy")
    assert proba.exit_code == 0 and np.load(tmp_path / "p.npy").shape == (120, 1)
    ev = invoke("evaluate", model, csv_path, "--json")
    assert ev.exit_code == 0, ev.output
    assert json.loads(ev.stdout)["class_accuracy"] > 0.8
    info = invoke("info", model)
    assert info.exit_code == 0 and "Total params" in info.stdout and "['big', 'small']" in info.stdout


def test_npy_and_npz_data(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.random((80, 4))
    y = (x.sum(axis=1) > 2).astype(int)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    r1 = invoke("train", "--data", tmp_path / "x.npy", "--labels", tmp_path / "y.npy", "--epochs", "3", "--quiet")
    r2 = invoke("train", "--data", tmp_path / "d.npz", "--loss", "sparse_categorical_crossentropy", "--epochs", "3",
                "--quiet", "--out", tmp_path / "m")
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    out = invoke("predict", tmp_path / "m", tmp_path / "x.npy", "--out", tmp_path / "p.csv")
    assert out.exit_code == 0 and (tmp_path / "p.csv").read_text().splitlines()[0] == "prediction"


def test_list_and_version():
    result = invoke("list")
    assert result.exit_code == 0
    assert "kl_divergence [KLD, kld, kullback_leibler_divergence]" in result.stdout
    assert "adam: learning_rate=0.001, beta_1=0.9" in result.stdout and "hard_silu" in result.stdout
    assert invoke("--version").stdout.startswith("fastnn ")


# ---- bad input ------------------------------------------------------------------------------

def test_missing_file():
    assert_bad_input(invoke("train", "--data", "no/such.csv"), "no such file")


def test_ragged_and_unreadable_csv(tmp_path):
    (tmp_path / "r.csv").write_text("a,b,y\n1,2,0\n3,4\n")
    assert_bad_input(invoke("train", "--data", tmp_path / "r.csv"), "line 3", "ragged")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81garbage")
    assert_bad_input(invoke("train", "--data", tmp_path / "bin.csv"), "UTF-8")


def test_a_text_feature_column_is_one_hot_encoded_and_an_unseen_category_is_named(tmp_path):
    (tmp_path / "n.csv").write_text("a,color,y\n1,red,0\n2,blue,1\n3,red,0\n4, blue ,1\n5,red,0\n")
    result = invoke("train", "--data", tmp_path / "n.csv", "--epochs", "2", "--out", tmp_path / "m.fastnn",
                    "--validation-split", "0")
    assert result.exit_code == 0, result.output
    assert "one-hot: color" in result.stdout
    model = __import__("fastnn").load_model(tmp_path / "m.fastnn")
    assert model.input_dim == 3 and model.metadata["columns"][1] == {
        "name": "color", "kind": "category", "categories": ["blue", "red"], "fill": None}
    (tmp_path / "new.csv").write_text("a,color\n1,red\n2,green\n")
    assert_bad_input(invoke("predict", tmp_path / "m.fastnn", tmp_path / "new.csv"), "'color'", "'green'",
                     "line 3", "not seen in training", "'blue', 'red'")


def test_unknown_target_lists_the_columns(csv_path):
    assert_bad_input(invoke("train", "--data", csv_path, "--target", "kind"), "'kind'", "a, b, c, species")


def test_nan_in_the_data(tmp_path):
    (tmp_path / "nan.csv").write_text("a,b,y\n1,2,0\n3,,1\n5,nan,0\n")
    assert_bad_input(invoke("train", "--data", tmp_path / "nan.csv"), "2 missing/NaN", "'b'", "line 3")


def test_labels_that_do_not_fit_the_loss(tmp_path):
    rng = np.random.default_rng(0)
    with open(tmp_path / "five.csv", "w") as f:
        f.write("a,b,y\n")
        for i in range(50):
            f.write(f"{rng.random()},{rng.random()},{i % 5}\n")
    assert_bad_input(invoke("train", "--data", tmp_path / "five.csv", "--loss", "hinge"), "5 classes",
                     "categorical_crossentropy")


@pytest.mark.parametrize("args,fragment", [
    (["--loss", "msa"], "Did you mean"),
    (["--loss", "mspa"], "Did you mean"),
    (["--opt", "rsmprop"], "Did you mean 'rmsprop'"),
    (["--activation", "sigmod"], "Did you mean 'sigmoid'"),
    (["--layers", "20:tanh,,1:tanh"], "empty layer"),
    (["--layers", "twenty:tanh,1"], "not a number of units"),
    (["--layers", "20:tanhh,1:tanh"], "Did you mean 'tanh'"),
    (["--layers", "20:tanh,3:tanh"], "needs 1 output"),
    (["--validation-split", "1.5"], "validation-split"),
    (["--dtype", "float16"], "float32 or float64"),
    (["--lr", "-1"], "learning_rate must be >= 0"),
    (["--history", "h.txt"], ".json or .csv"),
    (["--loss", "nope"], "Valid losses: "),
])
def test_bad_options(args, fragment):
    assert_bad_input(invoke("train", *args), fragment)


def test_corrupt_or_foreign_model_file(tmp_path, csv_path):
    (tmp_path / "bad.fastnn").write_bytes(b"PK\x03\x04 not really a zip")
    assert_bad_input(invoke("predict", tmp_path / "bad.fastnn", csv_path), "not a readable fastnn model")
    assert_bad_input(invoke("info", csv_path), "not a readable fastnn model")


def test_predict_with_the_wrong_width(tmp_path):
    model = tmp_path / "m"
    assert invoke("train", "--epochs", "2", "--quiet", "--out", model).exit_code == 0
    np.save(tmp_path / "x3.npy", np.ones((4, 3)))
    assert_bad_input(invoke("predict", model, tmp_path / "x3.npy"), "3 feature column(s)", "takes 5")


# ---- the installed console script -----------------------------------------------------------

def fastnn_exe():
    return os.path.join(os.path.dirname(sys.executable), "fastnn")


def test_console_script_reproduces_the_tutorial():
    proc = subprocess.run([fastnn_exe(), "train", "--loss", "hinge", "--opt", "adam", "--epochs", "150", "--seed",
                           "0", "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["test_accuracy"] >= 0.9


def test_python_dash_m_fastnn():
    proc = subprocess.run([sys.executable, "-m", "fastnn", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("fastnn ")


def test_every_loss_and_optimizer_name_is_accepted_by_train():
    names = sorted(set(losses.names()))
    for name in names:
        result = invoke("train", "--loss", name, "--epochs", "2", "--quiet", "--json")
        assert result.exit_code == 0, (name, result.output)
        assert json.loads(result.stdout)["epochs_run"] == 2
    for name in optimizers.names():
        result = invoke("train", "--opt", name, "--epochs", "2", "--quiet", "--json")
        assert result.exit_code == 0, (name, result.output)


def test_ctrl_c_during_train_saves_and_exits_cleanly(tmp_path):
    import signal

    model, hist = tmp_path / "m.fastnn", tmp_path / "h.json"
    proc = subprocess.Popen([fastnn_exe(), "train", "--epochs", "1000000", "--out", str(model), "--history",
                             str(hist)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:  # wait until training is under way
        if line.startswith("Epoch "):
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "Interrupted after" in out and model.exists() and hist.exists()
    assert json.loads(hist.read_text())["epoch"][-1] < 1000000


def test_the_cli_runs_without_a_separate_click(monkeypatch):
    # Typer >= 0.29 vendors click and installs none: a fresh `pip install .` has no click module
    import sys

    from fastnn_cli import main

    monkeypatch.setitem(sys.modules, "click", None)  # `import click...` now raises ImportError
    monkeypatch.setitem(sys.modules, "click.exceptions", None)
    modules = main._click_exceptions()
    assert modules and all(hasattr(m, "UsageError") for m in modules)
