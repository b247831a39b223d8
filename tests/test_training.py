"""Whole training trajectories: fastnn's fused epoch kernel vs the NumPy reference trainer,
float64, same initial weights and the same batch order, several loss/optimizer pairs."""
import numpy as np
import pytest

from fastnn import Dense, Sequential, optimizers
from fastnn.reference.optimizers import ReferenceOptimizer
from fastnn.reference.trainer import ReferenceMLP

PAIRS = [
    ("hinge", "adam", {}, "tanh"),
    ("mean_squared_error", "sgd", {"momentum": 0.9, "nesterov": True}, "tanh"),
    ("categorical_crossentropy", "rmsprop", {"centered": True}, "softmax"),
    ("sparse_categorical_crossentropy", "nadam", {"clipnorm": 0.5}, "softmax"),
    ("binary_crossentropy", "adagrad", {"global_clipnorm": 1.0}, "sigmoid"),
    ("huber", "adamax", {"clipvalue": 0.1}, "linear"),
    ("kl_divergence", "adadelta", {"learning_rate": 1.0}, "softmax"),
    ("poisson", "adamw", {"weight_decay": 0.05}, "softplus"),
]


def labels_for(loss, x, n_out):
    cls = (x.sum(axis=1) > x.shape[1] / 2).astype(int) + (x[:, 0] > 0.7)
    if loss == "hinge":
        return (cls > 0) * 2.0 - 1
    if loss == "sparse_categorical_crossentropy":
        return cls.astype(float)
    if loss in ("categorical_crossentropy", "kl_divergence"):
        return np.eye(n_out)[cls]
    if loss == "binary_crossentropy":
        return np.stack([cls > 0, cls > 1], axis=1).astype(float)
    if loss == "poisson":
        return np.stack([cls, 2 - cls], axis=1).astype(float)
    return np.stack([x.sum(axis=1), x[:, 0] - x[:, 1]], axis=1)


@pytest.mark.parametrize("loss,opt,hp,last_act", PAIRS, ids=[f"{p[0]}-{p[1]}" for p in PAIRS])
def test_trajectory_matches_reference(loss, opt, hp, last_act):
    rng = np.random.default_rng(11)
    n_out = {"hinge": 1, "binary_crossentropy": 2}.get(loss, 3 if "categorical" in loss or loss == "kl_divergence" else 2)
    x = rng.random((90, 5))
    y = labels_for(loss, x, n_out)
    sw = rng.uniform(0.5, 1.5, size=len(x))
    model = Sequential([Dense(8, activation="tanh", input_dim=5), Dense(6, activation="relu"),
                        Dense(n_out, activation=last_act)], dtype="float64", seed=42)
    model.compile(optimizers.get(opt).__class__(**hp), loss)
    initial = model.get_weights()
    shuffle_state = int(model._shuffle_state[0])
    history = model.fit(x, y, epochs=6, batch_size=16, sample_weight=sw, validation_split=0.2, verbose=0)

    reference = ReferenceMLP([("tanh", {}), ("relu", {}), (last_act, {})],
                             [(initial[0], initial[1]), (initial[2], initial[3]), (initial[4], initial[5])])
    split = int(np.floor(len(x) * 0.8))
    y2 = y.reshape(len(y), -1)
    ref_history = reference.fit(x[:split], y2[:split], loss, ReferenceOptimizer(opt, **hp), epochs=6, batch_size=16,
                                sw=sw[:split], shuffle_state=shuffle_state,
                                validation=(x[split:], y2[split:], sw[split:]))
    np.testing.assert_allclose(history.history["loss"], ref_history["loss"], rtol=1e-10)
    np.testing.assert_allclose(history.history["val_loss"], ref_history["val_loss"], rtol=1e-10)
    final = model.get_weights()
    expected = [a for w, b in reference.weights for a in (w, b)]
    for got, want in zip(final, expected):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_no_shuffle_trajectory_and_chunking_do_not_matter():
    # the same training run split into different kernel-call chunks gives identical results
    rng = np.random.default_rng(0)
    x = rng.random((64, 5))
    y = (x.sum(axis=1) > 2.5) * 2.0 - 1

    def run(per_epoch_callback):
        from fastnn.callbacks import LambdaCallback

        model = Sequential([Dense(10, activation="tanh", input_dim=5), Dense(1, activation="tanh")], seed=7)
        model.compile("adam", "hinge")
        cbs = [LambdaCallback(on_epoch_end=lambda e, logs: None)] if per_epoch_callback else []
        h = model.fit(x, y, epochs=20, batch_size=8, verbose=0, callbacks=cbs)
        return h.history["loss"], model.get_weights()

    loss_a, w_a = run(False)
    loss_b, w_b = run(True)
    assert loss_a == loss_b
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a, b)


def test_large_shuffled_epoch_matches_reference():
    # at PREFETCH_MIN_ROWS rows and more the training loop prefetches the next batch's rows
    # (kernels/prefetch.py): a hint that must change nothing
    from fastnn.kernels.entry_points import PREFETCH_MIN_ROWS

    rng = np.random.default_rng(5)
    x = rng.random((PREFETCH_MIN_ROWS + 1000, 5))
    y = labels_for("hinge", x, 1)
    sw = rng.uniform(0.5, 1.5, size=len(x))
    model = Sequential([Dense(8, activation="tanh", input_dim=5), Dense(1, activation="tanh")], dtype="float64",
                       seed=3)
    model.compile(optimizers.Adam(), "hinge")
    initial = model.get_weights()
    shuffle_state = int(model._shuffle_state[0])
    history = model.fit(x, y, epochs=2, batch_size=500, sample_weight=sw, verbose=0)
    reference = ReferenceMLP([("tanh", {}), ("tanh", {})], [(initial[0], initial[1]), (initial[2], initial[3])])
    ref_history = reference.fit(x, y.reshape(-1, 1), "hinge", ReferenceOptimizer("adam"), epochs=2, batch_size=500,
                                sw=sw, shuffle_state=shuffle_state)
    np.testing.assert_allclose(history.history["loss"], ref_history["loss"], rtol=1e-10)
    for got, want in zip(model.get_weights(), [a for w, b in reference.weights for a in (w, b)]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
