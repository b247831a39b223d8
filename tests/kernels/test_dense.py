"""Dense kernels, both the hand-loop and the BLAS path, vs the NumPy reference and finite
differences, with and without bias, on random shapes. The kernels take flat feature-major
blocks (x^T), or for a first layer on BLAS (codes.BLAS_ROWS_IN) the input as rows; the helpers
lay the input out so the tests read in row-major terms."""
import numpy as np
import pytest

from fastnn.kernels.codes import BLAS_ROWS_IN
from fastnn.kernels.dense import dense_backward, dense_forward
from fastnn.reference import dense as ref
from tests.conftest import central_difference

SHAPES = [(1, 1, 1), (1, 5, 20), (32, 5, 20), (7, 64, 1), (64, 3, 64), (13, 33, 17), (64, 64, 64)]
PATHS = dict(argvalues=[0, 1, BLAS_ROWS_IN], ids=["loops", "blas", "blas-rows-in"])


def input_block(x, blas):
    return np.ascontiguousarray(x if blas == BLAS_ROWS_IN else x.T).reshape(-1)


def run_forward(x, w, b, use_blas):
    B, n_in = x.shape
    n_out = w.shape[1]
    outT = np.full(n_out * B, np.nan, dtype=x.dtype)
    dense_forward(outT, input_block(x, use_blas), w.reshape(-1),
                  b if b is not None else np.zeros(0, x.dtype), n_in, n_out, B, b is not None, use_blas)
    return outT.reshape(n_out, B).T


def run_backward(dout, x, w, use_bias, use_blas):
    B, n_in = x.shape
    n_out = w.shape[1]
    dxT = np.full(n_in * B, np.nan, dtype=x.dtype)
    dw = np.full(n_in * n_out, np.nan, dtype=x.dtype)  # backward must overwrite, never read, its outputs
    db = np.full(n_out if use_bias else 0, np.nan, dtype=x.dtype)
    dense_backward(dxT, dw, db, np.ascontiguousarray(dout.T).reshape(-1), input_block(x, use_blas),
                   w.reshape(-1), n_in, n_out, B, use_bias, True, use_blas)
    return dxT.reshape(n_in, B).T, dw.reshape(n_in, n_out), (db if use_bias else None)


@pytest.mark.parametrize("use_blas", **PATHS)
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("B,n_in,n_out", SHAPES)
def test_forward_and_backward_match_reference(B, n_in, n_out, use_bias, use_blas, rng):
    x = rng.normal(size=(B, n_in))
    w = rng.normal(size=(n_in, n_out))
    b = rng.normal(size=n_out) if use_bias else None
    dout = rng.normal(size=(B, n_out))
    np.testing.assert_allclose(run_forward(x, w, b, use_blas), ref.dense_forward(x, w, b), rtol=1e-12, atol=1e-12)
    dx, dw, db = run_backward(dout, x, w, use_bias, use_blas)
    rdx, rdw, rdb = ref.dense_backward(dout, x, w, use_bias)
    np.testing.assert_allclose(dx, rdx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, rdw, rtol=1e-12, atol=1e-12)
    if use_bias:
        np.testing.assert_allclose(db, rdb, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("use_blas", **PATHS)
def test_random_shapes_loops_equal_blas(use_blas):
    shape_rng = np.random.default_rng(7)
    for _ in range(20):
        B, n_in, n_out = shape_rng.integers(1, 65, size=3)
        x = shape_rng.normal(size=(B, n_in))
        w = shape_rng.normal(size=(n_in, n_out))
        b = shape_rng.normal(size=n_out)
        np.testing.assert_allclose(run_forward(x, w, b, use_blas), x @ w + b, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("use_blas", **PATHS)
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
def test_backward_matches_finite_differences(use_bias, use_blas, rng):
    x = rng.normal(size=(4, 3))
    w = rng.normal(size=(3, 5))
    b = rng.normal(size=5) if use_bias else None
    g = rng.normal(size=(4, 5))  # loss = sum(g * out)

    def loss_of(x_, w_, b_):
        return float(np.sum(g * run_forward(x_, w_, b_, use_blas)))

    dx, dw, db = run_backward(g, x, w, use_bias, use_blas)
    np.testing.assert_allclose(dx, central_difference(lambda v: loss_of(v, w, b), x), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(dw, central_difference(lambda v: loss_of(x, v, b), w), rtol=1e-7, atol=1e-8)
    if use_bias:
        np.testing.assert_allclose(db, central_difference(lambda v: loss_of(x, w, v), b), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("use_blas", **PATHS)
def test_float32_paths(use_blas, rng):
    x = rng.normal(size=(16, 40)).astype(np.float32)
    w = rng.normal(size=(40, 24)).astype(np.float32)
    b = rng.normal(size=24).astype(np.float32)
    out = run_forward(x, w, b, use_blas)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x.astype(np.float64) @ w + b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("n_in", range(1, 10))  # 1..8 take narrow_forward (one specialisation each), 9 does not
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
def test_every_narrow_width_matches_reference(n_in, use_bias, rng):
    for B in (1, 17, 32, 50):
        x = rng.normal(size=(B, n_in))
        w = rng.normal(size=(n_in, 7))
        b = rng.normal(size=7) if use_bias else None
        np.testing.assert_allclose(run_forward(x, w, b, 0), ref.dense_forward(x, w, b), rtol=1e-12, atol=1e-12)
