"""fastnn.sweep and `fastnn sweep`: grids, local and Dask execution giving identical numbers,
resumable results files, per-trial failures, and clear errors for bad grid values."""
import json

import pytest
from typer.testing import CliRunner

from fastnn import datasets, sweep
from fastnn_cli.main import app


@pytest.fixture(scope="module")
def data():
    (x, y), (xt, yt) = datasets.tutorial_split(0)
    return sweep.Data(x, y, xt, yt, "tutorial")


def small_grid():
    return sweep.grid(activation=["tanh", "relu"], optimizer=["adam", "sgd"], repeats=2, epochs=20)


def strip_times(results):
    return [{k: v for k, v in r.items() if k not in ("seconds", "train_seconds")} for r in results]


def test_grid_is_every_combination_times_repeats():
    trials = small_grid()
    assert len(trials) == 8 and len({t.key for t in trials}) == 8
    assert {t.seed for t in trials} == {0, 1}


@pytest.mark.parametrize("kwargs,match", [
    ({"activation": ["sigmod"]}, "Did you mean 'sigmoid'"),
    ({"optimizer": ["rsmprop"]}, "Did you mean 'rmsprop'"),
    ({"loss": ["msa"]}, "Did you mean"),
    ({"lr": ["-0.1"]}, "finite and >= 0"),
    ({"batch_size": [0]}, "positive integers"),
    ({"activation": ["tanh", "tanh"]}, "listed twice"),
    ({"layers": ["20:tanh,,1"]}, "empty layer"),
    ({"repeats": 0}, "repeats"),
])
def test_bad_grid_values_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sweep.grid(**kwargs)


def test_local_workers_give_the_same_numbers_as_one_process(data):
    one = sweep.run(small_grid(), data, workers=1)
    two = sweep.run(small_grid(), data, workers=2)
    assert strip_times(one) == strip_times(two)
    assert all(r["status"] == "ok" and 0 <= r["val_accuracy"] <= 1 for r in one)


def test_dask_cluster_gives_the_same_numbers(data):
    distributed = pytest.importorskip("dask.distributed")
    local = sweep.run(small_grid(), data, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        on_dask = sweep.run(small_grid(), data, scheduler=cluster.scheduler_address)
    assert strip_times(on_dask) == strip_times(local)


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_results_file_resumes(tmp_path, data, ext):
    out = tmp_path / f"results.{ext}"
    first = sweep.run(small_grid()[:5], data, workers=1, out=out)
    calls = []
    again = sweep.run(small_grid(), data, workers=1, out=out, progress=lambda d, t, r: calls.append(r["key"]))
    assert len(calls) == 3  # only the trials not already in the file ran
    assert strip_times(again[:5]) == strip_times(first)
    assert len(sweep.ResultsFile(out).load()) == 8


def test_a_failing_trial_is_reported_and_the_rest_complete(data):
    trials = sweep.grid(layers=["20:tanh,1:tanh", "20:tanh,3:tanh"], epochs=5)  # 3 outputs cannot fit hinge
    results = sweep.run(trials, data, workers=1)
    status = {r["layers"]: r for r in results}
    assert status["20:tanh,1:tanh"]["status"] == "ok"
    assert status["20:tanh,3:tanh"]["status"] == "error" and "3 unit(s)" in status["20:tanh,3:tanh"]["error"]
    ranked, rank_by = sweep.summarize(results)
    assert rank_by == "val_accuracy" and ranked[-1].failures


def test_corrupt_results_file_is_a_clear_error(tmp_path, data):
    bad = tmp_path / "r.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not a readable sweep results file"):
        sweep.run(small_grid(), data, workers=1, out=bad)


def test_cli_sweep_ranked_table_and_out(tmp_path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["sweep", "--activation", "tanh,relu", "--opt", "adam,rmsprop", "--epochs", "10",
                                      "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| # | activation | optimizer | val_accuracy")
    assert len([line for line in lines if line.startswith("| 1 ")]) == 1 and "4 trials" in result.stdout
    assert len(json.loads(out.read_text())) == 4


@pytest.mark.parametrize("args,fragment", [
    (["--activation", "tanh,,relu"], "empty value"),
    (["--lr", "0.1,fast"], "not a number"),
    (["--batch-size", "32,1.5"], "not a whole number"),
    (["--opt", "adamm"], "Did you mean 'adam'"),
    (["--workers", "0"], "at least 1"),
    (["--out", "results.txt"], ".csv or .json"),
])
def test_cli_sweep_bad_values(args, fragment):
    result = CliRunner().invoke(app, ["sweep", "--epochs", "2", "--workers", "1"] + args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("fastnn: error: ") and fragment in result.stderr


# ---- plots ------------------------------------------------------------------------------------

def assert_png(path, min_bytes=10_000):
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) > min_bytes


def test_plot_commands_write_pngs(tmp_path):
    pytest.importorskip("matplotlib")
    runner = CliRunner()
    r = runner.invoke(app, ["plot", "activations", "--out", str(tmp_path / "a.png")])
    assert r.exit_code == 0, r.output
    assert_png(tmp_path / "a.png", 100_000)
    hist = tmp_path / "h.json"
    assert runner.invoke(app, ["train", "--epochs", "15", "--quiet", "--history", str(hist)]).exit_code == 0
    r = runner.invoke(app, ["plot", "history", str(hist), "--out", str(tmp_path / "h.png")])
    assert r.exit_code == 0, r.output
    assert_png(tmp_path / "h.png")
    res = tmp_path / "r.csv"
    assert runner.invoke(app, ["sweep", "--activation", "tanh,relu", "--opt", "adam,sgd", "--epochs", "5",
                               "--workers", "1", "--out", str(res)]).exit_code == 0
    r = runner.invoke(app, ["plot", "sweep", str(res), "--x", "activation", "--y", "optimizer",
                            "--out", str(tmp_path / "s.png")])
    assert r.exit_code == 0, r.output
    assert_png(tmp_path / "s.png")


@pytest.mark.parametrize("args,fragment", [
    (["plot", "history", "missing.json"], "no such file"),
    (["plot", "activations", "--out", "a.jpg"], "PNG"),
    (["plot", "sweep", "missing.csv"], "no such file"),
])
def test_plot_bad_input(args, fragment, tmp_path):
    pytest.importorskip("matplotlib")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and fragment in result.stderr, result.output


def test_plot_sweep_bad_axis(tmp_path, data):
    pytest.importorskip("matplotlib")
    from fastnn import plotting

    results = sweep.run(small_grid()[:2], data, workers=1)
    with pytest.raises(ValueError, match="unknown sweep axis"):
        plotting.sweep_plot(results, "colour", "optimizer", "val_accuracy", tmp_path / "x.png")
    with pytest.raises(ValueError, match="no 'f1'"):
        plotting.sweep_plot(results, "activation", "optimizer", "f1", tmp_path / "x.png")


def test_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("dask.distributed")
    result = CliRunner().invoke(app, ["sweep", "--epochs", "2", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.stderr, result.output
