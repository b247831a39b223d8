"""fastnn.activations: names, get(), parameters by keyword, and clear errors."""
import numpy as np
import pytest

from fastnn import activations
from fastnn.reference import activations as ref


def test_every_keras3_elementwise_activation_is_available():
    expected = {"linear", "relu", "leaky_relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "swish",
                "hard_sigmoid", "hard_silu", "hard_swish", "sigmoid", "tanh", "softsign", "softplus",
                "exponential", "mish", "log_sigmoid", "hard_tanh", "tanh_shrink", "squareplus", "sparse_plus",
                "sparse_sigmoid", "soft_shrink", "hard_shrink", "softmax", "log_softmax"}
    assert expected <= set(activations.names())


def test_get_applies_the_kernel_with_keyword_parameters(rng):
    x = rng.normal(size=(4, 5))
    np.testing.assert_allclose(activations.get("relu")(x, negative_slope=0.1),
                               ref.forward("relu", x, negative_slope=0.1), rtol=1e-15)
    np.testing.assert_allclose(activations.relu(x, max_value=1.0), np.clip(x, 0, 1))
    np.testing.assert_allclose(activations.get("gelu")(x, approximate=True), ref.forward("gelu", x, approximate=True),
                               rtol=1e-12)


def test_aliases_and_none():
    assert activations.get("swish").name == "silu"
    assert activations.get("hard_swish").name == "hard_silu"
    assert activations.get(None).name == "linear"
    assert activations.get("Tanh").name == "tanh"


def test_shapes_and_dtypes_are_preserved(rng):
    x32 = rng.normal(size=(2, 3, 4)).astype(np.float32)
    out = activations.softmax(x32)
    assert out.shape == x32.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-6)
    assert activations.tanh(0.5) == pytest.approx(np.tanh(0.5))
    assert activations.relu([1, -2, 3]).tolist() == [1.0, 0.0, 3.0]


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'sigmoid'") as err:
        activations.get("sigmod")
    assert "softplus" in str(err.value)  # and lists the valid names


def test_bad_parameters_are_clear_errors():
    with pytest.raises(TypeError, match="slope"):
        activations.get("relu")(np.ones(2), slope=0.1)
    with pytest.raises(ValueError, match="negative_slope must be >= 0"):
        activations.ActivationFunction("relu", negative_slope=-1.0)
    with pytest.raises(ValueError, match="finite"):
        activations.ActivationFunction("elu", alpha=float("nan"))
    with pytest.raises(ValueError, match="last axis"):
        activations.ActivationFunction("softmax", axis=0)


def test_arbitrary_python_callables_are_refused():
    with pytest.raises(TypeError, match="compiled kernels"):
        activations.get(lambda x: x * 2)


def test_threshold_is_keras_3s_element_wise_threshold():
    # keras.activations.threshold(x, threshold, default_value): x where x > threshold (strictly)
    from fastnn import activations

    out = activations.threshold(np.array([-1.0, 0.0, 0.5, 2.0]), threshold=0.5, default_value=-3.0)
    np.testing.assert_array_equal(out, [-3.0, -3.0, -3.0, 2.0])
    assert "threshold" in activations.names()
