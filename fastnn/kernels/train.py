"""The fused training loop: whole epochs in one kernel call, plus evaluate and predict.

train_epochs   shuffle, gather batches, forward, loss, metrics, backward, optimizer step, and
               the end-of-epoch validation pass, for n_epochs epochs, with no Python per batch.
               Writes one history row per epoch:
                   [loss, metric_1..metric_M, val_loss, val_metric_1..val_metric_M]
               A non-finite batch loss stops training BEFORE that batch's update (the weights
               stay finite); `report` says where (codes.R_*).
evaluate_dataset   mean loss and metrics over a dataset, in chunks of the workspace size.
predict_into       the network output for every row, in chunks of the workspace size.

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
def evaluate_dataset(logs, params, layers, act_params, x, y, sw, loss_code, lp, metric_codes, mlp,
                     work, per_sample, B_cap):
    # logs[0] = sum_i sw_i * loss_i / N, logs[1 + m] = mean of metric m
    N = x.shape[0]
    n_metrics = metric_codes.shape[0]
    for k in range(1 + n_metrics):
        logs[k] = 0.0
    total = 0.0
    for start in range(0, N, B_cap):
        B = min(B_cap, N - start)
        xb, yb = x[start:start + B], y[start:start + B]
        out = network_forward(params, layers, act_params, xb, work, B_cap)
        loss_forward(per_sample, out, yb, B, loss_code, lp)
        for i in range(B):
            total += sw[start + i] * per_sample[i]
        metrics_update(logs[1:], out, yb, B, metric_codes, mlp, per_sample)
    logs[0] = total
    for k in range(1 + n_metrics):
        logs[k] /= N


@kernel
def predict_into(out, params, layers, act_params, x, work, B_cap):
    N = x.shape[0]
    for start in range(0, N, B_cap):
        B = min(B_cap, N - start)
        res = network_forward(params, layers, act_params, x[start:start + B], work, B_cap)
        out[start:start + B] = res


@kernel
def train_epochs(
    params, grads, slots, tensors, layers, act_params,  # the model
    x, y, sw, x_val, y_val, sw_val,  # data; the validation set may have 0 rows
    loss_code, lp, fused, metric_codes, mlp,  # objective
    opt_code, hp, opt_state,  # optimizer
    n_epochs, shuffle, rng_state, order,  # schedule
    work, d1, d2, xb, yb, swb, per_sample,  # workspaces for batches of B_cap = xb.shape[0] rows
    history, report,  # outputs
):
    N = x.shape[0]
    B_cap = xb.shape[0]
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
            for r in range(B):  # gather the batch (element loops: a slice copy costs ~40 ns more)
                src = order[start + r]
                for k in range(x.shape[1]):
                    xb[r, k] = x[src, k]
                for k in range(y.shape[1]):
                    yb[r, k] = y[src, k]
                swb[r] = sw[src]
            xv, yv = xb[:B], yb[:B]
            out = network_forward(params, layers, act_params, xv, work, B_cap)
            loss_forward(per_sample, out, yv, B, loss_code, lp)
            batch_loss = 0.0
            for i in range(B):
                batch_loss += swb[i] * per_sample[i]
            if not math.isfinite(batch_loss):
                report[R_STATUS] = STATUS_NONFINITE_LOSS
                report[R_EPOCH] = e
                report[R_BATCH] = batch
                return
            loss_sum += batch_loss
            metrics_update(history[e, 1:val_col], out, yv, B, metric_codes, mlp, per_sample)
            dout = d1[:B * out.shape[1]].reshape(B, out.shape[1])
            loss_backward(dout, out, yv, swb, B, loss_code, lp, fused)
            network_backward(params, grads, layers, act_params, xv, work, B_cap, d1, d2, fused)
            optimizer_step(params, grads, slots, tensors, opt_code, hp, opt_state)
            batch += 1
        history[e, 0] = loss_sum / N
        for k in range(1, val_col):
            history[e, k] /= N
        if x_val.shape[0] > 0:
            evaluate_dataset(history[e, val_col:], params, layers, act_params, x_val, y_val, sw_val,
                             loss_code, lp, metric_codes, mlp, work, per_sample, B_cap)
        report[R_EPOCHS_DONE] = e + 1
