"""Activation functions, Keras 3 formulas: each one a forward and a backward side by side.

    <name>_forward(x, ...)          f(x) for one value
    <name>_backward(x, a, g, ...)   g * f'(x), given x, a = f(x) and the incoming gradient g

activation_forward(a, z, n, B, code, p)            a = f(z) on a flat (n, B) block; True if code is known
activation_backward(dz, da, z, a, n, B, code, p)   dz = da * f'(z) (softmax: the Jacobian-vector product)

Blocks are feature-major like everything in the network (kernels/dense.py): element (j, i) is at
j * B + i, and softmax / log_softmax normalise each sample, i.e. each column. `p` holds the
layer's activation parameters (fastnn/activations.py packs them). The dispatchers branch on the
code ONCE, outside the loop, and each branch is one tight loop over all n*B elements that LLVM
inlines the scalar pair into; an unknown code returns False (the training kernel reports it).
Derivatives at kinks follow TF/JAX: relu'(0) = 0, leaky_relu'(0) = 1, clip-style functions have
derivative 0 at the bounds.

To add an activation: its code, forward and backward here, one branch in each of the two
dispatchers of its kind (plain_* without parameters, parametric_* with); its spec row in
fastnn/activations.py; its formula in fastnn/reference/activations.py (README recipe).

Constants come from typed(): a bare 1.0 is float64 and would turn every float32 loop into float64
arithmetic with conversions (3x slower for tanh's backward).
"""
import math

from .codes import code_of
from .fastmath import tanh, typed
from .jit import kernel

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
GELU_C = math.sqrt(2.0 / math.pi)  # tanh-approximation constant
INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# ---- shared scalar building blocks -------------------------------------------------------------

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


# ---- linear ----------------------------------------------------------------------------------
LINEAR = code_of("linear")


@kernel
def linear_forward(x):
    return x


@kernel
def linear_backward(x, a, g):
    return g


# ---- relu: the plain one, and Keras 3's general relu(negative_slope, max_value, threshold) -------
RELU = code_of("relu")


@kernel
def relu_forward(x):
    return max(x, typed(x, 0.0))


@kernel
def relu_backward(x, a, g):
    return g if x > typed(x, 0.0) else typed(x, 0.0)


@kernel
def relu_general_forward(x, slope, max_value, threshold, has_max):
    # K3 ReLU.static_call: min(x, M) above the threshold, slope * (x - threshold) below it
    zero = typed(x, 0.0)
    pos = x if x > threshold else zero
    if has_max:
        pos = min(max(pos, zero), max_value)
    neg = threshold - x if x < threshold else zero
    return pos - slope * neg


@kernel
def relu_general_backward(x, a, g, slope, max_value, threshold, has_max):
    zero = typed(x, 0.0)
    if x > threshold:
        if has_max and not (zero < x < max_value):
            return g * zero
        return g * typed(x, 1.0)
    if x < threshold:
        return g * slope
    return g * zero


# ---- leaky_relu (negative_slope) ------------------------------------------------------------------
LEAKY_RELU = code_of("leaky_relu")


@kernel
def leaky_relu_forward(x, slope):
    return x if x >= 0 else slope * x


@kernel
def leaky_relu_backward(x, a, g, slope):
    return g if x >= 0 else g * slope


# ---- relu6 -------------------------------------------------------------------------------------------
RELU6 = code_of("relu6")


@kernel
def relu6_forward(x):
    return min(max(x, typed(x, 0.0)), typed(x, 6.0))


@kernel
def relu6_backward(x, a, g):
    return g if typed(x, 0.0) < x < typed(x, 6.0) else typed(x, 0.0)


# ---- elu (alpha) ----------------------------------------------------------------------------------
ELU = code_of("elu")


@kernel
def elu_forward(x, alpha):
    return x if x > 0 else alpha * math.expm1(x)


@kernel
def elu_backward(x, a, g, alpha):
    return g if x > 0 else g * alpha * math.exp(x)


# ---- selu ------------------------------------------------------------------------------------------------
SELU = code_of("selu")


@kernel
def selu_forward(x):
    return SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))


@kernel
def selu_backward(x, a, g):
    return g * SELU_SCALE * (1.0 if x > 0 else SELU_ALPHA * math.exp(x))


# ---- celu (alpha) -----------------------------------------------------------------------------------
CELU = code_of("celu")


@kernel
def celu_forward(x, alpha):
    zero = typed(x, 0.0)
    return max(x, zero) + alpha * math.expm1(min(x, zero) / alpha)


