"""Dense layer, forward and backward, on FEATURE-MAJOR activations: out = x @ W + b.

dense_forward(outT, xT, w, b, n_in, n_out, B, use_bias, blas)                   outT = (xW + b)^T
dense_backward(dxT, dw, db, doutT, xT, w, n_in, n_out, B, use_bias, need_dx, blas)

Every argument is a flat 1-D array, llm.c style: xT holds x^T (n_in, B) row by row, outT holds
(n_out, B), w holds W (n_in, n_out) row-major, b (n_out,). Element (r, c) of an (R, C) block is
at r * C + c. Flat arrays are cheap to hand around (a 2-D view of a slice costs a C call to
Numba's reshape helper: 13% of the instructions of a small training step). With the batch
innermost, every hand loop runs over B contiguous values whatever the layer's width, so a
20 -> 1 output layer vectorises as well as a 5 -> 20 one. Inner loops index with UNSIGNED
offsets (np.uint64): with signed ones Numba cannot prove base + i >= 0 and keeps a negative-
index check that stops LLVM vectorising (4x slower); slicing a row first works too but costs a
view per row (20% slower for a 5 -> 20 layer).

Backward OVERWRITES dxT, dw, db rather than accumulating: each layer owns its slice of the
flat gradient buffer, so nothing is ever summed across layers, no zeroing pass is needed, and
BLAS can write straight into the buffer.

Large layers go through np.dot, which Numba lowers to SciPy's BLAS gemm (on 2-D views of the
same memory); the Python layer picks the path per layer (codes.L_BLAS: blas 0, 1 or BLAS_ROWS_IN,
where xT holds the batch as rows, (B, n_in) row-major) and tests run every path against the
reference.
"""
import numpy as np
from numba import literally

from .codes import BLAS_ROWS_IN
from .fastmath import typed
from .jit import kernel, kernel_blas, kernel_reassoc


@kernel_blas
def gemm_forward(outT, xT, w, n_in, n_out, B, rows_in):
    if rows_in:  # x^T is the transpose of the rows: BLAS reads it so, no copy
        np.dot(w.reshape(n_in, n_out).T, xT.reshape(B, n_in).T, outT.reshape(n_out, B))
    else:
        np.dot(w.reshape(n_in, n_out).T, xT.reshape(n_in, B), outT.reshape(n_out, B))


@kernel_blas
def gemm_backward(dxT, dw, doutT, xT, w, n_in, n_out, B, need_dx, rows_in):
    d2 = doutT.reshape(n_out, B)
    if rows_in:  # dw = x^T dout
        np.dot(xT.reshape(B, n_in).T, d2.T, dw.reshape(n_in, n_out))
    else:
        np.dot(xT.reshape(n_in, B), d2.T, dw.reshape(n_in, n_out))
    if need_dx:
        np.dot(w.reshape(n_in, n_out), d2, dxT.reshape(n_in, B))  # dx^T = W dout^T


@kernel
def narrow_forward(outT, xT, w, b, n_out, B, use_bias, K):
    # a layer with K <= NARROW_MAX inputs: K is a compile-time constant (one specialisation per
    # value, numba.literally), so the loop over k unrolls and each output vector is summed in a
    # register, not read and written back K times: 4x faster for a 5 -> 20 layer on 32 rows.
    # The same additions in the same order as the general loops below.
    literally(K)
    Bu = np.uint64(B)
    zero = typed(outT, 0.0)
    for j in range(n_out):
        bj = b[j] if use_bias else zero
        row = np.uint64(j) * Bu
        for i in range(Bu):
            acc = bj
            for k in range(K):
                acc += w[k * n_out + j] * xT[np.uint64(k) * Bu + i]
            outT[row + i] = acc


NARROW_MAX = 8


