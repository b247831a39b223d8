"""Layer kinds: Dropout, GaussianNoise, GaussianDropout, AlphaDropout, BatchNormalization,
LayerNormalization, Normalization, PReLU, Flatten. Each is checked against the NumPy reference (fastnn/reference/
layers.py, with the same noise draws), against central finite differences, against Keras 3's own
test values, statistically (the random layers), and over whole training trajectories."""
import numpy as np
import pytest

import fastnn
from fastnn import Dense, Sequential, optimizers
from fastnn.layers import (
    AlphaDropout, BatchNormalization, Dropout, Flatten, GaussianDropout, GaussianNoise, LayerNormalization, Normalization,
    LeakyReLU, PReLU,
)
from fastnn.reference import activations as ref_act
from fastnn.reference import layers as ref_layers
from fastnn.reference import losses as ref_loss
from fastnn.reference.optimizers import ReferenceOptimizer
from fastnn.reference.trainer import fastnn_order
from tests.conftest import central_difference

KINDS = {
    "dropout": lambda: Dropout(0.3),
    "dropout-shared": lambda: Dropout(0.4, noise_shape=(None, 1)),
    "alpha_dropout": lambda: AlphaDropout(0.2),
    "gaussian_dropout": lambda: GaussianDropout(0.3),
    "gaussian_noise": lambda: GaussianNoise(0.5),
    "batchnorm": lambda: BatchNormalization(momentum=0.9),
    "batchnorm-no-center": lambda: BatchNormalization(center=False, epsilon=0.01),
    "layernorm": lambda: LayerNormalization(),
    "prelu": lambda: PReLU(alpha_initializer="random_uniform"),
    "normalization": lambda: Normalization(mean=np.linspace(-1, 1, 6), variance=np.linspace(0.5, 3, 6)),
    "normalization-invert": lambda: Normalization(mean=0.5, variance=4.0, invert=True),
}


def stack(kind_layer, seed=5):
    return Sequential([Dense(6, activation="tanh", input_dim=4), kind_layer, Dense(3, activation="linear")],
                      dtype="float64", seed=seed)


def reference_of(model):
    """The model as reference layer dicts, with its current weights (copied)."""
    out = []
    for layer in model.layers:
        w = [a.copy() for a in layer.get_weights()]
        cfg = layer.get_config()
        kind = layer.kind
        if kind == "dense":
            out.append({"kind": "dense", "W": w[0], "b": w[1] if layer.use_bias else None,
                        "act": (layer.activation.name, {})})
        elif kind == "batch_normalization":
            names = (["gamma"] if layer.scale else []) + (["beta"] if layer.center else [])
            d = dict(zip(names, w[:len(names)]), kind=kind, moving_mean=w[-2], moving_variance=w[-1],
                     momentum=layer.momentum, epsilon=layer.epsilon)
            out.append(d)
        elif kind == "layer_normalization":
            out.append({"kind": kind, "gamma": w[0], "beta": w[1], "epsilon": layer.epsilon})
        elif kind == "prelu":
            out.append({"kind": kind, "alpha": w[0]})
        elif kind == "normalization":
            out.append({"kind": kind, "mean": w[0], "variance": w[1], "invert": layer.invert})
        else:
            share = tuple(layer._share) if hasattr(layer, "_share") else (0, 0)
            out.append({"kind": kind, "rate": cfg.get("rate", cfg.get("stddev")), "share": share})
    return out


def ref_forward(layers, x, training, key, step):
    caches = []
    h = x
    for li, layer in enumerate(layers):
        if layer["kind"] == "dense":
            z = h @ layer["W"] + (0 if layer["b"] is None else layer["b"])
            a = ref_act.forward(layer["act"][0], z)
            caches.append((h, z))
            h = a
        else:
            h2, cache = ref_layers.forward(layer, h, training, (key, step, li))
            caches.append((h, cache))
            h = h2
    return h, caches


