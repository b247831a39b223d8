"""Layers, Keras style: Dense, Activation (and ReLU/LeakyReLU/ELU/Softmax), Dropout, GaussianNoise,
GaussianDropout, AlphaDropout, BatchNormalization, LayerNormalization, Normalization, PReLU, Flatten,
Input and InputLayer.

A layer here is a description. It builds its own row of the kernels' layer table (spec()), says
how wide its output is, initialises its own tensors and writes its own config; the model only
strings layers together, so adding a kind never means editing isinstance chains elsewhere. Its
weights live in the model's flat buffers (fastnn/engine/layout.py); once the model is built,
get_weights()/set_weights() read and write views of them, in Keras's order. Keras 1/2 spellings
(output_dim=, init=, bias=False, Dropout(p=...), W_regularizer=None) are accepted.

To add a layer kind: its kernel module (forward and backward side by side) and one branch in
kernels/network.py's layer_forward and layer_backward; its class here (spec, config); its NumPy
reference in fastnn/reference/layers.py.
"""
import math
import re

import numpy as np

from .. import activations as _activations
from .. import constraints as _constraints
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .._validation import number, positive_int
from ..engine.layout import LayerSpec

LAYER_CLASSES = {}  # class name -> class, for from_config (filled by Layer.__init_subclass__)


def _snake_case(name):
    """Keras's default layer names: Dense -> dense, BatchNormalization -> batch_normalization, ReLU -> re_lu."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def _input_shape(shape, layer):
    """A first layer's input_shape as a tuple of positive ints (without the batch axis)."""
    if shape is None:
        return None
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not shape or any(s is None for s in shape):
        raise ValueError(f"{layer}: the input shape must be fully known, e.g. (20,) or (28, 28), got {shape}.")
    return tuple(positive_int(s, f"{layer}: the input shape") for s in shape)


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


def _no_extras(owner, kwargs, *names):
    """Options fastnn does not support raise; None is fine."""
    for name in names:
        if kwargs.get(name) is not None:
            raise TypeError(f"{owner}: {name} is not supported by fastnn yet.")
        kwargs.pop(name, None)


def _take_rules(layer, kwargs, *tensors, keras1=None):
    """Pop `<tensor>_regularizer` and `<tensor>_constraint` for each named tensor (Keras 1/2's
    W_regularizer/b_constraint via keras1={'W': 'kernel', 'b': 'bias'}) into the layer."""
    for old, new in (keras1 or {}).items():
        for what in ("regularizer", "constraint"):
            if kwargs.get(f"{old}_{what}") is not None:
                kwargs[f"{new}_{what}"] = kwargs[f"{old}_{what}"]
            kwargs.pop(f"{old}_{what}", None)
    layer._regularizers = {t: _regularizers.get(kwargs.pop(f"{t}_regularizer", None)) for t in tensors}
    layer._constraints = {t: _constraints.get(kwargs.pop(f"{t}_constraint", None)) for t in tensors}


