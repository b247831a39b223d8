"""The fused training loop: whole epochs in one kernel call, plus evaluate and predict.

train_epochs   shuffle, gather batches, forward, loss, metrics, backward, optimizer step, and
               the end-of-epoch validation pass, for n_epochs epochs, with no Python per batch.
               Writes one history row per epoch:
                   [loss, metric_1..metric_M, val_loss, val_metric_1..val_metric_M]
               A non-finite batch loss stops training BEFORE that batch's update (the weights
               are the last finite ones). Weights or optimizer state that an update made
               non-finite (found when the next loss is not finite, or at the epoch's end) roll
               both back to the copy taken at the start of that epoch, so a stopped fit never
               leaves NaN/inf behind; `report` says where and how (codes.R_*).
evaluate_dataset   mean loss and metrics over a dataset, in chunks of the workspace size.
predict_into       the network output for every row, in chunks of the workspace size.

Data arrives row-major (N, features), as users hold it; the network runs feature-major
(kernels/network.py). Each batch is gathered straight into the flat transposed input block,
and the (K, B) output block is transposed into row-major `pred` for the loss and metrics,
whose gradient `dpred` is transposed back. Both are B*K copies, negligible next to the layers.
Workspaces come in as arguments (sized by the Python layer for batches of B_cap rows), so
nothing is allocated per step.
"""
import math

import numpy as np

from .codes import (
    BLAS_ROWS_IN, L_BLAS, R_BATCH, R_EPOCH, R_EPOCHS_DONE, R_NEXT_BATCH, R_RESTORED, R_STATUS, STATUS_NONFINITE_LOSS,
    STATUS_NONFINITE_WEIGHTS, STATUS_OK, STATUS_UNKNOWN_CODE,
)
from .fastmath import typed
from .jit import kernel, kernel_inline, kernel_reassoc
from .losses import loss_backward, loss_forward
from .metrics import metrics_update
from .network import activity_sum, copy_into, network_backward, network_forward, output_block
from .regularization import apply_constraints, weight_penalty, weight_penalty_grads
from .optimizers import optimizer_step
from .prefetch import prefetch_rows
from .rng import shuffled_order

# Shuffled epochs over at least this many rows prefetch the next batch (kernels/prefetch.py); below
# it the data stays in the caches and the prefetches would only cost time
PREFETCH_MIN_ROWS = 50_000


@kernel
def rows_to_columns(xT, x, start, B, rows_in):
    # x[start:start + B] (rows) -> xT, the flat (n_in, B) feature-major block (or, for a first
    # layer that reads rows, codes.BLAS_ROWS_IN, the rows as they are)
    n_in = x.shape[1]
    if rows_in:
        for r in range(B):
            for k in range(n_in):
                xT[r * n_in + k] = x[start + r, k]
        return
    for r in range(B):
        for k in range(n_in):
            xT[k * B + r] = x[start + r, k]


@kernel
def gather_batch(xT, yb, swb, data, order, start, B, rows_in):
    # rows order[start:start + B] of the data -> the batch: x transposed into xT on the way (or as
    # rows, for a first layer that reads rows), labels into yb, sample weights into swb
    x, y, sw = data.x, data.y, data.sw
    n_in = x.shape[1]
    for r in range(B):
        src = order[start + r]
        if rows_in:
            for k in range(n_in):
                xT[r * n_in + k] = x[src, k]
        else:
            for k in range(n_in):
                xT[k * B + r] = x[src, k]
        for k in range(y.shape[1]):
            yb[r, k] = y[src, k]
        swb[r] = sw[src]


@kernel_inline
def columns_to_rows(rows, outT, B):
    # flat (K, B) block -> rows[:B] (B, K)
    K = rows.shape[1]
    for i in range(B):
        for j in range(K):
            rows[i, j] = outT[j * B + i]
    return rows[:B]


@kernel_reassoc
def all_finite(a):
    # True when no element is NaN or inf: x - x is 0 for finite x and NaN otherwise, and the sum
    # of those is one vectorised pass
    acc = typed(a, 0.0)
    for i in range(a.shape[0]):
        acc += a[i] - a[i]
    return acc == 0


@kernel
def state_finite(net, opt):
    # the weights and the slots' first P values (the rows' padding is never touched)
    P = net.params.shape[0]
    if not (all_finite(net.params) and all_finite(net.state)):
        return False
    for r in range(opt.slots.shape[0]):
        if not all_finite(opt.slots[r, :P]):
            return False
    return True


@kernel
def save_state(ws, net, opt):
    # the epoch-start copy a non-finite update rolls back to: the parameters and the slots' first P
    # values (slot rows are padded for alignment; the padding is never touched)
    P = net.params.shape[0]
    copy_into(ws.saved_params, net.params)
    for r in range(opt.slots.shape[0]):
        copy_into(ws.saved_slots[r, :P], opt.slots[r, :P])
    copy_into(ws.saved_state, opt.state)
    copy_into(ws.saved_net_state, net.state)


