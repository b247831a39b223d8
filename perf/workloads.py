"""The benchmark workloads, their data, and each framework's idiomatic version of them.

S  the seed tutorial: 250x5, 5-20-1 tanh, hinge, Adam, batch 32, 150 epochs, validation_split 0.2
L  60000x784 random, 784-256-256-10 relu/relu/softmax, sparse CCE, Adam, batch 128, 1 epoch
P  single-row predict on the seed model

Each peer builds a fresh model per repetition and times only what a user's fit/predict call
costs (for Keras, that includes tracing/compiling the train step, which it does per model).
Peers are written as their documentation teaches; they run in separate worker processes so
their threads and environment variables cannot disturb each other (perf/run.py).
"""
import time

import numpy as np

S_EPOCHS, S_BATCH, S_VAL = 150, 32, 0.2
L_ROWS, L_FEATURES, L_CLASSES, L_BATCH = 60000, 784, 10, 128
# the matrix products' floating-point operations per sample: forward 2 per weight, the weight
# gradients 2 per weight, the input gradients 2 per weight of every layer but the first (no peer
# computes the data's own gradient)
L_FLOPS_PER_SAMPLE = 4 * (784 * 256 + 256 * 256 + 256 * 10) + 2 * (256 * 256 + 256 * 10)


def s_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((250, 5)).astype(np.float32)
    return x, ((x.sum(axis=1) > 2.5) * 2 - 1).astype(np.float32)


def l_data(rows=L_ROWS, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((rows, L_FEATURES), dtype=np.float32), rng.integers(0, L_CLASSES, rows)


# ---- fastnn --------------------------------------------------------------------------------

class Fastnn:
    name = "fastnn"

    def __init__(self):
        import fastnn

        self.fastnn = fastnn

    def s_model(self):
        f = self.fastnn
        model = f.Sequential([f.Dense(20, input_dim=5, activation="tanh"), f.Dense(1, activation="tanh")], seed=0)
        model.compile(f.Adam(learning_rate=0.001), "hinge", metrics=["accuracy"])
        return model

    def fit_s(self, x, y, epochs=S_EPOCHS):
        # one fit takes milliseconds, so one repetition is the median of enough fits to last
        # ~0.3 s: a single noisy millisecond on this shared machine would otherwise swing it
        times = []
        while sum(times) < 0.3 or len(times) < 5:
            model = self.s_model()
            t0 = time.perf_counter()
            model.fit(x, y, epochs=epochs, batch_size=S_BATCH, validation_split=S_VAL, verbose=0)
            times.append(time.perf_counter() - t0)
        return float(np.median(times))

    def l_model(self, hidden=256):
        f = self.fastnn
        model = f.Sequential([f.Dense(hidden, input_dim=L_FEATURES, activation="relu"), f.Dense(hidden, activation="relu"),
                              f.Dense(L_CLASSES, activation="softmax")], seed=0)
        model.compile(f.Adam(learning_rate=0.001), "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    def fit_l(self, x, y):
        model = self.l_model()
        model.fit(x[:2 * L_BATCH], y[:2 * L_BATCH], batch_size=L_BATCH, verbose=0)  # warm
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=L_BATCH, epochs=1, verbose=0)
        return time.perf_counter() - t0

    def fit_m(self, x, y):
        # Keras's classic MNIST MLP: 784-512-512-10 relu, Dropout 0.2 after each hidden layer, RMSprop
        f = self.fastnn
        model = f.Sequential([f.Dense(512, input_dim=L_FEATURES, activation="relu"), f.layers.Dropout(0.2),
                              f.Dense(512, activation="relu"), f.layers.Dropout(0.2),
                              f.Dense(L_CLASSES, activation="softmax")], seed=0)
        model.compile(f.RMSprop(), "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x[:2 * L_BATCH], y[:2 * L_BATCH], batch_size=L_BATCH, verbose=0)  # warm
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=L_BATCH, epochs=1, verbose=0)
        return time.perf_counter() - t0

    def predict_p(self, x, calls=20000):
        model = self.s_model()
        row = x[:1]
        model.predict(row)
        t0 = time.perf_counter()
        for _ in range(calls):
            model.predict(row)
        return (time.perf_counter() - t0) / calls


# ---- the NumPy reference trainer (fastnn/reference) --------------------------------------------

class NumpyReference:
    name = "numpy reference"

    def __init__(self):
        from fastnn.reference.optimizers import ReferenceOptimizer
        from fastnn.reference.trainer import ReferenceMLP

        self.mlp, self.opt = ReferenceMLP, ReferenceOptimizer

    def _model(self, sizes, acts, seed=0):
        rng = np.random.default_rng(seed)
        weights = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            limit = np.sqrt(6 / (n_in + n_out))
            weights.append((rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32), np.zeros(n_out, np.float32)))
        return self.mlp([(a, {}) for a in acts], weights, dtype=np.float32)

    def fit_s(self, x, y, epochs=S_EPOCHS):
        model = self._model([5, 20, 1], ["tanh", "tanh"])
        split = int(len(x) * (1 - S_VAL))
        y2 = y.reshape(-1, 1)
        t0 = time.perf_counter()
        model.fit(x[:split], y2[:split], "hinge", self.opt("adam"), epochs, S_BATCH, order="numpy",
                  validation=(x[split:], y2[split:], np.ones(len(x) - split)))
        return time.perf_counter() - t0

    def fit_l(self, x, y):
        model = self._model([L_FEATURES, 256, 256, L_CLASSES], ["relu", "relu", "softmax"])
        t0 = time.perf_counter()
        model.fit(x, y.reshape(-1, 1).astype(np.float32), "sparse_categorical_crossentropy", self.opt("adam"), 1,
                  L_BATCH, order="numpy")
        return time.perf_counter() - t0

    def predict_p(self, x, calls=2000):
        model = self._model([5, 20, 1], ["tanh", "tanh"])
        row = x[:1]
        t0 = time.perf_counter()
        for _ in range(calls):
            model.predict(row)
        return (time.perf_counter() - t0) / calls