def ref_gradients(layers, caches, dout):
    grads = [None] * len(layers)
    d = dout
    for li in range(len(layers) - 1, -1, -1):
        layer = layers[li]
        if layer["kind"] == "dense":
            h, z = caches[li]
            d = ref_act.vjp(layer["act"][0], z, d)
            grads[li] = {"W": h.T @ d, "b": d.sum(axis=0)}
            d = d @ layer["W"].T
        else:
            d, grads[li] = ref_layers.backward(layer, d, caches[li][1])
    return grads


def kernel_pass(model, x, dout):
    """Training-mode forward and backward through the kernels: (output, gradient buffer)."""
    from fastnn.kernels.network import network_backward, network_forward

    layout = model._layout
    B = len(x)
    ws = layout.workspace(B)
    xT = layout.input_block(x)
    assert network_forward(model._net(), xT, ws.work, B, True)
    out = layout.output_rows(ws.work, B)
    grads = np.full(layout.n_params, np.nan)
    ws.d_cur[:dout.size] = dout.T.reshape(-1)
    assert network_backward(model._net(), grads, xT, ws.work, B, ws.d_cur, ws.d_next, False)
    return out, grads


@pytest.mark.parametrize("name", KINDS)
def test_forward_and_backward_match_the_reference(name):
    rng = np.random.default_rng(0)
    model = stack(KINDS[name]())
    model.build()
    x = rng.normal(size=(9, 4))
    dout = rng.normal(size=(9, 3))
    layers = reference_of(model)
    key, step = int(model._noise[0]), int(model._noise[1])
    out, grads = kernel_pass(model, x, dout)
    expected, caches = ref_forward(layers, x, True, key, step)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    ref_grads = ref_gradients(layers, caches, dout)
    flat = []
    for layer, g in zip(model.layers, ref_grads):
        if layer.kind == "dense":
            flat += [g["W"].ravel(), g["b"]]
        elif layer.kind in ("batch_normalization", "layer_normalization"):
            flat += ([g["gamma"]] if getattr(layer, "scale", True) else []) + \
                    ([g["beta"]] if getattr(layer, "center", True) else [])
        elif layer.kind == "prelu":
            flat.append(g["alpha"])
    np.testing.assert_allclose(grads, np.concatenate(flat), rtol=1e-10, atol=1e-12)
    if name.startswith("batchnorm"):  # the moving statistics moved once, as in the reference
        bn = model.layers[1].get_weights()
        np.testing.assert_allclose(bn[-2], layers[1]["moving_mean"], rtol=1e-12)
        np.testing.assert_allclose(bn[-1], layers[1]["moving_variance"], rtol=1e-12)


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "gaussian_dropout", "batchnorm", "layernorm", "prelu"])
def test_gradients_match_finite_differences(name):
    rng = np.random.default_rng(1)
    model = stack(KINDS[name]())
    model.build()
    x = rng.normal(size=(7, 4))
    y = rng.normal(size=(7, 3))
    state = model._state.copy()

    def loss_at(params):
        model._params[:] = params
        model._state[:] = state  # batchnorm's training pass moves its statistics: undo
        out, _ = kernel_pass(model, x, np.zeros((7, 3)))
        return float(np.mean((out - y) ** 2))

    p0 = model._params.copy()
    numeric = central_difference(loss_at, p0)
    model._params[:] = p0
    model._state[:] = state
    out, _ = kernel_pass(model, x, np.zeros((7, 3)))
    model._state[:] = state
    _, analytic = kernel_pass(model, x, 2 * (out - y) / out.size)  # the same noise draws: the step is fixed
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


# ---- Keras 3's own test values ---------------------------------------------------------------------

