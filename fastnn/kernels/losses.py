"""Losses, Keras 3 formulas: each loss's per-sample value and its gradient side by side.

    <name>_forward(values, pred, y, B, lp)                 values (B,) per-sample losses
    <name>_backward(dpred, pred, y, sw, B, lp, fused)      dpred (B, K) = d(batch loss)/d pred

loss_forward(values, pred, y, B, code, lp) / loss_backward(dpred, pred, y, sw, B, code, lp, fused)
dispatch on the code once and return False for an unknown one (the training kernel reports it).

pred (B, K) is the network output, y (B, Ky) the labels (Ky = 1 for sparse class ids, stored as
floats), sw (B,) sample weights (ones when the user gave none), lp the loss parameters (codes.LP_*).
The batch loss is Keras 3's sum_over_batch_size: sum_i sw_i * values_i / B, so every gradient row
carries r = sw_i / B, and 1/K more for the losses that average over the last axis.

fused=True (set by the Python layer only for softmax + categorical / sparse categorical
crossentropy and sigmoid + binary crossentropy, both on probabilities) returns the gradient
w.r.t. the last layer's PRE-activation instead: p*sum(y) - y, p - onehot, (p - y)/K. That is
the exact chain rule of the unclipped formula, so it equals the clipped chain rule wherever
clipping is inactive, and it does not vanish when the output saturates (where Keras's JAX and
torch backends stop learning; its TF backend makes the same choice as fastnn). Loss VALUES
always follow the Keras 3 formulas, clipping included.

To add a loss: its code, forward and backward here, one branch in each dispatcher; its spec row
in fastnn/losses.py (with the labels it takes); its formula in fastnn/reference/losses.py.
"""
import math

from .activations import sigmoid, softplus
from .codes import LP_DELTA, LP_EPS, LP_FROM_LOGITS, LP_LABEL_SMOOTHING, LP_ONE_MINUS_EPS, code_of
from .jit import kernel

LOG2 = math.log(2.0)


@kernel
def labels_are_binary(y, B):
    # Keras 3 hinge rule: {0,1} labels become {-1,1} when EVERY label of the batch is 0 or 1
    for i in range(B):
        for j in range(y.shape[1]):
            if y[i, j] != 0.0 and y[i, j] != 1.0:
                return False
    return True


@kernel
def log_sum_exp_row(z, i):
    zmax = z[i, 0]
    for j in range(1, z.shape[1]):
        zmax = max(zmax, z[i, j])
    total = 0.0
    for j in range(z.shape[1]):
        total += math.exp(z[i, j] - zmax)
    return zmax + math.log(total)


@kernel
def clip(x, lo, hi):
    return min(max(x, lo), hi)


# ---- mean_squared_error -------------------------------------------------------------------------
MSE = code_of("mean_squared_error")


@kernel
def mse_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    for i in range(B):
        s = 0.0
        for j in range(K):
            d = y[i, j] - pred[i, j]
            s += d * d
        values[i] = s * (1.0 / K)


@kernel
def mse_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    for i in range(B):
        rk = 2.0 * sw[i] * (1.0 / B) * (1.0 / K)
        for j in range(K):
            dpred[i, j] = (pred[i, j] - y[i, j]) * rk


# ---- mean_absolute_error ------------------------------------------------------------------------
MAE = code_of("mean_absolute_error")


@kernel
def mae_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    for i in range(B):
        s = 0.0
        for j in range(K):
            s += abs(y[i, j] - pred[i, j])
        values[i] = s * (1.0 / K)


@kernel
def mae_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    for i in range(B):
        rk = sw[i] * (1.0 / B) * (1.0 / K)
        for j in range(K):
            d = pred[i, j] - y[i, j]
            dpred[i, j] = rk if d > 0 else (-rk if d < 0 else 0.0)


# ---- mean_absolute_percentage_error: 100 |y - p| / max(|y|, eps) --------------------------------
MAPE = code_of("mean_absolute_percentage_error")


@kernel
def mape_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        s = 0.0
        for j in range(K):
            s += abs((y[i, j] - pred[i, j]) / max(abs(y[i, j]), eps))
        values[i] = 100.0 * s * (1.0 / K)


@kernel
def mape_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        rk = 100.0 * sw[i] * (1.0 / B) * (1.0 / K)
        for j in range(K):
            d = pred[i, j] - y[i, j]
            sgn = 1.0 if d > 0 else (-1.0 if d < 0 else 0.0)
            dpred[i, j] = rk * sgn / max(abs(y[i, j]), eps)


# ---- mean_squared_logarithmic_error: negatives clamp to eps before log1p -------------------------
MSLE = code_of("mean_squared_logarithmic_error")


