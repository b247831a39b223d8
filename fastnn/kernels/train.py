"""The fused training loop: whole epochs in one kernel call, plus evaluate and predict.

train_epochs   shuffle, gather batches, forward, loss, metrics, backward, optimizer step, and
               the end-of-epoch validation pass, for n_epochs epochs, with no Python per batch.
               Writes one history row per epoch:
                   [loss, metric_1..metric_M, val_loss, val_metric_1..val_metric_M]
               A non-finite batch loss stops training BEFORE that batch's update (the weights
               stay finite); `report` says where (codes.R_*).
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

from .codes import (
    R_BATCH, R_EPOCH, R_EPOCHS_DONE, R_STATUS, STATUS_NONFINITE_LOSS, STATUS_OK,
)
from .jit import kernel
from .losses import loss_backward, loss_forward
from .metrics import metrics_update
from .network import network_backward, network_forward
from .optimizers import optimizer_step
from .rng import shuffled_order


@kernel
def rows_to_columns(xT, x, start, B):
    # x[start:start + B] (rows) -> xT, the flat (n_in, B) feature-major block
    n_in = x.shape[1]
    for r in range(B):
        for k in range(n_in):
            xT[k * B + r] = x[start + r, k]


@kernel
def columns_to_rows(rows, outT, B):
    # flat (K, B) block -> rows[:B] (B, K)
    K = rows.shape[1]
    for i in range(B):
        for j in range(K):
            rows[i, j] = outT[j * B + i]
    return rows[:B]


@kernel
def evaluate_dataset(logs, params, layers, act_params, x, y, sw, loss_code, lp, metric_codes, mlp,
                     work, xin, pred, per_sample, B_cap):
    # logs[0] = sum_i sw_i * loss_i / N, logs[1 + m] = mean of metric m
    N = x.shape[0]
    n_metrics = metric_codes.shape[0]
    for k in range(1 + n_metrics):
        logs[k] = 0.0
    total = 0.0
    for start in range(0, N, B_cap):
        B = min(B_cap, N - start)
        xT = xin[:x.shape[1] * B]
        rows_to_columns(xT, x, start, B)
        p = columns_to_rows(pred, network_forward(params, layers, act_params, xT, work, B), B)
        yb = y[start:start + B]
        loss_forward(per_sample, p, yb, B, loss_code, lp)
        for i in range(B):
            total += sw[start + i] * per_sample[i]
        metrics_update(logs[1:], p, yb, B, metric_codes, mlp, per_sample)
    logs[0] = total
    for k in range(1 + n_metrics):
        logs[k] /= N


@kernel
def predict_into(out, params, layers, act_params, x, work, xin, B_cap):
    # returns the number of NaN/inf values in x (0: out is valid). Checking here costs
    # nothing next to the forward pass, and saves single-row predict a NumPy call.
    N = x.shape[0]
    bad = 0
    for i in range(N):
        for k in range(x.shape[1]):
            if not math.isfinite(x[i, k]):
                bad += 1
    if bad:
        return bad
    for start in range(0, N, B_cap):
        B = min(B_cap, N - start)
        xT = xin[:x.shape[1] * B]
        rows_to_columns(xT, x, start, B)
        columns_to_rows(out[start:start + B], network_forward(params, layers, act_params, xT, work, B), B)
    return 0


@kernel
def train_epochs(
    params, grads, slots, tensors, layers, act_params,  # the model
    x, y, sw, x_val, y_val, sw_val,  # data, row-major; the validation set may have 0 rows
    loss_code, lp, fused, metric_codes, mlp,  # objective
    opt_code, hp, opt_state,  # optimizer
    n_epochs, shuffle, rng_state, order,  # schedule
    work, d1, d2, xin, yb, swb, pred, dpred, per_sample,  # workspaces for batches of B_cap = yb.shape[0]
    history, report,  # outputs
):
    N = x.shape[0]
    n_in = x.shape[1]
    B_cap = yb.shape[0]
    n_metrics = metric_codes.shape[0]
    val_col = 1 + n_metrics
    report[R_STATUS] = STATUS_OK
    report[R_EPOCHS_DONE] = 0
    for e in range(n_epochs):
        if shuffle:
            shuffled_order(order, rng_state)
        for k in range(history.shape[1]):
            history[e, k] = 0.0
        loss_sum = 0.0
        batch = 0
        for start in range(0, N, B_cap):
            B = min(B_cap, N - start)
            xT = xin[:n_in * B]
            for r in range(B):  # gather the batch, transposing x on the way
                src = order[start + r]
                for k in range(n_in):
                    xT[k * B + r] = x[src, k]
                for k in range(y.shape[1]):
                    yb[r, k] = y[src, k]
                swb[r] = sw[src]
            ybv = yb[:B]
            outT = network_forward(params, layers, act_params, xT, work, B)
            p = columns_to_rows(pred, outT, B)
            loss_forward(per_sample, p, ybv, B, loss_code, lp)
            batch_loss = 0.0
            for i in range(B):
                batch_loss += swb[i] * per_sample[i]
            if not math.isfinite(batch_loss):
                report[R_STATUS] = STATUS_NONFINITE_LOSS
                report[R_EPOCH] = e
                report[R_BATCH] = batch
                return
            loss_sum += batch_loss
            metrics_update(history[e, 1:val_col], p, ybv, B, metric_codes, mlp, per_sample)
            dp = dpred[:B]
            loss_backward(dp, p, ybv, swb, B, loss_code, lp, fused)
            K = p.shape[1]
            for i in range(B):  # the gradient rows back into a flat (K, B) block
                for j in range(K):
                    d1[j * B + i] = dp[i, j]
            network_backward(params, grads, layers, act_params, xT, work, B, d1, d2, fused)
            optimizer_step(params, grads, slots, tensors, opt_code, hp, opt_state)
            batch += 1
        history[e, 0] = loss_sum / N
        for k in range(1, val_col):
            history[e, k] /= N
        if x_val.shape[0] > 0:
            evaluate_dataset(history[e, val_col:], params, layers, act_params, x_val, y_val, sw_val,
                             loss_code, lp, metric_codes, mlp, work, xin, pred, per_sample, B_cap)
        report[R_EPOCHS_DONE] = e + 1
