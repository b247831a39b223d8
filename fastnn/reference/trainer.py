"""Reference trainer: a plain NumPy MLP trained with the reference activations, losses and
optimizers. It is the oracle for whole training trajectories (tests) and the baseline that
perf/ measures fastnn against.

Batch order: with order='fastnn' the per-epoch shuffle re-implements fastnn's SplitMix64 +
Fisher-Yates in pure Python, so a trajectory can be compared step for step; order='numpy'
uses NumPy's permutation (what a NumPy user would write; used by perf/).
"""
import numpy as np

from . import activations as act
from . import losses as L

_MASK = (1 << 64) - 1


def _next_u64(state):
    state[0] = (state[0] + 0x9E3779B97F4A7C15) & _MASK
    z = state[0]
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def fastnn_order(n, state):
    """The permutation fastnn's kernel draws for one epoch (state: [int], updated)."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = ((_next_u64(state) >> 32) * (i + 1)) >> 32  # multiply-shift, not modulo
        order[i], order[j] = order[j], order[i]
    return np.array(order)


class ReferenceMLP:
    """layers: list of (activation name, activation params); weights: list of (W, b or None)."""

    def __init__(self, activations, weights, dtype=np.float64, penalties=None, activity=None, constraints=None):
        """penalties: per layer ((l1, l2) for W or None, (l1, l2) for b or None); activity: per layer
        (l1, l2) or None on its output; constraints: per layer (projection for W, for b)."""
        self.activations = list(activations)
        self.weights = [(np.array(w, dtype=dtype), None if b is None else np.array(b, dtype=dtype)) for w, b in weights]
        self.dtype = dtype
        n = len(self.weights)
        self.penalties = penalties or [(None, None)] * n
        self.activity = activity or [None] * n
        self.constraints = constraints or [(None, None)] * n

    def weight_penalty(self):
        total = 0.0
        for (w, b), rules in zip(self.weights, self.penalties):
            for t, rule in zip((w, b), rules):
                if rule is not None and t is not None:
                    total += rule[0] * np.sum(np.abs(t)) + rule[1] * np.sum(t * t)
        return total

    def activity_sum(self, cache):
        return sum(rule[0] * np.sum(np.abs(a)) + rule[1] * np.sum(a * a)
                   for (_, _, a), rule in zip(cache, self.activity) if rule is not None)

    def forward(self, x):
        """Output and the (input, z, a) of every layer."""
        cache = []
        h = np.asarray(x, dtype=self.dtype)
        for (w, b), (name, params) in zip(self.weights, self.activations):
            z = h @ w + (0 if b is None else b)
            a = act.forward(name, z, **params)
            cache.append((h, z, a))
            h = a
        return h, cache

    def predict(self, x):
        return self.forward(x)[0]

    def _fused(self, loss_name, options):
        last = self.activations[-1][0]
        if options.get("from_logits"):
            return False
        return (last == "softmax" and loss_name in ("categorical_crossentropy", "sparse_categorical_crossentropy")) or (
            last == "sigmoid" and loss_name == "binary_crossentropy")

    def gradients(self, x, y, sw, loss_name, options):
        """Batch loss and the gradient of every (W, b)."""
        out, cache = self.forward(x)
        n = len(x)
        batch_loss = float(np.sum(sw * L.values(loss_name, y, out, **options)) / n)
        batch_loss += self.weight_penalty() + self.activity_sum(cache) / n  # Keras: at full strength
        fused = self._fused(loss_name, options) and self.activity[-1] is None
        if fused:
            opts = {k: v for k, v in options.items() if k == "label_smoothing"}
            d = L.fused_gradient(loss_name, y, out, sw, **opts)
        else:
            d = L.gradient(loss_name, y, out, sw, **options)
        grads = []
        for i in range(len(self.weights) - 1, -1, -1):
            h, z, a = cache[i]
            name, params = self.activations[i]
            if self.activity[i] is not None:
                l1, l2 = self.activity[i]
                d = d + (l1 * np.sign(a) + 2 * l2 * a) / n
            if not (fused and i == len(self.weights) - 1):
                d = act.vjp(name, z, d, **params)
            w, b = self.weights[i]
            gw, gb = h.T @ d, None if b is None else d.sum(axis=0)
            (pw, pb) = self.penalties[i]
            if pw is not None:
                gw = gw + pw[0] * np.sign(w) + 2 * pw[1] * w
            if pb is not None and b is not None:
                gb = gb + pb[0] * np.sign(b) + 2 * pb[1] * b
            grads.append((gw, gb))
            d = d @ w.T
        return batch_loss, grads[::-1]

    def evaluate(self, x, y, sw, loss_name, options):
        out, cache = self.forward(x)
        loss = float(np.sum(sw * L.values(loss_name, y, out, **options)) / len(x))
        return loss + self.weight_penalty() + self.activity_sum(cache) / len(x)

    def fit(self, x, y, loss_name, optimizer, epochs, batch_size, sw=None, options=None, shuffle=True,
            shuffle_state=0, order="fastnn", validation=None, rng=None):
        """Train in place; returns {'loss': [...], 'val_loss': [...]} per epoch."""
        options = options or {}
        x = np.asarray(x, dtype=self.dtype)
        y = np.asarray(y, dtype=self.dtype)
        n = len(x)
        sw = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
        state = [int(shuffle_state)]
        rng = rng or np.random.default_rng(0)
        history = {"loss": [], "val_loss": []}
        for _ in range(epochs):
            if not shuffle:
                idx = np.arange(n)
            elif order == "fastnn":
                idx = fastnn_order(n, state)
            else:
                idx = rng.permutation(n)
            total = 0.0
            for start in range(0, n, batch_size):
                batch = idx[start:start + batch_size]
                loss, grads = self.gradients(x[batch], y[batch], sw[batch], loss_name, options)
                total += loss * len(batch)
                variables, flat_grads, projections = [], [], []
                for (w, b), (gw, gb), (cw, cb) in zip(self.weights, grads, self.constraints):
                    variables.append(w)
                    flat_grads.append(gw)
                    projections.append(cw)
                    if b is not None:
                        variables.append(b)
                        flat_grads.append(gb)
                        projections.append(cb)
                optimizer.step(variables, flat_grads, projections)
            history["loss"].append(total / n)
            if validation is not None:
                xv, yv, swv = validation
                history["val_loss"].append(self.evaluate(xv, yv, swv, loss_name, options))
        return history
