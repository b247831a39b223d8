"""Activation functions, forward and backward, Keras 3 formulas.

activation_forward(a, z, n, B, code, p)            a = f(z)
activation_backward(dz, da, z, a, n, B, code, p)   dz = da * f'(z)  (softmax: the Jacobian-vector product)

Arrays are flat blocks of n features x B samples, feature-major like everything in the
network (kernels/dense.py): element (j, i) is at j * B + i, and softmax / log_softmax
normalise each sample, i.e. each column.

`p` holds the layer's activation parameters (codes.py lists them per activation).
`dz` may be the same array as `da` (the training kernel works in place).
The code is dispatched once, outside the loop; each branch is one tight loop over all
n*B elements (per column for softmax / log_softmax). Derivatives at kinks follow TF/JAX:
relu'(0) = 0, leaky_relu'(0) = 1, and clip-style functions have derivative 0 at the bounds.
"""
import math


from .codes import (
    ACT_CELU, ACT_ELU, ACT_EXPONENTIAL, ACT_GELU, ACT_GELU_TANH, ACT_HARD_SHRINK,
    ACT_HARD_SIGMOID, ACT_HARD_SILU, ACT_HARD_TANH, ACT_LEAKY_RELU, ACT_LINEAR,
    ACT_LOG_SIGMOID, ACT_LOG_SOFTMAX, ACT_MISH, ACT_RELU, ACT_RELU6, ACT_SELU, ACT_SIGMOID,
    ACT_SILU, ACT_SOFT_SHRINK, ACT_SOFTMAX, ACT_SOFTPLUS, ACT_SOFTSIGN, ACT_SPARSE_PLUS,
    ACT_SPARSE_SIGMOID, ACT_SQUAREPLUS, ACT_TANH, ACT_TANH_SHRINK,
)
from .fastmath import tanh, typed
from .jit import kernel

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
GELU_C = math.sqrt(2.0 / math.pi)  # tanh-approximation constant
INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# ---- scalar building blocks (inlined by LLVM) ----------------------------------------------

@kernel
def sigmoid(x):
    # stable on both sides: exp never overflows
    one = typed(x, 1.0)
    if x >= 0:
        return one / (one + math.exp(-x))
    e = math.exp(x)
    return e / (one + e)


@kernel
def softplus(x):
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|), finite for every finite x
    return max(x, typed(x, 0.0)) + math.log1p(math.exp(-abs(x)))


@kernel
def relu_general(x, slope, max_value, threshold, has_max):
    # K3 ReLU.static_call: min(x, M) above the threshold, slope * (x - threshold) below it
    zero = typed(x, 0.0)
    pos = x if x > threshold else zero
    if has_max:
        pos = min(max(pos, zero), max_value)
    neg = threshold - x if x < threshold else zero
    return pos - slope * neg


@kernel
def relu_general_grad(x, slope, max_value, threshold, has_max):
    zero = typed(x, 0.0)
    if x > threshold:
        if has_max and not (zero < x < max_value):
            return zero
        return typed(x, 1.0)
    if x < threshold:
        return slope
    return zero


# ---- forward -------------------------------------------------------------------------------
# Constants come from typed(): a bare 1.0 is float64 and would turn every float32 loop into
# float64 arithmetic with conversions (3x slower for tanh's backward).

