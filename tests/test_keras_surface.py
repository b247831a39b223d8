"""The Keras surface old and new scripts touch: Keras 1/2 module paths, keras.backend, initializer
names, History's Keras 1/2 spellings, metrics_names, predict_proba, get_layer, to_json /
model_from_json, a Sequential nested as a layer, the functional API for chains, trainable=False."""
import json

import numpy as np
import pytest

import fastnn
from fastnn import Dense, Input, Sequential
from fastnn.layers import BatchNormalization, Dropout
from fastnn.models import Model, model_from_json
from fastnn.optimizers import SGD, Adam, AdamW


def data(n=40, d=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    return x, (x[:, 0] + x[:, 1] > 0).astype(float)


def test_keras_1_and_2_module_paths():
    from fastnn.layers.advanced_activations import ELU, LeakyReLU, PReLU  # noqa: F401
    from fastnn.layers.core import Activation, Dense as CoreDense, Dropout as CoreDropout, Flatten  # noqa: F401
    from fastnn.layers.noise import GaussianNoise  # noqa: F401
    from fastnn.layers.normalization import BatchNormalization as BN

    assert CoreDense is Dense and CoreDropout is Dropout and BN is BatchNormalization


def test_keras_models_functions(tmp_path):
    # `from keras.models import load_model` is how most Keras 1/2 scripts load; Keras 3 keeps it
    from fastnn.models import clone_model, load_model, save_model

    x, y = data()
    model = Sequential([Dense(6, input_dim=4, activation="relu"), Dropout(0.2), Dense(1, activation="sigmoid")],
                       seed=3)
    model.layers[0].trainable = False
    model.compile("adam", "binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    save_model(model, tmp_path / "m.fastnn")
    loaded = load_model(tmp_path / "m.fastnn")
    assert np.array_equal(loaded.predict(x), model.predict(x))
    with pytest.raises(ValueError, match="custom_objects"):
        load_model(tmp_path / "m.fastnn", custom_objects={"swish2": abs})
    clone = clone_model(model)  # the same architecture, fresh weights, not compiled (Keras)
    assert [layer.get_config() for layer in clone.layers] == [layer.get_config() for layer in model.layers]
    assert not clone.compiled and not clone.layers[0].trainable
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    with pytest.raises(TypeError, match="clone_function"):
        clone_model(model, clone_function=lambda layer: layer)


def test_input_layer_in_every_keras_spelling():
    from fastnn.layers import Flatten, InputLayer

    x, y = data()
    for first in (InputLayer(shape=(4,)), InputLayer(input_shape=(4,)), InputLayer(batch_input_shape=(None, 4))):
        model = Sequential([first, Dense(3, activation="relu"), Dense(1)], seed=0)
        model.compile("adam", "mse")
        model.fit(x, y, epochs=1, verbose=0)
        assert model.input_shape == (None, 4) and model.count_params() == 4 * 3 + 3 + 3 + 1
    images = Sequential([InputLayer(shape=(2, 2)), Flatten(), Dense(1)])
    assert images.predict(x.reshape(-1, 2, 2)).shape == (len(x), 1)
    with pytest.raises(ValueError, match="shape is required"):
        InputLayer()
    with pytest.raises(TypeError, match="sparse"):
        InputLayer(shape=(4,), sparse=True)


def test_utils_normalize_and_plot_model():
    # hand-computed: a 3-4-5 row, a zero row left as it is, and L1 norms down the columns
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(fastnn.utils.normalize(x, axis=1), [[0.6, 0.8], [0, 0], [1, 0]])
    np.testing.assert_allclose(fastnn.utils.normalize(x, axis=0, order=1), [[0.75, 1], [0, 0], [0.25, 0]])
    with pytest.warns(UserWarning, match="does not draw models, so 'model.png' was not written"):
        assert fastnn.utils.plot_model(Sequential([Dense(1, input_dim=2)]), show_shapes=True) is None


def test_weights_and_shapes_as_keras_scripts_read_them():
    # Keras 2 idioms: trainable_count = sum(K.count_params(w) for w in model.trainable_weights);
    # model.layers[0].kernel; model.input_shape[1]; K.set_value(model.optimizer.lr, ...)
    from fastnn import backend as K

    model = Sequential([Dense(5, input_dim=4, activation="relu"), BatchNormalization(), Dense(2)], seed=0)
    model.compile("adam", "mse")
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)
    dense, bn, out = model.layers
    assert [K.int_shape(w) for w in model.trainable_weights] == [(4, 5), (5,), (5,), (5,), (5, 2), (2,)]
    assert [K.int_shape(w) for w in model.non_trainable_weights] == [(5,), (5,)]  # moving mean and variance
    assert sum(K.count_params(w) for w in model.trainable_weights + model.non_trainable_weights) == \
        model.count_params()
    np.testing.assert_array_equal(dense.kernel, model.get_weights()[0])
    np.testing.assert_array_equal(dense.bias, model.get_weights()[1])
    dense.trainable = False
    assert len(dense.trainable_weights) == 0 and len(dense.non_trainable_weights) == 2
    assert len(model.trainable_weights) == 4
    # the learning rate: read as a number, set through K.set_value, and training then uses it
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.001) and isinstance(model.optimizer.lr, float)
    K.set_value(model.optimizer.lr, 0.25 * K.get_value(model.optimizer.lr))
    assert model.optimizer.learning_rate == pytest.approx(0.00025)
    x, y = data()
    twin = Sequential([Dense(5, input_dim=4, activation="relu"), BatchNormalization(), Dense(2)], seed=0)
    twin.compile(Adam(learning_rate=0.00025), "mse")
    twin.layers[0].trainable = False
    for m in (model, twin):
        m.fit(x, np.stack([y, -y], axis=1), epochs=2, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), twin.get_weights()))
    assert json.loads(json.dumps(model.optimizer.get_config()))["learning_rate"] == pytest.approx(0.00025)
    with pytest.raises(TypeError, match="set_value: fastnn can set an optimizer's learning rate"):
        K.set_value(dense.kernel, np.zeros((4, 5)))


