"""Every optimizer as one update over the flat parameter buffer, Keras 3 formulas.

optimizer_step(params, grads, slots, tensors, code, hp, state)   True, or False for an unknown code

params, grads (P,)   the model's flat buffers; grads are clipped IN PLACE
slots (k, P)         optimizer state with the same layout (k rows as Python allocated them)
tensors (T, 3)       (offset, size, frozen) of every weight tensor (each W and each b): clipnorm is
                     per tensor in Keras 3
hp (N_HP,)           hyperparameters (codes.HP_*), float64
state (N_OPT_STATE,) iterations and Nadam's momentum product, float64, updated here

Keras 3's order per step: clip (clipnorm | global_clipnorm | clipvalue), decoupled weight
decay w -= w * wd * lr, the optimizer's update, iterations += 1. Each optimizer's update is
one loop over P in a small function of its own: branches on options (nesterov, centered,
amsgrad) sit outside the loops, so every loop vectorises. Scalar coefficients are computed
once per step in float64, then cast to the parameters' dtype (typed()), so float32 models
update in float32 arithmetic as Keras does, at full vector width.

To add an optimizer: its code and update function here, one branch in optimizer_step; its class
in fastnn/optimizers/<name>.py; its rule in fastnn/reference/optimizers.py.
"""
import math

from .codes import (
    HP_AMSGRAD, HP_BETA_1, HP_BETA_2, HP_CENTERED, HP_CLIPNORM, HP_CLIPVALUE, HP_DECAY, HP_EPSILON,
    HP_GLOBAL_CLIPNORM, HP_MOMENTUM, HP_NESTEROV, HP_RHO, HP_WEIGHT_DECAY, S_ITERATIONS, S_U_PRODUCT,
    code_of,
)
from .fastmath import typed
from .jit import kernel
from .schedules import scheduled_lr


@kernel
def clip_gradients(grads, tensors, hp):
    clipnorm, global_clipnorm, clipvalue = hp[HP_CLIPNORM], hp[HP_GLOBAL_CLIPNORM], hp[HP_CLIPVALUE]
    if clipnorm > 0:  # g * c / max(||g||, c), per weight tensor
        for t in range(tensors.shape[0]):
            off, size = tensors[t, 0], tensors[t, 1]
            sq = 0.0
            for i in range(off, off + size):
                sq += grads[i] * grads[i]
            norm = math.sqrt(sq)
            if norm > clipnorm:
                scale = clipnorm / norm
                for i in range(off, off + size):
                    grads[i] *= scale
    elif global_clipnorm > 0:  # one norm over every gradient
        sq = 0.0
        for i in range(grads.shape[0]):
            sq += grads[i] * grads[i]
        norm = math.sqrt(sq)
        if norm > global_clipnorm:
            scale = global_clipnorm / norm
            for i in range(grads.shape[0]):
                grads[i] *= scale
    elif clipvalue > 0:
        for i in range(grads.shape[0]):
            grads[i] = min(max(grads[i], -clipvalue), clipvalue)


SGD = code_of("sgd")


@kernel
def sgd_update(params, grads, m, lr, momentum, nesterov):
    n = params.shape[0]
    lr_ = typed(params, lr)
    if momentum == 0:
        for i in range(n):
            params[i] -= lr_ * grads[i]
        return
    mu = typed(params, momentum)
    if nesterov:  # uses the UPDATED m
        for i in range(n):
            m[i] = mu * m[i] - lr_ * grads[i]
            params[i] += mu * m[i] - lr_ * grads[i]
    else:
        for i in range(n):
            m[i] = mu * m[i] - lr_ * grads[i]
            params[i] += m[i]


RMSPROP = code_of("rmsprop")


