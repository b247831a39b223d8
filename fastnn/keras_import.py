"""Keras model files into fastnn: fastnn.load_model("model.keras" | "model.h5") for Sequential stacks
of the layers fastnn has, and model.load_weights("x.weights.h5" | "x.h5").

- `.keras` (Keras 3): a zip of config.json (the architecture and compile settings) and
  model.weights.h5 (layers/<group>/vars/<i>, the group's attr "name" naming its layer).
- `.h5` (Keras 1/2 and Keras 3's legacy writer): attrs model_config and training_config (JSON),
  weights under model_weights/<layer>, read in each layer's "weight_names" order and matched to
  the model's weighted layers by position (Keras's own rule).
The architecture, the weights and, where present, the compile settings come in; the optimizer's
state does not (training continues from fresh slots). Nothing in the file is executed: configs are
JSON, weights are HDF5 datasets (h5py never unpickles), and a Lambda layer or any layer fastnn does
not have is one clear error naming it (Keras's safe mode refuses Lambda code too).

Requires h5py (pip install 'fastnn[keras-files]').
"""
import inspect
import io
import json
import re
import warnings
import zipfile

import numpy as np

from ._validation import flat_list, printable
from .saving import ModelFileError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
MAX_CONFIG_BYTES = 64 << 20  # a config.json larger than this is not a Dense stack's
# config keys that carry nothing fastnn needs: the weights come from the file, dtypes from the model
IGNORED_KEYS = {"dtype", "seed", "lora_rank", "lora_alpha", "quantization_config", "build_config", "sparse", "ragged",
                "optional", "synchronized", "renorm", "renorm_clipping", "renorm_momentum", "module",
                "registered_name", "autocast"}
PENALTY_KEYS = re.compile(r"(regularizer|constraint)$")


class KerasFileError(ModelFileError):
    """A Keras file fastnn cannot bring in: damaged, not a Sequential stack, or an unsupported layer."""


def is_keras_file(path):
    """True for a .keras zip (config.json + model.weights.h5) or an HDF5 file."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return False
    if head == HDF5_SIGNATURE:
        return True
    if head[:4] != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(path) as z:
            return "config.json" in z.namelist()
    except zipfile.BadZipFile:
        return False


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("reading Keras .keras/.h5 files needs h5py: pip install 'fastnn[keras-files]'.") from None
    return h5py


def load(path, compile=True):
    """A fastnn Sequential from a Keras file, compiled with the file's settings when it has them."""
    h5py = _h5py()
    shown = printable(path)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                config = _json(_member(z, "config.json", MAX_CONFIG_BYTES, shown), shown)
                if "model.weights.h5" not in z.namelist():
                    raise KerasFileError(f"{shown}: the archive has no model.weights.h5.")
                weights = io.BytesIO(_member(z, "model.weights.h5", None, shown))
            with h5py.File(weights, "r") as f:
                model = _model_from_config(config, shown)
                _assign_keras3_weights(model, config, f, shown)
            compile_config = config.get("compile_config")
        else:
            with h5py.File(path, "r") as f:
                if "model_config" not in f.attrs:
                    raise KerasFileError(f"{shown}: an HDF5 file without a model (model_config): for a weights file "
                                         f"build the model and call model.load_weights({shown}).")
                config = _json(f.attrs["model_config"], shown)
                model = _model_from_config(config, shown)
                _assign_legacy_weights(model, f["model_weights"] if "model_weights" in f else f, shown)
                training = _json(f.attrs["training_config"], shown) if "training_config" in f.attrs else None
            compile_config = None if training is None else {
                "optimizer": training.get("optimizer_config"), "loss": training.get("loss"),
                "metrics": training.get("metrics")}
    except KerasFileError:
        raise
    except (OSError, KeyError, RuntimeError, ValueError, TypeError, AttributeError, IndexError, EOFError,
            zipfile.BadZipFile) as exc:  # what h5py, zipfile and json raise on a damaged file
        raise KerasFileError(f"{shown}: not a readable Keras model file ({type(exc).__name__}: "
                             f"{str(exc)[:200]}).") from None
    if compile and compile_config and compile_config.get("loss") is not None:
        _compile(model, compile_config, shown)
    return model


def load_weights(model, path):
    """Keras weights (a .weights.h5 of Keras 3, or a Keras 1/2 .h5) into a fastnn model of the same
    architecture."""
    h5py = _h5py()
    shown = printable(path)
    model._ensure_built()
    with h5py.File(path, "r") as f:
        if "layers" in f and "layer_names" not in f.attrs and "model_weights" not in f:
            entries = [{"class_name": type(layer).__name__, "config": {"name": None}} for layer in model.layers]
            _assign_keras3_weights(model, {"class_name": "Sequential", "config": {"layers": entries}}, f, shown)
        else:
            _assign_legacy_weights(model, f["model_weights"] if "model_weights" in f else f, shown)


