"""The noise layers, active in training only (inference passes the input through unchanged):
Dropout, GaussianNoise, GaussianDropout, AlphaDropout, Keras 3 formulas.

noise_forward(kind, out, mult, x, n, B, kp, base)    out = noisy x on a flat (n, B) block, training
noise_backward(kind, dx, dout, mult, n, B)            dx = dout * d out / d x

`mult` (the layer's aux block) keeps each element's factor d out/d x for the backward pass: the mask
over (1 - rate) for Dropout, the N(1, rate/(1-rate)) factor for GaussianDropout, a*k for
AlphaDropout. Draws come from the counter-based stream of kernels/rng.py (`base` fixes the model
seed, the training step and the layer), so a seed gives bit-identical masks. kp (the layer's kind
parameters): [rate or stddev, share over samples, share over features] (Keras's noise_shape
with a 1 in that axis: one draw for the whole axis).
"""
import math

import numpy as np

from .codes import code_of
from .fastmath import typed
from .jit import kernel
from .rng import normal, uniform, uniform_bits

DROPOUT = code_of("dropout")
GAUSSIAN_NOISE = code_of("gaussian_noise")
GAUSSIAN_DROPOUT = code_of("gaussian_dropout")
ALPHA_DROPOUT = code_of("alpha_dropout")

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
ALPHA_P = -SELU_ALPHA * SELU_SCALE  # AlphaDropout's saturation value a' = -alpha * lambda


@kernel
def draw_index(j, i, B, share_samples, share_features):
    # which draw element (feature j, sample i) uses: noise_shape with a 1 in an axis shares it
    if share_samples and share_features:
        return 0
    if share_samples:
        return j
    if share_features:
        return i
    return j * B + i


@kernel
def dropout_forward(out, mult, x, n, B, rate, base, share_samples, share_features):
    # inverted dropout: keep with probability 1 - rate (u < keep, as Keras's numpy backend), scale by 1/keep.
    # u < keep is decided on the draw's 53 integer bits (u = bits / 2^53, so u < keep exactly when
    # bits < ceil(keep * 2^53)): no int-to-float conversion per element, 3x faster
    keep = 1.0 - rate
    scale = typed(out, 1.0 / keep) if keep > 0 else typed(out, 0.0)
    zero = typed(out, 0.0)
    threshold = np.uint64(math.ceil(keep * 9007199254740992.0))
    if not share_samples and not share_features:
        for k in range(n * B):
            f = scale if uniform_bits(base, k) < threshold else zero
            mult[k] = f
            out[k] = x[k] * f
        return
    for j in range(n):
        for i in range(B):
            k = j * B + i
            f = scale if uniform_bits(base, draw_index(j, i, B, share_samples, share_features)) < threshold else zero
            mult[k] = f
            out[k] = x[k] * f


@kernel
def gaussian_noise_forward(out, x, n, B, stddev, base):
    # x + N(0, stddev^2); the gradient is the identity
    for k in range(n * B):
        out[k] = x[k] + typed(out, stddev * normal(base, k))


@kernel
def gaussian_dropout_forward(out, mult, x, n, B, rate, base):
    # x * N(1, rate / (1 - rate))
    sigma = math.sqrt(rate / (1.0 - rate))
    for k in range(n * B):
        g = typed(out, 1.0 + sigma * normal(base, k))
        mult[k] = g
        out[k] = x[k] * g


@kernel
def alpha_dropout_forward(out, mult, x, n, B, rate, base, share_samples, share_features):
    # keep where u >= rate; y = a (k x + (1 - k) a') + b keeps SELU's mean and variance
    a = ((1.0 - rate) * (1.0 + rate * ALPHA_P * ALPHA_P)) ** -0.5
    b = -a * ALPHA_P * rate
    dropped = typed(out, a * ALPHA_P + b)
    a_ = typed(out, a)
    b_ = typed(out, b)
    for j in range(n):
        for i in range(B):
            k = j * B + i
            if uniform(base, draw_index(j, i, B, share_samples, share_features)) >= rate:
                mult[k] = a_
                out[k] = a_ * x[k] + b_
            else:
                mult[k] = typed(out, 0.0)
                out[k] = dropped


@kernel
def noise_forward(kind, out, mult, x, n, B, kp, base, training):
    # True if `kind` is a noise layer (handled here), False otherwise
    if kind != DROPOUT and kind != GAUSSIAN_NOISE and kind != GAUSSIAN_DROPOUT and kind != ALPHA_DROPOUT:
        return False
    if not training or kp[0] == 0:  # inference, or nothing to drop: the identity
        for k in range(n * B):
            out[k] = x[k]
            mult[k] = typed(out, 1.0)
    elif kind == DROPOUT:
        dropout_forward(out, mult, x, n, B, kp[0], base, kp[1] != 0, kp[2] != 0)
    elif kind == GAUSSIAN_NOISE:
        gaussian_noise_forward(out, x, n, B, kp[0], base)
        for k in range(n * B):
            mult[k] = typed(out, 1.0)
    elif kind == GAUSSIAN_DROPOUT:
        gaussian_dropout_forward(out, mult, x, n, B, kp[0], base)
    else:
        alpha_dropout_forward(out, mult, x, n, B, kp[0], base, kp[1] != 0, kp[2] != 0)
    return True


@kernel
def noise_backward(dx, dout, mult, n, B):
    for k in range(n * B):
        dx[k] = dout[k] * mult[k]