def test_batchnorm_keras_golden():
    x = np.array([[1, 2], [3, 6], [5, 10], [7, 14]], dtype=np.float32)
    model = Sequential([BatchNormalization(input_shape=(2,))])
    out = model(x, training=True)
    np.testing.assert_allclose(out[:, 0], [-1.3415067, -0.4471688, 0.4471688, 1.3415067], rtol=1e-5)
    gamma, beta, mean, var = model.get_weights()
    np.testing.assert_allclose(mean, [0.04, 0.08], rtol=1e-5)
    np.testing.assert_allclose(var, [1.04, 1.19], rtol=1e-5)  # biased: unbiased would give 1.0566...
    np.testing.assert_allclose(model.predict(x)[0], [0.9409052, 1.7593219], rtol=1e-5)
    assert model.count_params() == 8 and model.layers[0].count_params() == 8


def test_layernorm_keras_goldens():
    model = Sequential([LayerNormalization(gamma_initializer="ones", beta_initializer="ones", input_shape=(5,))])
    np.testing.assert_allclose(model.predict(np.array([[0, 1, 2, 3, 4]], dtype=np.float32)),
                               [[-0.41386, 0.29307, 1.0, 1.70693, 2.41386]], rtol=1e-4)
    model = Sequential([LayerNormalization(input_shape=(4,))])
    np.testing.assert_allclose(model.predict(np.array([[1, 2, 3, 4]], dtype=np.float32)),
                               [[-1.3411043, -0.4470347, 0.4470348, 1.3411045]], rtol=1e-5)


def test_prelu_keras_golden():
    model = Sequential([PReLU(alpha_initializer=fastnn.initializers.Constant(0.25), input_shape=(5,))])
    np.testing.assert_allclose(model.predict(np.array([[-2, -1, 0, 1, 2]], dtype=np.float32)),
                               [[-0.5, -0.25, 0, 1, 2]])
    assert model.get_weights()[0].shape == (5,)


def test_normalization_keras_goldens(tmp_path):
    # the examples of keras.layers.Normalization's docstring
    adapt_data = np.array([[0., 7., 4.], [2., 9., 6.], [0., 7., 4.], [2., 9., 6.]], dtype=np.float32)
    model = Sequential([Normalization(axis=-1, input_shape=(3,))])
    model.layers[0].adapt(adapt_data)
    np.testing.assert_allclose(model.predict(np.array([[0., 7., 4.]], dtype=np.float32)), [[-1., -1., -1.]])
    model = Sequential([Normalization(mean=3., variance=2., input_shape=(1,))])
    np.testing.assert_allclose(model.predict(np.array([[1.], [2.], [3.]], dtype=np.float32)).ravel(),
                               [-1.4142135, -0.70710677, 0.], rtol=1e-6)
    inverse = Sequential([Normalization(invert=True, input_shape=(3,))])
    inverse.layers[0].adapt(adapt_data)
    np.testing.assert_allclose(inverse.predict(np.array([[-1., -1., -1.]], dtype=np.float32)), [[0., 7., 4.]])
    # adapted before the model is built, then saved and loaded: the statistics are state, not trainable
    early = Normalization()
    early.adapt(adapt_data)
    model = Sequential([early, Dense(2)], seed=0)
    model.build(3)
    np.testing.assert_allclose(model.layers[0].get_weights()[0], [1., 8., 5.])
    model.compile("adam", "mse")
    model.fit(adapt_data, np.ones((4, 2)), epochs=3, verbose=0)
    np.testing.assert_allclose(model.layers[0].get_weights()[1], [1., 1., 1.])  # not trained
    model.save(tmp_path / "m.fastnn")
    loaded = fastnn.load_model(tmp_path / "m.fastnn")
    np.testing.assert_array_equal(loaded.predict(adapt_data), model.predict(adapt_data))
    assert model.layers[0].count_params() == 6


def test_normalization_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="both mean and variance"):
        Normalization(mean=1.0)
    with pytest.raises(ValueError, match="non-negative"):
        Normalization(mean=1.0, variance=-1.0)
    with pytest.raises(ValueError, match="NaN"):
        Normalization().adapt(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="3 mean/variance values for 2"):
        Sequential([Normalization(mean=[1, 2, 3], variance=[1, 1, 1]), Dense(1)]).build(2)
    model = Sequential([Normalization(input_shape=(2,)), Dense(1)])
    model.build()
    with pytest.raises(ValueError, match="3 features"):
        model.layers[0].adapt(np.ones((4, 3)))


