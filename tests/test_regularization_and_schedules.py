"""Regularizers, constraints and learning-rate schedules: Keras 3's own test values (and hand-run
Keras goldens from shared/reference/keras3-layers-metrics.md §4-6), the kernel's schedule against
the Python class, and whole float64 trajectories against the NumPy reference trainer
(fastnn/reference: trainer penalties, optimizer schedule and constraint hooks, reference/schedules.py)."""

import numpy as np
import pytest

import fastnn
from fastnn import Dense, Sequential, constraints, optimizers, regularizers
from fastnn.initializers import Constant
from fastnn.layers import ActivityRegularization
from fastnn.optimizers import SGD, Adam
from fastnn.optimizers import schedules as S
from fastnn.reference import schedules as RS
from fastnn.reference.optimizers import ReferenceOptimizer
from fastnn.reference.trainer import ReferenceMLP


# ---- Keras goldens ------------------------------------------------------------------------------

def test_regularizer_values():
    v = np.random.default_rng(0).normal(size=(4, 4))
    assert regularizers.L1(0.1)(v) == pytest.approx(0.1 * np.abs(v).sum())
    assert regularizers.L2(0.1)(v) == pytest.approx(0.1 * (v * v).sum())
    assert regularizers.L1L2(0.1, 0.2)(v) == pytest.approx(0.1 * np.abs(v).sum() + 0.2 * (v * v).sum())
    assert regularizers.get("l2").l2 == 0.01 and isinstance(regularizers.l1_l2(), regularizers.L1L2)
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        regularizers.L2(-1)
    with pytest.raises(TypeError, match="cannot run inside the kernels"):
        regularizers.get(lambda w: 0.0)


def one_unit(**kw):
    return Sequential([Dense(1, input_dim=1, kernel_initializer=Constant(0.5), **kw)], dtype="float64")


X = np.arange(1, 6, dtype=float).reshape(-1, 1)


def test_penalties_in_loss_and_val_loss_keras_goldens():
    model = one_unit(kernel_regularizer=regularizers.L2(0.1))
    model.compile(SGD(0.0), "mse")
    h = model.fit(X, 2 * X, batch_size=2, epochs=1, validation_data=(X, 2 * X), verbose=0, shuffle=False)
    assert h.history["loss"][0] == pytest.approx(24.775) and h.history["val_loss"][0] == pytest.approx(24.775)
    assert model.evaluate(X, 2 * X, verbose=0) == pytest.approx(24.775)
    model = one_unit(activity_regularizer=regularizers.L1(0.1))
    model.compile(SGD(0.0), "mse")
    assert model.fit(X, 2 * X, batch_size=5, epochs=1, verbose=0).history["loss"][0] == pytest.approx(24.9)
    layer = Sequential([ActivityRegularization(l1=0.2, l2=0.3, input_shape=(1,))], dtype="float64")
    layer.compile("sgd", "mse")
    assert layer.evaluate(2 * np.ones((1, 1)), 2 * np.ones((1, 1)), verbose=0) == pytest.approx(1.6)


def test_constraints_keras_goldens():
    w = np.array([[0, 1, 3, 3], [0, 0, 0, 3], [0, 0, 0, 3]], dtype=float)  # columns [0,0,0],[1,0,0],[3,0,0],[3,3,3]
    expected = np.array([[0, 1, 2, 2 / np.sqrt(3)], [0, 0, 0, 2 / np.sqrt(3)], [0, 0, 0, 2 / np.sqrt(3)]])
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(w), expected, atol=1e-6)
    model = one_unit(kernel_constraint=constraints.NonNeg())
    model.compile(SGD(10.0), "mse")
    model.fit(X, -2 * X, batch_size=5, epochs=1, verbose=0)
    assert model.get_weights()[0][0, 0] == 0.0
    # in the kernel, MaxNorm on a Dense kernel constrains each unit's incoming weights (axis 0)
    model = Sequential([Dense(4, input_dim=3, kernel_initializer=Constant(5.0), kernel_constraint="max_norm")],
                       dtype="float64")
    model.compile(SGD(0.0), "mse")
    model.fit(np.ones((2, 3)), np.ones((2, 4)), epochs=1, verbose=0)
    np.testing.assert_allclose(np.linalg.norm(model.get_weights()[0], axis=0), 2.0 * 5 * np.sqrt(3) /
                               (5 * np.sqrt(3) + 1e-7), rtol=1e-12)


