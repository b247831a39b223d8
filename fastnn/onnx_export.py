"""Export a model's inference graph to ONNX: model.export(path, format="onnx") and `fastnn export`.

The graph (opset 17, float32, a dynamic batch dimension named "batch"):
- Dense is Gemm (x W + b), then its activation;
- every activation is one ONNX op where ONNX has the same formula, else composed from primitives
  (ACTIVATIONS below, next to nothing else, so a new activation adds one entry);
- BatchNormalization (moving statistics) and Normalization are folded into one Mul and one Add;
  LayerNormalization is ONNX's LayerNormalization; PReLU is PRelu;
- Dropout and the noise layers are the identity at inference, so they are left out;
- a model that takes multi-dimensional samples (Flatten first, or an input shape like (28, 28))
  takes them in the graph too, and flattens them as predict does.
The file's metadata_props hold what fastnn knows about the data: the label encoding and classes,
feature names and the command line's column plan (one-hot categories, impute values), as JSON.

`describe(model)` says what an export will contain without importing onnx (fastnn info).
Requires the onnx package (pip install 'fastnn[onnx]').
"""
import json
import math

import numpy as np

OPSET = 17
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class _Graph:
    """Collects nodes and float32 constants; each helper returns the name of its output."""

    def __init__(self, helper, numpy_helper):
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.initializers = [], []
        self._count = 0

    def name(self, hint):
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, value, hint="c"):
        name = self.name(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def op(self, op_type, *inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out], **attrs))
        return out


def _softplus(g, x):  # max(x, 0) + log(1 + exp(-|x|)): no overflow for large |x|
    return g.op("Add", g.op("Relu", x), g.op("Log", g.op("Add", g.const(1.0), g.op("Exp", g.op("Neg", g.op("Abs", x))))))


def _relu(g, x, p):
    s, m, t = p["negative_slope"], p["max_value"], p["threshold"]
    if not s and m is None and not t:
        return g.op("Relu", x)
    pos = g.op("Where", g.op("Greater", x, g.const(t)), x, g.const(0.0))  # Keras 3: pos - s * neg
    if m is not None:
        pos = g.op("Clip", pos, g.const(0.0), g.const(m))
    if not s:
        return pos
    neg = g.op("Relu", g.op("Sub", g.const(t), x))
    return g.op("Sub", pos, g.op("Mul", g.const(s), neg))


def _gelu(g, x, p):
    if p["approximate"]:  # x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)) = 0.5 x (1 + tanh(...))
        cube = g.op("Mul", g.op("Mul", x, x), x)
        inner = g.op("Add", x, g.op("Mul", g.const(0.044715), cube))
        return g.op("Mul", x, g.op("Sigmoid", g.op("Mul", g.const(2.0 * math.sqrt(2.0 / math.pi)), inner)))
    phi = g.op("Add", g.const(1.0), g.op("Erf", g.op("Mul", x, g.const(1.0 / math.sqrt(2.0)))))
    return g.op("Mul", g.op("Mul", x, g.const(0.5)), phi)


def _sparse_plus(g, x):
    square = g.op("Mul", g.const(0.25), g.op("Mul", g.op("Add", x, g.const(1.0)), g.op("Add", x, g.const(1.0))))
    middle = g.op("Where", g.op("Less", x, g.const(1.0)), square, x)
    return g.op("Where", g.op("LessOrEqual", x, g.const(-1.0)), g.const(0.0), middle)