@kernel
def activation_forward(a, z, n, B, code, p):
    # a = f(z) on a flat (n, B) block; softmax runs down each column (one sample).
    # a and z must be different arrays
    zero, one, half, six = typed(z, 0.0), typed(z, 1.0), typed(z, 0.5), typed(z, 6.0)
    if code == ACT_SOFTMAX or code == ACT_LOG_SOFTMAX:
        for i in range(B):
            zmax = z[i]
            for j in range(1, n):
                zmax = max(zmax, z[j * B + i])
            total = zero
            for j in range(n):
                total += math.exp(z[j * B + i] - zmax)
            if code == ACT_SOFTMAX:
                inv = one / total
                for j in range(n):
                    a[j * B + i] = math.exp(z[j * B + i] - zmax) * inv
            else:
                log_total = math.log(total)
                for j in range(n):
                    a[j * B + i] = z[j * B + i] - zmax - log_total
        return
    zf = z
    af = a
    m = n * B
    if code == ACT_LINEAR:
        for i in range(m):
            af[i] = zf[i]
    elif code == ACT_RELU:
        slope, max_value, threshold, has_max = p[0], p[1], p[2], p[3] != 0
        if slope == 0 and threshold == 0 and not has_max:  # plain relu: the common case
            for i in range(m):
                af[i] = max(zf[i], zero)
        else:
            for i in range(m):
                af[i] = relu_general(zf[i], slope, max_value, threshold, has_max)
    elif code == ACT_LEAKY_RELU:
        slope = p[0]
        for i in range(m):
            x = zf[i]
            af[i] = x if x >= 0 else slope * x
    elif code == ACT_RELU6:
        for i in range(m):
            af[i] = min(max(zf[i], zero), six)
    elif code == ACT_ELU:
        alpha = p[0]
        for i in range(m):
            x = zf[i]
            af[i] = x if x > 0 else alpha * math.expm1(x)
    elif code == ACT_SELU:
        for i in range(m):
            x = zf[i]
            af[i] = SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))
    elif code == ACT_CELU:
        alpha = p[0]
        for i in range(m):
            x = zf[i]
            af[i] = max(x, zero) + alpha * math.expm1(min(x, zero) / alpha)
    elif code == ACT_GELU:
        for i in range(m):
            x = zf[i]
            af[i] = x * 0.5 * math.erfc(-x * INV_SQRT2)  # x * Phi(x); erfc keeps the left tail
    elif code == ACT_GELU_TANH:
        for i in range(m):
            x = zf[i]
            # 0.5 x (1 + tanh u) written as x * sigmoid(2u): no cancellation in the left tail
            af[i] = x * sigmoid(2.0 * GELU_C * (x + 0.044715 * x * x * x))
    elif code == ACT_SILU:
        for i in range(m):
            af[i] = zf[i] * sigmoid(zf[i])
    elif code == ACT_HARD_SIGMOID:
        for i in range(m):
            af[i] = min(max(zf[i] / six + half, zero), one)
    elif code == ACT_HARD_SILU:
        for i in range(m):
            x = zf[i]
            af[i] = x * min(max(x / six + half, zero), one)
    elif code == ACT_SIGMOID:
        for i in range(m):
            af[i] = sigmoid(zf[i])
    elif code == ACT_TANH:
        for i in range(m):
            af[i] = tanh(zf[i])
    elif code == ACT_SOFTSIGN:
        for i in range(m):
            af[i] = zf[i] / (one + abs(zf[i]))
    elif code == ACT_SOFTPLUS:
        for i in range(m):
            af[i] = softplus(zf[i])
    elif code == ACT_EXPONENTIAL:
        for i in range(m):
            af[i] = math.exp(zf[i])
    elif code == ACT_MISH:
        for i in range(m):
            af[i] = zf[i] * tanh(softplus(zf[i]))
    elif code == ACT_LOG_SIGMOID:
        for i in range(m):
            af[i] = -softplus(-zf[i])
    elif code == ACT_HARD_TANH:
        for i in range(m):
            af[i] = min(max(zf[i], -one), one)
    elif code == ACT_TANH_SHRINK:
        for i in range(m):
            af[i] = zf[i] - math.tanh(zf[i])  # libm: x - tanh x cancels, needs every bit
    elif code == ACT_SQUAREPLUS:
        b = p[0]
        for i in range(m):
            x = zf[i]
            af[i] = (x + math.sqrt(x * x + b)) * half
    elif code == ACT_SPARSE_PLUS:
        quarter = typed(z, 0.25)
        for i in range(m):
            x = zf[i]
            if x <= -one:
                af[i] = zero
            elif x < one:
                af[i] = quarter * (x + one) * (x + one)
            else:
                af[i] = x
    elif code == ACT_SPARSE_SIGMOID:
        for i in range(m):
            af[i] = min(max(half * (zf[i] + one), zero), one)
    elif code == ACT_SOFT_SHRINK:
        t = p[0]
        for i in range(m):
            x = zf[i]
            af[i] = x - t if x > t else (x + t if x < -t else zero)
    elif code == ACT_HARD_SHRINK:
        t = p[0]
        for i in range(m):
            x = zf[i]
            af[i] = x if abs(x) > t else zero


# ---- backward ------------------------------------------------------------------------------