# ---- the architecture ------------------------------------------------------------------------------

def _member(z, name, limit, shown):
    info = z.getinfo(name)
    if limit is not None and info.file_size > limit:
        raise KerasFileError(f"{shown}: {name} claims {info.file_size:,} bytes, more than a model description.")
    return z.read(name)


def _json(raw, shown):
    try:
        value = json.loads(raw.decode("utf-8") if isinstance(raw, (bytes, np.bytes_)) else raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise KerasFileError(f"{shown}: the model description is not valid JSON ({exc}).") from None
    if not isinstance(value, dict):
        raise KerasFileError(f"{shown}: the model description is not a JSON object.")
    return value


def _layer_configs(config, shown):
    """(model name, [layer entry]) of a Sequential config, Keras 1 (a bare list), 2 or 3, or of a
    functional model that is a chain (one input, each layer feeding the next), in chain order."""
    cls = config.get("class_name")
    if cls in ("Functional", "Model") and isinstance(config.get("config"), dict):
        inner = config["config"]
        return inner.get("name", "functional"), _functional_chain(inner, shown)
    if cls != "Sequential":
        raise KerasFileError(f"{shown}: a {cls} model; fastnn imports Sequential stacks and functional chains "
                             f"(rebuild the model as a Sequential, or export its weights and set them).")
    inner = config.get("config")
    layers = inner if isinstance(inner, list) else (inner or {}).get("layers")
    if not isinstance(layers, list) or not layers:
        raise KerasFileError(f"{shown}: the Sequential config has no layer list.")
    name = inner.get("name", "sequential") if isinstance(inner, dict) else "sequential"
    return name, layers


def _inbound_layers(entry, shown):
    """The names of the layers whose outputs feed this functional layer (Keras 3's keras_history,
    Keras 2's [name, node, tensor, kwargs] lists); more than one call of the layer is not a chain."""
    nodes = entry.get("inbound_nodes") or []
    if len(nodes) > 1:
        raise KerasFileError(f"{shown}: layer {entry.get('name')!r} is called {len(nodes)} times (shared); fastnn "
                             f"imports functional models that are chains.")
    if not nodes:
        return []
    node = nodes[0]
    if isinstance(node, dict):  # Keras 3
        found = []

        def visit(value):
            if isinstance(value, dict):
                if value.get("class_name") == "__keras_tensor__":
                    found.append(value["config"]["keras_history"][0])
                else:
                    for v in value.values():
                        visit(v)
            elif isinstance(value, list):
                for v in value:
                    visit(v)
        visit(node.get("args", []))
        return found
    return [t[0] for t in node if isinstance(t, list) and t]  # Keras 2


def _functional_chain(inner, shown):
    """The layer entries of a functional config in chain order, or one clear error if it branches."""
    entries = inner.get("layers")
    if not isinstance(entries, list) or not entries:
        raise KerasFileError(f"{shown}: the functional config has no layer list.")
    inputs = [e for e in entries if e.get("class_name") == "InputLayer"]
    if len(inputs) != 1:
        raise KerasFileError(f"{shown}: a functional model with {len(inputs)} inputs; fastnn models have one.")
    consumers = {}
    for e in entries:
        for source in _inbound_layers(e, shown):
            consumers.setdefault(source, []).append(e)
        if e is not inputs[0] and len(_inbound_layers(e, shown)) != 1:
            raise KerasFileError(f"{shown}: layer {e.get('name')!r} takes {len(_inbound_layers(e, shown))} inputs "
                                 f"(a merge); fastnn imports functional models that are chains.")
    chain = [inputs[0]]
    while consumers.get(chain[-1].get("name")):
        following = consumers[chain[-1].get("name")]
        if len(following) > 1:
            raise KerasFileError(f"{shown}: the output of {chain[-1].get('name')!r} feeds {len(following)} layers "
                                 f"(a branch); fastnn imports functional models that are chains.")
        chain.append(following[0])
    if len(chain) != len(entries):
        raise KerasFileError(f"{shown}: the functional model's layers do not form one chain from its input.")
    return chain


def _dtype(config):
    text = json.dumps(config.get("config"))
    return "float64" if '"float64"' in text and '"float32"' not in text else "float32"


def _model_from_config(config, shown):
    from . import layers as L
    from .models import Sequential

    name, entries = _layer_configs(config, shown)
    model = Sequential(name=name, dtype=_dtype(config))
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
            raise KerasFileError(f"{shown}: a layer entry is not an object: {str(entry)[:80]}.")
        cls_name, cfg = entry.get("class_name"), dict(entry["config"])
        if cls_name == "InputLayer":
            shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
            if not shape:
                raise KerasFileError(f"{shown}: the InputLayer has no batch_shape.")
            model.add(L.Input(shape=tuple(shape[1:])))
            continue
        if cls_name == "Lambda":
            raise KerasFileError(f"{shown}: layer {cfg.get('name')!r} is a Lambda layer, whose Python code would have "
                                 f"to run from the file. fastnn never executes code from a model file (as Keras's "
                                 f"safe_mode); rebuild the model without it.")
        cls = L.LAYER_CLASSES.get(cls_name)
        if cls is None or cls_name in ("Layer",):
            supported = sorted(n for n, c in L.LAYER_CLASSES.items() if n not in ("Layer",))
            raise KerasFileError(f"{shown}: layer {cfg.get('name')!r} is a {cls_name}, which fastnn does not have. "
                                 f"Supported: {', '.join(supported)}.")
        model.add(_make_layer(cls, cls_name, cfg, shown))
    return model


def _accepted(cls):
    names = set()
    for klass in cls.__mro__:
        if "__init__" in vars(klass):
            names |= {p for p, v in inspect.signature(klass.__init__).parameters.items()
                      if v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY)}
    return names - {"self"}


