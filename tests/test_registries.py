"""Completeness: every code of every family has a spec, a reference and a kernel branch that does
something on a probe input, and an unknown code is reported, never silently ignored.

A family's kernel codes are the module-level constants of its kernel module that code_of()
produced (31-bit CRCs, so never small); the specs are the Python registries. The two sets must be
equal: a spec without a kernel branch, or a kernel branch no spec reaches, fails here."""
import numpy as np
import pytest

from fastnn import activations, losses, metrics, optimizers
from fastnn.kernels import activations as KA
from fastnn.kernels import losses as KL
from fastnn.kernels import metrics as KM
from fastnn.kernels import optimizers as KO
from fastnn.kernels.codes import N_ACT_PARAMS, N_OPT_STATE, S_U_PRODUCT
from fastnn.reference import activations as ref_act
from fastnn.reference import losses as ref_loss
from fastnn.reference.optimizers import DEFAULTS as REF_OPTIMIZERS

UNKNOWN = 12345  # no CRC code is this small


def kernel_codes(module):
    return {value for name, value in vars(module).items()
            if name.isupper() and type(value) is int and value >= 1 << 16}


def activation_variants():
    """Every (name, params) whose kernel code differs: each spec, plus gelu's tanh approximation."""
    out = [(spec.name, {}) for spec in activations.SPECS.specs()]
    return out + [("gelu", {"approximate": True})]


def test_activation_codes_match_the_specs_one_to_one():
    codes = [activations.ActivationFunction(n, **p).code for n, p in activation_variants()]
    assert len(set(codes)) == len(codes)
    assert set(codes) == kernel_codes(KA)


@pytest.mark.parametrize("name,params", activation_variants(), ids=lambda v: str(v))
def test_every_activation_has_a_reference_and_a_working_kernel_branch(name, params):
    f = activations.ActivationFunction(name, **params)
    z = np.linspace(-2.5, 2.5, 12)
    ref_act.forward(name, z.reshape(3, 4), **params)  # the reference knows it
    a = np.full(12, np.nan)
    assert KA.activation_forward(a, z, 3, 4, f.code, f.param_vector(np.float64))
    assert np.isfinite(a).all()
    dz = np.full(12, np.nan)
    assert KA.activation_backward(dz, np.ones(12), z, a, 3, 4, f.code, f.param_vector(np.float64))
    assert np.isfinite(dz).all()


def test_an_unknown_activation_code_is_reported():
    z = np.ones(4)
    assert not KA.activation_forward(np.empty(4), z, 2, 2, UNKNOWN, np.zeros(N_ACT_PARAMS))
    assert not KA.activation_backward(np.empty(4), z, z, z, 2, 2, UNKNOWN, np.zeros(N_ACT_PARAMS))


def test_loss_codes_match_the_specs_one_to_one():
    codes = [spec.code for spec in losses.SPECS.specs()]
    assert len(set(codes)) == len(codes)
    assert set(codes) == kernel_codes(KL)


@pytest.mark.parametrize("spec", losses.SPECS.specs(), ids=lambda s: s.name)
def test_every_loss_has_a_reference_and_a_working_kernel_branch(spec):
    loss = losses.Loss(spec.name)
    pred = np.array([[0.3, 0.7], [0.6, 0.4]])
    y = np.array([[0.0], [1.0]]) if spec.labels == "sparse" else np.array([[0.0, 1.0], [1.0, 0.0]])
    ref_loss.values(spec.name, y, pred)
    values = np.full(2, np.nan)
    lp = loss.param_vector(np.float64)
    assert KL.loss_forward(values, pred, y, 2, loss.code, lp)
    assert np.isfinite(values).all()
    grad = np.full_like(pred, np.nan)
    assert KL.loss_backward(grad, pred, y, np.ones(2), 2, loss.code, lp, False)
    assert np.isfinite(grad).all() and np.any(grad != 0)


def test_an_unknown_loss_code_is_reported():
    p = np.ones((2, 2))
    lp = losses.Loss("mse").param_vector(np.float64)
    assert not KL.loss_forward(np.empty(2), p, p, 2, UNKNOWN, lp)
    assert not KL.loss_backward(np.empty((2, 2)), p, p, np.ones(2), 2, UNKNOWN, lp, False)


def test_every_label_family_of_a_loss_spec_is_one_the_cli_can_encode():
    from fastnn.tasks import LabelCoding

    for spec in losses.SPECS.specs():
        assert spec.labels in LabelCoding.KINDS and spec.output in activations.SPECS


def test_optimizer_codes_match_the_classes():
    codes = {optimizers.get(name).code for name in optimizers.names()}
    assert codes == kernel_codes(KO)


@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_has_a_reference_and_a_working_kernel_branch(name):
    assert name in REF_OPTIMIZERS
    opt = optimizers.get(name)
    params, grads = np.ones(6), np.linspace(-1, 1, 6)
    slots = np.full((3, 6), opt.initial_slot_value)
    state = np.zeros(N_OPT_STATE)
    state[S_U_PRODUCT] = 1.0
    tensors = np.array([[0, 6]])
    assert KO.optimizer_step(params, grads, slots, tensors, opt.code, opt.hyperparameters(), state)
    assert np.isfinite(params).all() and np.any(params != 1.0)


def test_an_unknown_optimizer_code_is_reported():
    opt = optimizers.get("sgd")
    assert not KO.optimizer_step(np.ones(2), np.ones(2), np.zeros((1, 2)), np.array([[0, 2]]), UNKNOWN,
                                 opt.hyperparameters(), np.zeros(N_OPT_STATE))


