"""Learning-rate schedules evaluated inside the optimizer step, Keras 3 formulas
(keras/src/optimizers/schedules/learning_rate_schedule.py), from the step count as Keras does:
the k-th update uses step k - 1 (iterations before the increment).

The schedule rides at the tail of the hyperparameter vector, hp[N_HP:]:
    [kind, p0, p1, p2, p3, p4, p5, n, boundaries (n), values (n + 1)]
kind 0 (or no tail): the constant hp[HP_LR]. The Python classes (fastnn/optimizers/schedules.py)
write the tail and compute the same formulas in NumPy for optimizer.learning_rate.
"""
import math

from .codes import HP_LR, N_HP, code_of
from .jit import kernel

EXPONENTIAL_DECAY = code_of("exponential_decay")  # p: lr0, decay_steps, decay_rate, staircase
INVERSE_TIME_DECAY = code_of("inverse_time_decay")  # p: lr0, decay_steps, decay_rate, staircase
PIECEWISE_CONSTANT_DECAY = code_of("piecewise_constant_decay")  # boundaries and values
POLYNOMIAL_DECAY = code_of("polynomial_decay")  # p: lr0, decay_steps, end_lr, power, cycle
COSINE_DECAY = code_of("cosine_decay")  # p: lr0, decay_steps, alpha, warmup_target (NaN: none), warmup_steps
COSINE_DECAY_RESTARTS = code_of("cosine_decay_restarts")  # p: lr0, first_decay_steps, t_mul, m_mul, alpha


@kernel
def cosine(s, decay_steps, alpha):
    s = min(s, decay_steps)
    return (1.0 - alpha) * 0.5 * (1.0 + math.cos(math.pi * s / decay_steps)) + alpha


@kernel
def scheduled_lr(hp, step):
    if hp.shape[0] <= N_HP or hp[N_HP] == 0:
        return hp[HP_LR]
    kind = int(hp[N_HP])
    p = hp[N_HP + 1:N_HP + 7]
    s = float(step)
    if kind == EXPONENTIAL_DECAY or kind == INVERSE_TIME_DECAY:
        f = s / p[1]
        if p[3] != 0:
            f = math.floor(f)
        return p[0] * p[2] ** f if kind == EXPONENTIAL_DECAY else p[0] / (1.0 + p[2] * f)
    if kind == PIECEWISE_CONSTANT_DECAY:
        n = int(hp[N_HP + 7])
        bounds = hp[N_HP + 8:N_HP + 8 + n]
        values = hp[N_HP + 8 + n:N_HP + 9 + 2 * n]
        for i in range(n):
            if s <= bounds[i]:  # upper-inclusive intervals
                return values[i]
        return values[n]
    if kind == POLYNOMIAL_DECAY:
        decay_steps = p[1]
        if p[4] != 0:  # cycle
            decay_steps = decay_steps * (1.0 if s == 0 else math.ceil(s / decay_steps))
        else:
            s = min(s, decay_steps)
        return (p[0] - p[2]) * (1.0 - s / decay_steps) ** p[3] + p[2]
    if kind == COSINE_DECAY:
        lr0, decay_steps, alpha, target, warmup = p[0], p[1], p[2], p[3], p[4]
        if target != target:  # no warmup
            return lr0 * cosine(s, decay_steps, alpha)
        s = min(s, decay_steps + warmup)
        if s < warmup:
            return lr0 + (target - lr0) * s / warmup
        return target * cosine(s - warmup, decay_steps, alpha)
    if kind == COSINE_DECAY_RESTARTS:
        lr0, first, t_mul, m_mul, alpha = p[0], p[1], p[2], p[3], p[4]
        f = s / first
        if t_mul == 1.0:
            i = math.floor(f)
            f = f - i
        else:
            i = math.floor(math.log(1.0 - f * (1.0 - t_mul)) / math.log(t_mul))
            f = (f - (1.0 - t_mul ** i) / (1.0 - t_mul)) / t_mul ** i
        return lr0 * ((1.0 - alpha) * 0.5 * m_mul ** i * (1.0 + math.cos(math.pi * f)) + alpha)
    return -1.0  # an unknown kind: optimizer_step reports it
