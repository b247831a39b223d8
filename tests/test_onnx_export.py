"""ONNX export: every activation (default and non-default parameters) and every layer kind is
checked with onnx.checker and run in onnxruntime, whose outputs must equal predict within 1e-5
(float32), for a dynamic batch; the metadata carries the label encoding; the CLI exports too."""
import json

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import fastnn  # noqa: E402
from fastnn import Dense, Sequential, activations  # noqa: E402
from fastnn.layers import (  # noqa: E402
    Activation, AlphaDropout, BatchNormalization, Dropout, Flatten, GaussianDropout, GaussianNoise,
    LayerNormalization, Normalization, PReLU,
)

NON_DEFAULT = {
    "relu": [{"max_value": 2.0}, {"threshold": 0.5, "negative_slope": 0.1}, {"negative_slope": 0.2, "max_value": 3.0}],
    "leaky_relu": [{"negative_slope": 0.3}], "elu": [{"alpha": 0.5}], "celu": [{"alpha": 2.0}],
    "gelu": [{"approximate": True}], "squareplus": [{"b": 1.0}], "soft_shrink": [{"threshold": 1.0}],
    "hard_shrink": [{"threshold": 1.0}], "threshold": [{"threshold": 0.2, "default_value": -1.0}],
}
CASES = [(name, {}) for name in activations.names()] + [(n, p) for n, ps in NON_DEFAULT.items() for p in ps]


def run_onnx(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"inputs": x})[0]


def exported(model, tmp_path, name="m.onnx"):
    path = tmp_path / name
    model.export(path)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    return path


@pytest.mark.parametrize("name,params", CASES, ids=[f"{n}{p or ''}" for n, p in CASES])
def test_every_activation_matches_predict(tmp_path, name, params):
    act = activations.ActivationFunction(name, **params)
    model = Sequential([Dense(16, input_dim=3, activation="linear"), Activation(act), Dense(4, activation=act)],
                       seed=1)
    model.build()
    w = model.get_weights()
    # pre-activations spread over about [-6, 6]; exp(exp(z)) would overflow and amplify float32 rounding
    first, second = (1.0, 0.1) if name == "exponential" else (4.0, 0.3)
    model.set_weights([w[0] * first, w[1] + 0.3, w[2] * second, w[3]])
    x = np.random.default_rng(0).uniform(-2, 2, size=(257, 3)).astype(np.float32)
    path = exported(model, tmp_path)
    expected = model.predict(x)
    np.testing.assert_allclose(run_onnx(path, x), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(run_onnx(path, x[:1]), expected[:1], rtol=1e-5, atol=1e-5)  # dynamic batch


def test_every_layer_kind_matches_predict_after_training(tmp_path):
    model = Sequential([
        Normalization(mean=[1.0, -2.0, 0.5, 0.0], variance=[4.0, 0.25, 1.0, 0.0], input_shape=(4,)),
        Dense(12, activation="relu"), Dropout(0.3), BatchNormalization(momentum=0.5),
        Dense(10, activation="tanh"), GaussianNoise(0.2), LayerNormalization(), PReLU(), GaussianDropout(0.1),
        Dense(8, activation="selu"), AlphaDropout(0.1), BatchNormalization(center=False), Dense(6, use_bias=False),
        LayerNormalization(scale=False), Dense(3, activation="softmax"),
        Normalization(mean=[0.5, 0.5, 0.5], variance=[4.0, 4.0, 4.0], invert=True),
    ], seed=3)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 4)).astype(np.float32)
    model.compile("adam", "mse")
    model.fit(x, rng.random((200, 3)), epochs=5, verbose=0)  # moving statistics and PReLU slopes move
    path = exported(model, tmp_path)
    np.testing.assert_allclose(run_onnx(path, x), model.predict(x), rtol=1e-5, atol=1e-5)
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert {"Gemm", "LayerNormalization", "PRelu"} <= ops and not ops & {"Dropout", "RandomNormal"}


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_multidimensional_samples_are_flattened_in_the_graph(tmp_path, data_format):
    model = Sequential([Flatten(input_shape=(3, 4, 2), data_format=data_format), Dense(5, activation="relu"),
                        Dense(2)], seed=0)
    x = np.random.default_rng(2).normal(size=(7, 3, 4, 2)).astype(np.float32)
    path = exported(model, tmp_path)
    np.testing.assert_allclose(run_onnx(path, x), model.predict(x), rtol=1e-5, atol=1e-6)


def test_the_cli_exports_a_trained_model_with_its_labels_and_info_describes_it(tmp_path):
    from tests.cli.test_cli import invoke

    result = invoke("train", "--epochs", "3", "--out", str(tmp_path / "m.fastnn"), "--quiet")
    assert result.exit_code == 0, result.output
    result = invoke("export", str(tmp_path / "m.fastnn"), str(tmp_path / "m.onnx"))
    assert result.exit_code == 0, result.output
    proto = onnx.load(str(tmp_path / "m.onnx"))
    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["fastnn_labels"]) == {"kind": "pm1", "classes": ["0", "1"]}
    assert proto.opset_import[0].version >= 17
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and dims[1].dim_value == 5
    model = fastnn.load_model(tmp_path / "m.fastnn")
    x = np.random.default_rng(0).random((20, 5)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(tmp_path / "m.onnx", x), model.predict(x), rtol=1e-5, atol=1e-6)
    info = invoke("info", str(tmp_path / "m.fastnn"))
    assert "ONNX export" in info.stdout and "Gemm + tanh" in info.stdout
    bad = invoke("export", str(tmp_path / "m.fastnn"), str(tmp_path / "m.txt"))
    assert bad.exit_code == 2 and ".onnx" in bad.stderr


def test_bad_export_requests_are_clear_errors(tmp_path):
    model = Sequential([Dense(2, input_dim=3)])
    with pytest.raises(ValueError, match="format='onnx' only"):
        model.export(tmp_path / "m", format="tf_saved_model")
    with pytest.raises(ValueError, match="opset_version must be an integer >= 17"):
        model.export(tmp_path / "m.onnx", opset_version=9)


def test_export_to_a_directory_or_a_missing_directory_is_a_clear_error(tmp_path):
    model = Sequential([Dense(2, input_dim=3)])
    with pytest.raises(ValueError, match="is a directory"):
        model.export(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.export(tmp_path / "missing" / "m.onnx")
