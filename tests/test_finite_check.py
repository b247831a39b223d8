"""fastnn/_validation.all_finite (fit's data check, in cache-sized chunks) against np.isfinite:
a NaN or inf anywhere, including the last element of the last chunk and inside strided views,
is found; fit names its row and column."""
import numpy as np
import pytest

from fastnn import Dense, Sequential
from fastnn._validation import _FINITE_CHUNK, all_finite


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("where", [0, _FINITE_CHUNK - 1, _FINITE_CHUNK, 3 * _FINITE_CHUNK + 6])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_every_position_and_kind_of_non_finite_value_is_found(dtype, where, bad):
    x = np.ones(3 * _FINITE_CHUNK + 7, dtype=dtype).reshape(-1, 1)
    assert all_finite(x)
    x[where, 0] = bad
    assert not all_finite(x)


def test_strided_views_integers_and_empty_arrays():
    x = np.ones((500, 300))
    x[499, 1] = np.nan
    assert not all_finite(x[:, 1::3])  # column 1 is in this view
    assert all_finite(x[:, 2::3])  # and not in this one
    assert not all_finite(x.T)
    assert all_finite(np.arange(10**6).reshape(-1, 10)) and all_finite(np.zeros((3, 3), dtype=bool))
    assert all_finite(np.zeros((0, 4)))


def test_fit_names_the_first_bad_value_beyond_the_first_chunk():
    x = np.random.default_rng(0).random((40_000, 4)).astype(np.float32)  # 160k values: 3 chunks
    x[39_999, 2] = np.inf
    model = Sequential([Dense(2, input_dim=4)], seed=0)
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="1 NaN or inf value.*row 39999, column 2"):
        model.fit(x, x[:, :2], epochs=1, verbose=0)
    assert np.isinf(x[39_999, 2])  # the caller's data is untouched
