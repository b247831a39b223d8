"""An l2 kernel regularizer, a MaxNorm constraint and a CosineDecay schedule: fastnn (float64) against the
NumPy reference trainer (fastnn/reference), compared after every optimizer step.
    python examples/parity_l2_maxnorm_cosine.py
"""
import numpy as np
from fastnn import Dense, Sequential, regularizers, constraints
from fastnn.optimizers import SGD, schedules as S
from fastnn.reference import schedules as RS
from fastnn.reference.optimizers import ReferenceOptimizer
from fastnn.reference.trainer import ReferenceMLP

rng = np.random.default_rng(4)
x = rng.normal(size=(48, 4)); y = np.stack([x[:, 0] - x[:, 1], np.tanh(x[:, 2])], axis=1)
model = Sequential([Dense(6, activation="tanh", input_dim=4, kernel_regularizer=regularizers.L2(0.01),
                          kernel_constraint=constraints.MaxNorm(0.8)), Dense(2)], dtype="float64", seed=9)
model.compile(SGD(learning_rate=S.CosineDecay(0.2, decay_steps=30, alpha=0.1)), "mse")
w0 = model.get_weights()
ref = ReferenceMLP([("tanh", {}), ("linear", {})], [(w0[0], w0[1]), (w0[2], w0[3])],
                   penalties=[((0.0, 0.01), None), (None, None)],
                   constraints=[(RS.constraint("max_norm", max_value=0.8), None), (None, None)])
opt = ReferenceOptimizer("sgd", learning_rate=RS.schedule("cosine_decay", initial_learning_rate=0.2, decay_steps=30,
                                                          alpha=0.1))
worst_loss = worst_w = 0.0
print("step  lr          fastnn loss        reference loss     max |w diff|   max col norm")
for step in range(40):  # one batch per epoch: every epoch is one optimizer step
    lr = model.optimizer.learning_rate
    h = model.fit(x, y, epochs=1, batch_size=48, shuffle=False, verbose=0).history["loss"][0]
    r = ref.fit(x, y, "mean_squared_error", opt, epochs=1, batch_size=48, shuffle=False)["loss"][0]
    diff = max(np.abs(a - b).max() for a, b in zip(model.get_weights(), [t for wb in ref.weights for t in wb]))
    worst_loss, worst_w = max(worst_loss, abs(h - r) / abs(r)), max(worst_w, diff)
    if step % 8 == 0 or step == 39:
        print(f"{step:4d}  {lr:.6f}  {h:.15f}  {r:.15f}  {diff:.2e}      "
              f"{np.linalg.norm(model.get_weights()[0], axis=0).max():.6f}")
print(f"40 steps: max relative loss difference {worst_loss:.2e}, max absolute weight difference {worst_w:.2e}")