# ---- PyTorch: the standard eager loop -------------------------------------------------------

class Torch:
    name = "pytorch"

    def __init__(self, threads):
        import torch

        torch.set_num_threads(threads)
        self.torch = torch

    def s_model(self):
        nn = self.torch.nn
        self.torch.manual_seed(0)
        return nn.Sequential(nn.Linear(5, 20), nn.Tanh(), nn.Linear(20, 1), nn.Tanh())

    def fit_s(self, x, y, epochs=S_EPOCHS):
        torch = self.torch
        split = int(len(x) * (1 - S_VAL))
        xt, yt = torch.from_numpy(x[:split]), torch.from_numpy(y[:split]).unsqueeze(1)
        xv, yv = torch.from_numpy(x[split:]), torch.from_numpy(y[split:]).unsqueeze(1)
        model = self.s_model()
        opt = torch.optim.Adam(model.parameters(), lr=0.001)

        def hinge(p, t):
            return torch.clamp(1 - p * t, min=0).mean()

        t0 = time.perf_counter()
        for _ in range(epochs):
            model.train()
            perm = torch.randperm(split)
            for i in range(0, split, S_BATCH):
                idx = perm[i:i + S_BATCH]
                opt.zero_grad()
                loss = hinge(model(xt[idx]), yt[idx])
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                hinge(model(xv), yv).item()
        return time.perf_counter() - t0

    def fit_l(self, x, y):
        torch = self.torch
        nn = torch.nn
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(L_FEATURES, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, L_CLASSES))
        return self._timed_epoch(model, torch.optim.Adam(model.parameters(), lr=0.001), x, y)

    def _timed_epoch(self, model, opt, x, y):
        """One shuffled epoch of the standard eager loop, after a short warm-up; returns its seconds."""
        torch = self.torch
        loss_fn = torch.nn.CrossEntropyLoss()  # softmax + sparse CCE, fused as PyTorch teaches
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)

        def epoch(n):
            perm = torch.randperm(n)
            for i in range(0, n, L_BATCH):
                idx = perm[i:i + L_BATCH]
                opt.zero_grad()
                loss_fn(model(xt[idx]), yt[idx]).backward()
                opt.step()

        epoch(2 * L_BATCH)  # warm
        t0 = time.perf_counter()
        epoch(len(x))
        return time.perf_counter() - t0

    def fit_m(self, x, y):
        torch = self.torch
        nn = torch.nn
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(L_FEATURES, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 512), nn.ReLU(),
                              nn.Dropout(0.2), nn.Linear(512, L_CLASSES))
        model.train()  # dropout on
        opt = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)  # Keras's defaults
        return self._timed_epoch(model, opt, x, y)

    def predict_p(self, x, calls=5000):
        torch = self.torch
        model = self.s_model().eval()
        row = x[:1]
        with torch.no_grad():
            model(torch.from_numpy(row)).numpy()
            t0 = time.perf_counter()
            for _ in range(calls):
                model(torch.from_numpy(row)).numpy()
        return (time.perf_counter() - t0) / calls