@kernel
def celu_backward(x, a, g, alpha):
    return g if x > 0 else g * math.exp(x / alpha)


# ---- gelu: exact (erf) and the tanh approximation ------------------------------------------------------
GELU = code_of("gelu")
GELU_TANH = code_of("gelu_tanh")


@kernel
def gelu_forward(x):
    return x * 0.5 * math.erfc(-x * INV_SQRT2)  # x * Phi(x); erfc keeps the left tail


@kernel
def gelu_backward(x, a, g):
    cdf = 0.5 * math.erfc(-x * INV_SQRT2)
    pdf = INV_SQRT_2PI * math.exp(-0.5 * x * x)
    return g * (cdf + x * pdf)


@kernel
def gelu_tanh_forward(x):
    # 0.5 x (1 + tanh u) written as x * sigmoid(2u): no cancellation in the left tail
    return x * sigmoid(2.0 * GELU_C * (x + 0.044715 * x * x * x))


@kernel
def gelu_tanh_backward(x, a, g):
    s = sigmoid(2.0 * GELU_C * (x + 0.044715 * x * x * x))
    du = GELU_C * (1.0 + 3.0 * 0.044715 * x * x)
    return g * (s + 2.0 * x * s * (1.0 - s) * du)


# ---- silu / swish -----------------------------------------------------------------------------------------
SILU = code_of("silu")


@kernel
def silu_forward(x):
    return x * sigmoid(x)


@kernel
def silu_backward(x, a, g):
    one = typed(x, 1.0)
    s = sigmoid(x)
    return g * s * (one + x * (one - s))


# ---- hard_sigmoid: x/6 + 1/2 clipped to [0, 1] (Keras 3) ----------------------------------------------
HARD_SIGMOID = code_of("hard_sigmoid")


@kernel
def hard_sigmoid_forward(x):
    return min(max(x / typed(x, 6.0) + typed(x, 0.5), typed(x, 0.0)), typed(x, 1.0))


@kernel
def hard_sigmoid_backward(x, a, g):
    return g / typed(x, 6.0) if -3.0 < x < 3.0 else typed(x, 0.0)


# ---- hard_silu / hard_swish: x * hard_sigmoid(x) --------------------------------------------------------
HARD_SILU = code_of("hard_silu")


@kernel
def hard_silu_forward(x):
    return x * hard_sigmoid_forward(x)


@kernel
def hard_silu_backward(x, a, g):
    return g * (hard_sigmoid_forward(x) + (x / typed(x, 6.0) if -3.0 < x < 3.0 else typed(x, 0.0)))


# ---- sigmoid ------------------------------------------------------------------------------------------------
SIGMOID = code_of("sigmoid")


@kernel
def sigmoid_forward(x):
    return sigmoid(x)


@kernel
def sigmoid_backward(x, a, g):
    return g * a * (typed(x, 1.0) - a)


# ---- tanh (float32: the rational approximation of fastmath.py) ---------------------------------------------
TANH = code_of("tanh")


@kernel
def tanh_forward(x):
    return tanh(x)


@kernel
def tanh_backward(x, a, g):
    return g * (typed(x, 1.0) - a * a)


# ---- softsign ---------------------------------------------------------------------------------------------------
SOFTSIGN = code_of("softsign")


@kernel
def softsign_forward(x):
    return x / (typed(x, 1.0) + abs(x))


@kernel
def softsign_backward(x, a, g):
    d = typed(x, 1.0) + abs(x)
    return g / (d * d)


# ---- softplus -------------------------------------------------------------------------------------------------
SOFTPLUS = code_of("softplus")


@kernel
def softplus_forward(x):
    return softplus(x)


@kernel
def softplus_backward(x, a, g):
    return g * sigmoid(x)


# ---- exponential -----------------------------------------------------------------------------------------------
EXPONENTIAL = code_of("exponential")


@kernel
def exponential_forward(x):
    return math.exp(x)


@kernel
def exponential_backward(x, a, g):
    return g * a


# ---- mish: x * tanh(softplus(x)) ----------------------------------------------------------------------------
MISH = code_of("mish")


@kernel
def mish_forward(x):
    return x * tanh(softplus(x))


@kernel
def mish_backward(x, a, g):
    t = tanh(softplus(x))
    return g * (t + x * (typed(x, 1.0) - t * t) * sigmoid(x))


# ---- log_sigmoid ------------------------------------------------------------------------------------------------
LOG_SIGMOID = code_of("log_sigmoid")


@kernel
def log_sigmoid_forward(x):
    return -softplus(-x)


