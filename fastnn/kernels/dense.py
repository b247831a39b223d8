"""Dense layer, forward and backward: out = x @ W + b.

dense_forward(out, x, w, b, use_bias, use_blas)                   out (B, n_out)
dense_backward(dx, dw, db, dout, x, w, use_bias, need_dx, use_blas)

x (B, n_in), w (n_in, n_out) row-major, b (n_out,). Backward OVERWRITES dx, dw, db rather
than accumulating: each layer owns its slice of the flat gradient buffer, so nothing ever
needs summing, no zeroing pass is needed, and BLAS can write straight into the buffer.

Two paths with the same results up to rounding: np.dot, which Numba lowers to SciPy's BLAS
gemm (large layers), and hand loops (small layers, where a BLAS call's fixed cost dominates).
The Python layer picks the path per layer (codes.L_BLAS); tests run both against the
reference. The hand loops pick their order by output width, as measured on B = 32 batches:

- wide outputs (n_out > NARROW): the innermost loop runs over contiguous output columns
  ("axpy" order), which LLVM vectorises;
- narrow outputs (the 1-unit output layer of a small classifier): each result accumulates
  in a register ("dot" order). The axpy order would make every multiply-add wait on a store
  and reload of the same element: 4x slower for a 20 -> 1 layer.
- dx = dout @ W^T is a dot product over the (contiguous) output columns in both cases.
"""
import numpy as np

from .jit import kernel, kernel_reassoc

NARROW = 4  # n_out <= NARROW: register-accumulated "dot" order


@kernel_reassoc
def input_gradient(dx, dout, w):
    # dx (B, n_in) = dout (B, n_out) @ w^T: a dot product over contiguous output columns
    B, n_out = dout.shape
    n_in = w.shape[0]
    for i in range(B):
        for k in range(n_in):
            acc = dout[i, 0] * w[k, 0]  # accumulate in the arrays' dtype
            for j in range(1, n_out):
                acc += dout[i, j] * w[k, j]
            dx[i, k] = acc


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
    elif n_out > NARROW:
        for i in range(B):
            for j in range(n_out):
                out[i, j] = b[j] if use_bias else 0.0
            for k in range(n_in):
                xik = x[i, k]
                for j in range(n_out):  # contiguous in w and out: vectorises
                    out[i, j] += xik * w[k, j]
    else:
        for i in range(B):
            for j in range(n_out):
                acc = x[i, 0] * w[0, j]
                for k in range(1, n_in):
                    acc += x[i, k] * w[k, j]
                out[i, j] = acc + b[j] if use_bias else acc


@kernel
def dense_backward(dx, dw, db, dout, x, w, use_bias, need_dx, use_blas):
    B, n_in = x.shape
    n_out = w.shape[1]
    wide = n_out > NARROW
    if use_bias:  # db = column sums of dout
        if wide:
            for j in range(n_out):
                db[j] = dout[0, j]
            for i in range(1, B):
                for j in range(n_out):
                    db[j] += dout[i, j]
        else:
            for j in range(n_out):
                acc = dout[0, j]
                for i in range(1, B):
                    acc += dout[i, j]
                db[j] = acc
    if use_blas:
        np.dot(x.T, dout, dw)  # dw (n_in, n_out) = x^T dout
        if need_dx:
            np.dot(dout, w.T, dx)  # dx (B, n_in) = dout W^T
        return
    if wide:  # dw = x^T dout, one row of dout at a time
        for k in range(n_in):
            for j in range(n_out):
                dw[k, j] = 0.0
        for i in range(B):
            for k in range(n_in):
                xik = x[i, k]
                for j in range(n_out):
                    dw[k, j] += xik * dout[i, j]
    else:
        for k in range(n_in):
            for j in range(n_out):
                acc = x[0, k] * dout[0, j]
                for i in range(1, B):
                    acc += x[i, k] * dout[i, j]
                dw[k, j] = acc
    if need_dx:
        input_gradient(dx, dout, w)