# ---- Keras 3 on JAX -------------------------------------------------------------------------

class Keras:
    name = "keras 3 (jax)"

    def __init__(self):
        import keras  # KERAS_BACKEND=jax is set by the worker before this import

        self.keras = keras

    def s_model(self):
        k = self.keras
        k.utils.set_random_seed(0)
        model = k.Sequential([k.Input(shape=(5,)), k.layers.Dense(20, activation="tanh"),
                              k.layers.Dense(1, activation="tanh")])
        model.compile(k.optimizers.Adam(learning_rate=0.001), "hinge", metrics=["accuracy"])
        return model

    def fit_s(self, x, y, epochs=S_EPOCHS):
        model = self.s_model()
        t0 = time.perf_counter()
        model.fit(x, y, epochs=epochs, batch_size=S_BATCH, validation_split=S_VAL, verbose=0)
        return time.perf_counter() - t0

    def fit_l(self, x, y):
        k = self.keras
        k.utils.set_random_seed(0)
        model = k.Sequential([k.Input(shape=(L_FEATURES,)), k.layers.Dense(256, activation="relu"),
                              k.layers.Dense(256, activation="relu"), k.layers.Dense(L_CLASSES, activation="softmax")])
        model.compile(k.optimizers.Adam(learning_rate=0.001), "sparse_categorical_crossentropy", metrics=["accuracy"])
        tail = len(x) % L_BATCH or L_BATCH
        model.fit(x[:L_BATCH + tail], y[:L_BATCH + tail], batch_size=L_BATCH, verbose=0)  # compile both batch shapes
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=L_BATCH, epochs=1, verbose=0)
        return time.perf_counter() - t0

    def fit_m(self, x, y):
        k = self.keras
        k.utils.set_random_seed(0)
        model = k.Sequential([k.Input(shape=(L_FEATURES,)), k.layers.Dense(512, activation="relu"),
                              k.layers.Dropout(0.2), k.layers.Dense(512, activation="relu"), k.layers.Dropout(0.2),
                              k.layers.Dense(L_CLASSES, activation="softmax")])
        model.compile(k.optimizers.RMSprop(), "sparse_categorical_crossentropy", metrics=["accuracy"])
        tail = len(x) % L_BATCH or L_BATCH
        model.fit(x[:L_BATCH + tail], y[:L_BATCH + tail], batch_size=L_BATCH, verbose=0)
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=L_BATCH, epochs=1, verbose=0)
        return time.perf_counter() - t0

    def predict_p(self, x, calls=200):
        model = self.s_model()
        row = x[:1]
        model.predict(row, verbose=0)
        t0 = time.perf_counter()
        for _ in range(calls):
            model.predict(row, verbose=0)
        return (time.perf_counter() - t0) / calls
