"""Reference optimizers: Keras 3 update rules over a LIST of variables (one array per weight
tensor), written from Keras 3's keras/src/optimizers/*.py without the flat layout or the kernels.

    opt = ReferenceOptimizer('adam', learning_rate=0.001, clipnorm=1.0)
    opt.step(variables, grads)      # updates the arrays in place, keeps state per variable
"""
import numpy as np

DEFAULTS = {
    "sgd": dict(learning_rate=0.01, momentum=0.0, nesterov=False),
    "rmsprop": dict(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False),
    "adagrad": dict(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7),
    "adadelta": dict(learning_rate=0.001, rho=0.95, epsilon=1e-7),
    "adam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False),
    "adamw": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=0.004),
    "adamax": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
    "nadam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
}
COMMON = dict(weight_decay=None, clipnorm=None, global_clipnorm=None, clipvalue=None)


class ReferenceOptimizer:
    def __init__(self, name, **hp):
        self.name = name
        self.hp = {**COMMON, **DEFAULTS[name], **hp}
        self.t = 0  # steps taken
        self.state = None
        self.u_product = 1.0  # nadam

    def _clip(self, grads):
        h = self.hp
        if h["clipnorm"]:
            c = h["clipnorm"]
            return [g * c / max(np.linalg.norm(g), c) for g in grads]
        if h["global_clipnorm"]:
            c = h["global_clipnorm"]
            norm = np.sqrt(sum(np.sum(g * g) for g in grads))
            return [g * c / max(norm, c) for g in grads]
        if h["clipvalue"]:
            c = h["clipvalue"]
            return [np.clip(g, -c, c) for g in grads]
        return grads

    def step(self, variables, grads, constraints=None):
        """One update; `learning_rate` may be a function of the 0-based step (a schedule), and
        `constraints` (one projection or None per variable) follow the update, as Keras's apply."""
        h = self.hp
        grads = self._clip([np.asarray(g, dtype=np.float64) for g in grads])
        if self.state is None:
            init = h.get("initial_accumulator_value", 0.0) if self.name == "adagrad" else 0.0
            self.state = [{k: np.full(v.shape, init if k == "acc" else 0.0) for k in
                           ("m", "v", "vhat", "acc", "a", "edx")} for v in variables]
        lr = h["learning_rate"](self.t) if callable(h["learning_rate"]) else h["learning_rate"]
        if h["weight_decay"]:
            for w in variables:
                w -= w * h["weight_decay"] * lr
        self.t += 1
        t = self.t
        if self.name == "nadam":
            b1 = h["beta_1"]
            self.u_product *= b1 * (1 - 0.5 * 0.96**t)  # this step's u_t
        for w, g, s in zip(variables, grads, self.state):
            getattr(self, "_" + self.name.replace("adamw", "adam"))(w, g, s, lr, t)
        for w, project in zip(variables, constraints or []):
            if project is not None:
                w[...] = project(w)

    def _sgd(self, w, g, s, lr, t):
        mu = self.hp["momentum"]
        if mu == 0:
            w -= lr * g
            return
        s["m"] = mu * s["m"] - lr * g
        w += (mu * s["m"] - lr * g) if self.hp["nesterov"] else s["m"]

    def _rmsprop(self, w, g, s, lr, t):
        h = self.hp
        rho = h["rho"]
        s["v"] = rho * s["v"] + (1 - rho) * g * g
        den = s["v"] + h["epsilon"]
        if h["centered"]:
            s["a"] = rho * s["a"] + (1 - rho) * g
            den = den - s["a"] ** 2
        inc = lr * g / np.sqrt(den)
        if h["momentum"] > 0:
            s["m"] = h["momentum"] * s["m"] + inc
            w -= s["m"]
        else:
            w -= inc

    def _adagrad(self, w, g, s, lr, t):
        s["acc"] = s["acc"] + g * g
        w -= lr * g / np.sqrt(s["acc"] + self.hp["epsilon"])

    def _adadelta(self, w, g, s, lr, t):
        rho, eps = self.hp["rho"], self.hp["epsilon"]
        s["v"] = rho * s["v"] + (1 - rho) * g * g
        delta = -np.sqrt(s["edx"] + eps) / np.sqrt(s["v"] + eps) * g
        s["edx"] = rho * s["edx"] + (1 - rho) * delta * delta
        w += lr * delta

    def _adam(self, w, g, s, lr, t):
        h = self.hp
        b1, b2 = h["beta_1"], h["beta_2"]
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        v = s["v"]
        if h["amsgrad"]:
            s["vhat"] = np.maximum(s["vhat"], s["v"])
            v = s["vhat"]
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        w -= alpha * s["m"] / (np.sqrt(v) + h["epsilon"])

    def _adamax(self, w, g, s, lr, t):
        h = self.hp
        b1, b2 = h["beta_1"], h["beta_2"]
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = np.maximum(b2 * s["v"], np.abs(g))
        w -= lr / (1 - b1**t) * s["m"] / (s["v"] + h["epsilon"])

    def _nadam(self, w, g, s, lr, t):
        h = self.hp
        b1, b2 = h["beta_1"], h["beta_2"]
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        m_hat = u_next * s["m"] / (1 - self.u_product * u_next) + (1 - u_t) * g / (1 - self.u_product)
        v_hat = s["v"] / (1 - b2**t)
        w -= lr * m_hat / (np.sqrt(v_hat) + h["epsilon"])