class Layer:
    """Base of all layers. `model` and `index` are set when the layer joins a model."""

    _counter = {}
    kind = None  # the kernel kind name; None for layers that need no kernel row (Flatten)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        LAYER_CLASSES[cls.__name__] = cls

    def __init__(self, name=None, input_dim=None, input_shape=None, batch_input_shape=None, trainable=True,
                 dtype=None, activity_regularizer=None, **kwargs):
        kwargs.pop("batch_size", None)
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected argument(s): {sorted(kwargs)}.")
        base = _snake_case(type(self).__name__)
        n = Layer._counter.get(base, 0)
        Layer._counter[base] = n + 1
        self.name = name or (base if n == 0 else f"{base}_{n}")
        if batch_input_shape is not None and input_shape is None:
            input_shape = tuple(batch_input_shape)[1:]
        if input_dim is not None and input_shape is not None:
            raise ValueError(f"{self.name}: give input_dim or input_shape, not both.")
        self.input_shape = ((positive_int(input_dim, f"{self.name}: input_dim"),) if input_dim is not None
                            else _input_shape(input_shape, self.name))
        self.trainable = bool(trainable)
        self.model = None
        self.index = None  # position in model.layers

    def __call__(self, inputs):
        """Functional API: Dense(8)(inputs) returns a symbolic output to chain; see models.Model."""
        return _call_symbolic(self, inputs)

    @property
    def input_dim(self):
        """The flat input width this layer declares (a first layer's input_dim/input_shape), or None."""
        return None if self.input_shape is None else math.prod(self.input_shape)

    # ---- what the model asks of every layer -----------------------------------------------------
    def output_width(self, width):
        return width

    def spec(self, width):
        """This layer's row of the kernels' layer table for an input of `width` features."""
        return LayerSpec(self.kind, width, self.output_width(width))

    def initialize(self, views, rng):
        """Fill this layer's tensors (views in get_weights order) with their initial values."""

    def tensor_names(self):
        """The names of this layer's trainable tensors, in get_weights order (for their rules)."""
        return []

    def tensor_rules(self):
        """(regularizer, constraint) per trainable tensor, in get_weights order (None: none)."""
        regs, cons = getattr(self, "_regularizers", {}), getattr(self, "_constraints", {})
        return [(regs.get(t), cons.get(t)) for t in self.tensor_names()]

    def base_config(self):
        cfg = {"class_name": type(self).__name__, "name": self.name}
        if self.input_shape is not None:
            cfg["input_shape"] = list(self.input_shape)
        if not self.trainable:
            cfg["trainable"] = False
        if self.activity_regularizer is not None:
            cfg["activity_regularizer"] = _regularizers.serialize(self.activity_regularizer)
        for t, reg in getattr(self, "_regularizers", {}).items():
            if reg is not None:
                cfg[f"{t}_regularizer"] = _regularizers.serialize(reg)
        for t, con in getattr(self, "_constraints", {}).items():
            if con is not None:
                cfg[f"{t}_constraint"] = _constraints.serialize(con)
        return cfg

    def get_config(self):
        return self.base_config()

    @classmethod
    def from_config(cls, config):
        """Keras's Layer.from_config: this class rebuilt from its get_config() (a 'class_name' entry,
        which fastnn's configs carry, must name this class)."""
        if not isinstance(config, dict):
            raise TypeError(f"{cls.__name__}.from_config: config must be a dict, got {type(config).__name__}.")
        named = config.get("class_name", cls.__name__)
        if named != cls.__name__:
            raise ValueError(f"{cls.__name__}.from_config: the config is for a {named}, not a {cls.__name__}; "
                             f"use fastnn.layers.from_config(config) to rebuild whatever class it names.")
        return from_config({**config, "class_name": cls.__name__})

    # ---- weights --------------------------------------------------------------------------------
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

    @property
    def trainable_weights(self):
        """Copies of this layer's weights that training updates (none while it is frozen)."""
        return [v.copy() for v in self._weights_views() if self.trainable and self._is_trained(v)]

    @property
    def non_trainable_weights(self):
        """Copies of the others: moving statistics, or every weight of a frozen layer."""
        return [v.copy() for v in self._weights_views() if not (self.trainable and self._is_trained(v))]

    def _is_trained(self, view):
        # trainable tensors live in the model's parameter buffer, statistics in its state buffer
        return np.shares_memory(view, self.model._params)

    def count_params(self):
        return sum(v.size for v in self._weights_views())