def _make_layer(cls, cls_name, cfg, shown):
    accepted = _accepted(cls)
    kwargs = {}
    for key, value in cfg.items():
        if key in IGNORED_KEYS or key.endswith("_initializer") or key in ("init", "inner_init"):
            continue  # the weights come from the file
        if PENALTY_KEYS.search(key) or key in ("W_regularizer", "b_regularizer", "W_constraint", "b_constraint"):
            if value is not None:
                warnings.warn(f"{shown}: layer {cfg.get('name')!r} has {key}={_brief(value)}, which fastnn ignores: "
                              f"predictions are the same, further training is not.", stacklevel=4)
            continue
        if key == "activation":
            value = _activation_name(value, shown)
        if key == "batch_shape":
            key, value = "batch_input_shape", value
        if key not in accepted:
            if value not in (None, False, [], {}):
                warnings.warn(f"{shown}: layer {cfg.get('name')!r} ({cls_name}): option {key}={_brief(value)} is "
                              f"ignored by fastnn.", stacklevel=4)
            continue
        kwargs[key] = value
    if kwargs.get("batch_input_shape") is not None:  # Keras 1 writes input_dim beside it
        kwargs.pop("input_dim", None)
        kwargs.pop("input_shape", None)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise KerasFileError(f"{shown}: layer {cfg.get('name')!r} ({cls_name}) cannot be built in fastnn: "
                             f"{exc}") from None


def _activation_name(value, shown):
    if isinstance(value, dict):  # {"module": "keras.activations", "class_name": "function", "config": "relu"}
        inner = value.get("config")
        value = inner if isinstance(inner, str) else (inner or {}).get("name") or value.get("class_name")
    if not isinstance(value, str):
        raise KerasFileError(f"{shown}: an activation that is not a name ({_brief(value)}); custom activations "
                             f"cannot be imported.")
    return value


def _brief(value):
    text = json.dumps(value, default=str)
    return text if len(text) < 60 else text[:57] + "..."


# ---- the weights ------------------------------------------------------------------------------------

def _arrays(group, names, shown):
    """The named datasets, still on disk (read only after their shapes are checked, so a damaged
    file that claims a huge array allocates nothing)."""
    out = []
    for name in names:
        data = group[name]
        if not hasattr(data, "shape") or data.dtype.kind not in "fiu":
            raise KerasFileError(f"{shown}: weight {name!r} is not a numeric array.")
        out.append(data)
    return out


