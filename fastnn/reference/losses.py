"""Reference losses: per-sample values and batch gradients, vectorised NumPy from the Keras 3
formulas (keras/src/losses/losses.py).

values(name, y, p, **options)             per-sample losses (N,)
gradient(name, y, p, sw=None, **options)  d/dp of the batch loss sum(sw * values) / N
fused_gradient(name, y, p, **options)     d/dz for softmax+cce/scce and sigmoid+bce, p = act(z)

y and p are 2-D (N, K); sparse labels are (N, 1) class ids. Options: from_logits,
label_smoothing, delta; eps is Keras's 1e-7 (float32 1 - eps is handled by passing `hi`).
"""
import numpy as np
from scipy import special

EPS = 1e-7


def _smooth(name, y, ls):
    if name == "binary_crossentropy":
        return y * (1 - ls) + 0.5 * ls
    if name == "categorical_crossentropy":
        return y * (1 - ls) + ls / y.shape[1]
    return y


def _hinge_labels(y):
    return 2.0 * y - 1.0 if np.all((y == 0) | (y == 1)) else y


def values(name, y, p, from_logits=False, label_smoothing=0.0, delta=1.0, eps=EPS, hi=None):
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    hi = 1 - eps if hi is None else hi
    if name == "mean_squared_error":
        return np.mean((y - p) ** 2, axis=-1)
    if name == "mean_absolute_error":
        return np.mean(np.abs(y - p), axis=-1)
    if name == "mean_absolute_percentage_error":
        return 100.0 * np.mean(np.abs((y - p) / np.maximum(np.abs(y), eps)), axis=-1)
    if name == "mean_squared_logarithmic_error":
        return np.mean((np.log(np.maximum(p, eps) + 1) - np.log(np.maximum(y, eps) + 1)) ** 2, axis=-1)
    if name == "hinge":
        return np.mean(np.maximum(1 - _hinge_labels(y) * p, 0), axis=-1)
    if name == "squared_hinge":
        return np.mean(np.maximum(1 - _hinge_labels(y) * p, 0) ** 2, axis=-1)
    if name == "categorical_hinge":
        pos = np.sum(y * p, axis=-1)
        neg = np.max((1 - y) * p, axis=-1)
        return np.maximum(neg - pos + 1, 0)
    if name == "binary_crossentropy":
        t = _smooth(name, y, label_smoothing)
        if from_logits:
            return np.mean(np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p))), axis=-1)
        pc = np.clip(p, eps, hi)
        return np.mean(-(t * np.log(pc) + (1 - t) * np.log(1 - pc)), axis=-1)
    if name == "categorical_crossentropy":
        t = _smooth(name, y, label_smoothing)
        if from_logits:
            return -np.sum(t * special.log_softmax(p, axis=-1), axis=-1)
        q = np.clip(p / p.sum(axis=-1, keepdims=True), eps, hi)
        return -np.sum(t * np.log(q), axis=-1)
    if name == "sparse_categorical_crossentropy":
        ids = y[:, 0].astype(np.int64)
        rows = np.arange(len(ids))
        if from_logits:
            return -special.log_softmax(p, axis=-1)[rows, ids]
        q = np.clip(p / p.sum(axis=-1, keepdims=True), eps, hi)
        return -np.log(q[rows, ids])
    if name == "kl_divergence":
        yc, pc = np.clip(y, eps, 1), np.clip(p, eps, 1)
        return np.sum(yc * np.log(yc / pc), axis=-1)
    if name == "poisson":
        return np.mean(p - y * np.log(p + eps), axis=-1)
    if name == "cosine_similarity":
        yn = y / np.sqrt(np.maximum(np.sum(y * y, axis=-1, keepdims=True), eps * eps))
        pn = p / np.sqrt(np.maximum(np.sum(p * p, axis=-1, keepdims=True), eps * eps))
        return -np.sum(yn * pn, axis=-1)
    if name == "log_cosh":
        d = p - y
        return np.mean(d + np.logaddexp(-2 * d, 0) - np.log(2.0), axis=-1)
    if name == "huber":
        e = np.abs(p - y)
        return np.mean(np.where(e <= delta, 0.5 * e * e, delta * e - 0.5 * delta * delta), axis=-1)
    raise ValueError(f"reference: unknown loss {name!r}")