class Dense(Layer):
    """Densely connected layer: activation(x @ W + b).

    Args (Keras 3 defaults): units, activation=None (linear), use_bias=True,
    kernel_initializer='glorot_uniform', bias_initializer='zeros', input_dim=None,
    input_shape=None. Keras 1 spellings: output_dim= for units, init= for
    kernel_initializer, bias= for use_bias.
    """

    kind = "dense"

    def __init__(self, units=None, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", output_dim=None, init=None, bias=None, **kwargs):
        _take_rules(self, kwargs, "kernel", "bias", keras1={"W": "kernel", "b": "bias"})
        _no_extras("Dense", kwargs, "lora_rank")
        super().__init__(**kwargs)
        if units is None:
            units = output_dim
        elif output_dim is not None:
            raise ValueError("Dense: give units or output_dim, not both.")
        if units is None:
            raise ValueError("Dense: the number of units is required, e.g. Dense(20).")
        if self.input_shape is not None and len(self.input_shape) > 1:
            raise ValueError(f"{self.name}: input_shape={self.input_shape} is not flat; fastnn's Dense takes flat feature "
                             f"vectors. Put Flatten(input_shape={self.input_shape}) first.")
        self.units = positive_int(units, f"{self.name}: units")
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias if bias is None else bias)
        self.kernel_initializer = _initializers.get(init if init is not None else kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)

    def output_width(self, width):
        return self.units

    def tensor_names(self):
        return ["kernel", "bias"] if self.use_bias else ["kernel"]

    def spec(self, width):
        return LayerSpec("dense", width, self.units, ((width, self.units), (self.units,) if self.use_bias else None),
                         activation=self.activation)

    def initialize(self, views, rng):
        views[0][...] = self.kernel_initializer(views[0].shape, rng)
        if self.use_bias:
            views[1][...] = self.bias_initializer(views[1].shape, rng)

    def get_config(self):
        return {**self.base_config(), "units": self.units, "activation": self.activation.get_config(),
                "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer.get_config(),
                "bias_initializer": self.bias_initializer.get_config()}

    @property
    def kernel(self):
        """A copy of the (inputs, units) weight matrix (Keras's layer.kernel); None before the model is built."""
        views = self._weights_views()
        return views[0].copy() if views else None

    @property
    def bias(self):
        """A copy of the bias vector (Keras's layer.bias); None without one or before the model is built."""
        views = self._weights_views()
        return views[1].copy() if self.use_bias and views else None

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation.name!r})"


class Activation(Layer):
    """Applies an activation to its input: Activation('tanh')."""

    kind = "activation"

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)

    def spec(self, width):
        return LayerSpec("activation", width, width, activation=self.activation)

    def get_config(self):
        return {**self.base_config(), "class_name": "Activation", "activation": self.activation.get_config()}

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
        number("LeakyReLU", "negative_slope", slope, low=0)  # the layer, unlike the function, rejects < 0 (Keras 3)
        super().__init__(_activations.ActivationFunction("leaky_relu", negative_slope=slope), **kwargs)


class ELU(Activation):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(_activations.ActivationFunction("elu", alpha=alpha), **kwargs)


class Softmax(Activation):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(_activations.ActivationFunction("softmax", axis=axis), **kwargs)


# ---- dropout and noise: active in training only -----------------------------------------------------

def _seed(owner, seed):
    """A noise layer's seed: None or an integer, as Keras 3 requires (kept for the config: the masks
    come from the model's seed)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{owner}: seed must be an integer or None, got {seed!r}.")
    return int(seed)


def _noise_shape(owner, noise_shape):
    """Keras's noise_shape for (batch, features) data as (share over samples, share over features)."""
    if noise_shape is None:
        return 0.0, 0.0
    shape = tuple(noise_shape)
    if len(shape) != 2 or any(s is not None and (not isinstance(s, (int, np.integer)) or s < 1) for s in shape):
        raise ValueError(f"{owner}: noise_shape must be (batch, features) with None or 1 entries for fastnn's flat "
                         f"feature vectors, e.g. (None, 1); got {noise_shape!r}.")
    return float(shape[0] == 1), float(shape[1] == 1)