def test_backend_settings():
    from fastnn import backend as K

    K.clear_session()
    assert Dense(1).name == "dense" and Dense(1).name == "dense_1"
    K.clear_session()
    assert Dense(1).name == "dense"
    assert K.floatx() == "float32" and K.epsilon() == 1e-7 and K.image_data_format() == "channels_last"
    K.set_epsilon(1e-4)
    try:
        model = Sequential([Dense(1, input_dim=1, activation="sigmoid", use_bias=False,
                                  kernel_initializer="zeros")])
        model.compile("sgd", "binary_crossentropy")
        # p = 0.5 is not clipped either way; a label of 1 with p clipped to 1 - 1e-4 is
        model.set_weights([np.array([[100.0]])])
        assert model.evaluate(np.array([[1.0]]), np.array([0.0]), verbose=0) == pytest.approx(-np.log(1e-4), rel=1e-3)
    finally:
        K.set_epsilon(1e-7)
    with pytest.raises(ValueError, match="channels_last"):
        K.set_image_data_format("nchw")


def test_initializers_under_their_keras_names():
    from fastnn import initializers as I

    assert isinstance(I.get("GlorotUniform"), I.GlorotUniform) and I.glorot_uniform is I.GlorotUniform
    assert isinstance(I.get("he_normal"), I.HeNormal) and isinstance(I.get("normal"), I.RandomNormal)
    q = I.Orthogonal(gain=2.0)((6, 3), np.random.default_rng(0))
    np.testing.assert_allclose(q.T @ q, 4 * np.eye(3), atol=1e-12)
    np.testing.assert_array_equal(I.Identity()((2, 3), None), np.eye(2, 3))
    model = Sequential([Dense(3, input_dim=3, kernel_initializer=I.GlorotUniform(seed=1))])
    model.build()


def test_history_answers_to_keras_1_and_2_spellings():
    x, y = data()
    model = Sequential([Dense(1, input_dim=4, activation="sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", metrics=["acc", "mae"])
    h = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0).history
    assert list(h) == ["loss", "acc", "mae", "val_loss", "val_acc", "val_mae"]  # the names as passed
    assert h["accuracy"] is h["acc"] and h["val_accuracy"] is h["val_acc"]
    assert h["mean_absolute_error"] is h["mae"] and h["val_mean_absolute_error"] is h["val_mae"]
    assert "val_accuracy" in h and h.get("val_mean_squared_error") is None
    with pytest.raises(KeyError):
        h["val_precision"]
    assert json.loads(json.dumps(h)) == {k: list(v) for k, v in h.items()}


def test_model_surface():
    x, y = data()
    model = Sequential([Dense(3, input_dim=4, activation="relu", name="hidden"), Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy", fastnn.losses.mean_squared_error])
    assert model.metrics_names == ["loss", "accuracy", "mean_squared_error"]
    results = model.evaluate(x, y, verbose=0)
    assert results == list(model.evaluate(x, y, verbose=0, return_dict=True).values())
    np.testing.assert_array_equal(model.predict_proba(x), model.predict(x))
    assert model.get_layer("hidden") is model.layers[0] and model.get_layer(index=-1) is model.layers[1]
    with pytest.raises(ValueError, match="No such layer: 'nope'"):
        model.get_layer("nope")
    clone = model_from_json(model.to_json())
    assert [layer.get_config() for layer in clone.layers] == [layer.get_config() for layer in model.layers]
    relu = Sequential([Dense(2, input_dim=2)])
    relu.set_weights([np.array([[1.0, -1.0], [0.0, 0.0]]), np.zeros(2)])
    with pytest.warns(UserWarning, match="not in \\[0, 1\\]"):
        relu.predict_proba(np.array([[1.0, 0.0]]))


def test_model_from_json_reads_keras_json_without_running_code():
    keras_json = json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 3]}},
        {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "tanh"}}]}})
    model = model_from_json(keras_json)
    assert model.input_dim == 3 and model.layers[0].activation.name == "tanh"
    lam = keras_json.replace('"Dense"', '"Lambda"')
    with pytest.raises(ValueError, match="Lambda"):
        model_from_json(lam)