def _snake(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def _assign_keras3_weights(model, config, f, shown):
    """Each layer's vars from layers/<group>: the group whose attr 'name' is the layer's name, else
    Keras's group name (snake_case class name, numbered in model order)."""
    if "layers" not in f:
        raise KerasFileError(f"{shown}: model.weights.h5 has no 'layers' group.")
    groups = f["layers"]
    model._ensure_built()
    by_name = {groups[k]["vars"].attrs.get("name"): k for k in groups if "vars" in groups[k]}
    _, entries = _layer_configs(config, shown)
    counts = {}
    layers = iter(model.layers)
    for entry in entries:
        if entry.get("class_name") == "InputLayer":
            continue
        layer = next(layers)
        base = _snake(entry["class_name"])
        k = counts.get(base, 0)
        counts[base] = k + 1
        key = by_name.get(entry["config"].get("name"), base if k == 0 else f"{base}_{k}")
        if key not in groups or "vars" not in groups[key]:
            if layer._weights_views():
                raise KerasFileError(f"{shown}: no weights for layer {layer.name!r} in model.weights.h5.")
            continue
        vars_group = groups[key]["vars"]
        _set(layer, _arrays(vars_group, [str(i) for i in range(len(vars_group))], shown), shown)


def _assign_legacy_weights(model, g, shown):
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in g.attrs.get("layer_names", [])]
    stored = []
    for name in names:
        weight_names = [w.decode() if isinstance(w, bytes) else str(w) for w in g[name].attrs.get("weight_names", [])]
        if weight_names:
            stored.append((name, _arrays(g[name], weight_names, shown)))
    model._ensure_built()
    weighted = [layer for layer in model.layers if layer._weights_views()]
    if len(stored) != len(weighted):
        raise KerasFileError(f"{shown}: {len(stored)} layers with weights in the file ({[n for n, _ in stored]}), "
                             f"{len(weighted)} in the model ({[layer.name for layer in weighted]}).")
    for layer, (_, arrays) in zip(weighted, stored):
        _set(layer, arrays, shown)


def _set(layer, arrays, shown):
    from .layers import assign_weights

    views = layer._weights_views()
    if layer.kind == "normalization":  # Keras keeps mean, variance and a sample count
        arrays = arrays[:2]
    def squeezed(shape):  # Keras may store (1, n) where fastnn holds (n,); never a transpose
        return tuple(d for d in shape if d != 1)

    if len(arrays) != len(views) or any(squeezed(a.shape) != squeezed(v.shape) for a, v in zip(arrays, views)):
        raise KerasFileError(f"{shown}: the weights of layer {layer.name!r} do not fit it: the file has shapes "
                             f"{[tuple(a.shape) for a in arrays]}, the layer {[v.shape for v in views]}.")
    # read now that the sizes are known; Keras may store (1, n) where fastnn holds (n,)
    arrays = [np.asarray(a[()], dtype=np.float64).reshape(v.shape) for a, v in zip(arrays, views)]
    try:
        assign_weights(views, arrays, layer.name)
    except ValueError as exc:
        raise KerasFileError(f"{shown}: the weights of layer {layer.name!r} do not fit it: {exc}") from None


# ---- the compile settings ---------------------------------------------------------------------------

def _compile(model, cc, shown):
    from . import losses
    from . import optimizers

    opt = cc.get("optimizer")
    optimizer = "rmsprop"
    if isinstance(opt, str):
        optimizer = opt
    elif isinstance(opt, dict):
        cls_name = opt.get("class_name", "")
        params = dict(opt.get("config") or {})
        base = optimizers.get(cls_name.lower() if cls_name else params.get("name", "rmsprop"))
        accepted = _accepted(type(base))
        if isinstance(params.get("learning_rate"), dict):
            warnings.warn(f"{shown}: the learning-rate schedule is not imported; the optimizer's default rate is "
                          f"used.", stacklevel=3)
            params.pop("learning_rate")
        if params.get("use_ema"):
            warnings.warn(f"{shown}: the optimizer's use_ema is not supported and is ignored.", stacklevel=3)
        optimizer = type(base)(**{k: v for k, v in params.items() if k in accepted and k != "name"})
    loss = cc.get("loss")
    if isinstance(loss, dict):
        params = dict(loss.get("config") or {})
        name = _snake(loss.get("class_name", "")) if loss.get("class_name") else params.get("name")
        options = losses.Loss(name).options
        loss = losses.Loss(name, **{k: v for k, v in params.items() if k in options})
    from .metrics import _BY_NAME

    metrics = []
    for m in flat_list(cc.get("metrics")):
        if isinstance(m, str):
            metrics.append(m)
        elif isinstance(m, dict):  # a serialized metric object: AUC(num_thresholds=...), Precision(name='prec')
            cls = _BY_NAME.get(_snake(m.get("class_name", "")))
            cfg = m.get("config") or {}
            if cls is not None:
                accepted = _accepted(cls)
                metrics.append(cls(**{k: v for k, v in cfg.items() if k in accepted and k != "dtype"}))
            elif isinstance(cfg.get("name"), str):
                metrics.append(cfg["name"])
    try:
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    except (TypeError, ValueError) as exc:
        warnings.warn(f"{shown}: the compile settings could not be imported ({exc}); the model is not compiled: "
                      f"call model.compile(...).", stacklevel=3)