@kernel
def restore_state(ws, net, opt):
    P = net.params.shape[0]
    copy_into(net.params, ws.saved_params)
    for r in range(opt.slots.shape[0]):
        copy_into(opt.slots[r, :P], ws.saved_slots[r, :P])
    copy_into(opt.state, ws.saved_state)
    copy_into(net.state, ws.saved_net_state)


@kernel
def evaluate_dataset(logs, net, data, obj, ws):
    # logs[0] = sum_i sw_i * loss_i / N, logs[1 + m] = mean of metric m (streaming metrics: into
    # obj.counts); returns a codes.STATUS_*
    return evaluate_into(logs, net, data, obj, ws, obj.counts)


@kernel
def evaluate_into(logs, net, data, obj, ws, counts):
    x, y, sw = data.x, data.y, data.sw
    N = x.shape[0]
    B_cap = ws.yb.shape[0]
    n_metrics = obj.metric_codes.shape[0]
    for k in range(1 + n_metrics):
        logs[k] = 0.0
    total = 0.0
    for start in range(0, N, B_cap):
        B = min(B_cap, N - start)
        xT = ws.xin[:x.shape[1] * B]
        rows_to_columns(xT, x, start, B, net.layers[0, L_BLAS] == BLAS_ROWS_IN)
        known = network_forward(net, xT, ws.work, B, False)
        outT = output_block(net, ws.work, B)
        p = columns_to_rows(ws.pred, outT, B)
        yb = y[start:start + B]
        if not (known and loss_forward(ws.per_sample, p, yb, B, obj.loss_code, obj.lp)):
            return STATUS_UNKNOWN_CODE
        for i in range(B):
            total += sw[start + i] * ws.per_sample[i]
        if net.penalties.shape[0] > 0:  # each batch's activity penalty, weighted by its size
            total += activity_sum(net, ws.work, B)
        if not metrics_update(logs[1:], p, yb, B, obj, counts, ws.per_sample):
            return STATUS_UNKNOWN_CODE
    logs[0] = total
    for k in range(1 + n_metrics):
        logs[k] /= N
    if net.penalties.shape[0] > 0:  # the weight penalties at these weights, as Keras's evaluate
        logs[0] += weight_penalty(net.params, net.penalties)
    return STATUS_OK


@kernel
def predict_into(out, net, x, ws):
    # returns the number of NaN/inf values in x (0: out is valid; -1: an unknown code). Checking
    # here costs nothing next to the forward pass, and saves single-row predict a NumPy call.
    N = x.shape[0]
    B_cap = ws.yb.shape[0]
    bad = 0
    for i in range(N):
        for k in range(x.shape[1]):
            if not math.isfinite(x[i, k]):
                bad += 1
    if bad:
        return bad
    for start in range(0, N, B_cap):
        B = min(B_cap, N - start)
        xT = ws.xin[:x.shape[1] * B]
        rows_to_columns(xT, x, start, B, net.layers[0, L_BLAS] == BLAS_ROWS_IN)
        known = network_forward(net, xT, ws.work, B, False)
        outT = output_block(net, ws.work, B)
        if not known:
            return -1
        columns_to_rows(out[start:start + B], outT, B)
    return 0


@kernel
def stop(report, status, epoch, batch, restored):
    report[R_STATUS] = status
    report[R_EPOCH] = epoch
    report[R_BATCH] = batch
    report[R_RESTORED] = restored


@kernel
def stop_nonfinite_loss(ws, net, opt, report, epoch, batch):
    # a batch's loss is NaN/inf: stop before its update
    if state_finite(net, opt):  # the weights are the last finite ones
        stop(report, STATUS_NONFINITE_LOSS, epoch, batch, 0)
    else:  # an earlier update overflowed them: back to the start of this epoch
        restore_state(ws, net, opt)
        stop(report, STATUS_NONFINITE_WEIGHTS, epoch, batch, 1)


