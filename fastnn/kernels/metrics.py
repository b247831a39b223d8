"""Metrics accumulated inside the training kernel: per-batch sums of per-sample values.

metrics_update(sums, pred, y, B, table, lp, scratch)   sums[m] += sum over the batch of metric m;
                                                        False if a code is unknown

table (M, 2) int64 holds each metric's [code, argument]; the argument is the loss code for the
loss-valued metrics (mse, mae, ... as metrics). The caller divides by the sample count at the end
of the epoch (Keras's unweighted Mean). Accuracy follows Keras 3, plus the sign rule for ±1
labels (SIGN_ACCURACY).

To add a metric: its code and per-batch sum here, one branch in metrics_update; its row in
fastnn/metrics.py.
"""
from .codes import code_of
from .jit import kernel
from .losses import loss_forward

BINARY_ACCURACY = code_of("binary_accuracy")  # y == (p > 0.5), mean over the last axis
SIGN_ACCURACY = code_of("sign_accuracy")  # (p > 0) == (y > 0): the ±1-label accuracy
CATEGORICAL_ACCURACY = code_of("categorical_accuracy")  # argmax y == argmax p
SPARSE_CATEGORICAL_ACCURACY = code_of("sparse_categorical_accuracy")  # y == argmax p
LOSS_VALUE = code_of("loss_value")  # the per-sample value of loss `argument`
NEG_LOSS_VALUE = code_of("neg_loss_value")  # minus that (the cosine_similarity metric is +sum)


@kernel
def argmax_row(a, i):
    best = 0
    for j in range(1, a.shape[1]):
        if a[i, j] > a[i, best]:  # first maximum wins, as np.argmax
            best = j
    return best


@kernel
def binary_accuracy_sum(pred, y, B):
    K = pred.shape[1]
    total = 0.0
    for i in range(B):
        hits = 0
        for j in range(K):
            if y[i, j] == (1.0 if pred[i, j] > 0.5 else 0.0):
                hits += 1
        total += hits / K
    return total


@kernel
def sign_accuracy_sum(pred, y, B):
    K = pred.shape[1]
    total = 0.0
    for i in range(B):
        hits = 0
        for j in range(K):
            if (pred[i, j] > 0) == (y[i, j] > 0):
                hits += 1
        total += hits / K
    return total


@kernel
def categorical_accuracy_sum(pred, y, B):
    total = 0.0
    for i in range(B):
        if argmax_row(y, i) == argmax_row(pred, i):
            total += 1.0
    return total


@kernel
def sparse_categorical_accuracy_sum(pred, y, B):
    total = 0.0
    for i in range(B):
        if int(y[i, 0]) == argmax_row(pred, i):
            total += 1.0
    return total


@kernel
def loss_value_sum(pred, y, B, loss_code, lp, scratch):
    loss_forward(scratch, pred, y, B, loss_code, lp)
    total = 0.0
    for i in range(B):
        total += scratch[i]
    return total


@kernel
def metrics_update(sums, pred, y, B, table, lp, scratch):
    for m in range(table.shape[0]):
        code, arg = table[m, 0], table[m, 1]
        if code == BINARY_ACCURACY:
            sums[m] += binary_accuracy_sum(pred, y, B)
        elif code == SIGN_ACCURACY:
            sums[m] += sign_accuracy_sum(pred, y, B)
        elif code == CATEGORICAL_ACCURACY:
            sums[m] += categorical_accuracy_sum(pred, y, B)
        elif code == SPARSE_CATEGORICAL_ACCURACY:
            sums[m] += sparse_categorical_accuracy_sum(pred, y, B)
        elif code == LOSS_VALUE:
            sums[m] += loss_value_sum(pred, y, B, arg, lp, scratch)
        elif code == NEG_LOSS_VALUE:
            sums[m] -= loss_value_sum(pred, y, B, arg, lp, scratch)
        else:
            return False
    return True