@kernel
def activation_backward(dz, da, z, a, n, B, code, p):
    # dz = da * f'(z) on a flat (n, B) block. dz MAY be da, but a separate dz is faster:
    # LLVM only vectorises when its runtime overlap check passes, and in place it never does
    zero, one, half, six = typed(z, 0.0), typed(z, 1.0), typed(z, 0.5), typed(z, 6.0)
    if code == ACT_SOFTMAX:
        for i in range(B):  # per sample (column): dz = s * (g - sum(g * s))
            dot = zero
            for j in range(n):
                dot += da[j * B + i] * a[j * B + i]
            for j in range(n):
                dz[j * B + i] = a[j * B + i] * (da[j * B + i] - dot)
        return
    if code == ACT_LOG_SOFTMAX:
        for i in range(B):  # dz = g - softmax(z) * sum(g), softmax = exp(log_softmax)
            total = zero
            for j in range(n):
                total += da[j * B + i]
            for j in range(n):
                dz[j * B + i] = da[j * B + i] - math.exp(a[j * B + i]) * total
        return
    zf = z
    af = a
    gf = da
    df = dz
    m = n * B
    if code == ACT_LINEAR:
        for i in range(m):
            df[i] = gf[i]
    elif code == ACT_RELU:
        slope, max_value, threshold, has_max = p[0], p[1], p[2], p[3] != 0
        if slope == 0 and threshold == 0 and not has_max:
            for i in range(m):
                df[i] = gf[i] if zf[i] > zero else zero
        else:
            for i in range(m):
                df[i] = gf[i] * relu_general_grad(zf[i], slope, max_value, threshold, has_max)
    elif code == ACT_LEAKY_RELU:
        slope = p[0]
        for i in range(m):
            df[i] = gf[i] if zf[i] >= 0 else gf[i] * slope
    elif code == ACT_RELU6:
        for i in range(m):
            df[i] = gf[i] if zero < zf[i] < six else zero
    elif code == ACT_ELU:
        alpha = p[0]
        for i in range(m):
            x = zf[i]
            df[i] = gf[i] if x > 0 else gf[i] * alpha * math.exp(x)
    elif code == ACT_SELU:
        for i in range(m):
            x = zf[i]
            df[i] = gf[i] * SELU_SCALE * (1.0 if x > 0 else SELU_ALPHA * math.exp(x))
    elif code == ACT_CELU:
        alpha = p[0]
        for i in range(m):
            x = zf[i]
            df[i] = gf[i] if x > 0 else gf[i] * math.exp(x / alpha)
    elif code == ACT_GELU:
        for i in range(m):
            x = zf[i]
            cdf = 0.5 * math.erfc(-x * INV_SQRT2)
            pdf = INV_SQRT_2PI * math.exp(-0.5 * x * x)
            df[i] = gf[i] * (cdf + x * pdf)
    elif code == ACT_GELU_TANH:
        for i in range(m):
            x = zf[i]
            s = sigmoid(2.0 * GELU_C * (x + 0.044715 * x * x * x))
            du = GELU_C * (1.0 + 3.0 * 0.044715 * x * x)
            df[i] = gf[i] * (s + 2.0 * x * s * (1.0 - s) * du)
    elif code == ACT_SILU:
        for i in range(m):
            x = zf[i]
            s = sigmoid(x)
            df[i] = gf[i] * s * (one + x * (one - s))
    elif code == ACT_HARD_SIGMOID:
        for i in range(m):
            df[i] = gf[i] / six if -3.0 < zf[i] < 3.0 else zero
    elif code == ACT_HARD_SILU:
        for i in range(m):
            x = zf[i]
            hs = min(max(x / six + half, zero), one)
            df[i] = gf[i] * (hs + (x / six if -3.0 < x < 3.0 else zero))
    elif code == ACT_SIGMOID:
        for i in range(m):
            df[i] = gf[i] * af[i] * (one - af[i])
    elif code == ACT_TANH:
        for i in range(m):
            df[i] = gf[i] * (one - af[i] * af[i])
    elif code == ACT_SOFTSIGN:
        for i in range(m):
            d = one + abs(zf[i])
            df[i] = gf[i] / (d * d)
    elif code == ACT_SOFTPLUS:
        for i in range(m):
            df[i] = gf[i] * sigmoid(zf[i])
    elif code == ACT_EXPONENTIAL:
        for i in range(m):
            df[i] = gf[i] * af[i]
    elif code == ACT_MISH:
        for i in range(m):
            x = zf[i]
            t = tanh(softplus(x))
            df[i] = gf[i] * (t + x * (one - t * t) * sigmoid(x))
    elif code == ACT_LOG_SIGMOID:
        for i in range(m):
            df[i] = gf[i] * sigmoid(-zf[i])
    elif code == ACT_HARD_TANH:
        for i in range(m):
            df[i] = gf[i] if -one < zf[i] < one else zero
    elif code == ACT_TANH_SHRINK:
        for i in range(m):
            t = math.tanh(zf[i])
            df[i] = gf[i] * t * t
    elif code == ACT_SQUAREPLUS:
        b = p[0]
        for i in range(m):
            x = zf[i]
            df[i] = gf[i] * half * (one + x / math.sqrt(x * x + b))
    elif code == ACT_SPARSE_PLUS:
        for i in range(m):
            x = zf[i]
            if x <= -one:
                df[i] = zero
            elif x < one:
                df[i] = gf[i] * half * (x + one)
            else:
                df[i] = gf[i]
    elif code == ACT_SPARSE_SIGMOID:
        for i in range(m):
            df[i] = gf[i] * half if -one < zf[i] < one else zero
    elif code == ACT_SOFT_SHRINK or code == ACT_HARD_SHRINK:
        t = p[0]
        for i in range(m):
            df[i] = gf[i] if abs(zf[i]) > t else zero
