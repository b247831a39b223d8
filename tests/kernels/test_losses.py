"""Loss kernels vs the NumPy reference, finite differences, and Keras 3's golden values."""
import numpy as np
import pytest

from fastnn.kernels.losses import loss_backward, loss_forward
from fastnn.losses import Loss
from fastnn.reference import losses as ref
from tests.conftest import central_difference

CASES = [
    ("mean_squared_error", {}), ("mean_absolute_error", {}), ("mean_absolute_percentage_error", {}),
    ("mean_squared_logarithmic_error", {}), ("hinge", {}), ("squared_hinge", {}), ("categorical_hinge", {}),
    ("binary_crossentropy", {}), ("binary_crossentropy", {"from_logits": True}),
    ("binary_crossentropy", {"label_smoothing": 0.2}),
    ("binary_crossentropy", {"from_logits": True, "label_smoothing": 0.1}),
    ("categorical_crossentropy", {}), ("categorical_crossentropy", {"from_logits": True}),
    ("categorical_crossentropy", {"label_smoothing": 0.1}),
    ("categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.3}),
    ("sparse_categorical_crossentropy", {}), ("sparse_categorical_crossentropy", {"from_logits": True}),
    ("kl_divergence", {}), ("poisson", {}), ("cosine_similarity", {}), ("log_cosh", {}),
    ("huber", {}), ("huber", {"delta": 0.3}),
]
IDS = [n + "".join(f"-{k}={v}" for k, v in o.items()) for n, o in CASES]


def make_data(name, options, rng, n=None, k=None):
    n = n or int(rng.integers(1, 40))
    k = k or int(rng.integers(2, 7))
    logits = options.get("from_logits", False)
    p = rng.normal(0, 2, size=(n, k))
    if name in ("hinge", "squared_hinge"):
        y = rng.choice([-1.0, 1.0], size=(n, k))
    elif name == "categorical_hinge":
        y = np.eye(k)[rng.integers(0, k, n)]
    elif name == "binary_crossentropy":
        y = rng.uniform(0, 1, size=(n, k))
        p = p if logits else rng.uniform(0.01, 0.99, size=(n, k))
    elif name in ("categorical_crossentropy", "kl_divergence"):
        y = rng.dirichlet(np.ones(k), size=n)
        p = p if logits else rng.uniform(0.05, 1.0, size=(n, k))  # unnormalised: cce renormalises
        if name == "kl_divergence":
            p = rng.dirichlet(np.ones(k), size=n)
    elif name == "sparse_categorical_crossentropy":
        y = rng.integers(0, k, size=(n, 1)).astype(np.float64)
        p = p if logits else rng.uniform(0.05, 1.0, size=(n, k))
    elif name == "poisson":
        y = rng.poisson(2.0, size=(n, k)).astype(np.float64)
        p = rng.uniform(0.1, 4.0, size=(n, k))
    elif name == "mean_absolute_percentage_error":
        y = rng.uniform(0.5, 3.0, size=(n, k)) * rng.choice([-1, 1], size=(n, k))
    elif name == "mean_squared_logarithmic_error":
        y = rng.uniform(-0.5, 3.0, size=(n, k))  # negatives are clamped to eps, as in Keras
        p = rng.uniform(0.01, 3.0, size=(n, k))
    else:
        y = rng.normal(0, 2, size=(n, k))
    return np.ascontiguousarray(y), np.ascontiguousarray(p)


def kernel_values(name, options, y, p):
    loss = Loss(name, **options)
    values = np.zeros(len(p))
    loss_forward(values, p, y, len(p), loss.code, loss.param_vector(p.dtype.type))
    return values


def kernel_gradient(name, options, y, p, sw, fused=False):
    loss = Loss(name, **options)
    g = np.full_like(p, np.nan)
    loss_backward(g, p, y, sw.astype(p.dtype), len(p), loss.code, loss.param_vector(p.dtype.type), fused)
    return g


@pytest.mark.parametrize("name,options", CASES, ids=IDS)
def test_values_match_reference(name, options):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    for _ in range(5):
        y, p = make_data(name, options, rng)
        np.testing.assert_allclose(kernel_values(name, options, y, p), ref.values(name, y, p, **options),
                                   rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,options", CASES, ids=IDS)
def test_gradients_match_reference(name, options):
    rng = np.random.default_rng(abs(hash(name)) % 2**32 + 1)
    for _ in range(5):
        y, p = make_data(name, options, rng)
        sw = rng.uniform(0, 2, size=len(p))
        np.testing.assert_allclose(kernel_gradient(name, options, y, p, sw), ref.gradient(name, y, p, sw, **options),
                                   rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("name,options", CASES, ids=IDS)
def test_gradients_match_finite_differences(name, options):
    rng = np.random.default_rng(99)
    y, p = make_data(name, options, rng, n=4, k=3)
    if name in ("mean_absolute_error", "mean_absolute_percentage_error", "hinge", "squared_hinge", "huber"):
        p = p + 0.01 * np.sign(p - y)  # keep away from |p - y| = 0 and margin kinks
    if name in ("hinge", "squared_hinge"):
        p[np.abs(1 - y * p) < 1e-2] += 0.05
    sw = rng.uniform(0.5, 2, size=len(p))

    def batch_loss(pp):
        return float(np.sum(sw * kernel_values(name, options, y, pp)) / len(pp))

    np.testing.assert_allclose(kernel_gradient(name, options, y, p, sw), central_difference(batch_loss, p),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name,act,smoothing", [
    ("categorical_crossentropy", "softmax", 0.0), ("categorical_crossentropy", "softmax", 0.1),
    ("sparse_categorical_crossentropy", "softmax", 0.0),  # (sparse has no label smoothing)
    ("binary_crossentropy", "sigmoid", 0.0), ("binary_crossentropy", "sigmoid", 0.1)])
def test_fused_gradient_is_the_chain_rule_where_clipping_is_inactive(name, act, smoothing, rng):
    options = {"label_smoothing": smoothing} if smoothing else {}
    from fastnn.reference.activations import forward

    z = rng.normal(0, 1.5, size=(6, 4))
    y, _ = make_data(name, {}, rng, n=6, k=4)
    if name == "categorical_crossentropy":
        y = np.eye(4)[rng.integers(0, 4, 6)]
    if name == "binary_crossentropy":
        y = rng.integers(0, 2, size=(6, 4)).astype(np.float64)
    sw = rng.uniform(0.5, 2, size=6)
    p = forward(act, z)
    fused = kernel_gradient(name, options, y, p, sw, fused=True)
    np.testing.assert_allclose(fused, ref.fused_gradient(name, y, p, sw, **options), rtol=1e-12, atol=1e-15)

    def loss_of_z(zz):  # the K3 loss VALUE through the activation
        return float(np.sum(sw * kernel_values(name, options, y, forward(act, zz))) / len(zz))

    np.testing.assert_allclose(fused, central_difference(loss_of_z, z), rtol=1e-6, atol=1e-9)


def test_fused_gradient_does_not_vanish_when_saturated():
    # softmax output saturated at the wrong class: the clipped chain rule gives 0, fused gives p - y
    p = np.array([[1.0, 0.0]])
    y = np.array([[0.0, 1.0]])
    sw = np.ones(1)
    assert np.all(kernel_gradient("categorical_crossentropy", {}, y, p, sw) == 0)
    np.testing.assert_allclose(kernel_gradient("categorical_crossentropy", {}, y, p, sw, fused=True), [[1.0, -1.0]])


# ---- Keras 3 goldens: keras/src/losses/losses_test.py ------------------

def keras_loss(name, y, p, dtype=np.float32, sample_weight=None, **options):
    return Loss(name, **options)(np.asarray(y, dtype), np.asarray(p, dtype), sample_weight=sample_weight)


def test_regression_goldens():
    y = [[1, 9, 2], [-5, -2, 6]]
    p = [[4, 8, 12], [8, 1, 3]]
    assert keras_loss("mse", y, p) == pytest.approx(49.5, rel=1e-6)
    assert keras_loss("mae", y, p) == pytest.approx(5.5, rel=1e-6)
    assert keras_loss("mape", y, p) == pytest.approx(211.8518, rel=1e-6)
    assert keras_loss("msle", y, p) == pytest.approx(1.4370, abs=1e-4)


@pytest.mark.parametrize("name,per_sample,total", [
    ("hinge", [1.1, 1.5], 1.3), ("squared_hinge", [1.46, 2.26], 1.86), ("categorical_hinge", [1.2, 1.6], 1.4)])
def test_hinge_family_goldens(name, per_sample, total):
    y = np.array([[0, 1], [0, 0]], np.float32)
    p = np.array([[0.6, 0.4], [0.4, 0.6]], np.float32)
    np.testing.assert_allclose(Loss(name).per_sample(y, p), per_sample, rtol=1e-6)
    assert keras_loss(name, y, p) == pytest.approx(total, rel=1e-6)


def test_binary_crossentropy_goldens():
    assert keras_loss("bce", np.eye(3), [[.9, .1, .2], [.3, .8, .1], [.1, .2, .7]]) == pytest.approx(0.20046903, rel=1e-6)
    # float32: 1 - 1e-7 rounds to 1 - 1.19e-7, so the clipped log is -log(1.19e-7)
    assert keras_loss("bce", [[1, 0], [1, 0]], [[1, 1], [1, 0]]) == pytest.approx(3.98559, rel=1e-5)
    assert keras_loss("bce", [[1, 0], [1, 0]], [[1, 1], [1, 0]], sample_weight=2.3) == pytest.approx(9.1668, rel=1e-4)
    logits = [[10, -10, 10], [10, 10, -10]]
    y = [[1, 0, 1], [0, 1, 1]]
    assert keras_loss("bce", y, logits, from_logits=True) == pytest.approx(3.3333, rel=1e-4)
    assert keras_loss("bce", y, logits, from_logits=True, sample_weight=2.3) == pytest.approx(7.666, abs=1e-3)  # Keras: 3 places
    # the same input in float64 gives the float64 number, not the float32 golden
    assert keras_loss("bce", [[1, 0], [1, 0]], [[1, 1], [1, 0]], dtype=np.float64) == pytest.approx(4.0295, rel=1e-4)


def test_categorical_crossentropy_goldens():
    probs = [[.9, .05, .05], [.5, .89, .6], [.05, .01, .94]]
    logits = [[8, 1, 1], [0, 9, 1], [2, 3, 5]]
    assert keras_loss("categorical_crossentropy", np.eye(3), probs) == pytest.approx(0.3239, abs=1e-4)
    assert keras_loss("categorical_crossentropy", np.eye(3), logits, from_logits=True) == pytest.approx(0.0573, abs=1e-4)
    assert keras_loss("sparse_categorical_crossentropy", [0, 1, 2], probs) == pytest.approx(0.3239, abs=1e-4)
    assert keras_loss("sparse_categorical_crossentropy", [0, 1, 2], logits, from_logits=True) == pytest.approx(
        0.0573, abs=1e-4)


def test_inline_formula_goldens(rng):
    # Keras's tests build these expectations from inline NumPy formulas; so do we
    y = rng.normal(size=(2, 3))
    p = rng.normal(size=(2, 3))
    e = p - y
    huber = 0.5 * np.minimum(np.abs(e), 1.0) ** 2 + 1.0 * (np.abs(e) - np.minimum(np.abs(e), 1.0))
    assert keras_loss("huber", y, p, dtype=np.float64) == pytest.approx(huber.sum() / 6, rel=1e-12)
    logcosh = np.log((np.exp(e) + np.exp(-e)) / 2)
    assert keras_loss("log_cosh", y, p, dtype=np.float64) == pytest.approx(logcosh.sum() / 6, rel=1e-12)
    l2n = lambda a: a / np.sqrt(np.maximum(np.sum(a * a, axis=-1, keepdims=True), 1e-12))  # noqa: E731
    cos = -np.mean(np.sum(l2n(y) * l2n(p), axis=-1))
    assert keras_loss("cosine_similarity", y, p, dtype=np.float64) == pytest.approx(cos, rel=1e-12)
    yp, pp = rng.uniform(0.1, 1, size=(2, 3)), rng.uniform(0.1, 1, size=(2, 3))
    assert keras_loss("kld", yp, pp, dtype=np.float64) == pytest.approx(np.sum(yp * np.log(yp / pp)) / 2, rel=1e-12)
    assert keras_loss("poisson", yp, pp, dtype=np.float64) == pytest.approx(
        np.sum(pp - yp * np.log(pp + 1e-7)) / 6, rel=1e-12)


@pytest.mark.parametrize("name,options", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_stay_finite(name, options, dtype):
    k = 3
    y, _ = make_data(name, options, np.random.default_rng(3), n=4, k=k)
    if options.get("from_logits"):
        p = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0, 0, 0], [-1e4, -1e4, -1e4]])
    elif name in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
                  "kl_divergence", "poisson", "mean_squared_logarithmic_error"):
        p = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    else:
        p = np.array([[1e4, -1e4, 0.0], [0.0, 0.0, 0.0], [1.0, -1.0, 1.0], [-1e4, 1e4, 1e4]])
    y, p = y.astype(dtype), p.astype(dtype)
    values = kernel_values(name, options, y, p)
    grad = kernel_gradient(name, options, y, p, np.ones(4))
    assert np.all(np.isfinite(values)), values
    assert np.all(np.isfinite(grad)), grad


def test_hinge_converts_01_labels_only_when_all_are_01():
    p = np.array([[0.3], [-0.2]])
    converted = kernel_values("hinge", {}, np.array([[1.0], [0.0]]), p)  # -> +1, -1
    np.testing.assert_allclose(converted, [0.7, 0.8])
    mixed = kernel_values("hinge", {}, np.array([[1.0], [-1.0]]), p)  # already ±1: unchanged
    np.testing.assert_allclose(mixed, [0.7, 0.8])