# activation name -> graph builder (graph, input, params) -> output; the formulas of
# fastnn/reference/activations.py, in ONNX ops
ACTIVATIONS = {
    "linear": lambda g, x, p: x,
    "relu": _relu,
    "leaky_relu": lambda g, x, p: g.op("LeakyRelu", x, alpha=float(p["negative_slope"])),
    "relu6": lambda g, x, p: g.op("Clip", x, g.const(0.0), g.const(6.0)),
    "elu": lambda g, x, p: g.op("Elu", x, alpha=float(p["alpha"])),
    "selu": lambda g, x, p: g.op("Selu", x, alpha=SELU_ALPHA, gamma=SELU_SCALE),
    "celu": lambda g, x, p: g.op("Celu", x, alpha=float(p["alpha"])),
    "gelu": _gelu,
    "silu": lambda g, x, p: g.op("Mul", x, g.op("Sigmoid", x)),
    "swish": lambda g, x, p: g.op("Mul", x, g.op("Sigmoid", x)),
    "hard_sigmoid": lambda g, x, p: g.op("HardSigmoid", x, alpha=1.0 / 6.0, beta=0.5),
    "hard_silu": lambda g, x, p: g.op("HardSwish", x),
    "hard_swish": lambda g, x, p: g.op("HardSwish", x),
    "sigmoid": lambda g, x, p: g.op("Sigmoid", x),
    "tanh": lambda g, x, p: g.op("Tanh", x),
    "softsign": lambda g, x, p: g.op("Softsign", x),
    "softplus": lambda g, x, p: _softplus(g, x),
    "exponential": lambda g, x, p: g.op("Exp", x),
    "mish": lambda g, x, p: g.op("Mul", x, g.op("Tanh", _softplus(g, x))),
    "log_sigmoid": lambda g, x, p: g.op("Neg", _softplus(g, g.op("Neg", x))),
    "hard_tanh": lambda g, x, p: g.op("Clip", x, g.const(-1.0), g.const(1.0)),
    "tanh_shrink": lambda g, x, p: g.op("Sub", x, g.op("Tanh", x)),
    "squareplus": lambda g, x, p: g.op("Mul", g.const(0.5), g.op(
        "Add", x, g.op("Sqrt", g.op("Add", g.op("Mul", x, x), g.const(p["b"]))))),
    "sparse_plus": lambda g, x, p: _sparse_plus(g, x),
    "sparse_sigmoid": lambda g, x, p: g.op("Clip", g.op("Mul", g.const(0.5), g.op("Add", x, g.const(1.0))),
                                           g.const(0.0), g.const(1.0)),
    "soft_shrink": lambda g, x, p: g.op("Shrink", x, lambd=float(p["threshold"]), bias=float(p["threshold"])),
    "hard_shrink": lambda g, x, p: g.op("Shrink", x, lambd=float(p["threshold"]), bias=0.0),
    "threshold": lambda g, x, p: g.op("Where", g.op("Greater", x, g.const(p["threshold"])), x,
                                      g.const(p["default_value"])),
    "softmax": lambda g, x, p: g.op("Softmax", x, axis=-1),
    "log_softmax": lambda g, x, p: g.op("LogSoftmax", x, axis=-1),
}


def _affine(g, x, scale, shift):
    return g.op("Add", g.op("Mul", x, g.const(scale)), g.const(shift))


def _layer(g, layer, x):
    """The ONNX nodes of one layer; returns the name of its output."""
    kind = layer.kind
    w = layer.get_weights()
    if kind == "dense":
        bias = w[1] if len(w) > 1 else np.zeros(w[0].shape[1])
        x = g.op("Gemm", x, g.const(w[0], "kernel"), g.const(bias, "bias"))
    elif kind == "batch_normalization":
        gamma = w[0] if layer.scale else 1.0
        beta = w[int(layer.scale)] if layer.center else 0.0
        scale = gamma / np.sqrt(w[-1].astype(np.float64) + layer.epsilon)
        return _affine(g, x, scale, beta - w[-2] * scale)
    elif kind == "normalization":
        std = np.maximum(np.sqrt(np.maximum(w[1].astype(np.float64), 0.0)), 1e-7)
        return _affine(g, x, std, w[0]) if layer.invert else _affine(g, x, 1.0 / std, -w[0] / std)
    elif kind == "layer_normalization":
        width = layer.model._layout.specs[layer.model._row_of[id(layer)]].n_out
        gamma = w[0] if layer.scale else np.ones(width)
        beta = w[int(layer.scale)] if layer.center else np.zeros(width)
        return g.op("LayerNormalization", x, g.const(gamma, "gamma"), g.const(beta, "beta"), axis=-1,
                    epsilon=float(layer.epsilon))
    elif kind == "prelu":
        return g.op("PRelu", x, g.const(w[0], "alpha"))
    elif kind in NOISE_KINDS or kind is None:
        return x  # the identity at inference; Flatten is handled at the input
    elif kind != "activation":
        raise ValueError(f"ONNX export: layer {layer.name!r} of kind {kind!r} has no ONNX form yet.")
    act = layer.activation
    return ACTIVATIONS[act.name](g, x, act.params)