def test_a_nested_sequential_is_flattened_with_its_weights():
    x, y = data()
    base = Sequential([Dense(5, input_dim=4, activation="relu"), Dropout(0.1)], seed=1)
    base.build()
    outer = Sequential([base, Dense(1, activation="sigmoid")], seed=2)
    assert [type(layer).__name__ for layer in outer.layers] == ["Dense", "Dropout", "Dense"]
    outer.build()
    np.testing.assert_array_equal(outer.layers[0].get_weights()[0], base.layers[0].get_weights()[0])
    outer.compile("adam", "binary_crossentropy")
    outer.fit(x, y, epochs=2, verbose=0)
    assert outer.input_dim == 4


def test_the_functional_api_for_chains():
    x, y = data()
    inputs = Input(shape=(4,))
    hidden = Dense(6, activation="relu")(inputs)
    outputs = Dense(1, activation="sigmoid")(Dropout(0.2)(hidden))
    model = fastnn.Model(inputs=inputs, outputs=outputs)
    assert isinstance(model, Sequential) and [type(layer).__name__ for layer in model.layers] == [
        "Dense", "Dropout", "Dense"]
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    assert len(model.fit(x, y, epochs=3, verbose=0).history["loss"]) == 3
    start = Input(shape=(4,))
    block = Sequential([Dense(2, activation="relu"), Dense(1)])  # a Sequential called as a layer
    chained = Model([start], [block(Dense(3)(start))])
    assert [layer.units for layer in chained.layers] == [3, 2, 1]
    a = Input(shape=(4,))
    b = Dense(2)(a)
    Dense(2)(b)
    Dense(3)(b)
    with pytest.raises(ValueError, match="feeds 2 layers"):
        Model(a, b)
    with pytest.raises(ValueError, match="called on 2 tensors"):
        Dense(2)([a, a])
    with pytest.raises(ValueError, match="2 outputs"):
        Model(a, [b, b])
    with pytest.raises(ValueError, match="not computed from these inputs"):
        Model(Input(shape=(4,)), Dense(1)(Input(shape=(4,))))


def test_trainable_false_freezes_weights_and_batchnorm_statistics():
    x, y = data(64)
    model = Sequential([Dense(8, input_dim=4, activation="relu"), BatchNormalization(), Dense(1)], seed=0)
    model.compile(AdamW(0.01, weight_decay=0.1), "mse")
    model.fit(x, y, epochs=2, verbose=0)  # momentum in the optimizer's slots
    model.layers[0].trainable = False
    model.layers[1].trainable = False
    frozen = [model.layers[i].get_weights() for i in (0, 1)]
    last = model.layers[2].get_weights()
    model.fit(x, y, epochs=3, verbose=0)
    for i in (0, 1):
        for before, after in zip(frozen[i], model.layers[i].get_weights()):
            np.testing.assert_array_equal(before, after)  # weights, gamma/beta and moving statistics
    assert not np.array_equal(last[0], model.layers[2].get_weights()[0])
    # a frozen BatchNormalization normalises with its moving statistics in training too (Keras 3)
    np.testing.assert_allclose(model(x, training=True), model.predict(x), rtol=1e-6)
    model.layers[1].trainable = True
    model._sync_trainable()
    assert not np.allclose(model(x, training=True), model.predict(x), rtol=1e-3)  # batch statistics again
    model.layers[1].trainable = False
    text = []
    model.summary(print_fn=text.append)
    assert "Trainable params: 9 (" in text[0] and "Non-trainable params: 72 (" in text[0]
    model.trainable = True
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(frozen[0][0], model.layers[0].get_weights()[0])


