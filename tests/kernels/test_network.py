"""Whole-network forward/backward over the flat buffers vs the reference MLP and finite
differences: loop and BLAS layers mixed, Activation layers folded or standalone."""
import numpy as np
import pytest

from fastnn import Activation, Dense, Sequential
from fastnn.kernels import codes as C
from fastnn.kernels.losses import loss_backward
from fastnn.kernels.network import network_backward, network_forward
from fastnn.engine.layout import Layout
from fastnn.losses import Loss
from fastnn.reference.trainer import ReferenceMLP
from tests.conftest import central_difference


def build(layers, n_in, blas_min_weights=None):
    model = Sequential(layers, dtype="float64", seed=3)
    model.build(n_in)
    if blas_min_weights is not None:  # re-lay the same model with another BLAS threshold
        model._layout = Layout(model._layout.specs, np.float64, blas_min_weights=blas_min_weights,
                               blas_min_side=1)
    return model


def kernel_gradients(model, x, y, loss):
    layout = model._layout
    B = len(x)
    ws = layout.workspace(B)
    xT = layout.input_block(x)  # flat feature-major (n_in, B), or rows for a first layer on BLAS
    assert network_forward(model._net(), xT, ws.work, B, True)
    out = layout.output_rows(ws.work, B)
    grads = np.full(layout.n_params, np.nan)
    fused = loss.name == "categorical_crossentropy" and layout.layers[-1, C.L_ACT] == C.code_of("softmax")
    dout = np.empty_like(out)
    loss_backward(dout, out, y, np.ones(B), B, loss.code, loss.param_vector(np.float64), fused)
    ws.d_cur[:out.size] = dout.T.reshape(-1)
    assert network_backward(model._net(), grads, xT, ws.work, B, ws.d_cur, ws.d_next, fused)
    return out, grads


def reference_of(model):
    acts, weights = [], []
    for layer in model.layers:
        if isinstance(layer, Dense):
            acts.append((layer.activation.name, dict(layer.activation.params)))
            weights.append(tuple(layer.get_weights()) if layer.use_bias else (layer.get_weights()[0], None))
        else:  # an Activation layer after a linear Dense replaces that Dense's activation
            assert acts[-1][0] == "linear"
            acts[-1] = (layer.activation.name, dict(layer.activation.params))
    return ReferenceMLP(acts, weights)


ARCHS = {
    "tanh-tanh": lambda: [Dense(20, activation="tanh"), Dense(1, activation="tanh")],
    "relu-softmax": lambda: [Dense(16, activation="relu"), Dense(3, activation="softmax")],
    "mixed-nobias": lambda: [Dense(70, activation="gelu", use_bias=False), Dense(80, activation="selu"),
                             Dense(4, activation="linear")],
    "dense+Activation": lambda: [Dense(12), Activation("softplus"), Dense(3), Activation("softmax")],
}


@pytest.mark.parametrize("blas", [None, 1, 10**9], ids=["auto", "all-blas", "all-loops"])
@pytest.mark.parametrize("arch", ARCHS)
def test_network_gradients_match_reference(arch, blas, rng):
    model = build(ARCHS[arch](), 6, blas)
    n_out = model._layout.n_out
    x = rng.normal(size=(9, 6))
    loss = Loss("categorical_crossentropy" if n_out > 1 and "softmax" in arch else "mse")
    y = np.eye(n_out)[rng.integers(0, n_out, 9)] if loss.name != "mse" else rng.normal(size=(9, n_out))
    out, grads = kernel_gradients(model, x, y, loss)
    reference = reference_of(model)
    np.testing.assert_allclose(out, reference.predict(x), rtol=1e-12, atol=1e-13)
    _, ref_grads = reference.gradients(x, y, np.ones(9), loss.name, {})
    expected = np.concatenate([np.concatenate([gw.ravel()] + ([] if gb is None else [gb])) for gw, gb in ref_grads])
    np.testing.assert_allclose(grads, expected, rtol=1e-10, atol=1e-12)


def test_standalone_activation_layer_and_finite_differences(rng):
    # tanh then Activation('sigmoid') cannot fold (the Dense is not linear): its own table row
    model = build([Dense(5, activation="tanh"), Activation("sigmoid"), Dense(2)], 3)
    assert model._layout.layers.shape[0] == 3 and model._layout.layers[1, C.L_KIND] == C.code_of("activation")
    x = rng.normal(size=(4, 3))
    y = rng.normal(size=(4, 2))
    loss = Loss("mse")
    _, grads = kernel_gradients(model, x, y, loss)

    def loss_of(params):
        saved = model._params.copy()
        model._params[:] = params
        out, _ = kernel_gradients(model, x, y, loss)
        model._params[:] = saved
        return float(np.mean((out - y) ** 2))

    np.testing.assert_allclose(grads, central_difference(loss_of, model._params.copy()), rtol=1e-6, atol=1e-9)