GOLDEN_SCHEDULES = [
    (S.ExponentialDecay(0.1, 10, 0.5), {0: 0.1, 5: 0.0707107, 10: 0.05, 15: 0.0353553}),
    (S.ExponentialDecay(0.1, 3, 0.96, staircase=True), {1: 0.1, 2: 0.1, 100: 0.1 * 0.96 ** 33}),
    (S.InverseTimeDecay(0.1, 10, 0.5), {0: 0.1, 5: 0.08, 10: 0.0666667, 20: 0.05}),
    (S.PiecewiseConstantDecay([100, 110, 120], [1.0, 0.1, 0.01, 0.001]),
     {-999: 1.0, 100: 1.0, 105: 0.1, 110: 0.1, 120: 0.01, 999: 0.001}),
    (S.PiecewiseConstantDecay([1, 2, 3], [0.4, 0.5, 0.6, 0.7]), {0: 0.4, 1: 0.4, 2: 0.5, 3: 0.6, 4: 0.7}),
    (S.PolynomialDecay(0.05, 10, 0.001), {5: 0.0255, 10: 0.001, 15: 0.001}),
    (S.PolynomialDecay(0.05, 10, 0.001, cycle=True), {15: (0.05 - 0.001) * 0.25 + 0.001}),
    (S.PolynomialDecay(0.05, 10, 0.001, power=0.5, cycle=True), {15: (0.05 - 0.001) * 0.25 ** 0.5 + 0.001}),
    (S.PolynomialDecay(0.1, 10, 0.01, power=2, cycle=True), {10: 0.01, 11: 0.028225, 15: 0.015625, 20: 0.01,
                                                             21: 0.0181}),
    (S.CosineDecay(1.0, 10, alpha=0.1), {0: 1.0, 5: 0.55, 10: 0.1, 20: 0.1}),
    (S.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4), {0: 0, 1: 0.25, 2: 0.5, 4: 1.0, 9: 0.5, 14: 0,
                                                                  20: 0}),
    (S.CosineDecay(0.1, 10, alpha=0.2, warmup_target=1.0, warmup_steps=5), {0: 0.1, 5: 1.0, 10: 0.6, 15: 0.2}),
    (S.CosineDecayRestarts(1.0, 10, t_mul=2, m_mul=0.5, alpha=0.1),
     {0: 1.0, 5: 0.55, 9: 0.1220246, 10: 0.55, 20: 0.325, 30: 0.325, 40: 0.2920495, 70: 0.2125}),
    (S.CosineDecayRestarts(1.0, 10, t_mul=1), {0: 1, 5: 0.5, 10: 1, 15: 0.5}),
]


@pytest.mark.parametrize("schedule,values", GOLDEN_SCHEDULES, ids=[repr(s) for s, _ in GOLDEN_SCHEDULES])
def test_schedules_keras_goldens_in_python_and_in_the_kernel(schedule, values):
    from fastnn.kernels.codes import N_HP
    from fastnn.kernels.schedules import scheduled_lr

    hp = np.concatenate([np.zeros(N_HP), S.kernel_vector(schedule)])
    for step, lr in values.items():
        assert schedule(step) == pytest.approx(lr, abs=1e-6), step
        if step >= 0:
            assert scheduled_lr(hp, float(step)) == pytest.approx(schedule(step), rel=1e-12, abs=1e-15), step
    clone = type(schedule).from_config(schedule.get_config())
    assert [clone(s) for s in values] == [schedule(s) for s in values]


