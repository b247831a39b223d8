"""The optimizer kernel vs the NumPy reference (every optimizer x option, 25 steps, multi-layer
layout) and vs Keras 3's goldens, through the public apply()."""
import numpy as np
import pytest

from fastnn import optimizers
from fastnn.kernels.optimizers import optimizer_step
from fastnn.reference.optimizers import ReferenceOptimizer

VARIANTS = {
    "sgd": [{}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True}],
    "rmsprop": [{}, {"momentum": 0.5}, {"centered": True}, {"centered": True, "momentum": 0.3}],
    "adagrad": [{}, {"initial_accumulator_value": 0.0, "epsilon": 1e-3}],
    "adadelta": [{}, {"learning_rate": 1.0, "rho": 0.8}],
    "adam": [{}, {"amsgrad": True}, {"beta_1": 0.5, "beta_2": 0.7}],
    "adamw": [{}, {"weight_decay": 0.1, "amsgrad": True}],
    "adamax": [{}, {"beta_1": 0.85, "beta_2": 0.95}],
    "nadam": [{}, {"beta_1": 0.5, "beta_2": 0.67, "epsilon": 1e-5}],
}
COMMON = [{}, {"clipnorm": 0.5}, {"global_clipnorm": 0.7}, {"clipvalue": 0.05}, {"weight_decay": 0.01}]
CASES = [(name, {**v, **c}) for name, vs in VARIANTS.items() for v in vs for c in COMMON
         if not ("weight_decay" in c and "weight_decay" in v)]
IDS = [name + "".join(f"-{k}={val}" for k, val in hp.items()) for name, hp in CASES]

# a 3-layer layout: W (5, 4), b (4,), W (4, 3), b (3,), W (3, 1) (no bias)
SHAPES = [(5, 4), (4,), (4, 3), (3,), (3, 1)]


@pytest.mark.parametrize("name,hp", CASES, ids=IDS)
def test_kernel_matches_reference_over_25_steps(name, hp):
    rng = np.random.default_rng(5)
    variables = [rng.normal(size=s) for s in SHAPES]
    sizes = [v.size for v in variables]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    tensors = np.stack([offsets, sizes], axis=1).astype(np.int64)
    flat = np.concatenate([v.reshape(-1) for v in variables])
    opt = optimizers.get(name).__class__(**hp)
    opt.build(flat.size, np.float64)
    slots, state = opt.state_arrays()
    reference = ReferenceOptimizer(name, **hp)
    ref_vars = [v.copy() for v in variables]
    for step in range(25):
        grads = [rng.normal(0, 1 + step % 3, size=s) for s in SHAPES]
        flat_g = np.concatenate([g.reshape(-1) for g in grads])
        optimizer_step(flat, flat_g, slots, tensors, opt.code, opt.hyperparameters(), state)
        reference.step(ref_vars, grads)
        np.testing.assert_allclose(flat, np.concatenate([v.reshape(-1) for v in ref_vars]), rtol=1e-12, atol=1e-14)
    assert opt.iterations == 25


# ---- Keras 3 goldens (keras/src/optimizers/*_test.py) ----------------------

SINGLE_STEP = {
    "SGD": [0.5, -1.0, -0.5, 3.0],
    "Adam": [0.5, 1.5, 2.5, 3.5],
    "RMSprop": [-0.5811, 0.4189, 1.4189, 2.4189],
    "Adagrad": [0.5233, 1.5007, 2.5005, 3.5061],
    "Adadelta": [0.9993, 1.9993, 2.9993, 3.9993],
    "Adamax": [0.5, 1.5, 2.5, 3.5],
    "Nadam": [0.4686, 1.4686, 2.4686, 3.4686],
}


@pytest.mark.parametrize("cls", SINGLE_STEP)
def test_single_step_golden(cls):
    opt = getattr(optimizers, cls)(learning_rate=0.5)
    x = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    opt.apply(np.array([1.0, 6.0, 7.0, 2.0], dtype=np.float32), x)
    np.testing.assert_allclose(x, SINGLE_STEP[cls], rtol=1e-4, atol=1e-4)


