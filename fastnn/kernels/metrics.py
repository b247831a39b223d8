"""Metrics accumulated inside the training kernel, per batch, on the outputs of the forward pass.

metrics_update(sums, pred, y, B, obj, counts, scratch)   False if a code is unknown

obj.metric_codes (M, 4) int64 holds each metric's [code, argument, params offset, counts offset].
Two kinds:
- Mean metrics add the batch's sum of per-sample values to sums[m]; the caller divides by the
  sample count at the end of the epoch (Keras's unweighted Mean). The argument is the loss code
  for the loss-valued metrics (mse, mae, ... as metrics) and k for the top-k accuracies;
  BinaryAccuracy's threshold is obj.metric_params[params offset]. Accuracy follows Keras 3, plus
  the sign rule for ±1 labels (SIGN_ACCURACY).
- Streaming metrics (Keras's confusion-matrix metrics, AUC, F-scores, R2) add to count blocks in
  `counts` (the training or the validation array); Python turns the epoch's pooled counts into the
  metric's value (fastnn/metrics/objects.py), exactly as Keras computes result() from its state.
  CONFUSION_COUNTS: a histogram of positives and negatives over the sorted thresholds (each
  element lands in the bucket "number of thresholds below p"), TP/FP/TN/FN at every threshold
  follow by cumulative sums. FBETA_COUNTS: per class TP, FP, FN and support. R2_SUMS: per output
  the sums of y, y^2, (y - p)^2 and the count.

To add a metric: its code and per-batch kernel here, one branch in metrics_update; its class or
row in fastnn/metrics/.
"""
import math

from .codes import code_of
from .jit import kernel
from .losses import loss_forward

BINARY_ACCURACY = code_of("binary_accuracy")  # y == (p > 0.5), mean over the last axis
SIGN_ACCURACY = code_of("sign_accuracy")  # (p > 0) == (y > 0): the ±1-label accuracy
CATEGORICAL_ACCURACY = code_of("categorical_accuracy")  # argmax y == argmax p
SPARSE_CATEGORICAL_ACCURACY = code_of("sparse_categorical_accuracy")  # y == argmax p
LOSS_VALUE = code_of("loss_value")  # the per-sample value of loss `argument`
NEG_LOSS_VALUE = code_of("neg_loss_value")  # minus that (the cosine_similarity metric is +sum)
TOP_K_CATEGORICAL_ACCURACY = code_of("top_k_categorical_accuracy")  # argmax y among the top k of p
SPARSE_TOP_K_CATEGORICAL_ACCURACY = code_of("sparse_top_k_categorical_accuracy")  # class id y among the top k
CONFUSION_COUNTS = code_of("confusion_counts")  # thresholded TP/FP/TN/FN (Precision, Recall, AUC, ...)
FBETA_COUNTS = code_of("fbeta_counts")  # per-class TP, FP, FN, support (F1Score, FBetaScore)
R2_SUMS = code_of("r2_sums")  # per-output sums for R2Score


@kernel
def argmax_row(a, i):
    best = 0
    for j in range(1, a.shape[1]):
        if a[i, j] > a[i, best]:  # first maximum wins, as np.argmax
            best = j
    return best


@kernel
def binary_accuracy_sum(pred, y, B, threshold):
    # the mean over the last axis, summed over rows: whole hits counted, divided once (a float
    # division per row chained through the sum cost the seed fit 4%; exact for K = 1, and for
    # K > 1 one rounding instead of B)
    hits = 0
    for i in range(B):
        for j in range(pred.shape[1]):
            hits += y[i, j] == (1.0 if pred[i, j] > threshold else 0.0)
    return hits / pred.shape[1]


