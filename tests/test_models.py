"""Sequential: construction (Keras 1/2/3 spellings), weights, fit/evaluate/predict semantics,
validation_split, seeds, dtypes, and every bad-input error."""
import numpy as np
import pytest

import fastnn
from fastnn import Activation, Dense, Input, Sequential, optimizers


def tutorial(n=250, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 5))
    return x, (x.sum(axis=1) > 2.5) * 2 - 1


def small_model(**kw):
    model = Sequential([Dense(8, input_dim=5, activation="tanh"), Dense(1, activation="tanh")], seed=0, **kw)
    model.compile("adam", "hinge", metrics=["accuracy"])
    return model


def test_construction_styles_give_the_same_architecture():
    a = Sequential([Dense(20, input_dim=5, activation="tanh"), Dense(1, activation="tanh")])
    b = Sequential()
    b.add(Dense(20, input_shape=(5,)))
    b.add(Activation("tanh"))
    b.add(Dense(1))
    b.add(Activation("tanh"))
    c = Sequential([Input(shape=(5,)), Dense(output_dim=20, init="glorot_uniform", activation="tanh"),
                    Dense(1, activation="tanh")])
    for m in (a, b, c):
        assert [w.shape for w in m.get_weights()] == [(5, 20), (20,), (20, 1), (1,)]
        assert m.count_params() == 141
    d = Sequential([Dense(3, input_dim=2, bias=False)])  # Keras 1: bias=False
    assert [w.shape for w in d.get_weights()] == [(2, 3)]


def test_activation_layers_give_the_same_outputs_as_activation_arguments():
    x, _ = tutorial(20)
    a = Sequential([Dense(6, input_dim=5, activation="relu"), Dense(2, activation="softmax")], dtype="float64")
    b = Sequential([Dense(6, input_dim=5), Activation("relu"), Dense(2), Activation("softmax")], dtype="float64")
    b.set_weights(a.get_weights())
    np.testing.assert_allclose(a.predict(x), b.predict(x), rtol=1e-14)


def test_initializers_follow_keras3_formulas():
    model = Sequential([Dense(300, input_dim=100, kernel_initializer="glorot_uniform"),
                        Dense(200, kernel_initializer="he_normal", bias_initializer="ones"),
                        Dense(50, kernel_initializer="lecun_uniform", bias_initializer="zeros")], seed=0)
    w1, b1, w2, b2, w3, b3 = model.get_weights()
    limit = np.sqrt(6 / (100 + 300))
    assert np.abs(w1).max() <= limit and np.abs(w1).max() > 0.99 * limit
    assert abs(w1.std() - limit / np.sqrt(3)) < 0.02 * limit
    assert np.all(b1 == 0) and np.all(b2 == 1) and np.all(b3 == 0)
    he_std = np.sqrt(2 / 300)  # truncated at 2 std of the untruncated normal
    assert abs(w2.std() - he_std) < 0.03 * he_std and np.abs(w2).max() <= 2 * he_std / 0.87962566103423978
    assert np.abs(w3).max() <= np.sqrt(3 / 200)


def test_get_set_weights_round_trip_and_layer_access():
    model = small_model()
    weights = model.get_weights()
    weights[0][0, 0] = 42.0
    assert model.get_weights()[0][0, 0] != 42.0  # copies, not views
    model.set_weights(weights)
    assert model.get_weights()[0][0, 0] == 42.0
    assert model.layers[0].get_weights()[0][0, 0] == 42.0
    model.layers[1].set_weights([np.ones((8, 1)), np.zeros(1)])
    assert np.all(model.get_weights()[2] == 1)


def test_fit_returns_history_and_evaluate_predict_shapes():
    x, y = tutorial()
    model = small_model()
    h = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
    assert h.epoch == [0, 1, 2] and model.history is h
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    result = model.evaluate(x, y, verbose=0)
    assert isinstance(result, list) and len(result) == 2
    model2 = Sequential([Dense(1, input_dim=5)])
    model2.compile("sgd", "mse")
    assert isinstance(model2.evaluate(x, y, verbose=0), float)  # scalar without metrics
    assert model.predict(x).shape == (250, 1)
    assert model.predict(x[:1]).shape == (1, 1)


def test_validation_split_is_the_last_fraction_before_shuffling():
    x, y = tutorial(100)
    model = small_model()
    h = model.fit(x, y, epochs=1, validation_split=0.25, verbose=0)
    # floor(100 * 0.75) = 75: validation = rows 75..99, evaluated with the final weights
    assert h.history["val_loss"][0] == pytest.approx(model.evaluate(x[75:], y[75:], verbose=0)[0], rel=1e-6)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(x, y, validation_split=1.0, verbose=0)
    model.fit(x[:3], y[:3], validation_split=0.1, verbose=0)  # floor(2.7) = 2 training rows, 1 validation
    with pytest.raises(ValueError, match="both must be at least 1"):
        model.fit(x[:1], y[:1], validation_split=0.5, verbose=0)  # floor(0.5) = 0 training rows