@kernel
def msle_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        s = 0.0
        for j in range(K):
            d = math.log(max(pred[i, j], eps) + 1.0) - math.log(max(y[i, j], eps) + 1.0)
            s += d * d
        values[i] = s * (1.0 / K)


@kernel
def msle_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        rk = sw[i] * (1.0 / B) * (1.0 / K)
        for j in range(K):
            p = pred[i, j]
            if p > eps:
                d = math.log(p + 1.0) - math.log(max(y[i, j], eps) + 1.0)
                dpred[i, j] = 2.0 * rk * d / (p + 1.0)
            else:
                dpred[i, j] = 0.0


# ---- hinge and squared_hinge ({0,1} labels converted to ±1 as Keras 3 does) ---------------------
HINGE = code_of("hinge")
SQUARED_HINGE = code_of("squared_hinge")


@kernel
def hinge_forward(values, pred, y, B, squared):
    K = pred.shape[1]
    convert = labels_are_binary(y, B)
    for i in range(B):
        s = 0.0
        for j in range(K):
            t = 2.0 * y[i, j] - 1.0 if convert else y[i, j]
            h = max(1.0 - t * pred[i, j], 0.0)
            s += h * h if squared else h
        values[i] = s * (1.0 / K)


@kernel
def hinge_backward(dpred, pred, y, sw, B, squared):
    K = pred.shape[1]
    convert = labels_are_binary(y, B)
    for i in range(B):
        rk = sw[i] * (1.0 / B) * (1.0 / K)
        for j in range(K):
            t = 2.0 * y[i, j] - 1.0 if convert else y[i, j]
            h = 1.0 - t * pred[i, j]
            if h > 0:
                dpred[i, j] = -2.0 * h * t * rk if squared else -t * rk
            else:
                dpred[i, j] = 0.0


# ---- categorical_hinge: max(max((1-y) p) - sum(y p) + 1, 0), no mean ----------------------------
CATEGORICAL_HINGE = code_of("categorical_hinge")


@kernel
def categorical_hinge_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    for i in range(B):
        pos = 0.0
        neg = -math.inf
        for j in range(K):
            pos += y[i, j] * pred[i, j]
            neg = max(neg, (1.0 - y[i, j]) * pred[i, j])
        values[i] = max(neg - pos + 1.0, 0.0)


@kernel
def categorical_hinge_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    for i in range(B):
        r = sw[i] * (1.0 / B)
        pos = 0.0
        neg = -math.inf
        arg = 0
        for j in range(K):
            pos += y[i, j] * pred[i, j]
            v = (1.0 - y[i, j]) * pred[i, j]
            if v > neg:
                neg = v
                arg = j
        active = neg - pos + 1.0 > 0
        for j in range(K):
            g = 0.0
            if active:
                g = -y[i, j] + ((1.0 - y[i, j]) if j == arg else 0.0)
            dpred[i, j] = g * r


# ---- binary_crossentropy (from_logits, label_smoothing) -----------------------------------------
BCE = code_of("binary_crossentropy")


@kernel
def bce_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    eps, hi = lp[LP_EPS], lp[LP_ONE_MINUS_EPS]
    ls, from_logits = lp[LP_LABEL_SMOOTHING], lp[LP_FROM_LOGITS] != 0
    for i in range(B):
        s = 0.0
        for j in range(K):
            t = y[i, j] * (1.0 - ls) + 0.5 * ls
            if from_logits:
                z = pred[i, j]
                s += max(z, 0.0) - z * t + math.log1p(math.exp(-abs(z)))
            else:
                pc = clip(pred[i, j], eps, hi)
                s -= t * math.log(pc) + (1.0 - t) * math.log(1.0 - pc)
        values[i] = s * (1.0 / K)


@kernel
def bce_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    eps, hi = lp[LP_EPS], lp[LP_ONE_MINUS_EPS]
    ls, from_logits = lp[LP_LABEL_SMOOTHING], lp[LP_FROM_LOGITS] != 0
    for i in range(B):
        rk = sw[i] * (1.0 / B) * (1.0 / K)
        for j in range(K):
            t = y[i, j] * (1.0 - ls) + 0.5 * ls
            p = pred[i, j]
            if from_logits:
                dpred[i, j] = (sigmoid(p) - t) * rk
            elif fused:  # p = sigmoid(z): d/dz
                dpred[i, j] = (p - t) * rk
            elif eps < p < hi:
                dpred[i, j] = (-t / p + (1.0 - t) / (1.0 - p)) * rk
            else:
                dpred[i, j] = 0.0  # the clip is active: Keras's gradient is 0 here


# ---- categorical_crossentropy: a sum over K; probabilities are renormalised, then clipped -------
CCE = code_of("categorical_crossentropy")