@kernel
def sign_accuracy_sum(pred, y, B):
    hits = 0  # counted, then divided once, as binary_accuracy_sum
    for i in range(B):
        for j in range(pred.shape[1]):
            hits += (pred[i, j] > 0) == (y[i, j] > 0)
    return hits / pred.shape[1]


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
def top_k_sum(pred, y, B, k, sparse):
    # Keras's in_top_k: rank = 1 + #{j: p_j > p_target}, a hit when rank <= k (ties favour the
    # target); a NaN target score counts as -inf
    total = 0.0
    for i in range(B):
        target = int(y[i, 0]) if sparse else argmax_row(y, i)
        v = pred[i, target]
        greater = 0
        for j in range(pred.shape[1]):
            if (v != v and pred[i, j] == pred[i, j]) or pred[i, j] > v:
                greater += 1
        if greater < k:
            total += 1.0
    return total


@kernel
def confusion_update(counts, pred, y, B, params, T, class_id, from_logits, multi_label, label_weights):
    # counts: [positives histogram (T+1), negatives histogram (T+1)] per block (one block, or one
    # per column with multi_label); params[:T] are the thresholds, ascending
    K = pred.shape[1]
    for i in range(B):
        for j in range(K):
            if class_id >= 0 and j != class_id:
                continue
            p = float(pred[i, j])
            if from_logits:
                p = 1.0 / (1.0 + math.exp(-p))
            lo, hi = 0, T  # the bucket: how many thresholds lie strictly below p (NaN: none)
            while lo < hi:
                mid = (lo + hi) // 2
                if params[mid] < p:
                    lo = mid + 1
                else:
                    hi = mid
            base = j * 2 * (T + 1) if multi_label else 0
            w = params[T + 4 + j] if label_weights else 1.0  # after class id and the three flags
            if y[i, j] != 0:
                counts[base + lo] += w
            else:
                counts[base + T + 1 + lo] += w


@kernel
def fbeta_update(counts, pred, y, B, threshold):
    # counts: TP (C), FP (C), FN (C), support (C); threshold < 0: the row's maxima are positive
    C = pred.shape[1]
    for i in range(B):
        top = pred[i, 0]
        for j in range(1, C):
            top = max(top, pred[i, j])
        for j in range(C):
            p = pred[i, j]
            hit = (p >= top and abs(p) > 1e-9) if threshold < 0 else p > threshold
            t = float(y[i, j])
            b = 1.0 if hit else 0.0
            counts[j] += b * t
            counts[C + j] += b * (1.0 - t)
            counts[2 * C + j] += (1.0 - b) * t
            counts[3 * C + j] += t


@kernel
def r2_update(counts, pred, y, B):
    # counts: sum y (C), sum y^2 (C), sum (y - p)^2 (C), count (C), elements (1)
    C = pred.shape[1]
    for i in range(B):
        for j in range(C):
            t = float(y[i, j])
            d = t - float(pred[i, j])
            counts[j] += t
            counts[C + j] += t * t
            counts[2 * C + j] += d * d
            counts[3 * C + j] += 1.0
        counts[4 * C] += C


@kernel
def metrics_update(sums, pred, y, B, obj, counts, scratch):
    table, lp, params = obj.metric_codes, obj.mlp, obj.metric_params
    for m in range(table.shape[0]):
        code, arg, p_off, c_off = table[m, 0], table[m, 1], table[m, 2], table[m, 3]
        if code == BINARY_ACCURACY:
            sums[m] += binary_accuracy_sum(pred, y, B, params[p_off] if p_off >= 0 else 0.5)
        elif code == TOP_K_CATEGORICAL_ACCURACY or code == SPARSE_TOP_K_CATEGORICAL_ACCURACY:
            sums[m] += top_k_sum(pred, y, B, arg, code == SPARSE_TOP_K_CATEGORICAL_ACCURACY)
        elif code == CONFUSION_COUNTS:  # arg: the number of thresholds; then class id and flags
            T = arg
            confusion_update(counts[c_off:], pred, y, B, params[p_off:], T, int(params[p_off + T]),
                             params[p_off + T + 1] != 0, params[p_off + T + 2] != 0, params[p_off + T + 3] != 0)
        elif code == FBETA_COUNTS:
            fbeta_update(counts[c_off:], pred, y, B, params[p_off])
        elif code == R2_SUMS:
            r2_update(counts[c_off:], pred, y, B)
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