def test_validation_data_and_sample_weights():
    x, y = tutorial(120)
    model = small_model()
    h = model.fit(x[:100], y[:100], validation_data=(x[100:], y[100:]), epochs=2, verbose=0,
                  sample_weight=np.linspace(0.5, 1.5, 100))
    assert len(h.history["val_loss"]) == 2
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(x, y, sample_weight=np.ones(3), verbose=0)


def test_class_weight_scales_the_loss():
    x, y = tutorial(64)
    a = small_model()
    b = small_model()
    ha = a.fit(x, y, epochs=1, shuffle=False, verbose=0)
    hb = b.fit(x, y, epochs=1, shuffle=False, verbose=0, class_weight={-1: 1.0, 1: 1.0})
    assert ha.history["loss"] == hb.history["loss"]
    c = small_model()
    hc = c.fit(x, y, epochs=1, shuffle=False, verbose=0, class_weight={-1: 0.0, 1: 1.0})
    assert hc.history["loss"][0] < ha.history["loss"][0]


def test_same_seed_is_bit_identical_and_different_seeds_differ():
    x, y = tutorial()

    def run(seed):
        fastnn.set_random_seed(seed)
        model = Sequential([Dense(8, input_dim=5, activation="tanh"), Dense(1, activation="tanh")])
        model.compile("adam", "hinge")
        h = model.fit(x, y, epochs=5, validation_split=0.2, verbose=0)
        return h.history, model.get_weights()

    h1, w1 = run(7)
    h2, w2 = run(7)
    h3, w3 = run(8)
    assert h1 == h2
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))
    assert not np.array_equal(w1[0], w3[0])


def test_float64_models():
    x, y = tutorial()
    model = small_model(dtype="float64")
    model.fit(x, y, epochs=2, verbose=0)
    assert model.predict(x).dtype == np.float64 and model.get_weights()[0].dtype == np.float64
    fastnn.set_floatx("float64")
    try:
        assert Sequential([Dense(1, input_dim=2)]).get_weights()[0].dtype == np.float64
    finally:
        fastnn.set_floatx("float32")
    with pytest.raises(ValueError, match="float32' or 'float64"):
        Sequential(dtype="float16")


def test_inputs_of_other_dtypes_are_converted_once():
    x, y = tutorial(40)
    model = small_model()
    model.fit(x.astype(np.float16), y.astype(np.int8), epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(x.tolist()), model.predict(x.astype(np.float32)), rtol=1e-6)


def test_summary_and_config(capsys):
    model = small_model()
    model.summary()
    out = capsys.readouterr().out
    assert "Total params: 57" in out and "Dense" in out and "Adam" in out
    clone = Sequential.from_config(model.get_config())
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]


def test_keras1_nb_epoch_and_predict_classes():
    x, y = tutorial()
    model = small_model()
    h = model.fit(x, y, nb_epoch=2, verbose=0)
    assert len(h.epoch) == 2
    assert set(np.unique(model.predict_classes(x))) <= {-1, 1}


@pytest.mark.parametrize("call,match", [
    (lambda m, x, y: Sequential([Dense(1, input_dim=5)]).fit(x, y), "compile the model first"),
    (lambda m, x, y: m.fit(x, y[:10], verbose=0), "x has 250 samples but y has 10"),
    (lambda m, x, y: m.fit(x[:, :4], y, verbose=0), "4 feature"),
    (lambda m, x, y: m.fit(np.where(x > 0.99, np.nan, x), y, verbose=0), "NaN or inf"),
    (lambda m, x, y: m.fit(x, np.where(y > 0, np.inf, y), verbose=0), "NaN or inf"),
    (lambda m, x, y: m.fit(x[:0], y[:0], verbose=0), "empty"),
    (lambda m, x, y: m.fit(x, y, validation_split=-0.1, verbose=0), "validation_split"),
    (lambda m, x, y: m.fit(x, y, batch_size=0, verbose=0), "batch_size"),
    (lambda m, x, y: m.fit(x, y, epochs=0, verbose=0), "epochs"),
    (lambda m, x, y: m.set_weights([np.ones((3, 3))] * 4), "shape"),
    (lambda m, x, y: m.set_weights([np.ones((5, 8))]), "4 weight arrays"),
    (lambda m, x, y: m.predict(x[0]), r"reshape\(1, -1\)"),
    (lambda m, x, y: m.fit(x, y, steps_per_epoch=3, verbose=0), "steps_per_epoch"),
    (lambda m, x, y: m.fit(x, y, epoch=3, verbose=0), "unexpected"),
    (lambda m, x, y: Sequential([Dense(2)]).get_weights(), "input width"),
    (lambda m, x, y: Sequential([Dense(0, input_dim=2)]), "positive integer"),
    (lambda m, x, y: Sequential([Dense(2, input_shape=(3, 4))]), "flat feature vectors"),
    (lambda m, x, y: Sequential().add("dense"), "takes a fastnn layer"),
    (lambda m, x, y: Dense(4, kernel_regularizer="l7"), "Unknown regularizer .l7."),
    (lambda m, x, y: m.evaluate(x, verbose=0), r"y \(the labels\) is required"),
    (lambda m, x, y: m.fit(x, y, epochs=10 ** 12, verbose=0), "would keep .* values in the History"),
    (lambda m, x, y: m.fit(x, np.where(np.arange(len(y)) == 7, np.nan, y), verbose=0), "first at row 7[.]"),
    (lambda m, x, y: m.save("/nonexistent-fastnn-dir/m.fastnn"), "directory '/nonexistent-fastnn-dir' does not exist"),
])
def test_bad_input_is_a_clear_error(call, match):
    x, y = tutorial()
    with pytest.raises((ValueError, TypeError, RuntimeError, FileNotFoundError), match=match):
        call(small_model(), x, y)