def gradient(name, y, p, sw=None, from_logits=False, label_smoothing=0.0, delta=1.0, eps=EPS, hi=None):
    """d(sum(sw * values) / N)/dp, with Keras's zero gradient wherever a clip is active."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    hi = 1 - eps if hi is None else hi
    n, k = p.shape
    sw = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    r = (sw / n)[:, None]
    if name == "mean_squared_error":
        g = 2 * (p - y) / k
    elif name == "mean_absolute_error":
        g = np.sign(p - y) / k
    elif name == "mean_absolute_percentage_error":
        g = 100.0 * np.sign(p - y) / np.maximum(np.abs(y), eps) / k
    elif name == "mean_squared_logarithmic_error":
        diff = np.log(np.maximum(p, eps) + 1) - np.log(np.maximum(y, eps) + 1)
        g = np.where(p > eps, 2 * diff / (p + 1), 0.0) / k
    elif name in ("hinge", "squared_hinge"):
        t = _hinge_labels(y)
        margin = 1 - t * p
        g = np.where(margin > 0, -t if name == "hinge" else -2 * margin * t, 0.0) / k
    elif name == "categorical_hinge":
        neg_terms = (1 - y) * p
        arg = np.argmax(neg_terms, axis=-1)
        active = (neg_terms.max(axis=-1) - np.sum(y * p, axis=-1) + 1) > 0
        g = -y.copy()
        g[np.arange(n), arg] += (1 - y)[np.arange(n), arg]
        g = g * active[:, None]
    elif name == "binary_crossentropy":
        t = _smooth(name, y, label_smoothing)
        if from_logits:
            g = (special.expit(p) - t) / k
        else:
            inside = (p > eps) & (p < hi)
            g = np.where(inside, (-t / np.where(inside, p, 0.5) + (1 - t) / np.where(inside, 1 - p, 0.5)), 0.0) / k
    elif name == "categorical_crossentropy":
        t = _smooth(name, y, label_smoothing)
        if from_logits:
            s = special.softmax(p, axis=-1)
            g = s * t.sum(axis=-1, keepdims=True) - t
        else:
            total = p.sum(axis=-1, keepdims=True)
            q = p / total
            inside = (q > eps) & (q < hi)
            dq = np.where(inside, -t / np.where(inside, q, 1.0), 0.0)  # dL/dq
            # q = p / sum(p): dq_j/dp_m = (delta_jm - q_j) / sum(p)
            jac = (np.eye(k)[None] - q[:, :, None]) / total[:, :, None]  # [n, j, m]
            g = np.einsum("nj,njm->nm", dq, jac)
    elif name == "sparse_categorical_crossentropy":
        onehot = np.eye(k)[y[:, 0].astype(np.int64)]
        if from_logits:
            g = special.softmax(p, axis=-1) - onehot
        else:
            return gradient("categorical_crossentropy", onehot, p, sw, eps=eps, hi=hi)
    elif name == "kl_divergence":
        inside = (p > eps) & (p < 1)
        g = np.where(inside, -np.clip(y, eps, 1) / np.where(inside, p, 1.0), 0.0)
    elif name == "poisson":
        g = (1 - y / (p + eps)) / k
    elif name == "cosine_similarity":
        ny = np.sqrt(np.maximum(np.sum(y * y, -1, keepdims=True), eps * eps))
        pp = np.sum(p * p, -1, keepdims=True)
        npn = np.sqrt(np.maximum(pp, eps * eps))
        yp = np.sum(y * p, -1, keepdims=True)
        g = -(y / (ny * npn) - np.where(pp > eps * eps, yp * p / (ny * npn**3), 0.0))
    elif name == "log_cosh":
        g = np.tanh(p - y) / k
    elif name == "huber":
        e = p - y
        g = np.where(np.abs(e) <= delta, e, delta * np.sign(e)) / k
    else:
        raise ValueError(f"reference: unknown loss {name!r}")
    return g * r


def fused_gradient(name, y, p, sw=None, label_smoothing=0.0):
    """d(batch loss)/dz when p = softmax(z) (cce, scce) or sigmoid(z) (bce), ignoring clipping."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    n, k = p.shape
    sw = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    if name == "sparse_categorical_crossentropy":
        y = np.eye(k)[y[:, 0].astype(np.int64)]
        name = "categorical_crossentropy"
    t = _smooth(name, y, label_smoothing)
    if name == "categorical_crossentropy":
        g = p * t.sum(axis=-1, keepdims=True) - t
    elif name == "binary_crossentropy":
        g = (p - t) / k
    else:
        raise ValueError(f"no fused gradient for {name!r}")
    return g * (sw / n)[:, None]