GOLDEN = {
    "adam_amsgrad": (lambda: optimizers.Adam(amsgrad=True),
                     np.repeat([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], 10, axis=1)),
    "rmsprop_centered": (lambda: optimizers.RMSprop(centered=True),
                         np.repeat([[0.9967], [0.9933], [0.9908], [0.9885], [0.9864]], 10, axis=1)),
    "adadelta": (lambda: optimizers.Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-6),
                 np.repeat([[0.9978], [0.9947], [0.9915], [0.9882], [0.9849]], 10, axis=1)),
    "sgd_nesterov": (lambda: optimizers.SGD(nesterov=True),
                     np.array([0.9999 - i * 0.01 * np.arange(0.1, 1.1, 0.1) for i in range(5)])),
    "adagrad": (lambda: optimizers.Adagrad(learning_rate=0.2, initial_accumulator_value=0.3, epsilon=1e-6), np.array([
        [0.9963] * 10,
        [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
        [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
        [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
        [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825]])),
    "adamax": (lambda: optimizers.Adamax(learning_rate=0.2, beta_1=0.85, beta_2=0.95, epsilon=1e-6), np.array([
        [0.8] * 10,
        [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
        [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
        [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
        [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126]])),
    "nadam": (lambda: optimizers.Nadam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5), np.array([
        [0.4281] * 10,
        [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
        [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
        [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
        [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454]])),
}


@pytest.mark.parametrize("key", GOLDEN)
def test_correctness_with_golden(key):
    make, golden = GOLDEN[key]
    opt = make()
    x = np.ones(10, dtype=np.float32)
    opt.apply(np.full(10, 0.01, dtype=np.float32), x)
    grads = np.arange(0.1, 1.1, 0.1).astype(np.float32)
    for row in golden:
        np.testing.assert_allclose(x, row, rtol=5e-4, atol=5e-4)
        opt.apply(grads, x)


@pytest.mark.parametrize("cls", ["SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam", "AdamW"])
def test_weight_decay_golden(cls):
    # keras test_weight_decay: zero gradient, var = 2, lr = 1, wd = 0.004, three steps -> 2 * 0.996^3
    opt = getattr(optimizers, cls)(learning_rate=1.0, weight_decay=0.004)
    var = np.array([2.0], dtype=np.float32)
    for _ in range(3):
        opt.apply(np.zeros(1, dtype=np.float32), var)
    assert var[0] == pytest.approx(1.9760959, rel=1e-6)


def test_clip_goldens():
    var = np.zeros(2, dtype=np.float32)
    before = var.copy()
    optimizers.SGD(learning_rate=1.0, clipnorm=1.0).apply(np.array([100.0, 100.0], np.float32), var)
    np.testing.assert_allclose(before - var, [np.sqrt(2) / 2] * 2, rtol=1e-6)
    var = np.zeros(2, dtype=np.float32)
    optimizers.SGD(learning_rate=1.0, clipvalue=1.0).apply(np.array([100.0, 100.0], np.float32), var)
    np.testing.assert_allclose(-var, [1.0, 1.0])


def test_tf_keras_momentum_example():
    # gradient_descent_test.py MomentumOptimizerTest.testBasic
    opt = optimizers.SGD(learning_rate=2.0, momentum=0.9)
    var = np.array([1.0, 2.0])
    opt.apply(np.array([0.1, 0.1]), var)
    np.testing.assert_allclose(var, [0.8, 1.8], rtol=1e-12)
    np.testing.assert_allclose(opt.get_state()[0][0], [-0.2, -0.2], rtol=1e-12)
    opt.apply(np.array([0.1, 0.1]), var)
    np.testing.assert_allclose(var, [0.42, 1.42], rtol=1e-12)
    np.testing.assert_allclose(opt.get_state()[0][0], [-0.38, -0.38], rtol=1e-12)


def test_clipnorm_is_per_tensor_not_global():
    w, b = np.zeros(2), np.zeros(1)
    optimizers.SGD(learning_rate=1.0, clipnorm=1.0).apply([np.array([3.0, 4.0]), np.array([0.5])], [w, b])
    np.testing.assert_allclose(w, [-0.6, -0.8])  # norm 5 -> scaled to 1
    np.testing.assert_allclose(b, [-0.5])  # norm 0.5 < 1: untouched (a global clip would scale it)


@pytest.mark.parametrize("cls,inside", [("RMSprop", True), ("Adagrad", True), ("Adam", False)])
def test_epsilon_placement_with_tiny_gradients(cls, inside):
    # g = 1e-9: with eps inside the sqrt the step is lr * g / sqrt(g^2 + eps) ~ lr * 3e-6;
    # outside it would be lr * g / (|g| + eps) ~ lr * 0.01. Keras 3: inside for RMSprop/Adagrad,
    # on the raw sqrt(v) for Adam.
    g = 1e-9
    opt = getattr(optimizers, cls)(learning_rate=1.0, **({"initial_accumulator_value": 0.0} if cls == "Adagrad" else {}))
    var = np.zeros(1)
    opt.apply(np.array([g]), var)
    step = -var[0]
    if cls == "RMSprop":
        expected_inside, expected_outside = g / np.sqrt(0.1 * g * g + 1e-7), g / (np.sqrt(0.1 * g * g) + 1e-7)
    elif cls == "Adagrad":
        expected_inside, expected_outside = g / np.sqrt(g * g + 1e-7), g / (np.sqrt(g * g) + 1e-7)
    else:  # Adam t=1: alpha = sqrt(1 - b2) / (1 - b1); m = 0.1 g; sqrt(v) = sqrt(0.001) |g|
        alpha = np.sqrt(1 - 0.999) / (1 - 0.9)
        expected_outside = alpha * 0.1 * g / (np.sqrt(0.001) * g + 1e-7)
        expected_inside = alpha * 0.1 * g / np.sqrt(0.001 * g * g + 1e-7)
    assert abs(expected_inside - expected_outside) > 100 * abs(expected_outside) or \
        abs(expected_inside - expected_outside) > 0.5 * max(expected_inside, expected_outside)
    assert step == pytest.approx(expected_inside if inside else expected_outside, rel=1e-9)