def test_trainable_false_with_plain_sgd_and_adam_leaves_weights_exactly():
    x, y = data()
    for opt in (SGD(0.1, momentum=0.9), Adam(0.01)):
        model = Sequential([Dense(3, input_dim=4, trainable=False), Dense(1)], seed=0)
        model.compile(opt, "mse")
        w = model.layers[0].get_weights() if model.built else None
        model.build()
        w = model.layers[0].get_weights()
        model.fit(x, y, epochs=2, verbose=0)
        np.testing.assert_array_equal(w[0], model.layers[0].get_weights()[0])


def test_loss_and_metric_functions_are_accepted_in_compile():
    x, y = data()
    model = Sequential([Dense(1, input_dim=4, activation="sigmoid")], seed=0)
    model.compile("adam", fastnn.losses.binary_crossentropy,
                  metrics=[fastnn.metrics.binary_accuracy, fastnn.losses.mean_absolute_error])
    h = model.fit(x, y, epochs=1, verbose=0).history
    assert model.loss.name == "binary_crossentropy" and list(h) == ["loss", "binary_accuracy", "mean_absolute_error"]
    p = model.predict(x)
    r = model.evaluate(x, y, verbose=0, return_dict=True)
    assert r["binary_accuracy"] == pytest.approx(np.mean(fastnn.metrics.binary_accuracy(y.reshape(-1, 1), p)))


def test_on_batch_helpers_take_one_step_on_exactly_the_batch():
    # independent truth: one SGD step of a linear model under MSE, by hand in NumPy (float64)
    x, y = data(n=12)
    model = Sequential([Dense(1, input_dim=4)], seed=5, dtype="float64")
    model.compile(SGD(learning_rate=0.1), "mse", metrics=["mae"])
    w, b = model.get_weights()
    err = (x @ w + b).ravel() - y
    loss, mae = model.train_on_batch(x, y)  # the forward pass of the step, before the update
    assert loss == pytest.approx(np.mean(err ** 2), rel=1e-12) and mae == pytest.approx(np.mean(np.abs(err)), rel=1e-12)
    new_w, new_b = model.get_weights()
    np.testing.assert_allclose(new_w, w - 0.1 * 2 * x.T @ err[:, None] / len(x), rtol=1e-12)
    np.testing.assert_allclose(new_b, b - 0.1 * 2 * err.mean(), rtol=1e-12)
    assert model.optimizer.iterations == 1 and model.history is None  # fit's History is left alone
    err = (x @ new_w + new_b).ravel() - y
    assert model.test_on_batch(x, y, return_dict=True) == pytest.approx({"loss": np.mean(err ** 2),
                                                                       "mae": np.mean(np.abs(err))}, rel=1e-12)
    np.testing.assert_allclose(model.predict_on_batch(x), x @ new_w + new_b, rtol=1e-12)
    with pytest.raises(TypeError, match="fit_generator .* train_on_batch per batch"):
        model.fit_generator(iter([]), steps_per_epoch=1)


def test_keras_2_fit_options_for_generators_and_inputs_by_name_are_accepted():
    # Keras 2 scripts pass workers=/use_multiprocessing=/max_queue_size= with arrays (Keras ignored
    # them); Keras 3's functional examples pass {"digits": x} for a named Input
    x, y = data()
    inputs = Input(shape=(4,), name="digits")
    model = Model(inputs, Dense(1, name="predictions")(Dense(3, activation="relu")(inputs)), seed=0)
    model.compile("adam", "mse", metrics=["mae"])
    twin = Model.from_config(model.get_config(), seed=0)
    twin.compile("adam", "mse", metrics=["mae"])
    model.fit({"digits": x}, {"predictions": y}, epochs=2, verbose=0, workers=4, use_multiprocessing=True,
              max_queue_size=10)
    twin.fit(x, y, epochs=2, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), twin.get_weights()))
    assert model.evaluate({"digits": x}, y, verbose=0, workers=2) == twin.evaluate(x, y, verbose=0)
    np.testing.assert_array_equal(model.predict({"digits": x}, workers=2), twin.predict(x))
    with pytest.raises(ValueError, match="dict of 2 arrays"):
        model.fit({"a": x, "b": x}, y, verbose=0)
    with pytest.raises(TypeError, match="Metric function 'r2' is not one of Keras's built-in metrics"):
        model.compile("adam", "mse", metrics=[lambda_named_r2])


def lambda_named_r2(y_true, y_pred):
    return 0.0


lambda_named_r2.__name__ = "r2"