NOISE_KINDS = ("dropout", "alpha_dropout", "gaussian_dropout", "gaussian_noise")


def describe(model):
    """One line per layer saying what it becomes in ONNX (for fastnn info); needs no onnx."""
    lines = []
    for layer in model.layers:
        kind = layer.kind
        act = getattr(layer, "activation", None)
        act_text = "" if act is None or act.name == "linear" else f" + {act.name}"
        text = {"dense": f"Gemm{act_text}", "activation": (act.name if act is not None else "") or "identity",
                "batch_normalization": "Mul + Add (moving statistics folded)",
                "normalization": "Mul + Add (statistics folded)", "layer_normalization": "LayerNormalization",
                "prelu": "PRelu", None: "Flatten"}.get(kind, "left out (the identity at inference)")
        lines.append(f"{layer.name}: {text}")
    return lines


def _metadata(model):
    meta = getattr(model, "metadata", {}) or {}
    out = {"producer": "fastnn"}
    for key in ("labels", "features", "target", "columns"):
        if key in meta:
            out[f"fastnn_{key}"] = json.dumps(meta[key])
    if getattr(model, "feature_names", None):
        out["fastnn_feature_names"] = json.dumps(model.feature_names)
    return out


def export_onnx(model, path, opset_version=OPSET):
    """Write the model's inference graph to `path` (checked by onnx.checker before it is written)."""
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'fastnn[onnx]'.") from None
    from .atomic import replacing

    if isinstance(opset_version, bool) or not isinstance(opset_version, int) or opset_version < OPSET:
        raise ValueError(f"export: opset_version must be an integer >= {OPSET}, got {opset_version!r}.")
    model._ensure_built()
    g = _Graph(helper, numpy_helper)
    shape = list(model._input_shape) if model._input_shape is not None else [model.input_dim]
    x = "inputs"
    if len(shape) > 1:
        first = model.layers[0]
        if first.kind is None and getattr(first, "data_format", "channels_last") == "channels_first":
            x = g.op("Transpose", x, perm=[0] + list(range(2, len(shape) + 1)) + [1])
        x = g.op("Flatten", x, axis=1)
    for layer in model.layers:
        x = _layer(g, layer, x)
    g.nodes.append(helper.make_node("Identity", [x], ["outputs"]))
    graph = helper.make_graph(
        g.nodes, model.name or "fastnn_model",
        [helper.make_tensor_value_info("inputs", TensorProto.FLOAT, ["batch"] + shape)],
        [helper.make_tensor_value_info("outputs", TensorProto.FLOAT, ["batch", model.output_dim])],
        g.initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset_version)], producer_name="fastnn",
                              doc_string="A fastnn model's inference graph (Dropout and noise layers removed).")
    proto.ir_version = min(proto.ir_version, 10)  # readable by onnxruntime releases of the last two years
    helper.set_model_props(proto, _metadata(model))
    onnx.checker.check_model(proto, full_check=True)
    with replacing(path) as f:  # a crash never leaves half a file in place of a good one
        f.write(proto.SerializeToString())
    return path
