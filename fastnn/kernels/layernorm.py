"""LayerNormalization over each sample's features, Keras 3 semantics (the same in training and
inference), on flat feature-major (n, B) blocks.

layernorm_forward(out, aux, x, gamma, beta, n, B, eps)
layernorm_backward(dx, dgamma, dbeta, dout, aux, gamma, n, B, need_dx)

y = gamma (x - mean) / sqrt(var + eps) + beta with the mean and biased variance of each sample
(a column: stride B). aux keeps x_hat (n*B) then each sample's 1/sqrt(var + eps) (B).
"""
import math

from .codes import code_of
from .fastmath import typed
from .jit import kernel

LAYERNORM = code_of("layer_normalization")


@kernel
def layernorm_forward(out, aux, x, gamma, beta, n, B, eps):
    inv_col = aux[n * B:n * B + B]
    for i in range(B):
        s = 0.0
        for j in range(n):
            s += x[j * B + i]
        mu = s / n
        ss = 0.0
        for j in range(n):
            d = x[j * B + i] - mu
            ss += d * d
        inv = 1.0 / math.sqrt(ss / n + eps)
        inv_col[i] = typed(aux, inv)
        mu_, inv_ = typed(out, mu), typed(out, inv)
        for j in range(n):
            xh = (x[j * B + i] - mu_) * inv_
            aux[j * B + i] = xh
            g = gamma[j] if gamma.shape[0] > 0 else typed(out, 1.0)
            b = beta[j] if beta.shape[0] > 0 else typed(out, 0.0)
            out[j * B + i] = g * xh + b


@kernel
def layernorm_backward(dx, dgamma, dbeta, dout, aux, gamma, n, B, need_dx):
    for j in range(n):  # parameter gradients: sums over the batch, contiguous
        sg = 0.0
        sgx = 0.0
        for i in range(B):
            sg += dout[j * B + i]
            sgx += dout[j * B + i] * aux[j * B + i]
        if dgamma.shape[0] > 0:
            dgamma[j] = typed(dgamma, sgx)
        if dbeta.shape[0] > 0:
            dbeta[j] = typed(dbeta, sg)
    if not need_dx:
        return
    for i in range(B):  # dx = inv / n (n g - sum(g) - x_hat sum(g x_hat)), g = dout * gamma, per sample
        s1 = 0.0
        s2 = 0.0
        for j in range(n):
            g = float(dout[j * B + i]) * (float(gamma[j]) if gamma.shape[0] > 0 else 1.0)
            s1 += g
            s2 += g * float(aux[j * B + i])
        inv = float(aux[n * B + i])
        for j in range(n):
            g = float(dout[j * B + i]) * (float(gamma[j]) if gamma.shape[0] > 0 else 1.0)
            dx[j * B + i] = typed(dx, inv / n * (n * g - s1 - float(aux[j * B + i]) * s2))
