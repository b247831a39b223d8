"""engine/memory.py: each kind of buffer starts at its own offset within a page (no 4K aliasing
between arrays streamed in lockstep), zero-filled, and an allocation too large for the machine is a
MemoryError that says what it was for."""
import numpy as np
import pytest

from fastnn.engine import memory


@pytest.mark.parametrize("role", sorted(memory.OFFSETS))
@pytest.mark.parametrize("shape,dtype", [(1, np.float32), (1000, np.float64), ((3, 5000), np.float32)])
def test_buffers_start_at_their_roles_page_offset(role, shape, dtype):
    for _ in range(5):  # malloc hands out different addresses; the offset must not depend on them
        a = memory.zeros(shape, dtype, role)
        assert a.ctypes.data % memory.PAGE == memory.OFFSETS[role]
        assert a.shape == (shape if isinstance(shape, tuple) else (shape,)) and a.dtype == dtype
        assert a.flags.c_contiguous and not a.any()
        a[...] = 1  # the whole array is writable memory of its own
        assert a.sum() == a.size


def test_slot_rows_are_shifted_within_the_page():
    for n_params in (1, 141, 1024, 269_312):
        for dtype in (np.float32, np.float64):
            length = memory.slot_row_length(n_params, dtype)
            assert length >= n_params
            assert (length * np.dtype(dtype).itemsize) % memory.PAGE == memory.SLOT_ROW_SHIFT


def test_an_impossible_allocation_names_its_purpose():
    with pytest.raises(MemoryError, match=r"for the model's optimizer slots \(2,000,000,000,000,000 float64 values\)"):
        memory.zeros((2, 10 ** 15), np.float64, "slots")