def test_metric_codes_match_the_python_side():
    python_side = {metrics.BINARY_ACCURACY, metrics.SIGN_ACCURACY, metrics.CATEGORICAL_ACCURACY,
                   metrics.SPARSE_CATEGORICAL_ACCURACY, metrics.LOSS_VALUE, metrics.NEG_LOSS_VALUE}
    python_side |= {metrics._BY_NAME[n]().kernel_row(losses.get("mse"), 2, np.zeros((0, 2)))[0]
                    for n in metrics._BY_NAME if n != "sparse_top_k_categorical_accuracy"}
    python_side.add(metrics.SparseTopKCategoricalAccuracy().kernel_row(None, 2, None)[0])
    assert python_side == kernel_codes(KM)


@pytest.mark.parametrize("name", [n for n in metrics.names() if n not in ("accuracy", "acc")])
def test_every_metric_name_resolves_to_a_working_kernel_branch(name):
    from tests.test_metrics import kernel_objective

    sparse = "sparse" in name.lower() and "crossentropy" not in name.lower() or name.lower() in (
        "sparse_categorical_crossentropy", "sparsecategoricalcrossentropy")
    loss = losses.get("sparse_categorical_crossentropy" if sparse else "categorical_crossentropy")
    y = np.array([[0.0], [1.0]]) if sparse else np.array([[0.0, 1.0], [1.0, 0.0]])
    plan = metrics.plan_metric(name, loss, 2, y)
    size = plan.metric.block_size(2) if plan.metric is not None and plan.metric.streaming else 0
    obj = kernel_objective([[plan.code, plan.arg, 0 if plan.params else -1, 0 if size else -1]], plan.params, size)
    sums = np.full(1, 0.0)
    pred = np.array([[0.3, 0.7], [0.6, 0.4]])
    assert KM.metrics_update(sums, pred, y, 2, obj, obj.counts, np.zeros(2))
    assert np.isfinite(sums).all()
    if size:  # a streaming metric counted something, and its value follows from the counts
        assert obj.counts.sum() > 0 and np.all(np.isfinite(plan.metric.finish(obj.counts, 2)))


def test_an_unknown_metric_code_is_reported():
    from tests.test_metrics import kernel_objective

    obj = kernel_objective([[UNKNOWN, 0, -1, -1]])
    assert not KM.metrics_update(np.zeros(1), np.ones((2, 1)), np.ones((2, 1)), 2, obj, obj.counts, np.zeros(2))


def test_a_kernel_that_meets_an_unknown_code_makes_fit_raise(monkeypatch):
    from fastnn import Dense, Sequential

    model = Sequential([Dense(3, activation="tanh", input_dim=2), Dense(1)], seed=0)
    model.compile("sgd", "mse")
    model.build()
    model._layout.layers[0, 5] = UNKNOWN  # L_ACT: an activation Python wired without a kernel branch
    before = model.get_weights()
    with pytest.raises(RuntimeError, match="no branch"):
        model.fit(np.ones((4, 2)), np.ones(4), epochs=1, verbose=0)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(RuntimeError, match="no branch"):
        model.predict(np.ones((4, 2)))


def test_layer_kind_codes_match_the_layer_classes():
    from fastnn import layers as L
    from fastnn.kernels import batchnorm, dropout, layernorm, network, normalization, prelu
    from fastnn.kernels.codes import code_of

    kernel = set()
    for module in (network, dropout, batchnorm, layernorm, prelu, normalization):
        kernel |= {value for name, value in vars(module).items()
                   if name.isupper() and type(value) is int and value >= 1 << 16 and value not in kernel_codes(KA)}
    python_side = {code_of(cls.kind) for cls in L.LAYER_CLASSES.values() if cls.kind is not None}
    assert python_side == kernel


@pytest.mark.parametrize("name", sorted(n for n, c in __import__("fastnn").layers.LAYER_CLASSES.items()
                                        if c.kind not in (None,)))
def test_every_layer_kind_has_a_working_kernel_branch(name):
    from fastnn import Dense, Sequential
    from fastnn import layers as L
    from fastnn.reference import layers as ref_layers

    cls = L.LAYER_CLASSES[name]
    args = {"Dense": (3,), "Activation": ("tanh",), "Dropout": (0.3,), "AlphaDropout": (0.3,),
            "GaussianDropout": (0.3,), "GaussianNoise": (0.3,)}.get(name, ())
    layer = cls(*args)
    if cls.kind not in ("dense", "activation"):
        ref_layers.forward({"kind": cls.kind, "rate": 0.0, "gamma": None, "beta": None, "moving_mean": 0.0,
                            "moving_variance": 1.0, "momentum": 0.9, "epsilon": 1e-3, "alpha": 0.1,
                            "mean": 0.0, "variance": 1.0},
                           np.ones((2, 3)), False)  # the reference knows the kind
    model = Sequential([Dense(3, input_dim=2), layer, Dense(1)], dtype="float64", seed=0)
    model.compile("sgd", "mse")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(np.random.default_rng(0).random((8, 2)), np.ones(8), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_an_unknown_layer_kind_is_reported():
    from fastnn import Dense, Sequential
    from fastnn.kernels.codes import L_KIND

    model = Sequential([Dense(3, input_dim=2), Dense(1)], seed=0)
    model.compile("sgd", "mse")
    model.build()
    model._layout.layers[1, L_KIND] = UNKNOWN
    with pytest.raises(RuntimeError, match="no branch"):
        model.fit(np.ones((4, 2)), np.ones(4), epochs=1, verbose=0)
    with pytest.raises(RuntimeError, match="no branch"):
        model.predict(np.ones((4, 2)))