def test_fit_lr_correctness_keras_golden():
    model = Sequential([Dense(2, input_dim=2, kernel_initializer="ones", bias_initializer="ones")])
    model.compile(Adam(S.ExponentialDecay(0.05, 1, 0.9)), "mse")
    x = np.arange(32, dtype=float).reshape(16, 2)
    history = model.fit(x, x, batch_size=4, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [230.79457, 128.30319, 79.33649], rtol=5e-5)
    assert model.optimizer.iterations == 12
    assert model.optimizer.learning_rate == pytest.approx(0.05 * 0.9 ** 12)


def test_piecewise_schedule_uses_the_step_before_the_increment():
    opt = SGD(S.PiecewiseConstantDecay([1], [1.0, 0.0]))
    w = np.zeros(1)
    for expected in (-1.0, -2.0, -2.0):
        opt.apply([np.ones(1)], [w])
        assert w[0] == expected


def test_a_schedule_is_saved_and_resumed_exactly(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))

    def model():
        m = Sequential([Dense(4, input_dim=3, activation="tanh"), Dense(1)], dtype="float64", seed=3)
        m.compile(Adam(S.CosineDecay(0.05, 20, alpha=0.1, warmup_target=0.1, warmup_steps=5)), "mse")
        return m

    straight = model()
    straight.fit(x, y, epochs=6, batch_size=8, verbose=0)
    half = model()
    half.fit(x, y, epochs=3, batch_size=8, verbose=0)
    half.save(tmp_path / "m.fastnn")
    resumed = fastnn.load_model(tmp_path / "m.fastnn")
    assert isinstance(resumed.optimizer.learning_rate_schedule, S.CosineDecay)
    resumed.fit(x, y, epochs=3, batch_size=8, verbose=0)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="follows a schedule"):
        resumed.optimizer.learning_rate = 0.1


# ---- trajectories against the reference ------------------------------------------------------------

CASES = {
    "l2-kernel+maxnorm+cosine": dict(
        dense=dict(kernel_regularizer=regularizers.L2(0.01), kernel_constraint=constraints.MaxNorm(1.5)),
        ref_pen=((0.0, 0.01), None), ref_con=("max_norm", dict(max_value=1.5)), opt="sgd",
        schedule=("CosineDecay", dict(initial_learning_rate=0.2, decay_steps=30, alpha=0.1))),
    "l1-kernel+l1l2-bias+nonneg+exponential": dict(
        dense=dict(kernel_regularizer=regularizers.L1(0.003), bias_regularizer=regularizers.L1L2(0.01, 0.02),
                   kernel_constraint=constraints.NonNeg()),
        ref_pen=((0.003, 0.0), (0.01, 0.02)), ref_con=("non_neg", {}), opt="adam",
        schedule=("ExponentialDecay", dict(initial_learning_rate=0.05, decay_steps=7, decay_rate=0.8))),
    "activity+unitnorm-rows+piecewise": dict(
        dense=dict(activity_regularizer=regularizers.L1L2(0.002, 0.004), kernel_constraint=constraints.UnitNorm(axis=1)),
        ref_act=(0.002, 0.004), ref_con=("unit_norm", dict(axis=1)), opt="rmsprop",
        schedule=("PiecewiseConstantDecay", dict(boundaries=[10, 25], values=[0.02, 0.01, 0.005]))),
    "minmaxnorm+polynomial-cycle": dict(
        dense=dict(kernel_constraint=constraints.MinMaxNorm(0.5, 1.2, rate=0.7), kernel_regularizer="l2"),
        ref_pen=((0.0, 0.01), None), ref_con=("min_max_norm", dict(min_value=0.5, max_value=1.2, rate=0.7)),
        opt="sgd", schedule=("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=9, end_learning_rate=0.01,
                                                     power=2.0, cycle=True))),
    "cosine-restarts": dict(
        dense={}, opt="adam", schedule=("CosineDecayRestarts", dict(initial_learning_rate=0.05, first_decay_steps=5,
                                                                   t_mul=1.5, m_mul=0.7, alpha=0.05))),
    "warmup-cosine": dict(
        dense=dict(bias_regularizer=regularizers.L2(0.05)), ref_pen=(None, (0.0, 0.05)), opt="sgd",
        schedule=("CosineDecay", dict(initial_learning_rate=0.01, decay_steps=20, warmup_target=0.2,
                                      warmup_steps=8))),
    "inverse-time-staircase": dict(
        dense={}, opt="sgd", schedule=("InverseTimeDecay", dict(initial_learning_rate=0.2, decay_steps=4,
                                                                decay_rate=0.5, staircase=True))),
}