@kernel
def cce_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    inv_k = 1.0 / K
    eps, hi = lp[LP_EPS], lp[LP_ONE_MINUS_EPS]
    ls, from_logits = lp[LP_LABEL_SMOOTHING], lp[LP_FROM_LOGITS] != 0
    for i in range(B):
        s = 0.0
        if from_logits:
            lse = log_sum_exp_row(pred, i)
            for j in range(K):
                s -= (y[i, j] * (1.0 - ls) + ls * inv_k) * (pred[i, j] - lse)
        else:
            total = 0.0
            for j in range(K):
                total += pred[i, j]
            for j in range(K):
                s -= (y[i, j] * (1.0 - ls) + ls * inv_k) * math.log(clip(pred[i, j] / total, eps, hi))
        values[i] = s


@kernel
def cce_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    inv_k = 1.0 / K
    eps, hi = lp[LP_EPS], lp[LP_ONE_MINUS_EPS]
    ls, from_logits = lp[LP_LABEL_SMOOTHING], lp[LP_FROM_LOGITS] != 0
    for i in range(B):
        r = sw[i] * (1.0 / B)
        if from_logits or fused:
            lse = log_sum_exp_row(pred, i) if from_logits else 0.0
            ysum = 0.0
            for j in range(K):
                ysum += y[i, j] * (1.0 - ls) + ls * inv_k
            for j in range(K):
                s = math.exp(pred[i, j] - lse) if from_logits else pred[i, j]
                dpred[i, j] = (s * ysum - (y[i, j] * (1.0 - ls) + ls * inv_k)) * r
        else:
            total = 0.0
            for j in range(K):
                total += pred[i, j]
            gq = 0.0  # sum_j g_j q_j with g_j = dL/dq_j, q = p / sum(p)
            for j in range(K):
                q = pred[i, j] / total
                g = -(y[i, j] * (1.0 - ls) + ls * inv_k) / q if eps < q < hi else 0.0
                dpred[i, j] = g
                gq += g * q
            for j in range(K):
                dpred[i, j] = (dpred[i, j] - gq) / total * r


# ---- sparse_categorical_crossentropy: class ids in y[:, 0] ---------------------------------------
SCCE = code_of("sparse_categorical_crossentropy")


@kernel
def scce_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    eps, hi = lp[LP_EPS], lp[LP_ONE_MINUS_EPS]
    from_logits = lp[LP_FROM_LOGITS] != 0
    for i in range(B):
        c = int(y[i, 0])
        if from_logits:
            values[i] = log_sum_exp_row(pred, i) - pred[i, c]
        else:
            total = 0.0
            for j in range(K):
                total += pred[i, j]
            values[i] = -math.log(clip(pred[i, c] / total, eps, hi))


@kernel
def scce_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    eps, hi = lp[LP_EPS], lp[LP_ONE_MINUS_EPS]
    from_logits = lp[LP_FROM_LOGITS] != 0
    for i in range(B):
        r = sw[i] * (1.0 / B)
        c = int(y[i, 0])
        if from_logits or fused:
            lse = log_sum_exp_row(pred, i) if from_logits else 0.0
            for j in range(K):
                s = math.exp(pred[i, j] - lse) if from_logits else pred[i, j]
                dpred[i, j] = (s - (1.0 if j == c else 0.0)) * r
        else:
            total = 0.0
            for j in range(K):
                total += pred[i, j]
            q = pred[i, c] / total
            g = -1.0 / q if eps < q < hi else 0.0
            for j in range(K):
                dpred[i, j] = g * ((1.0 if j == c else 0.0) - q) / total * r


# ---- kl_divergence: a sum over K of y log(y / p), both clipped to [eps, 1] -----------------------
KLD = code_of("kl_divergence")


@kernel
def kld_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        s = 0.0
        for j in range(K):
            yc = clip(y[i, j], eps, 1.0)
            s += yc * math.log(yc / clip(pred[i, j], eps, 1.0))
        values[i] = s


@kernel
def kld_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        r = sw[i] * (1.0 / B)
        for j in range(K):
            p = pred[i, j]
            dpred[i, j] = -clip(y[i, j], eps, 1.0) / p * r if eps < p < 1.0 else 0.0


# ---- poisson: p - y log(p + eps) ------------------------------------------------------------------
POISSON = code_of("poisson")


@kernel
def poisson_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        s = 0.0
        for j in range(K):
            s += pred[i, j] - y[i, j] * math.log(pred[i, j] + eps)
        values[i] = s * (1.0 / K)


@kernel
def poisson_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        rk = sw[i] * (1.0 / B) * (1.0 / K)
        for j in range(K):
            dpred[i, j] = (1.0 - y[i, j] / (pred[i, j] + eps)) * rk


# ---- cosine_similarity: -sum of the l2-normalised product -----------------------------------------
COSINE = code_of("cosine_similarity")