def test_alpha_dropout_keras_constants():
    model = Sequential([AlphaDropout(0.2, input_shape=(8,))], seed=3)
    out = model(np.ones((4, 8), dtype=np.float64), training=True)
    kept, dropped = 1.1879441, -1.2361598  # a x + b (x = 1) and a a' + b: Keras's values for rate 0.2
    assert np.all(np.isclose(out, kept, rtol=1e-6) | np.isclose(out, dropped, rtol=1e-6))
    assert np.isclose(out, dropped, rtol=1e-6).any() and np.isclose(out, kept, rtol=1e-6).any()


# ---- the random layers, statistically (Keras's own tolerances) ---------------------------------------

def test_dropout_rescales_and_is_off_in_inference():
    model = Sequential([Dropout(0.5, input_shape=(500,))], seed=1337)
    ones = np.ones((20, 500), dtype=np.float32)
    out = model(ones, training=True)
    assert out.max() == 2.0 and set(np.unique(out)) == {0.0, 2.0}
    assert abs(out.mean() - 1.0) < 0.02
    np.testing.assert_array_equal(model.predict(ones), ones)
    again = model(ones, training=True)
    assert not np.array_equal(again, out)  # every step draws a new mask


def test_noise_shape_shares_a_mask_across_features():
    model = Sequential([Dropout(0.5, noise_shape=(None, 1), input_shape=(10,))], seed=0)
    out = model(np.ones((50, 10)), training=True)
    assert all(len(set(row)) == 1 for row in out)  # one draw per sample


@pytest.mark.parametrize("layer,std", [
    (lambda: GaussianNoise(0.3), 0.3),
    (lambda: GaussianDropout(0.3), np.sqrt(0.3 / 0.7)),
    (lambda: AlphaDropout(0.3), 1.0),
])
def test_noise_layers_have_the_keras_spread(layer, std):
    model = Sequential([layer()], seed=1337)
    model.build(500)
    out = model(np.ones((20, 500), dtype=np.float32), training=True)
    tolerance = 0.1 if std == 1.0 else 0.02
    assert abs(out.std() - std) < tolerance
    np.testing.assert_array_equal(model.predict(np.ones((3, 500), dtype=np.float32)), np.ones((3, 500)))


def test_uniform_and_normal_draws_have_the_right_moments():
    u = ref_layers.noise_uniform(12345, 7, 2, 200_000)
    assert abs(u.mean() - 0.5) < 0.003 and abs(u.var() - 1 / 12) < 0.002 and 0 <= u.min() and u.max() < 1
    z = ref_layers.noise_normal(12345, 7, 2, 200_000)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01


# ---- whole trajectories against the reference trainer ------------------------------------------------

def reference_fit(model_layers, x, y, opt, epochs, batch_size, shuffle_state, key):
    """Train reference layer dicts as fastnn's kernel does (same batches, same noise draws)."""
    state = [shuffle_state]
    step = 0
    losses = []
    for _ in range(epochs):
        order = fastnn_order(len(x), state)
        total = 0.0
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            out, caches = ref_forward(model_layers, x[idx], True, key, step)
            total += float(np.sum(ref_loss.values("mean_squared_error", y[idx], out)))
            grads = ref_gradients(model_layers, caches, ref_loss.gradient("mean_squared_error", y[idx], out))
            variables, gs = [], []
            for layer, g in zip(model_layers, grads):
                for name in ("W", "b", "gamma", "beta", "alpha"):
                    if layer.get(name) is not None and name in g:
                        variables.append(layer[name])
                        gs.append(g[name])
            opt.step(variables, gs)
            step += 1
        losses.append(total / len(x))
    return losses