def _snake(name):
    import re

    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


@pytest.mark.parametrize("name", CASES)
def test_trajectory_matches_the_reference(name):
    case = CASES[name]
    rng = np.random.default_rng(4)
    x = rng.normal(size=(60, 4))
    y = np.stack([x[:, 0] - x[:, 1], np.tanh(x[:, 2])], axis=1)
    cls, params = case["schedule"]
    model = Sequential([Dense(6, activation="tanh", input_dim=4, **case["dense"]), Dense(2, activation="linear")],
                       dtype="float64", seed=9)
    model.compile(optimizers.get(case["opt"]).__class__(learning_rate=getattr(S, cls)(**params)), "mse")
    initial = model.get_weights()
    shuffle_state = int(model._shuffle_state[0])
    history = model.fit(x, y, epochs=5, batch_size=16, validation_split=0.25, verbose=0)

    con = case.get("ref_con")
    project = None if con is None else RS.constraint(con[0], **con[1])
    reference = ReferenceMLP([("tanh", {}), ("linear", {})], [(initial[0], initial[1]), (initial[2], initial[3])],
                             penalties=[case.get("ref_pen", (None, None)), (None, None)],
                             activity=[case.get("ref_act"), None], constraints=[(project, None), (None, None)])
    optimizer = ReferenceOptimizer(case["opt"], learning_rate=RS.schedule(_snake(cls), **params))
    split = 45
    ref = reference.fit(x[:split], y[:split], "mean_squared_error", optimizer, epochs=5, batch_size=16,
                        shuffle_state=shuffle_state, validation=(x[split:], y[split:], np.ones(15)))
    np.testing.assert_allclose(history.history["loss"], ref["loss"], rtol=1e-10)
    np.testing.assert_allclose(history.history["val_loss"], ref["val_loss"], rtol=1e-10)
    for got, want in zip(model.get_weights(), [a for w, b in reference.weights for a in (w, b)]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)
    assert model.optimizer.learning_rate == pytest.approx(RS.schedule(_snake(cls), **params)(
        model.optimizer.iterations), rel=1e-12)


def test_regularizers_and_constraints_survive_config_and_save(tmp_path):
    model = Sequential([Dense(3, input_dim=2, kernel_regularizer=regularizers.L2(0.2), bias_constraint="non_neg",
                              activity_regularizer="l1", W_constraint=constraints.MaxNorm(3)),
                        ActivityRegularization(l2=0.1), Dense(1)], seed=0)
    model.compile("adam", "mse")
    model.fit(np.ones((4, 2)), np.ones(4), epochs=1, verbose=0)
    model.save(tmp_path / "m.fastnn")
    loaded = fastnn.load_model(tmp_path / "m.fastnn")
    first = loaded.layers[0]
    assert first._regularizers["kernel"].l2 == 0.2 and isinstance(first._constraints["bias"], constraints.NonNeg)
    assert first._constraints["kernel"].max_value == 3 and first.activity_regularizer.l1 == 0.01
    assert loaded.layers[1].l2 == 0.1
    x = np.random.default_rng(0).normal(size=(5, 2))
    assert loaded.evaluate(x, np.ones(5), verbose=0) == pytest.approx(model.evaluate(x, np.ones(5), verbose=0))


def test_a_restart_schedule_that_would_turn_nan_is_refused():
    with pytest.raises(ValueError, match="t_mul must be >= 1"):
        S.CosineDecayRestarts(1.0, 10, t_mul=0.5)