@kernel
def log_sigmoid_backward(x, a, g):
    return g * sigmoid(-x)


# ---- hard_tanh: clip to [-1, 1] ----------------------------------------------------------------------------------
HARD_TANH = code_of("hard_tanh")


@kernel
def hard_tanh_forward(x):
    one = typed(x, 1.0)
    return min(max(x, -one), one)


@kernel
def hard_tanh_backward(x, a, g):
    one = typed(x, 1.0)
    return g if -one < x < one else typed(x, 0.0)


# ---- tanh_shrink: x - tanh x (libm: the difference cancels and needs every bit) ----------------------------------
TANH_SHRINK = code_of("tanh_shrink")


@kernel
def tanh_shrink_forward(x):
    return x - math.tanh(x)


@kernel
def tanh_shrink_backward(x, a, g):
    t = math.tanh(x)
    return g * t * t


# ---- squareplus (b): (x + sqrt(x^2 + b)) / 2 -----------------------------------------------------------------
SQUAREPLUS = code_of("squareplus")


@kernel
def squareplus_forward(x, b):
    return (x + math.sqrt(x * x + b)) * typed(x, 0.5)


@kernel
def squareplus_backward(x, a, g, b):
    return g * typed(x, 0.5) * (typed(x, 1.0) + x / math.sqrt(x * x + b))


# ---- sparse_plus: 0 below -1, (x + 1)^2 / 4 on (-1, 1), x above ------------------------------------------------
SPARSE_PLUS = code_of("sparse_plus")


@kernel
def sparse_plus_forward(x):
    one = typed(x, 1.0)
    if x <= -one:
        return typed(x, 0.0)
    if x < one:
        return typed(x, 0.25) * (x + one) * (x + one)
    return x


@kernel
def sparse_plus_backward(x, a, g):
    one = typed(x, 1.0)
    if x <= -one:
        return typed(x, 0.0)
    if x < one:
        return g * typed(x, 0.5) * (x + one)
    return g


# ---- sparse_sigmoid: (x + 1) / 2 clipped to [0, 1] -------------------------------------------------------------
SPARSE_SIGMOID = code_of("sparse_sigmoid")


@kernel
def sparse_sigmoid_forward(x):
    return min(max(typed(x, 0.5) * (x + typed(x, 1.0)), typed(x, 0.0)), typed(x, 1.0))


@kernel
def sparse_sigmoid_backward(x, a, g):
    one = typed(x, 1.0)
    return g * typed(x, 0.5) if -one < x < one else typed(x, 0.0)


# ---- soft_shrink / hard_shrink (threshold) ---------------------------------------------------------------------
SOFT_SHRINK = code_of("soft_shrink")
HARD_SHRINK = code_of("hard_shrink")


@kernel
def soft_shrink_forward(x, t):
    return x - t if x > t else (x + t if x < -t else typed(x, 0.0))


@kernel
def hard_shrink_forward(x, t):
    return x if abs(x) > t else typed(x, 0.0)


@kernel
def shrink_backward(x, a, g, t):  # both shrinks pass the gradient where |x| > t
    return g if abs(x) > t else typed(x, 0.0)


# ---- threshold (threshold, default_value): x above the threshold, default_value elsewhere ------------
THRESHOLD = code_of("threshold")


@kernel
def threshold_forward(x, t, default_value):
    return x if x > t else default_value


@kernel
def threshold_backward(x, a, g, t):
    return g if x > t else typed(x, 0.0)


# ---- softmax and log_softmax: per sample (column), not element-wise -----------------------------------------
SOFTMAX = code_of("softmax")
LOG_SOFTMAX = code_of("log_softmax")


@kernel
def softmax_forward(a, z, n, B, log):
    # exp(z - max) / sum: log-sum-exp stable; log=True gives log_softmax
    for i in range(B):
        zmax = z[i]
        for j in range(1, n):
            zmax = max(zmax, z[j * B + i])
        total = typed(z, 0.0)
        for j in range(n):
            total += math.exp(z[j * B + i] - zmax)
        if not log:
            inv = typed(z, 1.0) / total
            for j in range(n):
                a[j * B + i] = math.exp(z[j * B + i] - zmax) * inv
        else:
            log_total = math.log(total)
            for j in range(n):
                a[j * B + i] = z[j * B + i] - zmax - log_total


