"""Keras model files into fastnn. The .keras/.h5 files in tests/data/keras were written by Keras 3
itself (make_fixtures.py there), with Keras's predictions beside them; the Keras 2 (tf.keras) and
Keras 1 files are built here with h5py in their documented layouts and checked against a NumPy
forward pass of the same weights."""
import json

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

import fastnn  # noqa: E402
from fastnn import Dense, Sequential  # noqa: E402
from fastnn.keras_import import KerasFileError  # noqa: E402
from fastnn.layers import BatchNormalization, Dropout, LayerNormalization  # noqa: E402

from pathlib import Path  # noqa: E402

DATA = Path(__file__).parent / "data" / "keras"
EXPECTED = np.load(DATA / "expected.npz")


@pytest.mark.parametrize("name", ["mlp.keras", "mlp_legacy.h5"])
def test_a_keras3_model_predicts_as_keras_and_brings_its_compile_settings(name):
    model = fastnn.load_model(DATA / name)
    np.testing.assert_allclose(model.predict(EXPECTED["x"]), EXPECTED["mlp"], rtol=1e-5, atol=1e-6)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "BatchNormalization", "Dropout", "Dense", "LayerNormalization", "Dense"]
    assert model.loss.name == "categorical_crossentropy" and model._metric_identifiers == ["accuracy"]
    assert type(model.optimizer).__name__ == "Adam" and model.optimizer.learning_rate == pytest.approx(0.01)


@pytest.mark.parametrize("name", ["functional.keras", "functional_legacy.h5"])
def test_a_keras3_functional_chain_imports_and_predicts_as_keras(name):
    # keras.Input(name=...) -> Dense -> Dropout -> BatchNormalization -> Dense, built with the functional API
    model = fastnn.load_model(DATA / name)
    np.testing.assert_allclose(model.predict(EXPECTED["x"]), EXPECTED["functional"], rtol=1e-5, atol=1e-6)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dropout", "BatchNormalization", "Dense"]
    assert model.loss.name == "sparse_categorical_crossentropy" and type(model.optimizer).__name__ == "RMSprop"


def test_a_branching_functional_model_is_one_clear_error():
    # two Dense layers read the input and an Add merges them
    with pytest.raises(KerasFileError, match="layer 'add' takes 2 inputs .a merge.; fastnn imports functional models "
                                             "that are chains"):
        fastnn.load_model(DATA / "branched.keras")


def test_a_tf_keras_2_functional_chain(tmp_path):
    # tf.keras 2 writes inbound_nodes as [[[layer, node, tensor, kwargs]]]; the layers are listed out of order here
    rng = np.random.default_rng(4)
    w1, b1, w2, b2 = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=(5, 1)), rng.normal(size=1)
    config = {"class_name": "Functional", "config": {"name": "model", "layers": [
        {"class_name": "Dense", "name": "out", "inbound_nodes": [[["h", 0, 0, {}]]],
         "config": {"name": "out", "units": 1, "activation": "linear"}},
        {"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, 3], "name": "in"}},
        {"class_name": "Dense", "name": "h", "inbound_nodes": [[["in", 0, 0, {}]]],
         "config": {"name": "h", "units": 5, "activation": "tanh"}}],
        "input_layers": [["in", 0, 0]], "output_layers": [["out", 0, 0]]}}
    path = legacy_file(tmp_path / "fn2.h5", config, [
        ("h", [("h/kernel:0", w1), ("h/bias:0", b1)]), ("out", [("out/kernel:0", w2), ("out/bias:0", b2)])])
    x = rng.normal(size=(6, 3))
    np.testing.assert_allclose(fastnn.load_model(path).predict(x), np.tanh(x @ w1 + b1) @ w2 + b2, rtol=1e-5, atol=1e-6)


def test_every_imported_layer_kind_predicts_as_keras():
    # Flatten of (4, 3) samples, Dense without bias, LeakyReLU, PReLU, GaussianNoise, gelu, an
    # Activation('selu') layer, BatchNormalization without beta
    model = fastnn.load_model(DATA / "kinds.keras")
    np.testing.assert_allclose(model.predict(EXPECTED["xk"]), EXPECTED["kinds"], rtol=1e-5, atol=1e-6)
    assert model.loss.name == "binary_crossentropy" and type(model.optimizer).__name__ == "SGD"


def test_the_imported_model_trains_on_saves_and_exports(tmp_path):
    model = fastnn.load_model(DATA / "mlp.keras")
    x = EXPECTED["x"]
    y = np.eye(3)[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)]
    before = model.evaluate(x, y, verbose=0)[0]
    model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0)[0] < before
    model.save(tmp_path / "m.fastnn")
    np.testing.assert_array_equal(fastnn.load_model(tmp_path / "m.fastnn").predict(x), model.predict(x))
    ort = pytest.importorskip("onnxruntime")
    model.export(tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"inputs": x})[0], model.predict(x), rtol=1e-5, atol=1e-6)


