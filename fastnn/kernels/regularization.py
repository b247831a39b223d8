"""Regularizers and constraints, Keras 3 formulas (keras/src/regularizers, keras/src/constraints).

Penalties: net.penalties (R, 5) float64, one row per regularized tensor or layer output
    [kind, a, b, l1, l2]
    WEIGHT_PENALTY   a = offset, b = size of a tensor in the flat parameters:
                     l1 sum|w| + l2 sum w^2; gradient l1 sign(w) + 2 l2 w (no 1/2, no averaging)
    ACTIVITY_PENALTY a = layer row: (l1 sum|out| + l2 sum out^2) over the batch / batch size,
                     on the layer's output in the current mode (Keras 3.15's activity regularizer)
  The penalties join the batch's loss at full strength (the reported loss and val_loss include
  them) and their gradient joins the step's.
Constraints: opt.constraints (K, 8) float64, one row per constrained tensor, applied after each
  optimizer update   [kind, offset, rows, cols, axis, max_value, min_value, rate]
    MAX_NORM   w * clip(n, 0, max) / (eps + n)       n = the L2 norm along `axis` (0: each column
    NON_NEG    max(w, 0)                                of a Dense kernel, i.e. a unit's incoming
    UNIT_NORM  w / (eps + n)                            weights; 1: each row; a vector: all of it)
    MIN_MAX_NORM w * (rate clip(n, min, max) + (1 - rate) n) / (eps + n)
"""
import math

from .codes import code_of
from .fastmath import typed
from .jit import kernel

WEIGHT_PENALTY = 0
ACTIVITY_PENALTY = 1
MAX_NORM = code_of("max_norm")
NON_NEG = code_of("non_neg")
UNIT_NORM = code_of("unit_norm")
MIN_MAX_NORM = code_of("min_max_norm")
EPSILON = 1e-7  # Keras's backend epsilon, outside the square root


@kernel
def weight_penalty(params, pen):
    total = 0.0
    for r in range(pen.shape[0]):
        if pen[r, 0] == WEIGHT_PENALTY:
            off, size, l1, l2 = int(pen[r, 1]), int(pen[r, 2]), pen[r, 3], pen[r, 4]
            s1 = 0.0
            s2 = 0.0
            for i in range(off, off + size):
                w = float(params[i])
                s1 += abs(w)
                s2 += w * w
            total += l1 * s1 + l2 * s2
    return total


@kernel
def weight_penalty_grads(grads, params, pen):
    for r in range(pen.shape[0]):
        if pen[r, 0] == WEIGHT_PENALTY:
            off, size = int(pen[r, 1]), int(pen[r, 2])
            l1, l2 = typed(grads, pen[r, 3]), typed(grads, 2.0 * pen[r, 4])
            zero = typed(grads, 0.0)
            for i in range(off, off + size):
                w = params[i]
                sign = typed(grads, 1.0) if w > zero else (typed(grads, -1.0) if w < zero else zero)
                grads[i] += l1 * sign + l2 * w


@kernel
def activity_raw(out, l1, l2):
    # l1 sum|out| + l2 sum out^2 over the batch block (the loss takes it divided by the batch size)
    s1 = 0.0
    s2 = 0.0
    for i in range(out.shape[0]):
        v = float(out[i])
        s1 += abs(v)
        s2 += v * v
    return l1 * s1 + l2 * s2


@kernel
def activity_grad(d_out, out, l1, l2, B):
    # d/d(out) of (l1 sum|out| + l2 sum out^2) / B, added to the gradient arriving at the output
    c1, c2 = typed(d_out, l1 / B), typed(d_out, 2.0 * l2 / B)
    zero = typed(d_out, 0.0)
    for i in range(out.shape[0]):
        v = out[i]
        sign = typed(d_out, 1.0) if v > zero else (typed(d_out, -1.0) if v < zero else zero)
        d_out[i] += c1 * sign + c2 * v


@kernel
def _column_scale(n, kind, max_value, min_value, rate):
    if kind == MAX_NORM:
        return min(max(n, 0.0), max_value) / (EPSILON + n)
    if kind == UNIT_NORM:
        return 1.0 / (EPSILON + n)
    return (rate * min(max(n, min_value), max_value) + (1.0 - rate) * n) / (EPSILON + n)  # MIN_MAX_NORM


@kernel
def apply_constraints(params, cons):
    for r in range(cons.shape[0]):
        kind, off, rows, cols = int(cons[r, 0]), int(cons[r, 1]), int(cons[r, 2]), int(cons[r, 3])
        axis, max_value, min_value, rate = int(cons[r, 4]), cons[r, 5], cons[r, 6], cons[r, 7]
        if kind == NON_NEG:
            zero = typed(params, 0.0)
            for i in range(off, off + rows * cols):
                if params[i] < zero:
                    params[i] = zero
        else:  # one norm per column (axis 0: over the rows; a vector is one column) or per row (axis 1)
            n_vec, v_step, e_step, length = (cols, 1, cols, rows) if axis == 0 else (rows, cols, 1, cols)
            for v in range(n_vec):
                first = off + v * v_step
                sq = 0.0
                for k in range(length):
                    x = float(params[first + k * e_step])
                    sq += x * x
                scale = typed(params, _column_scale(math.sqrt(sq), kind, max_value, min_value, rate))
                for k in range(length):
                    params[first + k * e_step] *= scale