@kernel
def dense_forward(outT, xT, w, b, n_in, n_out, B, use_bias, blas):
    if blas:
        gemm_forward(outT, xT, w, n_in, n_out, B, blas == BLAS_ROWS_IN)
        if use_bias:
            for j in range(n_out):
                bj = b[j]
                row = np.uint64(j * B)
                for i in range(np.uint64(B)):
                    outT[row + i] += bj
        return
    if n_in <= NARROW_MAX:  # one call site per width: each passes its K as a constant
        if n_in == 1:
            narrow_forward(outT, xT, w, b, n_out, B, use_bias, 1)
        elif n_in == 2:
            narrow_forward(outT, xT, w, b, n_out, B, use_bias, 2)
        elif n_in == 3:
            narrow_forward(outT, xT, w, b, n_out, B, use_bias, 3)
        elif n_in == 4:
            narrow_forward(outT, xT, w, b, n_out, B, use_bias, 4)
        elif n_in == 5:
            narrow_forward(outT, xT, w, b, n_out, B, use_bias, 5)
        elif n_in == 6:
            narrow_forward(outT, xT, w, b, n_out, B, use_bias, 6)
        elif n_in == 7:
            narrow_forward(outT, xT, w, b, n_out, B, use_bias, 7)
        else:
            narrow_forward(outT, xT, w, b, n_out, B, use_bias, 8)
        return
    # four output rows at a time: each xT[k, i] load feeds four independent accumulations
    # (20-25% faster than one row at a time for 5 -> 20 and 12 -> 12 layers). The first input
    # row is written together with the bias: a separate pass setting four rows to the bias did
    # not vectorise (LLVM cannot tell the rows apart) and was ~40% of a 5 -> 20 forward.
    Bu = np.uint64(B)
    zero = typed(outT, 0.0)
    j4 = n_out - n_out % 4
    for j in range(0, j4, 4):
        r0 = np.uint64(j) * Bu
        r1 = r0 + Bu
        r2 = r1 + Bu
        r3 = r2 + Bu
        b0 = b[j] if use_bias else zero
        b1 = b[j + 1] if use_bias else zero
        b2 = b[j + 2] if use_bias else zero
        b3 = b[j + 3] if use_bias else zero
        w0, w1, w2, w3 = w[j], w[j + 1], w[j + 2], w[j + 3]
        for i in range(Bu):
            xv = xT[i]
            outT[r0 + i] = b0 + w0 * xv
            outT[r1 + i] = b1 + w1 * xv
            outT[r2 + i] = b2 + w2 * xv
            outT[r3 + i] = b3 + w3 * xv
        for k in range(1, n_in):
            base = k * n_out + j
            w0, w1, w2, w3 = w[base], w[base + 1], w[base + 2], w[base + 3]
            col = np.uint64(k) * Bu
            for i in range(Bu):  # contiguous over the batch: vectorises
                xv = xT[col + i]
                outT[r0 + i] += w0 * xv
                outT[r1 + i] += w1 * xv
                outT[r2 + i] += w2 * xv
                outT[r3 + i] += w3 * xv
    for j in range(j4, n_out):
        row = np.uint64(j) * Bu
        bj = b[j] if use_bias else zero
        wj = w[j]
        for i in range(Bu):
            outT[row + i] = bj + wj * xT[i]
        for k in range(1, n_in):
            wkj = w[k * n_out + j]
            col = np.uint64(k) * Bu
            for i in range(Bu):
                outT[row + i] += wkj * xT[col + i]


@kernel_reassoc
def bias_gradient(db, doutT, n_out, B):
    # db[j] = sum_i doutT[j, i]: a sum over the contiguous batch (reassociated: vector lanes)
    Bu = np.uint64(B)
    for j in range(n_out):
        row = np.uint64(j) * Bu
        acc = typed(doutT, 0.0)
        for i in range(Bu):
            acc += doutT[row + i]
        db[j] = acc


@kernel_reassoc
def weight_gradient(dw, doutT, xT, n_in, n_out, B):
    # dw[k, j] = sum_i xT[k, i] doutT[j, i]: dot products over the contiguous batch, four
    # output columns at a time so each load of xT[k, :] feeds four accumulators (2x faster
    # than one dot product at a time for a 5 -> 20 layer on batches of 32)
    Bu = np.uint64(B)
    j4 = n_out - n_out % 4
    for k in range(n_in):
        xk = np.uint64(k) * Bu
        for j in range(0, j4, 4):
            d0 = np.uint64(j) * Bu
            d1 = d0 + Bu
            d2 = d1 + Bu
            d3 = d2 + Bu
            a0 = a1 = a2 = a3 = typed(xT, 0.0)
            for i in range(Bu):
                xv = xT[xk + i]
                a0 += xv * doutT[d0 + i]
                a1 += xv * doutT[d1 + i]
                a2 += xv * doutT[d2 + i]
                a3 += xv * doutT[d3 + i]
            base = k * n_out + j
            dw[base] = a0
            dw[base + 1] = a1
            dw[base + 2] = a2
            dw[base + 3] = a3
        for j in range(j4, n_out):
            dj = np.uint64(j) * Bu
            acc = typed(xT, 0.0)
            for i in range(Bu):
                acc += xT[xk + i] * doutT[dj + i]
            dw[k * n_out + j] = acc


@kernel
def dense_backward(dxT, dw, db, doutT, xT, w, n_in, n_out, B, use_bias, need_dx, blas):
    if use_bias:
        bias_gradient(db, doutT, n_out, B)
    if blas:
        gemm_backward(dxT, dw, doutT, xT, w, n_in, n_out, B, need_dx, blas == BLAS_ROWS_IN)
        return
    weight_gradient(dw, doutT, xT, n_in, n_out, B)
    if need_dx:  # dxT[k, :] = sum_j w[k, j] doutT[j, :]
        Bu = np.uint64(B)
        for k in range(n_in):
            row = np.uint64(k) * Bu
            wk0 = w[k * n_out]
            for i in range(Bu):
                dxT[row + i] = wk0 * doutT[i]
            for j in range(1, n_out):
                wkj = w[k * n_out + j]
                col = np.uint64(j) * Bu
                for i in range(Bu):
                    dxT[row + i] += wkj * doutT[col + i]