def test_keras3_weights_files_load_into_the_same_architecture():
    model = Sequential([Dense(16, input_dim=5, activation="relu"), BatchNormalization(), Dropout(0.2),
                        Dense(8, activation="tanh"), LayerNormalization(), Dense(3, activation="softmax")])
    model.load_weights(DATA / "mlp.weights.h5")
    np.testing.assert_allclose(model.predict(EXPECTED["x"]), EXPECTED["mlp"], rtol=1e-5, atol=1e-6)
    with pytest.raises(KerasFileError, match="do not fit"):
        Sequential([Dense(4, input_dim=5), BatchNormalization(), Dropout(0.2), Dense(8), LayerNormalization(),
                    Dense(3)]).load_weights(DATA / "mlp.weights.h5")


def legacy_file(path, model_config, layers, training_config=None):
    """An .h5 in the Keras 1/2 layout: model_config, model_weights/<layer>/<weight name>."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.4.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(model_config)
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config)
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = [name.encode() for name, _ in layers]
        for name, weights in layers:
            group = g.create_group(name)
            group.attrs["weight_names"] = [w.encode() for w, _ in weights]
            for wname, value in weights:
                group.create_dataset(wname, data=value)
    return path


def test_a_tf_keras_2_h5_file(tmp_path):
    rng = np.random.default_rng(0)
    w1, b1, w2, b2 = rng.normal(size=(4, 6)), rng.normal(size=6), rng.normal(size=(6, 2)), rng.normal(size=2)
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "in"}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 6, "activation": "relu", "use_bias": True,
                                           "kernel_regularizer": None, "dtype": "float32"}},
        {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.5, "noise_shape": None, "seed": None}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 2, "activation": "softmax"}}]}}
    training = {"loss": "sparse_categorical_crossentropy", "metrics": [["accuracy"]],
                "optimizer_config": {"class_name": "RMSprop", "config": {"name": "RMSprop", "learning_rate": 0.002,
                                                                        "rho": 0.9, "decay": 0.0}}}
    path = legacy_file(tmp_path / "tf2.h5", config, [
        ("dense", [("dense/kernel:0", w1), ("dense/bias:0", b1)]), ("dropout", []),
        ("dense_1", [("dense_1/kernel:0", w2), ("dense_1/bias:0", b2)])], training)
    model = fastnn.load_model(path)
    x = rng.normal(size=(10, 4))
    z = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(model.predict(x), expected / expected.sum(axis=1, keepdims=True), rtol=1e-5,
                               atol=1e-6)
    assert model.loss.name == "sparse_categorical_crossentropy" and model._metric_identifiers == ["accuracy"]
    assert type(model.optimizer).__name__ == "RMSprop" and model.optimizer.learning_rate == pytest.approx(0.002)


def test_a_keras_1_h5_file(tmp_path):
    rng = np.random.default_rng(1)
    w1, b1, w2, b2 = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=(3, 1)), rng.normal(size=1)
    config = {"class_name": "Sequential", "config": [
        {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 3, "input_dim": 5, "init": "glorot_uniform",
                                           "activation": "tanh", "batch_input_shape": [None, 5], "bias": True,
                                           "W_regularizer": None, "b_regularizer": None}},
        {"class_name": "Dense", "config": {"name": "dense_2", "output_dim": 1, "activation": "tanh", "bias": True}}]}
    path = legacy_file(tmp_path / "k1.h5", config, [("dense_1", [("dense_1_W", w1), ("dense_1_b", b1)]),
                                                    ("dense_2", [("dense_2_W", w2), ("dense_2_b", b2)])])
    model = fastnn.load_model(path)
    x = rng.normal(size=(8, 5))
    np.testing.assert_allclose(model.predict(x), np.tanh(np.tanh(x @ w1 + b1) @ w2 + b2), rtol=1e-5, atol=1e-6)
    assert not model.compiled  # the file has no training_config


def test_unsupported_and_unsafe_files_are_one_clear_error(tmp_path):
    with pytest.raises(KerasFileError, match="Lambda layer.*never executes code"):
        fastnn.load_model(DATA / "lambda.keras")
    conv = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 1]}},
        {"class_name": "Conv2D", "config": {"name": "conv2d", "filters": 4}}]}}
    with pytest.raises(KerasFileError, match="'conv2d' is a Conv2D, which fastnn does not have"):
        fastnn.load_model(legacy_file(tmp_path / "conv.h5", conv, []))
    functional = {"class_name": "Functional", "config": {"name": "f", "layers": []}}
    with pytest.raises(KerasFileError, match="the functional config has no layer list"):
        fastnn.load_model(legacy_file(tmp_path / "f.h5", functional, []))
    subclassed = {"class_name": "MyModel", "config": {"name": "m"}}
    with pytest.raises(KerasFileError, match="a MyModel model; fastnn imports Sequential stacks and functional chains"):
        fastnn.load_model(legacy_file(tmp_path / "m.h5", subclassed, []))
    damaged = tmp_path / "damaged.keras"
    damaged.write_bytes((DATA / "mlp.keras").read_bytes()[:5000])
    with pytest.raises(fastnn.ModelFileError):
        fastnn.load_model(damaged)
    with h5py.File(tmp_path / "w.h5", "w") as f:
        f.create_group("layers")
    with pytest.raises(KerasFileError, match="load_weights"):
        fastnn.load_model(tmp_path / "w.h5")


def test_a_regularizer_in_the_file_is_named_in_a_warning(tmp_path):
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 1, "batch_input_shape": [None, 2],
                                           "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.01}}}}]}}
    path = legacy_file(tmp_path / "r.h5", config, [("d", [("d/kernel:0", np.ones((2, 1))), ("d/bias:0", np.zeros(1))])])
    with pytest.warns(UserWarning, match="kernel_regularizer.*ignores"):
        model = fastnn.load_model(path)
    np.testing.assert_allclose(model.predict(np.array([[1.0, 2.0]])), [[3.0]])


def test_a_keras2_weights_only_h5_file(tmp_path):
    # model.save_weights('w.h5') in Keras 2: layer_names at the root, no model_weights group, no config
    rng = np.random.default_rng(2)
    w1, b1, w2, b2 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"dense", b"dropout", b"dense_1"]
        for name, weights in (("dense", [("dense/kernel:0", w1), ("dense/bias:0", b1)]), ("dropout", []),
                              ("dense_1", [("dense_1/kernel:0", w2), ("dense_1/bias:0", b2)])):
            g = f.create_group(name)
            g.attrs["weight_names"] = [w.encode() for w, _ in weights]
            for wname, value in weights:
                g.create_dataset(wname, data=value)
    model = Sequential([Dense(4, input_dim=3, activation="relu"), Dropout(0.5), Dense(2)])
    model.load_weights(path)
    x = rng.normal(size=(6, 3))
    np.testing.assert_allclose(model.predict(x), np.maximum(x @ w1 + b1, 0) @ w2 + b2, rtol=1e-5, atol=1e-6)
    with pytest.raises(KerasFileError, match="layer_names|load_weights|model"):
        fastnn.load_model(path)  # weights only: no architecture to build