@kernel
def softmax_backward(dz, da, a, n, B):
    for i in range(B):  # per sample (column): dz = s * (g - sum(g * s))
        dot = typed(a, 0.0)
        for j in range(n):
            dot += da[j * B + i] * a[j * B + i]
        for j in range(n):
            dz[j * B + i] = a[j * B + i] * (da[j * B + i] - dot)


@kernel
def log_softmax_backward(dz, da, a, n, B):
    for i in range(B):  # dz = g - softmax(z) * sum(g), softmax = exp(log_softmax)
        total = typed(a, 0.0)
        for j in range(n):
            total += da[j * B + i]
        for j in range(n):
            dz[j * B + i] = da[j * B + i] - math.exp(a[j * B + i]) * total


# ---- dispatch: parameterless activations, those with parameters, then the per-sample ones ------------

@kernel
def plain_forward(a, z, m, code):
    # the activations without parameters; False when `code` is not one of them
    if code == LINEAR:
        for i in range(m):
            a[i] = linear_forward(z[i])
    elif code == RELU6:
        for i in range(m):
            a[i] = relu6_forward(z[i])
    elif code == SELU:
        for i in range(m):
            a[i] = selu_forward(z[i])
    elif code == GELU:
        for i in range(m):
            a[i] = gelu_forward(z[i])
    elif code == GELU_TANH:
        for i in range(m):
            a[i] = gelu_tanh_forward(z[i])
    elif code == SILU:
        for i in range(m):
            a[i] = silu_forward(z[i])
    elif code == HARD_SIGMOID:
        for i in range(m):
            a[i] = hard_sigmoid_forward(z[i])
    elif code == HARD_SILU:
        for i in range(m):
            a[i] = hard_silu_forward(z[i])
    elif code == SIGMOID:
        for i in range(m):
            a[i] = sigmoid_forward(z[i])
    elif code == TANH:
        for i in range(m):
            a[i] = tanh_forward(z[i])
    elif code == SOFTSIGN:
        for i in range(m):
            a[i] = softsign_forward(z[i])
    elif code == SOFTPLUS:
        for i in range(m):
            a[i] = softplus_forward(z[i])
    elif code == EXPONENTIAL:
        for i in range(m):
            a[i] = exponential_forward(z[i])
    elif code == MISH:
        for i in range(m):
            a[i] = mish_forward(z[i])
    elif code == LOG_SIGMOID:
        for i in range(m):
            a[i] = log_sigmoid_forward(z[i])
    elif code == HARD_TANH:
        for i in range(m):
            a[i] = hard_tanh_forward(z[i])
    elif code == TANH_SHRINK:
        for i in range(m):
            a[i] = tanh_shrink_forward(z[i])
    elif code == SPARSE_PLUS:
        for i in range(m):
            a[i] = sparse_plus_forward(z[i])
    elif code == SPARSE_SIGMOID:
        for i in range(m):
            a[i] = sparse_sigmoid_forward(z[i])
    else:
        return False
    return True


@kernel
def parametric_forward(a, z, m, code, p):
    # the activations with parameters (p, the layer's row); False when `code` is not one of them
    p0, p1, p2, has_max = p[0], p[1], p[2], p[3] != 0
    if code == RELU and p0 == 0 and p2 == 0 and not has_max:  # plain relu: the common case
        for i in range(m):
            a[i] = relu_forward(z[i])
    elif code == RELU:
        for i in range(m):
            a[i] = relu_general_forward(z[i], p0, p1, p2, has_max)
    elif code == LEAKY_RELU:
        for i in range(m):
            a[i] = leaky_relu_forward(z[i], p0)
    elif code == ELU:
        for i in range(m):
            a[i] = elu_forward(z[i], p0)
    elif code == CELU:
        for i in range(m):
            a[i] = celu_forward(z[i], p0)
    elif code == SQUAREPLUS:
        for i in range(m):
            a[i] = squareplus_forward(z[i], p0)
    elif code == SOFT_SHRINK:
        for i in range(m):
            a[i] = soft_shrink_forward(z[i], p0)
    elif code == HARD_SHRINK:
        for i in range(m):
            a[i] = hard_shrink_forward(z[i], p0)
    elif code == THRESHOLD:
        for i in range(m):
            a[i] = threshold_forward(z[i], p0, p1)
    else:
        return False
    return True


@kernel
def activation_forward(a, z, n, B, code, p):
    # a = f(z) on a flat (n, B) block (a and z distinct); False for an unknown code
    if code == SOFTMAX or code == LOG_SOFTMAX:
        softmax_forward(a, z, n, B, code == LOG_SOFTMAX)
        return True
    return plain_forward(a, z, n * B, code) or parametric_forward(a, z, n * B, code, p)


