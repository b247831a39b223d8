"""The reference itself, checked against finite differences and hand-computed values: an
oracle that is wrong would make every comparison meaningless."""
import numpy as np
import pytest

from fastnn.reference import activations as act
from fastnn.reference import losses as L
from fastnn.reference.optimizers import ReferenceOptimizer
from fastnn.reference.trainer import fastnn_order
from tests.conftest import central_difference
from tests.kernels.test_activations import CASES as ACT_CASES
from tests.kernels.test_losses import CASES as LOSS_CASES
from tests.kernels.test_losses import make_data


@pytest.mark.parametrize("name,params", ACT_CASES)
def test_reference_vjp_matches_finite_differences(name, params, rng):
    z = rng.normal(0, 2, size=(3, 4))
    for k in (0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 0.5, -0.5, 5.0, -1.5):
        z[np.abs(z - k) < 1e-3] += 3e-3
    g = rng.normal(size=z.shape)
    numeric = central_difference(lambda zz: float(np.sum(g * act.forward(name, zz, **params))), z)
    np.testing.assert_allclose(act.vjp(name, z, g, **params), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name,options", LOSS_CASES)
def test_reference_loss_gradient_matches_finite_differences(name, options):
    rng = np.random.default_rng(4)
    y, p = make_data(name, options, rng, n=3, k=3)
    if name in ("mean_absolute_error", "mean_absolute_percentage_error", "hinge", "squared_hinge", "huber"):
        p = p + 0.01 * np.sign(p - y)
    if name in ("hinge", "squared_hinge"):
        p[np.abs(1 - y * p) < 1e-2] += 0.05
    sw = rng.uniform(0.5, 2, size=3)
    numeric = central_difference(lambda pp: float(np.sum(sw * L.values(name, y, pp, **options)) / 3), p)
    np.testing.assert_allclose(L.gradient(name, y, p, sw, **options), numeric, rtol=1e-6, atol=1e-8)


def test_reference_adam_by_hand():
    # one Adam step, t = 1: m = 0.1 g, v = 0.001 g^2, step = lr sqrt(0.001)/0.1 * m / (sqrt(v) + eps)
    w = np.array([1.0])
    ReferenceOptimizer("adam", learning_rate=0.1).step([w], [np.array([2.0])])
    expected = 1.0 - 0.1 * np.sqrt(0.001) / 0.1 * 0.2 / (np.sqrt(0.001 * 4) + 1e-7)
    assert w[0] == pytest.approx(expected, rel=1e-14)


def test_reference_shuffle_is_a_permutation_and_moves():
    state = [123]
    first, second = fastnn_order(50, state), fastnn_order(50, state)
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert not np.array_equal(first, second)
