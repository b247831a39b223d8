"""Metrics accumulated inside the training kernel: per-batch sums of per-sample values.

metrics_update(sums, pred, y, B, codes, lp, scratch)   sums[m] += sum over the batch of metric m

The caller divides by the sample count at the end of the epoch (Keras's unweighted Mean).
Accuracy codes follow Keras 3, plus the sign rule for ±1 labels (codes.M_SIGN_ACCURACY).
Codes M_LOSS_BASE + LOSS_x reuse the loss kernel's per-sample values (mse, mae, ... as metrics).
"""
from .codes import (
    M_BINARY_ACCURACY, M_CATEGORICAL_ACCURACY, M_LOSS_BASE, M_NEG_LOSS_BASE,
    M_SIGN_ACCURACY, M_SPARSE_CATEGORICAL_ACCURACY,
)
from .jit import kernel
from .losses import loss_forward


@kernel
def argmax_row(a, i):
    best = 0
    for j in range(1, a.shape[1]):
        if a[i, j] > a[i, best]:  # first maximum wins, as np.argmax
            best = j
    return best


@kernel
def metrics_update(sums, pred, y, B, codes, lp, scratch):
    K = pred.shape[1]
    for m in range(codes.shape[0]):
        code = codes[m]
        total = 0.0
        if code == M_BINARY_ACCURACY:
            for i in range(B):
                hits = 0
                for j in range(K):
                    if y[i, j] == (1.0 if pred[i, j] > 0.5 else 0.0):
                        hits += 1
                total += hits / K
        elif code == M_SIGN_ACCURACY:
            for i in range(B):
                hits = 0
                for j in range(K):
                    if (pred[i, j] > 0) == (y[i, j] > 0):
                        hits += 1
                total += hits / K
        elif code == M_CATEGORICAL_ACCURACY:
            for i in range(B):
                if argmax_row(y, i) == argmax_row(pred, i):
                    total += 1.0
        elif code == M_SPARSE_CATEGORICAL_ACCURACY:
            for i in range(B):
                if int(y[i, 0]) == argmax_row(pred, i):
                    total += 1.0
        elif code >= M_NEG_LOSS_BASE:
            loss_forward(scratch, pred, y, B, code - M_NEG_LOSS_BASE, lp)
            for i in range(B):
                total -= scratch[i]
        elif code >= M_LOSS_BASE:
            loss_forward(scratch, pred, y, B, code - M_LOSS_BASE, lp)
            for i in range(B):
                total += scratch[i]
        sums[m] += total
