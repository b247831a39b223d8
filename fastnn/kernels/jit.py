"""The one decorator every kernel uses.

cache=True        compiled code is kept on disk (NUMBA_CACHE_DIR or __pycache__), so only
                  the first run of a fresh install pays for compilation.
error_model=numpy division by zero gives inf/nan as in NumPy instead of raising; without it
                  Numba guards every division with a branch and LLVM cannot vectorise.
nogil=True        kernels release the GIL, so a Python thread (progress, Ctrl-C) is never stuck.
"""
from numba import njit

kernel = njit(cache=True, error_model="numpy", nogil=True)

# For dot-product reductions only: 'reassoc' lets LLVM split a sum into vector lanes (2-4x
# faster), 'contract' allows fused multiply-add. Both change rounding in the last bits; neither
# assumes away NaN or inf, so a non-finite value still propagates and is still caught.
kernel_reassoc = njit(cache=True, error_model="numpy", nogil=True, fastmath={"reassoc", "contract"})
