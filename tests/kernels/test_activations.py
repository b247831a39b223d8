"""Activation kernels vs the NumPy reference, finite differences, Keras 3 test vectors, and
float32 vs float64."""
import warnings

import numpy as np
import pytest

from fastnn.activations import ActivationFunction, names
from fastnn.kernels.activations import activation_backward, activation_forward
from fastnn.reference import activations as ref
from tests.conftest import central_difference

# (name, parameters) covering every activation and every parameterised variant
CASES = [(n, {}) for n in names() if n not in ("swish", "hard_swish")] + [
    ("relu", {"negative_slope": 0.1}),
    ("relu", {"max_value": 5.0}),
    ("relu", {"threshold": 0.5}),
    ("relu", {"negative_slope": 0.5, "max_value": 5.0, "threshold": -1.5}),
    ("leaky_relu", {"negative_slope": 0.3}),
    ("elu", {"alpha": 0.5}),
    ("celu", {"alpha": 2.0}),
    ("gelu", {"approximate": True}),
    ("squareplus", {"b": 1.0}),
    ("soft_shrink", {"threshold": 1.0}),
    ("hard_shrink", {"threshold": 0.2}),
]
IDS = [n + "".join(f"-{k}={v}" for k, v in p.items()) for n, p in CASES]


def kernel_forward(name, z, **params):
    """f(z) for z (samples, features) through the feature-major kernel (flat (n, B) blocks)."""
    f = ActivationFunction(name, **params)
    B, n = z.shape
    zT = np.ascontiguousarray(z.T).reshape(-1)
    out = np.empty_like(zT)
    activation_forward(out, zT, n, B, f.code, f.param_vector(z.dtype.type))
    return out.reshape(n, B).T


def kernel_backward(name, z, g, **params):
    f = ActivationFunction(name, **params)
    B, n = z.shape
    zT, gT = np.ascontiguousarray(z.T).reshape(-1), np.ascontiguousarray(g.T).reshape(-1)
    aT = np.ascontiguousarray(kernel_forward(name, z, **params).T).reshape(-1)
    dzT = np.empty_like(zT)
    activation_backward(dzT, gT, zT, aT, n, B, f.code, f.param_vector(z.dtype.type))
    return dzT.reshape(n, B).T


def sample_inputs(rng, rows=7, cols=9):
    """Normal values, special points and magnitudes up to 1e3."""
    z = rng.normal(0, 3, size=(rows, cols))
    z[0, :] = [0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 0.5, -0.5, 2.5]
    z[1, :] = rng.uniform(-1e3, 1e3, size=cols)
    z[2, :] = [1e3, -1e3, 700.0, -700.0, 88.0, -88.0, 20.0, -20.0, 1e-9]
    return np.ascontiguousarray(z)


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_forward_matches_reference_float64(name, params, rng):
    z = sample_inputs(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the kernel must not warn, even at |x| = 1e3
        out = kernel_forward(name, z, **params)
    with np.errstate(over="ignore"):
        expected = ref.forward(name, z, **params)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-300)
    if name != "exponential":  # exp(1e3) overflows to inf, in Keras and NumPy alike
        assert np.all(np.isfinite(out))


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_backward_matches_reference_float64(name, params, rng):
    z = sample_inputs(rng)
    g = rng.normal(size=z.shape)
    if name == "exponential":
        z = np.clip(z, -50, 50)
    dz = kernel_backward(name, z, g, **params)
    np.testing.assert_allclose(dz, ref.vjp(name, z, g, **params), rtol=1e-11, atol=1e-14)
    assert np.all(np.isfinite(dz))