@kernel
def rmsprop_update(params, grads, v, m, avg, lr, rho, momentum, eps, centered):
    n = params.shape[0]
    lr_, rho_, c_rho, eps_ = typed(params, lr), typed(params, rho), typed(params, 1.0 - rho), typed(params, eps)
    # step = lr g / sqrt(v + eps), epsilon INSIDE the sqrt (Keras 3)
    if not centered and momentum == 0:  # the default: one pass (a second pass over P cost 10% of an MLP step)
        for i in range(n):
            g = grads[i]
            v[i] = rho_ * v[i] + c_rho * g * g
            params[i] -= lr_ * g / math.sqrt(v[i] + eps_)
        return
    if centered:  # the step is written into grads, then applied with or without momentum
        for i in range(n):
            g = grads[i]
            v[i] = rho_ * v[i] + c_rho * g * g
            avg[i] = rho_ * avg[i] + c_rho * g
            grads[i] = lr_ * g / math.sqrt(v[i] - avg[i] * avg[i] + eps_)
    else:
        for i in range(n):
            g = grads[i]
            v[i] = rho_ * v[i] + c_rho * g * g
            grads[i] = lr_ * g / math.sqrt(v[i] + eps_)
    if momentum > 0:
        mu = typed(params, momentum)
        for i in range(n):
            m[i] = mu * m[i] + grads[i]
            params[i] -= m[i]
    else:
        for i in range(n):
            params[i] -= grads[i]


ADAGRAD = code_of("adagrad")


@kernel
def adagrad_update(params, grads, acc, lr, eps):
    lr_, eps_ = typed(params, lr), typed(params, eps)
    for i in range(params.shape[0]):
        g = grads[i]
        acc[i] += g * g
        params[i] -= lr_ * g / math.sqrt(acc[i] + eps_)


ADADELTA = code_of("adadelta")


@kernel
def adadelta_update(params, grads, eg, edx, lr, rho, eps):
    lr_, rho_, c_rho, eps_ = typed(params, lr), typed(params, rho), typed(params, 1.0 - rho), typed(params, eps)
    for i in range(params.shape[0]):
        g = grads[i]
        eg[i] = rho_ * eg[i] + c_rho * g * g
        delta = -math.sqrt(edx[i] + eps_) / math.sqrt(eg[i] + eps_) * g
        edx[i] = rho_ * edx[i] + c_rho * delta * delta
        params[i] += lr_ * delta


ADAM = code_of("adam")  # AdamW is Adam with a default weight_decay


@kernel
def adam_update(params, grads, m, v, vhat, alpha, b1, b2, eps, amsgrad):
    # alpha folds in the bias correction; epsilon is added to the raw sqrt(v)
    n = params.shape[0]
    # one pass: the moments and the step of each element together (two passes over P cost a
    # 270k-parameter step 50% more, 115 vs 76 us, for the same numbers)
    a, c1, c2, eps_ = typed(params, alpha), typed(params, 1.0 - b1), typed(params, 1.0 - b2), typed(params, eps)
    if amsgrad:
        for i in range(n):
            g = grads[i]
            mi = m[i] + (g - m[i]) * c1
            vi = v[i] + (g * g - v[i]) * c2
            m[i], v[i] = mi, vi
            vh = max(vhat[i], vi)
            vhat[i] = vh
            params[i] -= a * mi / (math.sqrt(vh) + eps_)
    else:
        for i in range(n):
            g = grads[i]
            mi = m[i] + (g - m[i]) * c1
            vi = v[i] + (g * g - v[i]) * c2
            m[i], v[i] = mi, vi
            params[i] -= a * mi / (math.sqrt(vi) + eps_)


ADAMAX = code_of("adamax")


@kernel
def adamax_update(params, grads, m, u, step, b1, b2, eps):
    s, c1, b2_, eps_ = typed(params, step), typed(params, 1.0 - b1), typed(params, b2), typed(params, eps)
    for i in range(params.shape[0]):
        g = grads[i]
        m[i] += (g - m[i]) * c1
        u[i] = max(b2_ * u[i], abs(g))
        params[i] -= s * m[i] / (u[i] + eps_)


NADAM = code_of("nadam")


