"""Hostile and careless input to the command line (issue: a 484-case review). Each case: one
`fastnn: error:` line and a documented exit code, nothing lost, nothing silently wrong."""
import json
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

import fastnn
from tests.cli.test_cli import assert_bad_input, fastnn_exe, invoke


def run_cli(*args, cwd=None, timeout=300):
    return subprocess.run([fastnn_exe(), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def assert_one_error_line(proc, code, *fragments):
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastnn: error: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def good_model(tmp_path):
    path = tmp_path / "good.fastnn"
    assert invoke("train", "--epochs", "3", "--quiet", "--out", path).exit_code == 0
    return path


@pytest.fixture
def big_inputs(tmp_path):
    """Features x100: an SGD step of 3e38 on them overflows float32 in the first update."""
    rng = np.random.default_rng(0)
    x = rng.random((64, 5)) * 100
    path = tmp_path / "big.npz"
    np.savez(path, x=x, y=(x.sum(axis=1) > 250).astype(float))
    return path


# ---- 1. divergence --------------------------------------------------------------------------

def test_a_diverging_train_keeps_the_good_model_and_exits_1(tmp_path, good_model, big_inputs):
    before = good_model.read_bytes()
    result = invoke("train", "--data", big_inputs, "--loss", "mse", "--layers", "8:tanh,1:linear", "--opt", "sgd",
                    "--lr", "3e38", "--epochs", "3", "--out", good_model, "--scale", "none")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastnn: error: fit stopped"), result.stderr
    assert "rolled back" in lines[0] and "Nothing was saved" in lines[0] and "left as it was" in lines[0]
    assert "Saved" not in result.stdout
    assert good_model.read_bytes() == before


def test_a_learning_rate_beyond_float32_is_bad_input():
    assert_bad_input(invoke("train", "--lr", "1e308", "--epochs", "2"), "overflows float32")


@pytest.mark.parametrize("loss,layers,cause", [
    ("poisson", "20:tanh,1:tanh", "poisson needs non-negative predictions"),
    ("poisson", "20:relu,1:linear", "poisson needs non-negative predictions"),
])
def test_nan_in_the_first_batch_with_quiet_names_the_cause(tmp_path, loss, layers, cause):
    rng = np.random.default_rng(0)
    x = rng.random((50, 5)) - 5.0
    np.savez(tmp_path / "d.npz", x=x, y=(x.sum(axis=1) > np.median(x.sum(axis=1))).astype(int))
    result = invoke("train", "--data", tmp_path / "d.npz", "--loss", loss, "--layers", layers, "--quiet",
                    "--epochs", "3", "--lr", "10")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and cause in lines[0] and "internal error" not in lines[0], result.stderr


# ---- 3. output paths ---------------------------------------------------------------------------

def test_outputs_that_would_overwrite_the_inputs_are_refused(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n" + "".join(f"{i % 3},{i % 5},{i % 2}\n" for i in range(40)))
    before = data.read_bytes()
    assert_bad_input(invoke("train", "--data", data, "--out", data), "--out", "same file as --data")
    assert_bad_input(invoke("train", "--data", data, "--history", tmp_path / "d.csv"), "same file as --data")
    assert_bad_input(invoke("train", "--data", data, "--test-data", tmp_path / "t.csv", "--out", tmp_path / "t.csv"),
                     "same file as --test-data")
    assert_bad_input(invoke("train", "--out", tmp_path / "x.json", "--history", tmp_path / "x.json"),
                     "--out and --history are the same file")
    assert data.read_bytes() == before


def test_an_unwritable_output_directory_is_found_before_training():
    result = invoke("train", "--epochs", "100000", "--out", "/proc/fastnn-model.npz")
    assert_bad_input(result, "--out", "cannot write to the directory")
    assert "Epoch" not in result.stdout


# ---- 6/7. unreadable, huge or endless inputs -----------------------------------------------------

def test_a_truncated_npz_is_one_line(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.ones((50, 5)), y=np.ones(50))
    (tmp_path / "cut.npz").write_bytes((tmp_path / "d.npz").read_bytes()[:300])
    assert_bad_input(invoke("train", "--data", tmp_path / "cut.npz"), "cut.npz")


def test_a_bit_flipped_model_file_is_one_line(tmp_path, good_model):
    raw = bytearray(good_model.read_bytes())
    for offset in range(0, len(raw), 97):  # flip bits all over, as a bad disk would
        raw[offset] ^= 0x5A
    (tmp_path / "flipped.fastnn").write_bytes(bytes(raw))
    assert_bad_input(invoke("info", tmp_path / "flipped.fastnn"), "flipped.fastnn")


def _model_with_header(tmp_path, header_text):
    path = tmp_path / "crafted.fastnn"
    with open(path, "wb") as f:  # (np.savez would append .npz to the name)
        np.savez(f, header=np.frombuffer(header_text.encode(), dtype=np.uint8), params=np.zeros(3, np.float32),
             shuffle_state=np.zeros(1, np.uint64))
    return path


def test_a_deeply_nested_json_header_is_one_line(tmp_path):
    path = _model_with_header(tmp_path, "[" * 100000 + "]" * 100000)
    assert_bad_input(invoke("info", path), "crafted.fastnn")


def test_a_header_claiming_a_huge_array_is_refused_without_allocating(tmp_path):
    path = tmp_path / "huge.npy"
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**12, 10)}
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.write(b"\0" * 64)
    assert_bad_input(invoke("train", "--data", path, "--labels", path), "claims shape", "truncated")


def test_a_model_claiming_a_huge_architecture_is_refused_fast(tmp_path, good_model):
    with zipfile.ZipFile(good_model) as zf:
        header = json.loads(np.lib.format.read_array(zf.open("header.npy")).tobytes())
    header["config"]["layers"][0]["units"] = 12000
    wide = {k: v for k, v in header["config"]["layers"][0].items() if k != "input_shape"}
    header["config"]["layers"].insert(1, dict(wide, name="wide2"))
    path = _model_with_header(tmp_path, json.dumps(header))
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(fastnn.ModelFileError, match="does not match the architecture"):
        fastnn.load_model(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50e6  # 1.7 GB before (the claimed 12k x 12k layer was built and initialised first)


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null"])
def test_devices_are_refused(special):
    assert_bad_input(invoke("train", "--data", special), "not a regular file")


def test_a_fifo_is_refused_instead_of_hanging(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    proc = run_cli("train", "--data", fifo, timeout=60)
    assert_one_error_line(proc, 2, "pipe (FIFO)", "not a regular file")


def test_an_oversized_csv_field_is_one_line(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("a,b,y\n1,2,0\n3," + "9" * 200000 + ",1\n\"" + "x" * 200000 + "\n")
    assert_bad_input(invoke("train", "--data", path), "wide.csv")


def test_label_metadata_that_does_not_fit_the_model_is_refused(tmp_path, good_model):
    model = fastnn.load_model(good_model)
    model.metadata["labels"] = {"kind": "onehot", "classes": ["a", "b", "c"]}  # the model has 1 output
    model.save(tmp_path / "edited.fastnn")
    np.save(tmp_path / "x.npy", np.ones((3, 5)))
    assert_bad_input(invoke("predict", tmp_path / "edited.fastnn", tmp_path / "x.npy"),
                     "label encoding stored in the model is inconsistent")


# ---- 8. silent garbage -------------------------------------------------------------------------

def test_complex_features_are_refused(tmp_path):
    np.save(tmp_path / "c.npy", np.ones((20, 5), dtype=complex))
    np.save(tmp_path / "y.npy", np.ones(20))
    assert_bad_input(invoke("train", "--data", tmp_path / "c.npy", "--labels", tmp_path / "y.npy"), "complex")


def test_predicted_labels_with_commas_are_quoted(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((80, 2))
    path = tmp_path / "d.csv"
    with open(path, "w") as f:
        f.write("a,b,city\n")
        for r in x:
            f.write(f"{r[0]},{r[1]},\"{'Paris, FR' if r.sum() > 1 else 'Rome, IT'}\"\n")
    assert invoke("train", "--data", path, "--loss", "categorical_crossentropy", "--epochs", "5", "--quiet",
                  "--out", tmp_path / "m").exit_code == 0
    assert invoke("predict", tmp_path / "m", path, "--out", tmp_path / "p.csv").exit_code == 0
    import csv

    rows = list(csv.reader(open(tmp_path / "p.csv")))
    assert rows[0] == ["prediction"] and len(rows) == 81
    assert all(len(r) == 1 and r[0] in ("Paris, FR", "Rome, IT") for r in rows[1:])


def test_sparse_accuracy_on_pm1_labels_is_refused():
    assert_bad_input(invoke("train", "--metrics", "sparse_categorical_accuracy", "--epochs", "2"),
                     "sparse_categorical_accuracy", "class ids")


def test_a_float32_overflow_is_called_an_overflow(tmp_path):
    x = np.ones((30, 3))
    x[4, 1] = 1e39
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(30) % 2)
    assert_bad_input(invoke("train", "--data", tmp_path / "d.npz"), "overflows float32", "float64")


# ---- 10. smaller things ---------------------------------------------------------------------------

@pytest.mark.parametrize("args,fragment", [
    (["train", "--epochs", "0"], "--epochs"),
    (["train", "--bogus"], "No such option"),
    (["trian"], "No such command"),
    (["predict"], "Missing argument"),
    (["train", "--seed", "-5"], "'--seed': Input should be greater than or equal to 0"),
    (["sweep", "--seed", "-1"], "'--seed': Input should be greater than or equal to 0"),
])
def test_usage_errors_are_one_line(args, fragment):
    assert_one_error_line(run_cli(*args), 2, fragment)


def test_a_saved_model_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        model = fastnn.Sequential([fastnn.Dense(2, input_dim=3)])
        model.save(tmp_path / "m.fastnn")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "m.fastnn").st_mode) == 0o644


def test_stale_temporary_saves_of_dead_processes_are_cleaned(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".fastnn-tmp-{dead}-abc123"
    stale.write_bytes(b"x" * 1000)
    other = tmp_path / ".fastnn-tmp-notapid"
    other.write_bytes(b"y")
    fastnn.Sequential([fastnn.Dense(2, input_dim=3)]).save(tmp_path / "m.fastnn")
    assert not stale.exists() and other.exists()


def test_labels_and_target_for_the_wrong_format_are_errors(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.ones((10, 2)), y=np.arange(10) % 2)
    (tmp_path / "d.csv").write_text("a,y\n1,0\n2,1\n")
    np.save(tmp_path / "y.npy", np.arange(10) % 2)
    assert_bad_input(invoke("train", "--data", tmp_path / "d.npz", "--target", "y"), "--target")
    assert_bad_input(invoke("train", "--data", tmp_path / "d.npz", "--labels", tmp_path / "y.npy"), "--labels")
    assert_bad_input(invoke("train", "--data", tmp_path / "d.csv", "--labels", tmp_path / "y.npy"), "--labels")


def test_a_newline_in_a_file_name_stays_one_line(tmp_path):
    name = tmp_path / "bad\nname.csv"
    result = invoke("train", "--data", name)
    assert_bad_input(result, "no such file", "\\n")


# ---- 5. sweeps -----------------------------------------------------------------------------------

def sweep_args(out, epochs=5_000_000, extra=()):
    return ["sweep", "--activation", "tanh,relu", "--epochs", str(epochs), "--workers", "1", "--out", str(out),
            "--quiet", *extra]


def test_ctrl_c_stops_a_sweep_and_the_interrupted_trial_runs_again(tmp_path):
    out = tmp_path / "r.csv"
    proc = subprocess.Popen([fastnn_exe(), *sweep_args(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(5)  # well into the first 5,000,000-epoch trial
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    from fastnn.sweep import ResultsFile

    records = ResultsFile(out).load()
    assert [r["status"] for r in records.values()] == ["interrupted"]
    # a resumed sweep runs it again (short trials this time: a different key, so check the skip rule directly)
    from fastnn import sweep

    trials = sweep.grid(activation=["tanh", "relu"], epochs=5_000_000)
    assert trials[0].key in records
    done = {k for k, r in records.items() if r["status"] in sweep.FINISHED}
    assert trials[0].key not in done


def test_a_truncated_results_row_is_skipped_with_a_warning(tmp_path):
    out = tmp_path / "r.csv"
    assert invoke(*sweep_args(out, epochs=3)).exit_code == 0
    text = out.read_text()
    out.write_text(text[:len(text) - 25])  # the last row cut short, as a kill during a write leaves it
    result = invoke(*sweep_args(out, epochs=3))
    assert result.exit_code == 0, result.output
    assert "skipped 1 damaged row" in result.stderr
    from fastnn.sweep import ResultsFile

    assert sorted(r["status"] for r in ResultsFile(out).load().values()) == ["ok", "ok"]


def test_two_sweeps_on_one_results_file_are_refused_and_symlinks_not_followed(tmp_path):
    out = tmp_path / "r.csv"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    os.symlink(victim, tmp_path / "r.csv.tmp")  # the old fixed temp name, planted
    from fastnn.sweep import ResultsFile

    with ResultsFile(out).locked():
        result = invoke(*sweep_args(out, epochs=3))
        assert_bad_input(result, "in use by another sweep")
    assert invoke(*sweep_args(out, epochs=3)).exit_code == 0
    assert victim.read_text() == "keep me"
    assert len(ResultsFile(out).load()) == 2


def test_sweep_options_are_validated_up_front():
    assert_bad_input(invoke("sweep", "--top", "-1"), "--top")
    assert_bad_input(invoke("sweep", "--validation-split", "1.5"), "--validation-split")
    assert_bad_input(invoke("sweep", "--scheduler", "10.0.0.5:8786"), "tls://")


# ---- 9. security -----------------------------------------------------------------------------------

def test_warmup_workers_do_not_import_from_the_working_directory(tmp_path):
    marker = tmp_path / "planted-code-ran"
    (tmp_path / "numpy.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\nraise SystemExit(3)\n")
    proc = run_cli("warmup", "--dtype", "float32", cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()


def test_thread_safety_on_the_jit_path(tmp_path):
    code = """
import os, threading, numpy as np
os.environ["FASTNN_DISABLE_AOT"] = "1"
from fastnn import Dense, Sequential
rng = np.random.default_rng(0)
m = Sequential([Dense(64, activation='relu', input_dim=10), Dense(4, activation='softmax')], seed=0)
xs = [rng.random((int(rng.integers(1, 400)), 10)) for _ in range(20)]
want = [m.predict(x) for x in xs]
bad = []
def work(k):
    for i in range(100):
        j = (k + i) % len(xs)
        if not np.array_equal(m.predict(xs[j]), want[j]):
            bad.append(j)
ts = [threading.Thread(target=work, args=(k,)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(len(bad))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0"


def test_reading_a_numeric_csv_takes_under_3x_its_size(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write(",".join(f"c{i}" for i in range(8)) + ",y\n")
        np.savetxt(f, np.column_stack([rng.random((300_000, 8)), rng.integers(0, 2, 300_000)]), delimiter=",",
                   fmt="%.6f")
    size_mb = os.path.getsize(path) / 2**20
    code = """
import resource, sys
from fastnn_cli import data as D
from fastnn_cli.columns import ColumnPlan
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
ds = D.load(sys.argv[1])
ds.planned(ColumnPlan.fit(ds.raw, ds.feature_names))
print(ds.x.shape[0], (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows, grown_mb = proc.stdout.split()
    assert int(rows) == 300_000
    assert float(grown_mb) < 3 * size_mb, (grown_mb, size_mb)  # was 12.7x with the csv module's row lists