@kernel
def train_epochs(net, opt, train, val, obj, sched, ws, out):
    # net, opt, ...: the namedtuples of kernels/args.py
    x, y, sw = train.x, train.y, train.sw
    params, order, report = net.params, sched.order, out.report
    N = x.shape[0]
    n_in = x.shape[1]
    B_cap = sched.batch_rows  # evaluate_into's chunks take the workspace's rows, which may be more
    n_metrics = obj.metric_codes.shape[0]
    val_col = 1 + n_metrics
    report[R_STATUS] = STATUS_OK
    report[R_EPOCHS_DONE] = 0
    partial = sched.max_batches >= 0  # a slice of one epoch, for batch-level callbacks
    rows_in = net.layers[0, L_BLAS] == BLAS_ROWS_IN
    for e in range(sched.n_epochs):
        history = out.history[e]
        first = sched.first_batch if partial else 0
        if first == 0:  # the epoch starts: snapshot, shuffle, zero the sums
            save_state(ws, net, opt)
            if sched.shuffle:
                shuffled_order(order, sched.rng_state)
            for k in range(history.shape[0]):
                history[k] = 0.0
        batch = first
        end = N if not partial else min(N, (first + sched.max_batches) * B_cap)
        for start in range(first * B_cap, end, B_cap):
            B = min(B_cap, N - start)
            xT = ws.xin[:n_in * B]
            yb, swb = ws.yb, ws.swb
            gather_batch(xT, yb, swb, train, order, start, B, rows_in)
            if sched.shuffle and N >= PREFETCH_MIN_ROWS:  # the next batch's rows load while this one computes
                prefetch_rows(x, y, sw, order, start + B, min(start + B + B_cap, N))
            ybv = yb[:B]
            known = network_forward(net, xT, ws.work, B, True)
            outT = output_block(net, ws.work, B)
            p = columns_to_rows(ws.pred, outT, B)
            if not (known and loss_forward(ws.per_sample, p, ybv, B, obj.loss_code, obj.lp)):
                stop(report, STATUS_UNKNOWN_CODE, e, batch, 0)
                return
            batch_loss = 0.0
            for i in range(B):
                batch_loss += swb[i] * ws.per_sample[i]
            if net.penalties.shape[0] > 0:  # the penalties join the batch's loss at full strength
                batch_loss += B * weight_penalty(params, net.penalties) + activity_sum(net, ws.work, B)
            if not math.isfinite(batch_loss):  # stop before this batch's update
                stop_nonfinite_loss(ws, net, opt, report, e, batch)
                return
            history[0] += batch_loss  # the epoch's running sums live in its history row
            known = metrics_update(history[1:val_col], p, ybv, B, obj, obj.counts, ws.per_sample)
            dp = ws.dpred[:B]
            known = loss_backward(dp, p, ybv, swb, B, obj.loss_code, obj.lp, obj.fused) and known
            rows_to_columns(ws.d_cur, dp, 0, B, False)  # the gradient rows back into a flat (K, B) block
            known = network_backward(net, opt.grads, xT, ws.work, B, ws.d_cur, ws.d_next, obj.fused) and known
            if net.penalties.shape[0] > 0:
                weight_penalty_grads(opt.grads, params, net.penalties)
            if not (known and optimizer_step(params, opt.grads, opt.slots, opt.tensors, opt.code, opt.hp, opt.state)):
                restore_state(ws, net, opt)
                stop(report, STATUS_UNKNOWN_CODE, e, batch, 1)
                return
            if opt.constraints.shape[0] > 0:  # projections after the update, as Keras's optimizer.apply
                apply_constraints(params, opt.constraints)
            net.noise[1] += np.uint64(1)  # the training step: the next dropout masks are new draws
            batch += 1
        # Overflowed weights usually make the next batch's loss non-finite (caught above), but not
        # always (tanh(inf) is 1), and overflowed optimizer state never does: check once per epoch,
        # which costs nothing next to the epoch, and roll the whole epoch back if needed.
        if not state_finite(net, opt):
            restore_state(ws, net, opt)
            stop(report, STATUS_NONFINITE_WEIGHTS, e, batch - 1, 1)
            return
        if end < N:  # a slice that stops before the epoch's end: resume at `batch` next call
            report[R_NEXT_BATCH] = batch
            return
        for k in range(0, val_col):
            history[k] /= N
        if val.x.shape[0] > 0 and evaluate_into(history[val_col:], net, val, obj, ws, obj.val_counts) != STATUS_OK:
            stop(report, STATUS_UNKNOWN_CODE, e, batch, 0)
            return
        report[R_EPOCHS_DONE] = e + 1


# ---- what the compiled modules export (fastnn/engine/aot.py) -----------------------------------
# pycc compiles an exported function with Numba's reference counting on, whatever its decorator
# says; these wrappers take that cost once per call, and the kernels above run without it.

def exported_train_epochs(net, opt, train, val, obj, sched, ws, out):
    train_epochs(net, opt, train, val, obj, sched, ws, out)


def exported_evaluate_dataset(logs, net, data, obj, ws):
    return evaluate_dataset(logs, net, data, obj, ws)


def exported_predict_into(out, net, x, ws):
    return predict_into(out, net, x, ws)


EXPORTS = {"train_epochs": exported_train_epochs, "evaluate_dataset": exported_evaluate_dataset,
           "predict_into": exported_predict_into}
