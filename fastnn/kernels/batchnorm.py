"""BatchNormalization over the batch, Keras 3 semantics, on flat feature-major (n, B) blocks.

batchnorm_forward(out, aux, x, gamma, beta, mean, var, n, B, eps, momentum, training)
batchnorm_backward(dx, dgamma, dbeta, dout, aux, gamma, n, B, need_dx)

Training: batch mean and BIASED variance per feature (each a contiguous run of B values),
y = gamma (x - mean) / sqrt(var + eps) + beta, and the moving statistics (the layer's state block)
move by moving = moving * momentum + batch * (1 - momentum), once per step, during the forward pass.
Inference: the moving statistics instead, nothing updated. The gradient flows through the batch
statistics. aux keeps x_hat (n*B) then 1/sqrt(var + eps) (n) for the backward pass. gamma/beta may
be empty arrays (scale=False / center=False: 1 and 0).
"""
import math

from .codes import code_of
from .fastmath import typed
from .jit import kernel

BATCHNORM = code_of("batch_normalization")


@kernel
def batchnorm_forward(out, aux, x, gamma, beta, mean, var, n, B, eps, momentum, training):
    for j in range(n):
        row = j * B
        if training:
            s = 0.0
            for i in range(B):
                s += x[row + i]
            mu = s / B
            ss = 0.0
            for i in range(B):
                d = x[row + i] - mu
                ss += d * d
            v = ss / B
            mean[j] = mean[j] * momentum + typed(mean, mu * (1.0 - momentum))
            var[j] = var[j] * momentum + typed(var, v * (1.0 - momentum))
        else:
            mu = float(mean[j])
            v = float(var[j])
        inv = 1.0 / math.sqrt(v + eps)
        aux[n * B + j] = typed(aux, inv)
        g = gamma[j] if gamma.shape[0] > 0 else typed(out, 1.0)
        b = beta[j] if beta.shape[0] > 0 else typed(out, 0.0)
        mu_, inv_ = typed(out, mu), typed(out, inv)
        for i in range(B):
            xh = (x[row + i] - mu_) * inv_
            aux[row + i] = xh
            out[row + i] = g * xh + b


@kernel
def batchnorm_backward(dx, dgamma, dbeta, dout, aux, gamma, n, B, need_dx):
    # dx = gamma inv / B (B dout - sum(dout) - x_hat sum(dout x_hat)), per feature
    for j in range(n):
        row = j * B
        sg = 0.0
        sgx = 0.0
        for i in range(B):
            sg += dout[row + i]
            sgx += dout[row + i] * aux[row + i]
        if dgamma.shape[0] > 0:
            dgamma[j] = typed(dgamma, sgx)
        if dbeta.shape[0] > 0:
            dbeta[j] = typed(dbeta, sg)
        if need_dx:
            g = float(gamma[j]) if gamma.shape[0] > 0 else 1.0
            c = g * float(aux[n * B + j]) / B
            for i in range(B):
                dx[row + i] = typed(dx, c * (B * float(dout[row + i]) - sg - float(aux[row + i]) * sgx))
