"""Sequential: a Keras-compatible stack of layers (Dense, Dropout, BatchNormalization, ...) over flat buffers.

The model owns the flat parameter array (fastnn/engine/layout.py) and the compile settings; the
training loop lives in fastnn/engine/loop.py, saving in fastnn/saving.py. A Keras tutorial that
builds a Sequential of Dense layers runs with only its imports changed.
"""
import math
import os
import threading

import numpy as np

from . import _validation as V
from . import config
from . import losses as _losses
from . import optimizers as _optimizers
from . import random as _random
from . import tabular
from .engine import memory
from .engine.layout import Layout
from .kernels.args import Net
from .layers import InputSpec, Layer, SymbolicTensor, _call_symbolic, assign_weights


class Sequential:
    """A linear stack of layers.

    Sequential(layers=None, name=None, dtype=None, seed=None): dtype 'float32' (default,
    fast) or 'float64' (exact); seed fixes weight initialization and shuffling (otherwise
    fastnn.utils.set_random_seed's sequence, or fresh entropy).
    """

    def __init__(self, layers=None, name=None, dtype=None, seed=None):
        self.name = name or "sequential"
        self.dtype = config.resolve_dtype(dtype)
        self._seed = _random.model_seed(seed)
        self._init_rng, self._shuffle_state, self._noise = _random.generators(self._seed)
        self.layers = []
        self._input_shape = None  # one sample's shape: (features,), or e.g. (28, 28) before a Flatten
        self._layout = None
        self._params = None
        self._state = None  # non-trainable tensors (BatchNormalization's moving statistics)
        self._row_of = {}  # id(layer) -> layout row holding its tensors
        self._workspaces = threading.local()  # evaluate/predict scratch buffers, one set per thread
        self._fit_lock = threading.RLock()  # one fit at a time: fit owns the weights and optimizer state
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self._metric_identifiers = None
        self.feature_names = None  # the DataFrame column names of the first fit (fastnn/tabular.py)
        self._pending_weights = []  # (layer, weights) copied from a nested Sequential, set at build
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # ---- structure ----------------------------------------------------------------------
    def add(self, layer):
        if isinstance(layer, Sequential):
            self._add_nested(layer)
            return
        if isinstance(layer, InputSpec):
            if self.layers:
                raise ValueError("Input(...) must come first in a Sequential model.")
            self._input_shape = layer.shape
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add takes a fastnn layer (Dense, Dropout, ...), got {layer!r}.")
        if self.built:
            raise ValueError("Cannot add layers to a model that is already built (trained or weights set).")
        if layer.kind is None and self.layers:  # Flatten: only where the data comes in
            raise ValueError(f"{layer.name}: Flatten must be the first layer (the model's inputs are flattened "
                             f"as they come in; every later layer already sees flat feature vectors).")
        if layer.input_shape is not None:
            if self.layers:
                expected = self._width_after(self.layers)
                if expected is not None and layer.input_dim != expected:
                    raise ValueError(f"{layer.name}: input_dim={layer.input_dim} but the previous layer "
                                     f"outputs {expected}.")
            elif self._input_shape is not None and math.prod(self._input_shape) != layer.input_dim:
                raise ValueError(f"{layer.name}: input shape {layer.input_shape} but Input has {self._input_shape}.")
            else:
                self._input_shape = layer.input_shape
        if layer.kind == "dense" and not self.layers and self._input_shape is not None \
                and len(self._input_shape) > 1:
            raise ValueError(f"{layer.name}: the input shape {self._input_shape} is not flat; put Flatten() first.")
        self.layers.append(layer)
        layer.index = len(self.layers) - 1
        layer.model = self  # the model is built lazily, once every layer is known

    def _add_nested(self, inner):
        """A Sequential used as a layer is flattened into this chain: copies of its layers (from their
        configs), carrying its current weights when it has any. Unlike Keras, the weights are copied,
        not shared: training the outer model leaves the inner one as it was."""
        from .layers import from_config as layer_from_config

        if not self.layers and self._input_shape is None and inner._input_shape is not None:
            self._input_shape = inner._input_shape
        weights = [layer.get_weights() for layer in inner.layers] if inner.built else None
        for i, sub in enumerate(inner.layers):
            cfg = sub.get_config()
            cfg.pop("input_shape", None)  # the chain's width is known from here on
            copy = layer_from_config(cfg)
            self.add(copy)
            if weights is not None and weights[i]:
                self._pending_weights.append((copy, weights[i]))

    def pop(self):
        if self.built:
            raise ValueError("Cannot pop layers from a built model.")
        return self.layers.pop()

    def _width_after(self, layers):
        """The width coming out of `layers` (None while the input width is unknown)."""
        width = None if self._input_shape is None else math.prod(self._input_shape)
        for layer in layers:
            width = layer.output_width(width)  # a Dense fixes its width even when the input's is unknown
        return width

    @property
    def built(self):
        return self._layout is not None

    @property
    def input_dim(self):
        return None if self._input_shape is None else math.prod(self._input_shape)

    @property
    def input_shape(self):
        """Keras's (None, *sample shape): the batch axis first, as None (None while unknown)."""
        return None if self._input_shape is None else (None, *self._input_shape)

    @property
    def output_shape(self):
        """Keras's (None, outputs) (None while the input width is unknown)."""
        width = self.output_dim
        return None if width is None else (None, width)

    @property
    def trainable_weights(self):
        """Copies of the weights training updates, layer by layer (Keras order; none of a frozen layer)."""
        self._ensure_built()
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        """Copies of the rest: BatchNormalization's moving statistics, Normalization's, frozen layers'."""
        self._ensure_built()
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    @property
    def output_dim(self):
        return self._width_after(self.layers)

    def build(self, input_dim=None, initialize=True):
        """Lay out the flat buffers and initialize the weights. Called automatically by
        fit/predict/get_weights once the input width is known."""
        if self.built:
            return
        layout = self._plan_layout(input_dim)
        self._params = memory.zeros(layout.n_params, self.dtype, "params")
        self._state = np.zeros(layout.n_state, dtype=self.dtype)
        self._layout = layout
        if not initialize:  # load_model fills the weights itself
            return
        for layer in self.layers:
            layer.initialize(self._layer_weight_views(layer), self._init_rng)
        for layer, weights in getattr(self, "_pending_weights", []):  # from a nested, trained Sequential
            layer.set_weights(weights)
        self._pending_weights = []

    def _plan_layout(self, input_dim=None):
        """The Layout of this architecture (sizes and offsets; no parameter buffer yet)."""
        if input_dim is not None:
            if self._input_shape is not None and input_dim != self.input_dim:
                raise ValueError(f"The model expects {self.input_dim} input features, got {input_dim}.")
            self._input_shape = (int(input_dim),)
        if self._input_shape is None:
            raise ValueError(
                "The model does not know its input width: give the first layer input_dim= or "
                "input_shape=, start with Input(shape=(n,)), or call fit/predict with data first."
            )
        specs, self._row_of = self._layer_specs()
        if not specs:
            raise ValueError("The model has no layer that computes anything: add at least one Dense layer.")
        return Layout(specs, self.dtype)

    def _layer_specs(self):
        """Each layer's own row for the kernels. An Activation right after a linear Dense is folded
        into that Dense's row (same math, no extra pass); Flatten needs no row."""
        specs, row_of = [], {}
        width = self.input_dim
        folded_into_last = False
        for layer in self.layers:
            if layer.kind is None:
                continue
            spec = layer.spec(width)
            last = specs[-1] if specs else None
            if (spec.kind == "activation" and last is not None and last.kind == "dense"
                    and last.activation.name == "linear" and not folded_into_last
                    and self.layers[self.layers.index(layer) - 1].activity_regularizer is None):
                specs[-1] = last._replace(activation=spec.activation)
                folded_into_last = True
            else:
                specs.append(spec)
                folded_into_last = False
            row_of[id(layer)] = len(specs) - 1
            width = spec.n_out
        return specs, row_of

    def _layer_weight_views(self, layer):
        if id(layer) not in self._row_of or self._layout.specs[self._row_of[id(layer)]].kind != layer.kind:
            return []  # Flatten, or an Activation folded into the Dense before it
        return self._layout.views(self._params, self._state, self._row_of[id(layer)])

    def _ensure_built(self, n_features=None):
        if not self.built:
            self.build(n_features)

    def _rows(self, x, what="x", learn_names=False):
        """x as (samples, features): a DataFrame's columns matched to the model's feature names
        (fit with learn_names=True remembers them the first time); when the model takes multi-
        dimensional samples (it starts with Flatten, or its input shape is like (28, 28)), each
        sample flattened row-major as Keras does (channels_first data moved to channels-last order
        first). Anything else is returned as is."""
        x = V.single_entry(x, what)
        if tabular.is_dataframe(x):
            names = getattr(self, "feature_names", None)
            x, columns = tabular.dataframe_values(x, what, names)
            if learn_names and names is None:
                self.feature_names = columns
        elif tabular.is_series(x):
            x = tabular.series_values(x, what)
        first = self.layers[0] if self.layers else None
        flatten = first is not None and first.kind is None
        shape = self._input_shape
        if not flatten and (shape is None or len(shape) == 1):
            return x
        arr = np.asarray(x)
        if arr.ndim <= 2 and (shape is None or len(shape) == 1 or arr.ndim < len(shape) + 1):
            return arr  # already flat (or a bad shape that V.features will name)
        if shape is not None and arr.shape[1:] != tuple(shape) and not (
                len(shape) == 1 and math.prod(arr.shape[1:]) == shape[0]):
            raise ValueError(f"{what} has samples of shape {arr.shape[1:]} but the model takes {tuple(shape)}.")
        if flatten and first.data_format == "channels_first" and arr.ndim > 2:
            arr = np.moveaxis(arr, 1, -1)
        return arr.reshape(len(arr), -1)

    def _sync_trainable(self, slots=None):
        """layer.trainable into the layout, read at the start of every fit (as Keras reads it at
        compile): a frozen layer's tensors get no gradient, no weight decay and zeroed optimizer
        slots (so no leftover momentum moves them); a frozen BatchNormalization runs in inference
        mode (moving statistics, not updated), as in Keras 3."""
        layout = self._layout
        for layer in self.layers:
            row = self._row_of.get(id(layer))
            if row is None or layout.specs[row].kind != layer.kind:
                continue
            frozen = int(not layer.trainable)
            for t in layout.row_tensors[row]:
                layout.tensors[t, 2] = frozen
                if frozen and slots is not None:
                    off, size = layout.tensors[t, 0], layout.tensors[t, 1]
                    slots[:, off:off + size] = 0.0
            if layer.kind == "batch_normalization":
                layout.kind_params[row, 2] = frozen
        self._penalties, self._constraints = self._rule_tables()

    def _rule_tables(self):
        """(penalties (R, 5), constraints (K, 8)) float64 for the kernels (kernels/regularization.py)
        from each layer's regularizers and constraints; a frozen layer's weights carry none."""
        layout = self._layout
        penalties, constraints = [], []
        for layer in self.layers:
            row = self._row_of.get(id(layer))
            if row is None:
                continue
            if layer.activity_regularizer is not None:
                penalties.append([1, row, 0, layer.activity_regularizer.l1, layer.activity_regularizer.l2])
            spec = layout.specs[row]
            if spec.kind != layer.kind or not layer.trainable:
                continue
            shapes = [shape for shape in spec.params if shape is not None]
            for t, shape, (reg, con) in zip(layout.row_tensors[row], shapes, layer.tensor_rules()):
                offset, size = int(layout.tensors[t, 0]), int(layout.tensors[t, 1])
                if reg is not None and (reg.l1 or reg.l2):
                    penalties.append([0, offset, size, reg.l1, reg.l2])
                if con is not None:
                    rows, cols = (shape[0], shape[1]) if len(shape) == 2 else (shape[0], 1)
                    constraints.append(con.row(offset, rows, cols))
        return (np.array(penalties, dtype=np.float64).reshape(-1, 5),
                np.array(constraints, dtype=np.float64).reshape(-1, 8))

    def _net(self):
        """The kernels' view of the model (kernels/args.Net)."""
        layout = self._layout
        return Net(self._params, layout.layers, layout.act_params, layout.kind_params, self._state, self._noise,
                   getattr(self, "_penalties", _NO_RULES[0]))

    def _fit_buffers(self, rows, label_cols, n_slot_rows):
        """(workspace, gradient buffer) for fit, kept across fits of this model (fit holds the model's
        lock, so one fit uses them at a time): allocating and first touching them cost small fits
        a third of their time, and large ones a tenth (the epoch-start copy of a 270k-parameter
        Adam state alone is 4 MB)."""
        key = (rows, label_cols, n_slot_rows, self._layout.n_params)
        cached = getattr(self, "_fit_cache", None)
        if cached is None or cached[0] != key:
            ws = self._layout.workspace(rows, backup=self._layout.backup(n_slot_rows), label_cols=label_cols)
            cached = self._fit_cache = (key, ws, memory.zeros(self._layout.n_params, self.dtype, "grads"))
        return cached[1], cached[2]

    def output_activation_name(self):
        """The name of the activation that produces the model's output ('linear' when none)."""
        for layer in reversed(self.layers):
            if hasattr(layer, "activation"):
                return layer.activation.name
        return "linear"

    def __getstate__(self):
        # caches that cannot be pickled (per-thread workspaces, the lock) are rebuilt on load
        state = dict(self.__dict__)
        state["_workspaces"] = None
        state["_fit_lock"] = None
        state["_fit_cache"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._workspaces = threading.local()
        self._fit_lock = threading.RLock()
        # joblib hands large arrays to worker processes as read-only memory maps (and scikit-learn's
        # pickling check loads them so): the kernels write the weights, the optimizer state and the
        # moving statistics, so each model gets its own writeable copies
        for owner in (self, self._layout, self.optimizer):
            for name, value in vars(owner).items() if owner is not None else ():
                if isinstance(value, np.ndarray) and not value.flags.writeable:
                    setattr(owner, name, np.array(value))

    # ---- weights --------------------------------------------------------------------------
    def get_weights(self):
        """Copies of every weight array, Keras order: each layer's (W, b; gamma, beta, moving mean and
        variance; alpha)."""
        self._ensure_built()
        return [a.copy() for layer in self.layers for a in self._layer_weight_views(layer)]

    def set_weights(self, weights):
        self._ensure_built()
        assign_weights([a for layer in self.layers for a in self._layer_weight_views(layer)], weights, "set_weights")

    @property
    def weights(self):
        return self.get_weights()

    def count_params(self):
        """Every weight, trainable and not (Keras's count_params)."""
        self._ensure_built()
        return int(self._layout.n_params + self._layout.n_state)

    # ---- compile / train / use: implemented in training.py --------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=None, jit_compile=None, steps_per_execution=None, sample_weight_mode=None, **kwargs):
        """Set the optimizer (name or object; Keras 3's default 'rmsprop'), the loss and the metrics."""
        if kwargs:
            raise TypeError(f"compile got unexpected argument(s): {sorted(kwargs)}.")
        if loss is None:
            raise ValueError("compile: a loss is required, e.g. compile('adam', 'mse').")
        if loss_weights is not None or weighted_metrics:
            raise TypeError("compile: loss_weights and weighted_metrics are not supported (single-output models).")
        self.optimizer = _optimizers.get(optimizer)
        self.loss = _losses.get(loss)
        if isinstance(metrics, dict):
            raise TypeError("compile: metrics must be a list of names for a single-output model.")
        self._metric_identifiers = list(metrics) if isinstance(metrics, (list, tuple)) else (
            [] if metrics is None else [metrics])
        from .metrics import check_names

        check_names(self._metric_identifiers)  # resolved against the labels when fit sees them
        self.compiled = True
        if self._input_shape is not None:
            self._ensure_built()  # every layer is known by now, as in Keras

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, nb_epoch=None, **kwargs):
        """Train; returns a History. Keras 3 semantics (batch_size=32, validation_split takes
        the LAST fraction before shuffling, shuffle every epoch); nb_epoch= is Keras 1's epochs=."""
        from .engine.loop import fit

        return fit(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks,
                   validation_split=validation_split, validation_data=validation_data, shuffle=shuffle,
                   class_weight=class_weight, sample_weight=sample_weight, initial_epoch=initial_epoch,
                   nb_epoch=nb_epoch, **kwargs)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, return_dict=False,
                 **kwargs):
        """Loss (and metrics): a float without metrics, [loss, metric...] with them."""
        from .engine.loop import evaluate

        return evaluate(self, x, y, batch_size=batch_size, verbose=verbose, sample_weight=sample_weight,
                        return_dict=return_dict, **kwargs)

    def predict(self, x, batch_size=None, verbose=0, **kwargs):
        """Network outputs (N, units) for x (N, features)."""
        from .engine.loop import predict

        return predict(self, x, batch_size=batch_size, **kwargs)

    # ---- one batch at a time: Keras's helpers for hand-written training loops -----------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False,
                       reset_metrics=True):
        """One optimizer step on exactly this batch (not shuffled, not split). Returns the batch's loss,
        or [loss, metrics...] (a dict with return_dict=True), from the step's forward pass, before
        the update, as Keras computes them. Metrics are per call (Keras 2's reset_metrics=True)."""
        if y is None:
            raise ValueError("train_on_batch: y (the labels) is required.")
        if not isinstance(return_dict, (bool, int, np.bool_)):  # checked before the step, which changes the weights
            raise TypeError(f"train_on_batch: return_dict must be True or False, got {return_dict!r}.")
        kept = self.history  # Keras's model.history is fit's; a training loop's steps leave it alone
        try:
            logs = self.fit(x, y, batch_size=_rows_in(x, "train_on_batch"), epochs=1, shuffle=False, verbose=0,
                            sample_weight=sample_weight, class_weight=class_weight).history
        finally:
            self.history = kept
        values = {key: column[-1] for key, column in logs.items() if key != "learning_rate"}
        if return_dict:
            return values
        return values["loss"] if len(values) == 1 else list(values.values())

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False, reset_metrics=True):
        """The loss (and metrics) on exactly this batch, without training: evaluate on one batch."""
        return self.evaluate(x, y, batch_size=_rows_in(x, "test_on_batch"), sample_weight=sample_weight, verbose=0,
                             return_dict=return_dict)

    def predict_on_batch(self, x):
        """The outputs for exactly this batch: predict on one batch."""
        return self.predict(x, batch_size=_rows_in(x, "predict_on_batch"))

    def fit_generator(self, *args, **kwargs):
        raise TypeError("fit_generator (Keras 2; removed in Keras 3) is not supported: fastnn trains on arrays. "
                        "Collect the batches (np.concatenate) and call fit, or call train_on_batch per batch.")

    def evaluate_generator(self, *args, **kwargs):
        raise TypeError("evaluate_generator (Keras 2; removed in Keras 3) is not supported: collect the batches "
                        "(np.concatenate) and call evaluate, or test_on_batch per batch.")

    def predict_generator(self, *args, **kwargs):
        raise TypeError("predict_generator (Keras 2; removed in Keras 3) is not supported: collect the batches "
                        "(np.concatenate) and call predict, or predict_on_batch per batch.")

    def predict_classes(self, x, batch_size=None, verbose=0):
        """Keras 1/2 helper: argmax for several outputs, (p > 0.5) for one (sign for ±1 models)."""
        from .engine.loop import predict_classes

        return predict_classes(self, x, batch_size=batch_size)

    @property
    def trainable(self):
        """False when every layer is frozen; setting it sets every layer's trainable (Keras)."""
        return any(layer.trainable for layer in self.layers) if self.layers else True

    @trainable.setter
    def trainable(self, value):
        for layer in self.layers:
            layer.trainable = bool(value)

    @property
    def metrics_names(self):
        """Keras 2's ['loss', <metric names as given to compile>] (the keys evaluate's list follows)."""
        if not self.compiled:
            return []
        return ["loss"] + [m if isinstance(m, str) else getattr(m, "name", getattr(m, "__name__", str(m)))
                           for m in self._metric_identifiers]

    def predict_proba(self, x, batch_size=None, verbose=0):
        """Keras 1/2: the model's outputs, which for a sigmoid or softmax output are probabilities."""
        out = self.predict(x, batch_size=batch_size)
        if out.size and (out.min() < 0 or out.max() > 1):
            import warnings

            warnings.warn("predict_proba: the outputs are not in [0, 1]; this model does not output probabilities "
                          "(its last activation is not sigmoid or softmax).", stacklevel=2)
        return out

    def get_layer(self, name=None, index=None):
        """A layer by name, or by index in model.layers (Keras's get_layer)."""
        if index is not None:
            if not isinstance(index, int) or not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"get_layer: index {index!r} is out of range for {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. The layers are: {[layer.name for layer in self.layers]}.")

    def to_json(self, **kwargs):
        """The architecture as JSON (Keras's model.to_json); models.model_from_json reads it back."""
        import json

        return json.dumps({"class_name": "Sequential", "config": self.get_config(), "backend": "fastnn"}, **kwargs)

    def __call__(self, x, training=False):
        """The model's outputs for x. training=True runs the forward pass as a training step does
        (dropout and noise active, BatchNormalization on batch statistics, updating its moving ones),
        as Keras's model(x, training=True); it draws the next noise and advances the noise stream."""
        if isinstance(x, (InputSpec, SymbolicTensor)):  # a model used as a layer in the functional API
            return _call_symbolic(self, x)
        if not training:
            return self.predict(x)
        from .kernels.network import network_forward

        x = V.features(self._rows(x), self.input_dim, self.dtype)
        self._ensure_built(x.shape[1])
        B = len(x)
        ws = self._layout.workspace(B)
        if not network_forward(self._net(), self._layout.input_block(x), ws.work, B, True):
            raise RuntimeError("a layer or activation of this model has no kernel branch: a fastnn bug.")
        self._noise[1] += np.uint64(1)
        return self._layout.output_rows(ws.work, B)

    def export(self, filepath, format="onnx", verbose=None, input_signature=None, opset_version=None, **kwargs):
        """Keras 3's export, in its one format a CPU trainer can serve everywhere: format='onnx'
        writes the inference graph (fastnn/onnx_export.py)."""
        if format != "onnx":
            raise ValueError(f"export: fastnn exports format='onnx' only, got format={format!r}.")
        if input_signature is not None or kwargs:
            raise TypeError(f"export: input_signature and {sorted(kwargs) or 'other options'} are not supported "
                            f"(the input is (batch, features) float32).")
        from .onnx_export import OPSET, export_onnx

        path = os.fspath(filepath)
        if os.path.isdir(path):
            raise ValueError(f"export: {path!r} is a directory; give a file name such as model.onnx.")
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise FileNotFoundError(f"export: the directory of {path!r} does not exist.")
        export_onnx(self, path, OPSET if opset_version is None else opset_version)
        if verbose:
            print(f"Saved ONNX model to {filepath}")

    # ---- inspection -----------------------------------------------------------------------
    def summary(self, print_fn=None):
        from .summary import summary_text

        text = summary_text(self)
        (print_fn or print)(text)

    def get_config(self):
        return {
            "name": self.name,
            "dtype": np.dtype(self.dtype).name,
            "input_shape": None if self._input_shape is None else list(self._input_shape),
            "layers": [layer.get_config() for layer in self.layers],
        }

    @classmethod
    def from_config(cls, config, seed=None):
        from .layers import from_config as layer_from_config

        model = cls(name=config.get("name"), dtype=config.get("dtype"), seed=seed)
        if config.get("input_dim") is not None:
            model._input_shape = (int(config["input_dim"]),)  # files written before input_shape
        if config.get("input_shape") is not None:
            model._input_shape = tuple(int(s) for s in config["input_shape"])
        for layer_cfg in config["layers"]:
            model.add(layer_from_config(layer_cfg))
        return model

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Save architecture, weights, compile settings and optimizer state (fastnn/saving.py)."""
        from .saving import save_model

        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True):
        from .saving import save_model

        save_model(self, filepath, overwrite=overwrite, include_optimizer=False)

    def load_weights(self, filepath):
        """Weights from a fastnn file, a Keras .keras/.h5 model or a Keras .weights.h5 file."""
        from . import keras_import
        from .saving import load_model

        with open(filepath, "rb") as f:
            hdf5 = f.read(8) == keras_import.HDF5_SIGNATURE
        if hdf5:
            keras_import.load_weights(self, filepath)
            return
        other = load_model(filepath, compile=False)
        self.set_weights(other.get_weights())

    def __repr__(self):
        return f"<Sequential {self.name}: {', '.join(repr(layer) for layer in self.layers)}>"


_NO_RULES = (np.zeros((0, 5)), np.zeros((0, 8)))


class Model(Sequential):
    """The functional API for chains: `inputs = Input(shape=(n,)); x = Dense(...)(inputs); ...;
    Model(inputs, outputs)`, as in Keras. A chain (each layer feeding the next, one input, one
    output) becomes this Sequential-like model; a branching graph is one clear error. Model() with no
    arguments is an empty Sequential (for subclass-free scripts that add layers)."""

    def __init__(self, inputs=None, outputs=None, name=None, dtype=None, seed=None, **kwargs):
        if kwargs:
            raise TypeError(f"Model got unexpected argument(s): {sorted(kwargs)}.")
        super().__init__(name=name or "functional", dtype=dtype, seed=seed)
        if inputs is None and outputs is None:
            return
        inputs, outputs = _single("inputs", inputs), _single("outputs", outputs)
        chain = []
        node = outputs
        while isinstance(node, SymbolicTensor):
            if node.consumers > 1:
                raise ValueError(f"the output of {node.layer.name} feeds {node.consumers} layers: fastnn's "
                                 f"functional API builds chains, not branching graphs.")
            chain.append(node.layer)
            node = node.parent
        if node is not inputs:
            raise ValueError("Model(inputs, outputs): outputs were not computed from these inputs.")
        if inputs.consumers > 1:
            raise ValueError(f"the Input feeds {inputs.consumers} layers: fastnn's functional API builds chains, "
                             f"not branching graphs.")
        self.add(inputs)
        for layer in reversed(chain):
            self.add(layer)


def _rows_in(x, what):
    """How many samples a batch holds (arrays, lists, DataFrames), so it runs as one batch."""
    try:
        return max(len(x), 1)
    except TypeError:
        raise TypeError(f"{what}: x must be an array of samples, got {type(x).__name__}.") from None


def _single(what, value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ValueError(f"Model: {len(value)} {what}; fastnn models have one input and one output "
                             f"(multi-input/multi-output models are not supported).")
        value = value[0]
    if what == "inputs" and not isinstance(value, InputSpec):
        raise TypeError(f"Model: inputs must come from Input(shape=...), got {value!r}.")
    if what == "outputs" and not isinstance(value, (SymbolicTensor, InputSpec)):
        raise TypeError(f"Model: outputs must be a layer's output in a chain from the inputs, got {value!r}.")
    return value


# ---- keras.models' functions: `from keras.models import load_model` is how most scripts load a model --

def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """keras.models.load_model: a fastnn, Keras 3 .keras or Keras 1/2 .h5 file (fastnn.saving.load_model).
    custom_objects cannot be honoured (fastnn runs no code from a file), so a non-empty one is refused."""
    from .saving import load_model as _load

    if custom_objects:
        raise ValueError(f"load_model: custom_objects ({sorted(custom_objects)}) are not supported: fastnn runs "
                         f"no Python code from a model file, so a model that needs them cannot be loaded.")
    return _load(filepath, compile=compile)


def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    """keras.models.save_model(model, path): model.save(path)."""
    if not isinstance(model, Sequential):
        raise TypeError(f"save_model: expected a fastnn model, got {type(model).__name__}.")
    if kwargs.pop("save_format", None) not in (None, "h5", "keras", "tf") or kwargs:
        raise TypeError(f"save_model got unexpected argument(s): {sorted(kwargs) or ['save_format']}.")
    model.save(filepath, overwrite=overwrite, include_optimizer=include_optimizer)


def clone_model(model, input_tensors=None, clone_function=None, **kwargs):
    """keras.models.clone_model: the same architecture with freshly initialised weights (not compiled,
    as in Keras). Cloning with input_tensors or a clone_function is not supported."""
    if not isinstance(model, Sequential):
        raise TypeError(f"clone_model: expected a fastnn model, got {type(model).__name__}.")
    if input_tensors is not None or clone_function is not None or kwargs:
        raise TypeError("clone_model: input_tensors, clone_function and other options are not supported; "
                        "call clone_model(model).")
    clone = Sequential.from_config(model.get_config())
    for original, copy in zip(model.layers, clone.layers):
        copy.trainable = original.trainable
    return clone


def model_from_json(json_string, custom_objects=None):
    """A model from to_json(), fastnn's or Keras's own (a Sequential config): JSON only, no code runs."""
    import json

    from .keras_import import _model_from_config

    if custom_objects:
        raise ValueError("model_from_json: custom_objects are not supported (fastnn runs no code from a config).")
    config = json.loads(json_string)
    if not isinstance(config, dict):
        raise ValueError("model_from_json: the JSON is not an object.")
    if config.get("backend") == "fastnn":
        return Sequential.from_config(config["config"])
    return _model_from_config(config, "model_from_json")