def _away_from_kinks(name, params, z):
    """Nudge points within 1e-3 of a kink, where a finite difference straddles two pieces."""
    kinks = [0.0, 1.0, -1.0, 3.0, -3.0, 6.0]
    kinks += [params.get(k) for k in ("threshold", "max_value") if params.get(k) is not None]
    kinks += [-params["threshold"]] if "threshold" in params else []
    kinks += [0.5, -0.5]  # default shrink thresholds
    for k in kinks:
        close = np.abs(z - k) < 1e-3
        z[close] += 3e-3
    return z


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_backward_matches_finite_differences(name, params, rng):
    z = _away_from_kinks(name, params, rng.normal(0, 2, size=(3, 5)))
    g = rng.normal(size=z.shape)
    dz = kernel_backward(name, z, g, **params)
    numeric = central_difference(lambda zz: float(np.sum(g * kernel_forward(name, zz, **params))), z)
    np.testing.assert_allclose(dz, numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_float32_agrees_with_float64(name, params, rng):
    z64 = rng.normal(0, 3, size=(8, 6))
    g64 = rng.normal(size=z64.shape)
    z32, g32 = z64.astype(np.float32), g64.astype(np.float32)
    f64 = kernel_forward(name, z32.astype(np.float64), **params)
    f32 = kernel_forward(name, z32, **params)
    assert f32.dtype == np.float32
    np.testing.assert_allclose(f32, f64, rtol=2e-6, atol=1e-6)
    d64 = kernel_backward(name, z32.astype(np.float64), g32.astype(np.float64), **params)
    d32 = kernel_backward(name, z32, g32, **params)
    np.testing.assert_allclose(d32, d64, rtol=2e-5, atol=2e-6)


# Keras 3 keras/src/activations/activations_test.py, x = [-10, -5, 0, 5, 10]
RELU_VECTORS = [
    ({"negative_slope": 0.5}, [-5.0, -2.5, 0.0, 5.0, 10.0]),
    ({"max_value": 5.0}, [0.0, 0.0, 0.0, 5.0, 5.0]),
    ({"threshold": 5.0}, [0.0, 0.0, 0.0, 0.0, 10.0]),
    ({"negative_slope": 0.5, "max_value": 5.0, "threshold": 5.0}, [-7.5, -5.0, -2.5, 0.0, 5.0]),
]


@pytest.mark.parametrize("params,expected", RELU_VECTORS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_keras3_vectors(params, expected, dtype):
    x = np.array([[-10.0, -5.0, 0.0, 5.0, 10.0]], dtype=dtype)
    np.testing.assert_array_equal(kernel_forward("relu", x, **params)[0], np.array(expected, dtype=dtype))


def test_hard_sigmoid_is_keras3_not_keras2():
    # Keras 3: x/6 + 1/2, linear on (-3, 3); Keras 1/2 used 0.2x + 0.5 (0.7 at x = 1)
    x = np.array([[-4.0, -3.0, 0.0, 1.0, 2.5, 3.0, 4.0]])
    out = kernel_forward("hard_sigmoid", x)[0]
    np.testing.assert_allclose(out, [0.0, 0.0, 0.5, 0.5 + 1 / 6, 0.5 + 2.5 / 6, 1.0, 1.0], rtol=1e-15)
    assert abs(out[3] - 0.6667) < 1e-4


def test_softmax_rows_sum_to_one_and_are_shift_invariant(rng):
    z = rng.normal(0, 50, size=(5, 4))
    s = kernel_forward("softmax", z)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(kernel_forward("softmax", z + 1000.0), s, rtol=1e-12)
    np.testing.assert_allclose(np.exp(kernel_forward("log_softmax", z)), s, rtol=1e-12)


def test_selu_constants_match_keras3():
    x = np.array([[-1.0, 1.0]])
    out = kernel_forward("selu", x)[0]
    scale, alpha = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
    np.testing.assert_allclose(out, [scale * alpha * (np.exp(-1.0) - 1.0), scale], rtol=1e-15)


def test_backward_runs_in_place(rng):
    z = rng.normal(size=12)
    g = rng.normal(size=12)
    a = np.tanh(z)
    expected = g * (1 - a * a)
    f = ActivationFunction("tanh")
    activation_backward(g, g, z, a, 3, 4, f.code, f.param_vector(np.float64))  # dz is da
    np.testing.assert_allclose(g, expected, rtol=1e-15)


def test_softmax_normalises_each_column_of_a_feature_major_block(rng):
    zT = rng.normal(size=15)  # 3 features x 5 samples, flat
    out = np.empty_like(zT)
    f = ActivationFunction("softmax")
    activation_forward(out, zT, 3, 5, f.code, f.param_vector(np.float64))
    np.testing.assert_allclose(out.reshape(3, 5).sum(axis=0), 1.0, rtol=1e-14)