@kernel
def plain_backward(dz, da, z, a, m, code):
    if code == LINEAR:
        for i in range(m):
            dz[i] = linear_backward(z[i], a[i], da[i])
    elif code == RELU6:
        for i in range(m):
            dz[i] = relu6_backward(z[i], a[i], da[i])
    elif code == SELU:
        for i in range(m):
            dz[i] = selu_backward(z[i], a[i], da[i])
    elif code == GELU:
        for i in range(m):
            dz[i] = gelu_backward(z[i], a[i], da[i])
    elif code == GELU_TANH:
        for i in range(m):
            dz[i] = gelu_tanh_backward(z[i], a[i], da[i])
    elif code == SILU:
        for i in range(m):
            dz[i] = silu_backward(z[i], a[i], da[i])
    elif code == HARD_SIGMOID:
        for i in range(m):
            dz[i] = hard_sigmoid_backward(z[i], a[i], da[i])
    elif code == HARD_SILU:
        for i in range(m):
            dz[i] = hard_silu_backward(z[i], a[i], da[i])
    elif code == SIGMOID:
        for i in range(m):
            dz[i] = sigmoid_backward(z[i], a[i], da[i])
    elif code == TANH:
        for i in range(m):
            dz[i] = tanh_backward(z[i], a[i], da[i])
    elif code == SOFTSIGN:
        for i in range(m):
            dz[i] = softsign_backward(z[i], a[i], da[i])
    elif code == SOFTPLUS:
        for i in range(m):
            dz[i] = softplus_backward(z[i], a[i], da[i])
    elif code == EXPONENTIAL:
        for i in range(m):
            dz[i] = exponential_backward(z[i], a[i], da[i])
    elif code == MISH:
        for i in range(m):
            dz[i] = mish_backward(z[i], a[i], da[i])
    elif code == LOG_SIGMOID:
        for i in range(m):
            dz[i] = log_sigmoid_backward(z[i], a[i], da[i])
    elif code == HARD_TANH:
        for i in range(m):
            dz[i] = hard_tanh_backward(z[i], a[i], da[i])
    elif code == TANH_SHRINK:
        for i in range(m):
            dz[i] = tanh_shrink_backward(z[i], a[i], da[i])
    elif code == SPARSE_PLUS:
        for i in range(m):
            dz[i] = sparse_plus_backward(z[i], a[i], da[i])
    elif code == SPARSE_SIGMOID:
        for i in range(m):
            dz[i] = sparse_sigmoid_backward(z[i], a[i], da[i])
    else:
        return False
    return True


@kernel
def parametric_backward(dz, da, z, a, m, code, p):
    p0, p1, p2, has_max = p[0], p[1], p[2], p[3] != 0
    if code == RELU and p0 == 0 and p2 == 0 and not has_max:
        for i in range(m):
            dz[i] = relu_backward(z[i], a[i], da[i])
    elif code == RELU:
        for i in range(m):
            dz[i] = relu_general_backward(z[i], a[i], da[i], p0, p1, p2, has_max)
    elif code == LEAKY_RELU:
        for i in range(m):
            dz[i] = leaky_relu_backward(z[i], a[i], da[i], p0)
    elif code == ELU:
        for i in range(m):
            dz[i] = elu_backward(z[i], a[i], da[i], p0)
    elif code == CELU:
        for i in range(m):
            dz[i] = celu_backward(z[i], a[i], da[i], p0)
    elif code == SQUAREPLUS:
        for i in range(m):
            dz[i] = squareplus_backward(z[i], a[i], da[i], p0)
    elif code == SOFT_SHRINK or code == HARD_SHRINK:
        for i in range(m):
            dz[i] = shrink_backward(z[i], a[i], da[i], p0)
    elif code == THRESHOLD:
        for i in range(m):
            dz[i] = threshold_backward(z[i], a[i], da[i], p0)
    else:
        return False
    return True


@kernel
def activation_backward(dz, da, z, a, n, B, code, p):
    # dz = da * f'(z) on a flat (n, B) block; False for an unknown code. dz MAY be da, but a
    # separate dz is faster: LLVM only vectorises when its runtime overlap check passes
    if code == SOFTMAX:
        softmax_backward(dz, da, a, n, B)
        return True
    if code == LOG_SOFTMAX:
        log_softmax_backward(dz, da, a, n, B)
        return True
    return plain_backward(dz, da, z, a, n * B, code) or parametric_backward(dz, da, z, a, n * B, code, p)