def test_a_trajectory_with_every_trainable_kind_matches_the_reference():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 4))
    y = np.stack([x.sum(axis=1), x[:, 0] * x[:, 1], np.tanh(x[:, 2])], axis=1)
    model = Sequential([Dense(8, activation="tanh", input_dim=4), BatchNormalization(momentum=0.8),
                        Dropout(0.25), Dense(7, activation="relu"), LayerNormalization(), PReLU(),
                        GaussianNoise(0.1), Dense(3)], dtype="float64", seed=9)
    model.compile(optimizers.Adam(learning_rate=0.01), "mse")
    model.build()
    layers = reference_of(model)
    key, shuffle_state = int(model._noise[0]), int(model._shuffle_state[0])
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    ref_losses = reference_fit(layers, x, y, ReferenceOptimizer("adam", learning_rate=0.01), 5, 16, shuffle_state,
                               key)
    np.testing.assert_allclose(history.history["loss"], ref_losses, rtol=1e-10)
    final = reference_of(model)
    for got, want in zip(final, layers):
        for name in ("W", "b", "gamma", "beta", "alpha", "moving_mean", "moving_variance"):
            if got.get(name) is not None:
                np.testing.assert_allclose(got[name], want[name], rtol=1e-9, atol=1e-12)


# ---- the model around the kinds: Flatten, saving, summary, seeds, bad input ----------------------------

def test_flatten_and_multidimensional_inputs():
    rng = np.random.default_rng(0)
    x = rng.random((30, 4, 3))
    y = (x.sum(axis=(1, 2)) > 6).astype(int)
    model = Sequential([Flatten(input_shape=(4, 3)), Dense(8, activation="relu"), Dense(2, activation="softmax")],
                       seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_allclose(model.predict(x), model.predict(x.reshape(30, -1)))
    assert model.evaluate(x, y, verbose=0)[1] >= 0
    with pytest.raises(ValueError, match=r"samples of shape \(3, 4\) but the model takes \(4, 3\)"):
        model.predict(rng.random((2, 3, 4)))
    cf = Sequential([Flatten(data_format="channels_first", input_shape=(2, 3)), Dense(1)], seed=0)
    z = np.arange(6.0).reshape(1, 2, 3)
    w = cf.get_weights()
    w[0][:, 0] = np.arange(6)  # output = flattened input . [0..5]
    cf.set_weights(w)
    expected = np.transpose(z, (0, 2, 1)).reshape(1, -1) @ np.arange(6)  # channels-last order, as Keras
    np.testing.assert_allclose(cf.predict(z)[:, 0], expected, rtol=1e-6)


def test_save_and_load_keep_every_kind_and_continue_exactly(tmp_path):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(50, 4))
    y = x @ rng.normal(size=(4, 3))
    def build():
        m = Sequential([Dense(8, activation="relu", input_dim=4), BatchNormalization(), Dropout(0.2), PReLU(),
                        LayerNormalization(), AlphaDropout(0.1), Dense(3)], dtype="float64", seed=2)
        m.compile("adam", "mse")
        return m
    straight = build()
    straight.fit(x, y, epochs=6, batch_size=10, verbose=0)
    resumed = build()
    resumed.fit(x, y, epochs=3, batch_size=10, verbose=0)
    resumed.save(tmp_path / "m.fastnn")
    loaded = fastnn.load_model(tmp_path / "m.fastnn")
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in resumed.layers]
    loaded.fit(x, y, epochs=3, batch_size=10, verbose=0)
    for got, want in zip(loaded.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_summary_counts_the_moving_statistics_as_non_trainable():
    model = Sequential([Dense(4, input_dim=3), BatchNormalization(), Dropout(0.5), Dense(1)])
    text = []
    model.summary(print_fn=text.append)
    assert "Trainable params: 29" in text[0] and "Non-trainable params: 8" in text[0]  # 16 + 8 + 5
    assert "dropout" in text[0] and "batch_normalization" in text[0]


def test_fit_is_bit_identical_for_a_seed():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 4))
    y = rng.normal(size=(40, 1))
    runs = []
    for _ in range(2):
        m = Sequential([Dense(8, activation="relu", input_dim=4), Dropout(0.3), GaussianNoise(0.2), Dense(1)], seed=11)
        m.compile("adam", "mse")
        h = m.fit(x, y, epochs=4, batch_size=8, verbose=0)
        runs.append((h.history["loss"], m.get_weights()))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))