@kernel
def nadam_update(params, grads, m, v, lr, c_m, c_g, c_v, b1, b2, eps):
    lr_, cm, cg, cv = typed(params, lr), typed(params, c_m), typed(params, c_g), typed(params, c_v)
    c1, c2, eps_ = typed(params, 1.0 - b1), typed(params, 1.0 - b2), typed(params, eps)
    for i in range(params.shape[0]):
        g = grads[i]
        m[i] += (g - m[i]) * c1
        v[i] += (g * g - v[i]) * c2
        params[i] -= lr_ * (cm * m[i] + cg * g) / (math.sqrt(v[i] * cv) + eps_)


@kernel
def optimizer_step(params, grads, slots, tensors, code, hp, state):
    frozen = False
    for t in range(tensors.shape[0] if tensors.shape[1] > 2 else 0):  # trainable=False: no gradient (fit
        if tensors[t, 2] != 0:  # zeroed their optimizer slots); a 2-column table has no frozen flags
            grads[tensors[t, 0]:tensors[t, 0] + tensors[t, 1]] = 0.0
            frozen = True
    clip_gradients(grads, tensors, hp)
    lr = scheduled_lr(hp, state[S_ITERATIONS])  # hp[HP_LR], or the schedule's value at this step
    if lr < 0:
        return False  # an unknown schedule kind
    if hp[HP_DECAY] > 0:  # legacy Keras 1/2 option, with iterations as before this step
        lr = lr / (1.0 + hp[HP_DECAY] * state[S_ITERATIONS])
    wd = hp[HP_WEIGHT_DECAY]
    if wd > 0:  # decoupled, before the update: w - w * wd * lr (trainable tensors only, as Keras)
        shrink = typed(params, wd * lr)
        if not frozen:
            for i in range(params.shape[0]):
                params[i] -= params[i] * shrink
        else:
            for t in range(tensors.shape[0]):
                if tensors[t, 2] == 0:
                    for i in range(tensors[t, 0], tensors[t, 0] + tensors[t, 1]):
                        params[i] -= params[i] * shrink
    t = state[S_ITERATIONS] + 1.0  # 1-based step
    eps = hp[HP_EPSILON]
    b1, b2 = hp[HP_BETA_1], hp[HP_BETA_2]
    if code == SGD:
        sgd_update(params, grads, slots[0], lr, hp[HP_MOMENTUM], hp[HP_NESTEROV] != 0)
    elif code == RMSPROP:  # Python allocates 3 rows: velocity, momentum, average gradient
        rmsprop_update(params, grads, slots[0], slots[1], slots[2], lr, hp[HP_RHO], hp[HP_MOMENTUM], eps,
                       hp[HP_CENTERED] != 0)
    elif code == ADAGRAD:  # the accumulator starts at initial_accumulator_value
        adagrad_update(params, grads, slots[0], lr, eps)
    elif code == ADADELTA:
        adadelta_update(params, grads, slots[0], slots[1], lr, hp[HP_RHO], eps)
    elif code == ADAM:
        alpha = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        adam_update(params, grads, slots[0], slots[1], slots[2], alpha, b1, b2, eps, hp[HP_AMSGRAD] != 0)
    elif code == ADAMAX:
        adamax_update(params, grads, slots[0], slots[1], lr / (1.0 - b1**t), b1, b2, eps)
    elif code == NADAM:
        # Keras 3 momentum schedule u_t = b1 (1 - 0.5 * 0.96^t); the running product is
        # updated once per step, before the per-parameter updates
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_next = b1 * (1.0 - 0.5 * 0.96 ** (t + 1.0))
        state[S_U_PRODUCT] *= u_t
        u_prod = state[S_U_PRODUCT]
        c_m = u_next / (1.0 - u_prod * u_next)
        c_g = (1.0 - u_t) / (1.0 - u_prod)
        nadam_update(params, grads, slots[0], slots[1], lr, c_m, c_g, 1.0 / (1.0 - b2**t), b1, b2, eps)
    else:
        return False
    state[S_ITERATIONS] = t
    return True
