"""PReLU: y = x for x > 0, alpha_j x otherwise, with a trainable slope per feature (Keras 3).

prelu_forward(out, x, alpha, n, B)
prelu_backward(dx, dalpha, dout, x, alpha, n, B, need_dx)   dalpha_j = sum_i dout min(x, 0)
"""
from .codes import code_of
from .fastmath import typed
from .jit import kernel

PRELU = code_of("prelu")


@kernel
def prelu_forward(out, x, alpha, n, B):
    zero = typed(out, 0.0)
    for j in range(n):
        a = alpha[j]
        for i in range(B):
            v = x[j * B + i]
            out[j * B + i] = v if v > zero else a * v


@kernel
def prelu_backward(dx, dalpha, dout, x, alpha, n, B, need_dx):
    # relu'(0) = 0 on both branches, as JAX: the gradient at exactly 0 is 0
    zero = typed(dx, 0.0)
    for j in range(n):
        a = alpha[j]
        s = 0.0
        for i in range(B):
            v = x[j * B + i]
            g = dout[j * B + i]
            if v < zero:
                s += g * v
            if need_dx:
                dx[j * B + i] = g if v > zero else (a * g if v < zero else zero)
        dalpha[j] = typed(dalpha, s)
