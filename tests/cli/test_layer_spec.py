"""The command line's --layers spec with the new layer kinds, `fastnn info` on them, and the
sweep's --dropout axis."""
import json

import pytest

from fastnn import load_model, tasks
from tests.cli.test_cli import assert_bad_input, invoke


def test_parse_layers_reads_every_kind():
    assert tasks.parse_layers("64:relu,dropout:0.2,batchnorm,layernorm,prelu,alpha_dropout:0.1,"
                              "gaussian_dropout:0.3,noise:0.1,2:softmax") == [
        (64, "relu"), ("dropout", 0.2), ("batchnorm", None), ("layernorm", None), ("prelu", None),
        ("alpha_dropout", 0.1), ("gaussian_dropout", 0.3), ("noise", 0.1), (2, "softmax")]
    assert tasks.with_dropout([(20, "relu"), (20, "relu"), (1, "tanh")], 0.5) == [
        (20, "relu"), ("dropout", 0.5), (20, "relu"), ("dropout", 0.5), (1, "tanh")]


def test_train_with_dropout_and_batchnorm_then_info(tmp_path):
    out = tmp_path / "m.fastnn"
    result = invoke("train", "--layers", "32:relu,dropout:0.2,batchnorm,1:tanh", "--epochs", "30", "--json",
                    "--out", out)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["layers"] == ["32:relu", "dropout:0.2", "batchnorm", "1:tanh"]
    assert [type(layer).__name__ for layer in load_model(out).layers] == ["Dense", "Dropout", "BatchNormalization",
                                                                         "Dense"]
    info = invoke("info", out)
    assert info.exit_code == 0 and "(Dropout)" in info.stdout and "(BatchNormalization)" in info.stdout and "Non-trainable params: 64" in info.stdout


@pytest.mark.parametrize("spec,fragment", [
    ("20:relu,dropuot:0.2,1:tanh", "did you mean 'dropout'"),
    ("20:relu,dropout,1:tanh", "needs a rate"),
    ("20:relu,dropout:1.5,1:tanh", "rate"),
    ("20:relu,batchnorm:3,1:tanh", "takes no value"),
    ("dropout:0.2", "at least one Dense layer"),
    ("20:relu,1:tanh,dropout:0.1", "last Dense layer"),
])
def test_bad_layer_specs(spec, fragment):
    assert_bad_input(invoke("train", "--layers", spec, "--epochs", "2"), fragment)


def test_sweep_dropout_axis():
    result = invoke("sweep", "--dropout", "0,0.3", "--epochs", "5", "--workers", "1", "--quiet")
    assert result.exit_code == 0, result.output
    header, _, *rows = result.stdout.splitlines()[:4]
    assert header.split("|")[2].strip() == "dropout"
    assert sorted(row.split("|")[2].strip() for row in rows) == ["0.0", "0.3"]
    assert_bad_input(invoke("sweep", "--dropout", "1.2"), "dropout values must be rates")