@pytest.mark.parametrize("make,match", [
    (lambda: Dropout(1.0), "rate"),
    (lambda: Dropout(-0.1), "rate"),
    (lambda: Dropout(0.2, noise_shape=(None, 28, 28)), "noise_shape"),
    (lambda: GaussianNoise(2.0), "stddev"),
    (lambda: BatchNormalization(axis=0), "axis"),
    (lambda: LayerNormalization(axis=0), "axis"),
    (lambda: Sequential([Dense(3, input_dim=2), Flatten()]), "Flatten must be the first layer"),
    (lambda: Sequential([Flatten(input_shape=(2, 3)), Dense(1)]).predict(np.ones((4, 7))), "expects 6"),
    (lambda: PReLU(shared_axes=[1]), "shared_axes"),
    (lambda: Dropout(), "rate is required"),
    # Keras 3 rejects these too: a seed that is not an integer, a mask that cannot broadcast to the
    # layer's width, a negative LeakyReLU slope on the layer
    (lambda: Dropout(0.2, seed="x"), "seed must be an integer"),
    (lambda: GaussianNoise(0.1, seed=1.5), "seed must be an integer"),
    (lambda: Sequential([Dense(8, input_dim=2), Dropout(0.2, noise_shape=(None, 7)), Dense(1)]).build(), "noise_shape"),
    (lambda: LeakyReLU(negative_slope=-1), "negative_slope must be >= 0"),
    (lambda: Dropout.from_config(BatchNormalization().get_config()), "not a Dropout"),
    (lambda: Dropout.from_config({"rate": 0.3, "bogus": 1}), "bogus"),
])
def test_bad_layer_input_is_a_clear_error(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_a_layer_class_rebuilds_itself_from_its_config():
    # Keras's Layer.from_config classmethod (clone scripts call type(layer).from_config(layer.get_config()))
    layer = Dropout(0.25, noise_shape=(None, 1), seed=3)
    clone = Dropout.from_config(layer.get_config())
    assert type(clone) is Dropout and (clone.rate, clone.noise_shape, clone.seed) == (0.25, [None, 1], 3)
    keras_style = {"rate": 0.5, "name": "drop"}  # Keras's own configs carry no class_name
    assert Dropout.from_config(keras_style).rate == 0.5
    bn = BatchNormalization(momentum=0.9, epsilon=1e-2)
    assert BatchNormalization.from_config(bn.get_config()).get_config() | {"name": None} == \
        bn.get_config() | {"name": None}


def test_a_model_too_large_for_memory_names_its_size_and_the_fix():
    # 9e15 float32 values, 33.5 PB: beyond any address space, so no machine can allocate it
    model = Sequential([Dense(10 ** 15, input_dim=8), Dense(1)])
    with pytest.raises(MemoryError, match=r"[\d.]+ GiB for the model's parameters \(10,000,000,000,000,001 float32 "
                                          r"values\): use fewer or narrower layers"):
        model.build()


def test_keras1_dropout_spelling_and_config_round_trip():
    model = Sequential([Dense(4, input_dim=3), Dropout(p=0.25), BatchNormalization(momentum=0.9), PReLU()])
    assert model.layers[1].rate == 0.25
    clone = Sequential.from_config(model.get_config())
    assert [layer.get_config() | {"name": None} for layer in clone.layers] == \
        [layer.get_config() | {"name": None} for layer in model.layers]
