"""Every optimizer as one update over the flat parameter buffer, Keras 3 formulas.

optimizer_step(params, grads, slots, tensors, code, hp, state)

params, grads (P,)   the model's flat buffers; grads are clipped IN PLACE
slots (k, P)         optimizer state with the same layout (k rows as Python allocated them)
tensors (T, 2)       (offset, size) of every weight tensor (each W and each b): clipnorm is
                     per tensor in Keras 3
hp (N_HP,)           hyperparameters (codes.HP_*), float64
state (N_OPT_STATE,) iterations and Nadam's momentum product, float64, updated here

Keras 3's order per step: clip (clipnorm | global_clipnorm | clipvalue), decoupled weight
decay w -= w * wd * lr, the optimizer's update, iterations += 1. Each optimizer's update is
one loop over P. Scalar coefficients are computed once per step in float64.
"""
import math

from .codes import (
    HP_AMSGRAD, HP_BETA_1, HP_BETA_2, HP_CENTERED, HP_CLIPNORM, HP_CLIPVALUE, HP_DECAY, HP_EPSILON,
    HP_GLOBAL_CLIPNORM, HP_LR, HP_MOMENTUM, HP_NESTEROV, HP_RHO, HP_WEIGHT_DECAY,
    OPT_ADADELTA, OPT_ADAGRAD, OPT_ADAM, OPT_ADAMAX, OPT_NADAM, OPT_RMSPROP, OPT_SGD,
    S_ITERATIONS, S_U_PRODUCT,
)
from .jit import kernel


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


@kernel
def optimizer_step(params, grads, slots, tensors, code, hp, state):
    P = params.shape[0]
    clip_gradients(grads, tensors, hp)
    lr = hp[HP_LR]
    if hp[HP_DECAY] > 0:  # legacy Keras 1/2 option, with iterations as before this step
        lr = lr / (1.0 + hp[HP_DECAY] * state[S_ITERATIONS])
    wd = hp[HP_WEIGHT_DECAY]
    if wd > 0:
        for i in range(P):  # decoupled, before the update: w - w * wd * lr
            params[i] -= params[i] * wd * lr
    t = state[S_ITERATIONS] + 1.0  # 1-based step
    eps = hp[HP_EPSILON]
    b1, b2 = hp[HP_BETA_1], hp[HP_BETA_2]

    if code == OPT_SGD:
        mu = hp[HP_MOMENTUM]
        if mu == 0:
            for i in range(P):
                params[i] -= lr * grads[i]
        else:
            m = slots[0]
            nesterov = hp[HP_NESTEROV] != 0
            for i in range(P):
                m[i] = mu * m[i] - lr * grads[i]
                if nesterov:
                    params[i] += mu * m[i] - lr * grads[i]
                else:
                    params[i] += m[i]

    elif code == OPT_RMSPROP:
        rho, mu = hp[HP_RHO], hp[HP_MOMENTUM]
        centered = hp[HP_CENTERED] != 0
        v, m, a = slots[0], slots[1], slots[2]  # Python allocates 3 rows for RMSprop
        for i in range(P):
            g = grads[i]
            v[i] = rho * v[i] + (1.0 - rho) * g * g
            if centered:
                a[i] = rho * a[i] + (1.0 - rho) * g
                den = v[i] - a[i] * a[i] + eps
            else:
                den = v[i] + eps
            step = lr * g / math.sqrt(den)  # epsilon inside the sqrt (Keras 3)
            if mu > 0:
                m[i] = mu * m[i] + step
                params[i] -= m[i]
            else:
                params[i] -= step

    elif code == OPT_ADAGRAD:
        acc = slots[0]  # starts at initial_accumulator_value (Python fills it)
        for i in range(P):
            g = grads[i]
            acc[i] += g * g
            params[i] -= lr * g / math.sqrt(acc[i] + eps)

    elif code == OPT_ADADELTA:
        rho = hp[HP_RHO]
        eg, edx = slots[0], slots[1]
        for i in range(P):
            g = grads[i]
            eg[i] = rho * eg[i] + (1.0 - rho) * g * g
            delta = -math.sqrt(edx[i] + eps) / math.sqrt(eg[i] + eps) * g
            edx[i] = rho * edx[i] + (1.0 - rho) * delta * delta
            params[i] += lr * delta

    elif code == OPT_ADAM:
        # bias correction folded into the step size; epsilon on the raw sqrt(v)
        alpha = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        m, v, vhat = slots[0], slots[1], slots[2]
        amsgrad = hp[HP_AMSGRAD] != 0
        for i in range(P):
            g = grads[i]
            m[i] += (g - m[i]) * (1.0 - b1)
            v[i] += (g * g - v[i]) * (1.0 - b2)
            if amsgrad:
                vhat[i] = max(vhat[i], v[i])
                params[i] -= alpha * m[i] / (math.sqrt(vhat[i]) + eps)
            else:
                params[i] -= alpha * m[i] / (math.sqrt(v[i]) + eps)

    elif code == OPT_ADAMAX:
        step = lr / (1.0 - b1**t)
        m, u = slots[0], slots[1]
        for i in range(P):
            g = grads[i]
            m[i] += (g - m[i]) * (1.0 - b1)
            u[i] = max(b2 * u[i], abs(g))
            params[i] -= step * m[i] / (u[i] + eps)

    elif code == OPT_NADAM:
        # Keras 3 momentum schedule u_t = b1 * (1 - 0.5 * 0.96^t); the product is updated
        # once per step, before the per-parameter updates
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_next = b1 * (1.0 - 0.5 * 0.96 ** (t + 1.0))
        state[S_U_PRODUCT] *= u_t
        u_prod = state[S_U_PRODUCT]
        u_prod_next = u_prod * u_next
        c_m = u_next / (1.0 - u_prod_next)
        c_g = (1.0 - u_t) / (1.0 - u_prod)
        c_v = 1.0 / (1.0 - b2**t)
        m, v = slots[0], slots[1]
        for i in range(P):
            g = grads[i]
            m[i] += (g - m[i]) * (1.0 - b1)
            v[i] += (g * g - v[i]) * (1.0 - b2)
            m_hat = c_m * m[i] + c_g * g
            params[i] -= lr * m_hat / (math.sqrt(v[i] * c_v) + eps)

    state[S_ITERATIONS] = t