@kernel
def cosine_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        yy = 0.0
        pp = 0.0
        yp = 0.0
        for j in range(K):
            yy += y[i, j] * y[i, j]
            pp += pred[i, j] * pred[i, j]
            yp += y[i, j] * pred[i, j]
        values[i] = -yp / (math.sqrt(max(yy, eps * eps)) * math.sqrt(max(pp, eps * eps)))


@kernel
def cosine_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    eps = lp[LP_EPS]
    for i in range(B):
        r = sw[i] * (1.0 / B)
        yy = 0.0
        pp = 0.0
        yp = 0.0
        for j in range(K):
            yy += y[i, j] * y[i, j]
            pp += pred[i, j] * pred[i, j]
            yp += y[i, j] * pred[i, j]
        ny = math.sqrt(max(yy, eps * eps))
        npp = math.sqrt(max(pp, eps * eps))
        inside = pp > eps * eps  # below the floor the norm is a constant
        for j in range(K):
            g = y[i, j] / (ny * npp)
            if inside:
                g -= yp * pred[i, j] / (ny * npp * npp * npp)
            dpred[i, j] = -g * r


# ---- log_cosh: d + softplus(-2d) - log 2, overflow-safe; gradient tanh(d) --------------------------
LOG_COSH = code_of("log_cosh")


@kernel
def log_cosh_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    for i in range(B):
        s = 0.0
        for j in range(K):
            d = pred[i, j] - y[i, j]
            s += d + softplus(-2.0 * d) - LOG2
        values[i] = s * (1.0 / K)


@kernel
def log_cosh_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    for i in range(B):
        rk = sw[i] * (1.0 / B) * (1.0 / K)
        for j in range(K):
            dpred[i, j] = math.tanh(pred[i, j] - y[i, j]) * rk


# ---- huber (delta) -----------------------------------------------------------------------------------
HUBER = code_of("huber")


@kernel
def huber_forward(values, pred, y, B, lp):
    K = pred.shape[1]
    delta = lp[LP_DELTA]
    for i in range(B):
        s = 0.0
        for j in range(K):
            e = abs(pred[i, j] - y[i, j])
            s += 0.5 * e * e if e <= delta else delta * e - 0.5 * delta * delta
        values[i] = s * (1.0 / K)


@kernel
def huber_backward(dpred, pred, y, sw, B, lp, fused):
    K = pred.shape[1]
    delta = lp[LP_DELTA]
    for i in range(B):
        rk = sw[i] * (1.0 / B) * (1.0 / K)
        for j in range(K):
            e = pred[i, j] - y[i, j]
            if abs(e) <= delta:
                dpred[i, j] = e * rk
            else:
                dpred[i, j] = (delta if e > 0 else -delta) * rk


# ---- dispatch ----------------------------------------------------------------------------------------

@kernel
def loss_forward(values, pred, y, B, code, lp):
    if code == MSE:
        mse_forward(values, pred, y, B, lp)
    elif code == MAE:
        mae_forward(values, pred, y, B, lp)
    elif code == MAPE:
        mape_forward(values, pred, y, B, lp)
    elif code == MSLE:
        msle_forward(values, pred, y, B, lp)
    elif code == HINGE or code == SQUARED_HINGE:
        hinge_forward(values, pred, y, B, code == SQUARED_HINGE)
    elif code == CATEGORICAL_HINGE:
        categorical_hinge_forward(values, pred, y, B, lp)
    elif code == BCE:
        bce_forward(values, pred, y, B, lp)
    elif code == CCE:
        cce_forward(values, pred, y, B, lp)
    elif code == SCCE:
        scce_forward(values, pred, y, B, lp)
    elif code == KLD:
        kld_forward(values, pred, y, B, lp)
    elif code == POISSON:
        poisson_forward(values, pred, y, B, lp)
    elif code == COSINE:
        cosine_forward(values, pred, y, B, lp)
    elif code == LOG_COSH:
        log_cosh_forward(values, pred, y, B, lp)
    elif code == HUBER:
        huber_forward(values, pred, y, B, lp)
    else:
        return False
    return True


@kernel
def loss_backward(dpred, pred, y, sw, B, code, lp, fused):
    if code == MSE:
        mse_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == MAE:
        mae_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == MAPE:
        mape_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == MSLE:
        msle_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == HINGE or code == SQUARED_HINGE:
        hinge_backward(dpred, pred, y, sw, B, code == SQUARED_HINGE)
    elif code == CATEGORICAL_HINGE:
        categorical_hinge_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == BCE:
        bce_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == CCE:
        cce_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == SCCE:
        scce_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == KLD:
        kld_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == POISSON:
        poisson_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == COSINE:
        cosine_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == LOG_COSH:
        log_cosh_backward(dpred, pred, y, sw, B, lp, fused)
    elif code == HUBER:
        huber_backward(dpred, pred, y, sw, B, lp, fused)
    else:
        return False
    return True
