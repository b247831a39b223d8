"""Layers, Keras style: Dense, Activation (and the ReLU/LeakyReLU/ELU/Softmax layers), Input.

A layer here is a description: its weights live in the model's flat parameter buffer
(fastnn/engine/layout.py), and after the model is built get_weights()/set_weights() read and write
that buffer. Keras 1 spellings (output_dim=, init=, bias=False) are accepted.
"""
import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from ._validation import positive_int


def _width_from_shape(shape, layer):
    if shape is None:
        return None
    shape = tuple(shape) if not isinstance(shape, (int, np.integer)) else (shape,)
    if len(shape) != 1 or shape[0] is None:
        raise ValueError(
            f"{layer}: fastnn models take flat feature vectors, so the input shape must be "
            f"(n_features,), got {shape}. Flatten your data first (x.reshape(len(x), -1))."
        )
    return positive_int(shape[0], f"{layer}: the input width")


def assign_weights(views, weights, owner):
    """Copy `weights` into the buffer views after checking count, shapes and finiteness (all
    checked before anything is written, so a bad list changes nothing)."""
    weights = list(weights)
    if len(weights) != len(views):
        raise ValueError(f"{owner}: expected {len(views)} weight arrays, got {len(weights)}.")
    arrays = [np.asarray(w) for w in weights]
    for i, (view, new) in enumerate(zip(views, arrays)):
        if new.shape != view.shape:
            raise ValueError(f"{owner}: weight {i} must have shape {view.shape}, got {new.shape}.")
        if not np.all(np.isfinite(new)):
            raise ValueError(f"{owner}: weight {i} contains NaN or inf.")
    for view, new in zip(views, arrays):
        view[...] = new


class Layer:
    """Base of all layers. `model` and `index` are set when a model is built."""

    _counter = {}

    def __init__(self, name=None, input_dim=None, input_shape=None, batch_input_shape=None, **kwargs):
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected argument(s): {sorted(kwargs)}.")
        base = type(self).__name__.lower()
        n = Layer._counter.get(base, 0)
        Layer._counter[base] = n + 1
        self.name = name or (base if n == 0 else f"{base}_{n}")
        if batch_input_shape is not None and input_shape is None:
            input_shape = tuple(batch_input_shape)[1:]
        if input_dim is not None and input_shape is not None:
            raise ValueError(f"{self.name}: give input_dim or input_shape, not both.")
        self.input_dim = (
            positive_int(input_dim, f"{self.name}: input_dim") if input_dim is not None
            else _width_from_shape(input_shape, self.name)
        )
        self.model = None
        self.index = None  # position in model.layers

    # set by the model when it builds its layout
    def _weights_views(self):
        if self.model is None or not self.model.built:
            return []
        return self.model._layer_weight_views(self)

    def get_weights(self):
        return [v.copy() for v in self._weights_views()]

    def set_weights(self, weights):
        assign_weights(self._weights_views(), weights, self.name)

    @property
    def weights(self):
        return self.get_weights()

    def count_params(self):
        return sum(v.size for v in self._weights_views())


class Dense(Layer):
    """Densely connected layer: activation(x @ W + b).

    Args (Keras 3 defaults): units, activation=None (linear), use_bias=True,
    kernel_initializer='glorot_uniform', bias_initializer='zeros', input_dim=None,
    input_shape=None. Keras 1 spellings: output_dim= for units, init= for
    kernel_initializer, bias= for use_bias.
    """

    def __init__(self, units=None, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", output_dim=None, init=None, bias=None, **kwargs):
        for k in ("kernel_regularizer", "bias_regularizer", "activity_regularizer",
                  "kernel_constraint", "bias_constraint", "W_regularizer", "b_regularizer"):
            if kwargs.get(k) is not None:
                raise TypeError(f"Dense: {k} is not supported by fastnn yet.")
            kwargs.pop(k, None)
        super().__init__(**kwargs)
        if units is None:
            units = output_dim
        elif output_dim is not None:
            raise ValueError("Dense: give units or output_dim, not both.")
        if units is None:
            raise ValueError("Dense: the number of units is required, e.g. Dense(20).")
        self.units = positive_int(units, f"{self.name}: units")
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias if bias is None else bias)
        self.kernel_initializer = _initializers.get(init if init is not None else kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)

    def get_config(self):
        return {
            "class_name": "Dense",
            "name": self.name,
            "units": self.units,
            "activation": self.activation.get_config(),
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer.get_config(),
            "bias_initializer": self.bias_initializer.get_config(),
            "input_dim": self.input_dim,
        }

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation.name!r})"


class Activation(Layer):
    """Applies an activation to its input: Activation('tanh')."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)

    def get_config(self):
        return {"class_name": "Activation", "name": self.name, "activation": self.activation.get_config(),
                "input_dim": self.input_dim}

    def __repr__(self):
        return f"Activation({self.activation.name!r})"


class ReLU(Activation):
    """ReLU layer: ReLU(max_value=None, negative_slope=0.0, threshold=0.0)."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(_activations.ActivationFunction(
            "relu", max_value=max_value, negative_slope=negative_slope, threshold=threshold), **kwargs)


class LeakyReLU(Activation):
    """LeakyReLU layer; its default slope is 0.3 (the function's is 0.2), as in Keras 3."""

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        slope = negative_slope if alpha is None else alpha  # Keras 2 spelling: alpha=
        super().__init__(_activations.ActivationFunction("leaky_relu", negative_slope=slope), **kwargs)


class ELU(Activation):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(_activations.ActivationFunction("elu", alpha=alpha), **kwargs)


class Softmax(Activation):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(_activations.ActivationFunction("softmax", axis=axis), **kwargs)


class InputSpec:
    """What Input(shape=(5,)) returns: a marker giving the model its input width."""

    def __init__(self, width, name=None):
        self.width = width
        self.name = name

    def __repr__(self):
        return f"Input(shape=({self.width},))"


def Input(shape=None, batch_size=None, name=None, dtype=None, **kwargs):
    """Input(shape=(n_features,)) as the first element of Sequential([...])."""
    if shape is None:
        shape = kwargs.pop("batch_shape", None)
        shape = tuple(shape)[1:] if shape is not None else None
    if shape is None:
        raise ValueError("Input: shape is required, e.g. Input(shape=(5,)).")
    return InputSpec(_width_from_shape(shape, "Input"), name=name)


def from_config(config):
    """Rebuild a layer from get_config()."""
    cfg = dict(config)
    kind = cfg.pop("class_name")
    if kind == "Dense":
        return Dense(
            cfg["units"], activation=cfg["activation"], use_bias=cfg["use_bias"],
            kernel_initializer=cfg["kernel_initializer"], bias_initializer=cfg["bias_initializer"],
            input_dim=cfg.get("input_dim"), name=cfg.get("name"),
        )
    if kind == "Activation":
        return Activation(cfg["activation"], input_dim=cfg.get("input_dim"), name=cfg.get("name"))
    raise ValueError(f"Unknown layer class {kind!r} in the model config.")