def test_nonfinite_loss_stops_training_with_finite_weights():
    x, y = tutorial()
    model = Sequential([Dense(8, input_dim=5, activation="exponential"), Dense(1, activation="exponential")],
                       seed=0)
    model.compile(fastnn.SGD(learning_rate=1e6), "mse")
    with pytest.warns(RuntimeWarning, match="NaN or inf"):
        h = model.fit(x * 50, y, epochs=20, verbose=0)
    assert h.nonfinite and len(h.epoch) < 20
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())


def test_predict_fast_path_still_rejects_nan():
    model = small_model()
    row = np.ones((1, 5), dtype=np.float32)
    model.predict(row)
    row[0, 3] = np.nan
    with pytest.raises(ValueError, match="row 0, column 3"):
        model.predict(row)


def test_class_weight_leaves_validation_unweighted_and_ignores_absent_classes():
    # Keras 3 applies class_weight to the training batches only (issue 15: val_loss was 1.898 vs 0.646)
    x, y = tutorial()
    y01 = (y > 0).astype(float)

    def run(**kw):
        m = Sequential([Dense(4, activation="tanh", input_dim=5), Dense(1, activation="sigmoid")], seed=3)
        m.compile(optimizers.SGD(learning_rate=0.0), "binary_crossentropy")  # weights fixed, as Keras's golden
        return m.fit(x, y01, epochs=2, shuffle=False, validation_split=0.2, verbose=0, **kw).history

    plain, weighted = run(), run(class_weight={0: 5.0, 1: 0.5})
    assert weighted["val_loss"] == plain["val_loss"]  # validation is never weighted by class
    assert weighted["loss"][0] != plain["loss"][0]
    absent = run(class_weight={0: 1.0, 1: 1.0, 7: 3.0})  # class 7 is not in y: ignored, as Keras does
    assert absent["loss"] == plain["loss"]
    with pytest.raises(ValueError, match="integer class ids"):
        run(class_weight={"a": 1.0})


def test_a_model_loaded_from_read_only_memory_maps_predicts_and_trains(tmp_path):
    # joblib hands large arrays to worker processes as read-only memory maps
    joblib = pytest.importorskip("joblib")
    from fastnn.layers import BatchNormalization

    x = np.random.default_rng(0).normal(size=(32, 3))
    y = x.sum(axis=1)
    model = Sequential([Dense(4, activation="relu"), BatchNormalization(), Dense(1)], seed=0)
    model.compile("adam", "mse")
    model.fit(x, y, epochs=2, verbose=0)
    joblib.dump(model, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib", mmap_mode="r")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.fit(x, y, epochs=2, verbose=0).history == model.fit(x, y, epochs=2, verbose=0).history


def test_scipy_sparse_inputs_train_like_their_dense_arrays():
    # scikit-learn pipelines hand over sparse matrices (one-hot, TF-IDF); Dense layers see every value
    sparse = pytest.importorskip("scipy.sparse")
    x, y = tutorial()
    x = np.where(x > 0.5, x, 0.0)
    runs = []
    for data in (x, sparse.csr_matrix(x)):
        m = small_model()
        m.fit(data, y, epochs=3, verbose=0)
        runs.append((m.get_weights(), m.predict(data), m.evaluate(data, y, verbose=0)))
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][0], runs[1][0]))
    assert np.array_equal(runs[0][1], runs[1][1]) and runs[0][2] == runs[1][2]