class Dropout(Layer):
    """Dropout(rate, noise_shape=None, seed=None): in training, zero each input with probability
    `rate` and scale the rest by 1/(1 - rate); the identity otherwise. Keras 1: Dropout(p=...).
    Masks come from the model's seed (fastnn draws them inside the training kernel), so `seed` is
    kept for the config only."""

    kind = "dropout"

    def __init__(self, rate=None, noise_shape=None, seed=None, p=None, **kwargs):
        super().__init__(**kwargs)
        if rate is None:
            rate = p
        if rate is None:
            raise ValueError(f"{type(self).__name__}: the rate is required, e.g. Dropout(0.2).")
        self.rate = number(type(self).__name__, "rate", rate, low=0, high=1, high_open=True)
        self.noise_shape = None if noise_shape is None else list(noise_shape)
        self._share = _noise_shape(type(self).__name__, noise_shape)
        self.seed = _seed(type(self).__name__, seed)

    def spec(self, width):
        features = None if self.noise_shape is None else self.noise_shape[1]
        if features not in (None, 1, width):  # Keras: the mask must broadcast to (batch, width)
            raise ValueError(f"{self.name}: noise_shape {tuple(self.noise_shape)} does not fit inputs of {width} "
                             f"features; its second entry must be None, 1 or {width}.")
        return LayerSpec(self.kind, width, width, kind_params=(self.rate, *self._share), aux=True)

    def get_config(self):
        return {**self.base_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}

    def __repr__(self):
        return f"{type(self).__name__}({self.rate})"


class AlphaDropout(Dropout):
    """AlphaDropout(rate, noise_shape=None, seed=None): dropout that keeps SELU's self-normalisation
    (dropped values become SELU's saturation, then an affine map restores mean and variance)."""

    kind = "alpha_dropout"


class GaussianDropout(Layer):
    """GaussianDropout(rate, seed=None): multiply by N(1, rate/(1 - rate)) in training."""

    kind = "gaussian_dropout"

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = number("GaussianDropout", "rate", rate, low=0, high=1, high_open=True)
        self.seed = _seed("GaussianDropout", seed)

    def spec(self, width):
        return LayerSpec(self.kind, width, width, kind_params=(self.rate,), aux=True)

    def get_config(self):
        return {**self.base_config(), "rate": self.rate, "seed": self.seed}


class GaussianNoise(Layer):
    """GaussianNoise(stddev, seed=None): add N(0, stddev^2) in training (stddev in [0, 1], as Keras 3)."""

    kind = "gaussian_noise"

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = number("GaussianNoise", "stddev", stddev, low=0, high=1)
        self.seed = _seed("GaussianNoise", seed)

    def spec(self, width):
        return LayerSpec(self.kind, width, width, kind_params=(self.stddev,), aux=True)

    def get_config(self):
        return {**self.base_config(), "stddev": self.stddev, "seed": self.seed}


# ---- normalisation ----------------------------------------------------------------------------------

def _feature_axis(owner, axis):
    if axis not in (-1, 1, [-1], [1], (-1,), (1,)):
        raise ValueError(f"{owner}: fastnn normalises over the feature axis of flat inputs (axis=-1); got "
                         f"axis={axis!r}.")
    return -1


