"""Dense layer, forward and backward, on FEATURE-MAJOR activations: out = x @ W + b.

dense_forward(outT, xT, w, b, use_bias, use_blas)                     outT (n_out, B)
dense_backward(dxT, dw, db, doutT, xT, w, use_bias, need_dx, use_blas)

Activations are stored transposed, one row per feature and the batch along the row: xT
(n_in, B), outT (n_out, B). w (n_in, n_out) and b (n_out,) are the Keras layout. With the
batch innermost, every hand loop runs over B contiguous values whatever the layer's width,
so a 20 -> 1 output layer vectorises as well as a 5 -> 20 one (measured on B = 32: forward
1.7-4x, backward 1.6-2x faster than row-major loops, which had to choose per shape).

Backward OVERWRITES dxT, dw, db rather than accumulating: each layer owns its slice of the
flat gradient buffer, so nothing is ever summed across layers, no zeroing pass is needed, and
BLAS can write straight into the buffer.

Large layers go through np.dot, which Numba lowers to SciPy's BLAS gemm; the Python layer
picks the path per layer (codes.L_BLAS) and tests run both paths against the reference.
"""
import numpy as np

from .fastmath import typed
from .jit import kernel, kernel_reassoc


@kernel
def dense_forward(outT, xT, w, b, use_bias, use_blas):
    n_in, B = xT.shape
    n_out = w.shape[1]
    if use_blas:
        np.dot(w.T, xT, outT)
        if use_bias:
            for j in range(n_out):
                bj = b[j]
                for i in range(B):
                    outT[j, i] += bj
        return
    for j in range(n_out):
        bj = b[j] if use_bias else 0.0
        for i in range(B):
            outT[j, i] = bj
        for k in range(n_in):
            wkj = w[k, j]
            for i in range(B):  # contiguous over the batch: vectorises
                outT[j, i] += wkj * xT[k, i]


@kernel_reassoc
def bias_gradient(db, doutT):
    # db[j] = sum_i doutT[j, i]: a sum over the contiguous batch (reassociated: vector lanes)
    for j in range(doutT.shape[0]):
        acc = doutT[j, 0]
        for i in range(1, doutT.shape[1]):
            acc += doutT[j, i]
        db[j] = acc


@kernel_reassoc
def weight_gradient(dw, doutT, xT):
    # dw[k, j] = sum_i xT[k, i] doutT[j, i]: dot products over the contiguous batch, four
    # output columns at a time so each load of xT[k, :] feeds four accumulators (2x faster
    # than one dot product at a time for a 5 -> 20 layer on batches of 32)
    n_in, B = xT.shape
    n_out = doutT.shape[0]
    j4 = n_out - n_out % 4
    for k in range(n_in):
        for j in range(0, j4, 4):
            a0 = a1 = a2 = a3 = typed(xT, 0.0)
            for i in range(B):
                xv = xT[k, i]
                a0 += xv * doutT[j, i]
                a1 += xv * doutT[j + 1, i]
                a2 += xv * doutT[j + 2, i]
                a3 += xv * doutT[j + 3, i]
            dw[k, j] = a0
            dw[k, j + 1] = a1
            dw[k, j + 2] = a2
            dw[k, j + 3] = a3
        for j in range(j4, n_out):
            acc = xT[k, 0] * doutT[j, 0]
            for i in range(1, B):
                acc += xT[k, i] * doutT[j, i]
            dw[k, j] = acc


@kernel
def dense_backward(dxT, dw, db, doutT, xT, w, use_bias, need_dx, use_blas):
    n_in, B = xT.shape
    n_out = w.shape[1]
    if use_bias:
        bias_gradient(db, doutT)
    if use_blas:
        np.dot(xT, doutT.T, dw)  # dw (n_in, n_out) = x^T dout
        if need_dx:
            np.dot(w, doutT, dxT)  # dx^T (n_in, B) = W dout^T
        return
    weight_gradient(dw, doutT, xT)
    if need_dx:  # dxT[k, :] = sum_j w[k, j] doutT[j, :]
        for k in range(n_in):
            wk0 = w[k, 0]
            for i in range(B):
                dxT[k, i] = wk0 * doutT[0, i]
            for j in range(1, n_out):
                wkj = w[k, j]
                for i in range(B):
                    dxT[k, i] += wkj * doutT[j, i]
