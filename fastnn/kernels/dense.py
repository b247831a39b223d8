"""Dense layer, forward and backward: out = x @ W + b.

dense_forward(out, x, w, b, use_bias, use_blas)                   out (B, n_out)
dense_backward(dx, dw, db, dout, x, w, use_bias, need_dx, use_blas)

x (B, n_in), w (n_in, n_out) row-major, b (n_out,). Backward OVERWRITES dx, dw, db rather
than accumulating: each layer owns its slice of the flat gradient buffer, so nothing ever
needs summing, no zeroing pass is needed, and BLAS can write straight into the buffer.

Two paths with identical results up to rounding: hand loops (small layers, where a BLAS
call's fixed cost dominates) and np.dot, which Numba lowers to SciPy's BLAS gemm. The
Python layer picks the path per layer (codes.L_BLAS); tests run both against the reference.
"""
import numpy as np

from .jit import kernel


@kernel
def dense_forward(out, x, w, b, use_bias, use_blas):
    B, n_in = x.shape
    n_out = w.shape[1]
    if use_blas:
        np.dot(x, w, out)
        if use_bias:
            for i in range(B):
                for j in range(n_out):
                    out[i, j] += b[j]
        return
    for i in range(B):
        if use_bias:
            for j in range(n_out):
                out[i, j] = b[j]
        else:
            for j in range(n_out):
                out[i, j] = 0.0
        for k in range(n_in):
            xik = x[i, k]
            for j in range(n_out):  # contiguous in w and out: vectorises
                out[i, j] += xik * w[k, j]


@kernel
def dense_backward(dx, dw, db, dout, x, w, use_bias, need_dx, use_blas):
    B, n_in = x.shape
    n_out = w.shape[1]
    if use_bias:
        for j in range(n_out):
            db[j] = 0.0
        for i in range(B):
            for j in range(n_out):
                db[j] += dout[i, j]
    if use_blas:
        np.dot(x.T, dout, dw)  # dw (n_in, n_out) = x^T dout
        if need_dx:
            np.dot(dout, w.T, dx)  # dx (B, n_in) = dout W^T
        return
    for k in range(n_in):
        for j in range(n_out):
            dw[k, j] = 0.0
    for i in range(B):
        for k in range(n_in):
            xik = x[i, k]
            for j in range(n_out):
                dw[k, j] += xik * dout[i, j]
    if need_dx:
        for i in range(B):
            for k in range(n_in):
                s = 0.0
                for j in range(n_out):
                    s += dout[i, j] * w[k, j]
                dx[i, k] = s