class BatchNormalization(Layer):
    """BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
    beta_initializer='zeros', gamma_initializer='ones', moving_mean_initializer='zeros',
    moving_variance_initializer='ones'): batch statistics (biased variance) in training, the moving
    ones otherwise; moving = moving * momentum + batch * (1 - momentum). Weights in Keras's order:
    gamma, beta, moving_mean, moving_variance (absent ones left out), so they copy across from Keras."""

    kind = "batch_normalization"

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 renorm=False, synchronized=False, mode=0, **kwargs):
        _take_rules(self, kwargs, "gamma", "beta")
        _no_extras("BatchNormalization", kwargs, "renorm_clipping")
        kwargs.pop("renorm_momentum", None)
        super().__init__(**kwargs)
        if renorm or synchronized:
            raise TypeError("BatchNormalization: renorm and synchronized are not supported by fastnn.")
        if mode not in (0, None):
            raise ValueError(f"BatchNormalization: Keras 1's mode={mode} is not supported (mode=0 is Keras 2/3's).")
        self.axis = _feature_axis("BatchNormalization", axis)
        self.momentum = number("BatchNormalization", "momentum", momentum, low=0, high=1)
        self.epsilon = number("BatchNormalization", "epsilon", epsilon, low=0, low_open=True)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _initializers.get(beta_initializer)
        self.gamma_initializer = _initializers.get(gamma_initializer)
        self.moving_mean_initializer = _initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = _initializers.get(moving_variance_initializer)

    def tensor_names(self):
        return (["gamma"] if self.scale else []) + (["beta"] if self.center else [])

    def spec(self, width):
        return LayerSpec(self.kind, width, width, ((width,) if self.scale else None, (width,) if self.center else None),
                         state=((width,), (width,)), kind_params=(self.epsilon, self.momentum), aux=True)

    def initialize(self, views, rng):
        inits = ([self.gamma_initializer] if self.scale else []) + ([self.beta_initializer] if self.center else []) \
            + [self.moving_mean_initializer, self.moving_variance_initializer]
        for view, init in zip(views, inits):
            view[...] = init(view.shape, rng)

    def get_config(self):
        return {**self.base_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": self.beta_initializer.get_config(),
                "gamma_initializer": self.gamma_initializer.get_config(),
                "moving_mean_initializer": self.moving_mean_initializer.get_config(),
                "moving_variance_initializer": self.moving_variance_initializer.get_config()}


class LayerNormalization(Layer):
    """LayerNormalization(axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer='zeros',
    gamma_initializer='ones'): each sample normalised over its features, the same in training and
    inference. Weights: gamma, beta."""

    kind = "layer_normalization"

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", rms_scaling=False, **kwargs):
        _take_rules(self, kwargs, "gamma", "beta")
        super().__init__(**kwargs)
        if rms_scaling:
            raise TypeError("LayerNormalization: rms_scaling (deprecated in Keras 3) is not supported by fastnn.")
        self.axis = _feature_axis("LayerNormalization", axis)
        self.epsilon = number("LayerNormalization", "epsilon", epsilon, low=0, low_open=True)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _initializers.get(beta_initializer)
        self.gamma_initializer = _initializers.get(gamma_initializer)

    def tensor_names(self):
        return (["gamma"] if self.scale else []) + (["beta"] if self.center else [])

    def spec(self, width):
        return LayerSpec(self.kind, width, width, ((width,) if self.scale else None, (width,) if self.center else None),
                         kind_params=(self.epsilon,), aux=True)

    def initialize(self, views, rng):
        inits = ([self.gamma_initializer] if self.scale else []) + ([self.beta_initializer] if self.center else [])
        for view, init in zip(views, inits):
            view[...] = init(view.shape, rng)

    def get_config(self):
        return {**self.base_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "beta_initializer": self.beta_initializer.get_config(),
                "gamma_initializer": self.gamma_initializer.get_config()}


