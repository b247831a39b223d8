"""The decorators the kernels use (one for almost all of them).

cache=True        compiled code is kept on disk (NUMBA_CACHE_DIR or __pycache__), so only
                  the first run of a fresh install pays for compilation.
error_model=numpy division by zero gives inf/nan as in NumPy instead of raising; without it
                  Numba guards every division with a branch and LLVM cannot vectorise.
nogil=True        kernels release the GIL, so a Python thread (progress, Ctrl-C) is never stuck.
_nrt=False        no Numba runtime (NRT): the kernels never allocate, and the runtime's reference
                  counting (an atomic increment and decrement per array passed or sliced) was
                  18% of the seed fit. Two rules follow, both tested (tests/kernels/test_no_runtime.py):
                  no slice assignment (network.copy_into), and no compiled kernel returns an
                  array (boxing one without the runtime hands Python the parent array, silently).
"""
from numba import njit

kernel = njit(cache=True, error_model="numpy", nogil=True, _nrt=False)

# For dot-product reductions only: 'reassoc' lets LLVM split a sum into vector lanes (2-4x
# faster), 'contract' allows fused multiply-add. Both change rounding in the last bits; neither
# assumes away NaN or inf, so a non-finite value still propagates and is still caught.
kernel_reassoc = njit(cache=True, error_model="numpy", nogil=True, _nrt=False, fastmath={"reassoc", "contract"})

# For one-line helpers that return a view of an argument (network.block, network.tensor): inlined
# into the caller at Numba's IR level, as a compiled function returning a view needs Numba's
# runtime, which the kernels are compiled without (kernel above)
kernel_inline = njit(cache=True, error_model="numpy", nogil=True, _nrt=False, inline="always")

# Only for the BLAS calls (dense.gemm_*): Numba's np.dot returns its `out` array, and returning an
# array needs the runtime. These helpers return nothing, so no reference crosses into the kernels.
kernel_blas = njit(cache=True, error_model="numpy", nogil=True, _nrt=True)