class ActivityRegularization(Activation):
    """ActivityRegularization(l1=0.0, l2=0.0): the identity, adding (l1 sum|x| + l2 sum x^2) / batch
    size of its input to the loss (Keras 3)."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__("linear", activity_regularizer=_regularizers.L1L2(l1, l2), **kwargs)
        self.l1, self.l2 = self.activity_regularizer.l1, self.activity_regularizer.l2

    def get_config(self):
        cfg = {k: v for k, v in self.base_config().items() if k != "activity_regularizer"}
        return {**cfg, "l1": self.l1, "l2": self.l2}

    def __repr__(self):
        return f"ActivityRegularization(l1={self.l1:g}, l2={self.l2:g})"


class Normalization(Layer):
    """Normalization(axis=-1, mean=None, variance=None, invert=False): y = (x - mean) / sqrt(variance)
    per feature (the standard deviation floored at 1e-7), the same in training and inference.
    mean and variance are given, or learned from data by adapt(x) (biased variance, as Keras);
    they are non-trainable state. invert=True maps normalised values back. Weights: mean, variance."""

    kind = "normalization"

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = _feature_axis("Normalization", axis)
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: give both mean and variance, or neither (and call adapt(x)).")
        self.invert = bool(invert)
        self._given = None if mean is None else (self._statistic("mean", mean), self._statistic("variance", variance))
        if self._given is not None and np.any(self._given[1] < 0):
            raise ValueError("Normalization: variance must be non-negative.")
        self._adapted = None  # (mean, variance) from adapt() before the model was built

    @staticmethod
    def _statistic(what, value):
        arr = np.asarray(value, dtype=np.float64).reshape(-1)
        if arr.size == 0 or not np.all(np.isfinite(arr)):
            raise ValueError(f"Normalization: {what} must be finite numbers, got {value!r}.")
        return arr

    def adapt(self, data):
        """Set mean and variance from data (samples, features): the per-feature mean and biased
        variance, as keras.layers.Normalization.adapt."""
        arr = np.asarray(data.to_numpy() if hasattr(data, "to_numpy") else data)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        arr = arr.reshape(len(arr), -1) if arr.ndim > 2 else arr
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) or len(arr) == 0:
            raise ValueError(f"Normalization.adapt: data must be a non-empty numeric array, got dtype {arr.dtype} "
                             f"and shape {arr.shape}.")
        arr = arr.astype(np.float64)
        if not np.all(np.isfinite(arr)):
            raise ValueError("Normalization.adapt: data contains NaN or inf; drop or impute them first.")
        mean, var = arr.mean(axis=0), arr.var(axis=0)
        views = self._weights_views()
        if views:
            if views[0].shape != mean.shape:
                raise ValueError(f"Normalization.adapt: data has {mean.size} features, the layer has "
                                 f"{views[0].size}.")
            assign_weights(views, [mean, var], self.name)
        self._adapted = (mean, var)

    def spec(self, width):
        for stats in (self._adapted, self._given):
            if stats is not None and stats[0].size not in (1, width):
                raise ValueError(f"Normalization: {stats[0].size} mean/variance values for {width} input features.")
        return LayerSpec(self.kind, width, width, (), state=((width,), (width,)), kind_params=(float(self.invert),))

    def initialize(self, views, rng):
        mean, var = self._adapted or self._given or (np.zeros(1), np.ones(1))
        views[0][...] = mean
        views[1][...] = var

    def get_config(self):
        cfg = {**self.base_config(), "axis": self.axis, "invert": self.invert, "mean": None, "variance": None}
        if self._given is not None:
            cfg["mean"], cfg["variance"] = self._given[0].tolist(), self._given[1].tolist()
        return cfg


class PReLU(Layer):
    """PReLU(alpha_initializer='zeros', shared_axes=None): x for x > 0, alpha x otherwise, with one
    trainable alpha per feature (starting at 0: a ReLU)."""

    kind = "prelu"

    def __init__(self, alpha_initializer="zeros", shared_axes=None, init=None, **kwargs):
        _take_rules(self, kwargs, "alpha")
        kwargs.pop("weights", None)
        super().__init__(**kwargs)
        if shared_axes is not None:
            raise ValueError("PReLU: shared_axes is for images; fastnn's flat inputs have one alpha per feature "
                             "(shared_axes=None).")
        self.alpha_initializer = _initializers.get(init if init is not None else alpha_initializer)

    def tensor_names(self):
        return ["alpha"]

    def spec(self, width):
        return LayerSpec(self.kind, width, width, ((width,),))

    def initialize(self, views, rng):
        views[0][...] = self.alpha_initializer(views[0].shape, rng)

    def get_config(self):
        return {**self.base_config(), "alpha_initializer": self.alpha_initializer.get_config()}


class Flatten(Layer):
    """Flatten(data_format=None): rows of any shape become flat feature vectors, row-major as in Keras
    (channels_first data is transposed to channels-last order first). As the first layer it gives the
    model its input shape (Flatten(input_shape=(28, 28))); it needs no kernel of its own."""

    kind = None

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"Flatten: data_format must be 'channels_last' or 'channels_first', got {data_format!r}.")
        from ..backend import image_data_format

        self.data_format = data_format or image_data_format()

    def get_config(self):
        return {**self.base_config(), "data_format": self.data_format}


class InputSpec:
    """What Input(shape=(5,)) returns: a marker giving the model its input shape, and the start of a
    functional chain (Dense(8)(inputs); see SymbolicTensor)."""

    def __init__(self, shape, name=None):
        self.shape = shape
        self.width = math.prod(shape)
        self.name = name
        self.consumers = 0  # how many layers were called on it (a chain has one)

    def __repr__(self):
        return f"Input(shape={self.shape})"


class SymbolicTensor:
    """The output of a layer called on an Input or on another layer's output, in the functional API:
    `x = Dense(8)(inputs)`. It records the chain; fastnn.models.Model(inputs, outputs) turns a
    chain into a Sequential."""

    def __init__(self, layer, parent):
        self.layer, self.parent = layer, parent
        self.consumers = 0

    def __repr__(self):
        return f"<output of {self.layer.name}>"


def _call_symbolic(layer, inputs):
    if isinstance(inputs, (list, tuple)):
        raise ValueError(f"{layer.name}: called on {len(inputs)} tensors. fastnn's functional API builds chains "
                         f"(one input, each layer feeding the next); merging branches (Concatenate, Add) is not "
                         f"supported.")
    if not isinstance(inputs, (InputSpec, SymbolicTensor)):
        raise TypeError(f"{layer.name}: a layer is called on Input(...) or on another layer's output to build a "
                        f"model; to compute on data, put it in a model and call model.predict(x).")
    inputs.consumers += 1
    return SymbolicTensor(layer, inputs)


def Input(shape=None, batch_size=None, name=None, dtype=None, **kwargs):
    """Input(shape=(n_features,)) (or (28, 28) followed by Flatten) as the first element of Sequential([...])."""
    if shape is None:
        shape = kwargs.pop("batch_shape", None)
        shape = tuple(shape)[1:] if shape is not None else None
    if shape is None:
        raise ValueError("Input: shape is required, e.g. Input(shape=(5,)).")
    return InputSpec(_input_shape(shape, "Input"), name=name)


class InputLayer(InputSpec):
    """Keras's InputLayer as the first element of a Sequential: InputLayer(shape=(n,)) (Keras 3),
    InputLayer(input_shape=(n,)) or InputLayer(batch_input_shape=(None, n)) (Keras 1/2). Like Input,
    it only gives the model its input shape."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, input_tensor=None,
                 optional=False, name=None, input_shape=None, batch_input_shape=None, **kwargs):
        if kwargs:
            raise TypeError(f"InputLayer got unexpected argument(s): {sorted(kwargs)}.")
        if sparse or input_tensor is not None or optional:
            raise TypeError("InputLayer: sparse, input_tensor and optional inputs are not supported (fastnn takes "
                            "dense (samples, features) arrays).")
        batch_shape = batch_shape if batch_shape is not None else batch_input_shape
        shape = shape if shape is not None else input_shape
        if shape is None and batch_shape is not None:
            shape = tuple(batch_shape)[1:]
        if shape is None:
            raise ValueError("InputLayer: the shape is required, e.g. InputLayer(shape=(5,)).")
        super().__init__(_input_shape(shape, "InputLayer"), name=name)


def from_config(config):
    """Rebuild a layer from get_config(): the class named in the config, with the rest as arguments."""
    cfg = dict(config)
    kind = cfg.pop("class_name")
    if kind not in LAYER_CLASSES:
        raise ValueError(f"Unknown layer class {kind!r} in the model config.")
    if "input_dim" in cfg:  # files written before input_shape
        dim = cfg.pop("input_dim")
        if dim is not None:
            cfg["input_shape"] = [dim]
    return LAYER_CLASSES[kind](**cfg)
