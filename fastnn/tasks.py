"""From raw labels to a trained, evaluated model: what `fastnn train` and `fastnn.sweep` share.

A task is a dataset with raw labels (class names or numbers), a loss and the rest of a
training configuration. This module
- encodes labels as the loss needs them (LabelCoding: ±1 for the hinge family and the
  regression losses on two classes, 0/1 for binary crossentropy, one-hot or class ids for the
  categorical losses, raw values for regression) and decodes predictions back;
- builds the default model for a loss (one hidden layer of 20, an output that fits the loss);
- splits rows for validation or testing (split_rows: stratified by class, shuffled, or Keras's
  last rows) and learns input scaling from the training rows (scaling_statistics), which the
  model then holds as a Normalization layer;
- trains and evaluates one configuration and summarises it (train_and_evaluate).
Labels that cannot fit the loss (five classes with hinge, names with mse) raise ValueError.
"""
import time

import numpy as np

def label_key(value):
    """A label's identity as text: 1, 1.0 and '1' are the same class."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def _sort_key(s):
    return (0, float(s), s) if _is_number(s) else (1, 0.0, s)


class LabelCoding:
    """How labels were encoded for the loss: kind in pm1, 01, onehot, sparse, regression."""

    def __init__(self, kind, classes):
        self.kind = kind
        self.classes = list(classes)  # original labels in class-id order ([] for regression)

    def to_json(self):
        return {"kind": self.kind, "classes": self.classes}

    KINDS = ("pm1", "01", "onehot", "sparse", "regression")

    @classmethod
    def from_json(cls, d):
        if not isinstance(d, dict) or d.get("kind") not in cls.KINDS:
            raise ValueError(f"unknown label kind {d.get('kind') if isinstance(d, dict) else d!r}")
        classes = d.get("classes")
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes) \
                or len(set(classes)) != len(classes):
            raise ValueError("the class names must be a list of distinct strings")
        return cls(d["kind"], classes)

    def check_outputs(self, n_outputs):
        """Raise ValueError unless this coding fits a model with n_outputs output units."""
        if self.kind in ("pm1", "01") and len(self.classes) != 2:
            raise ValueError(f"{self.kind} labels need exactly 2 classes, the model stores {len(self.classes)}")
        if self.kind == "regression" and self.classes:
            raise ValueError("a regression target has no classes")
        if self.n_outputs != n_outputs:
            raise ValueError(f"{self.kind} labels with {len(self.classes)} classes need {self.n_outputs} output(s), "
                             f"the model has {n_outputs}")

    @property
    def n_outputs(self):
        return len(self.classes) if self.kind in ("onehot", "sparse") else 1

    def encode(self, raw):
        """Raw labels -> the array the loss takes."""
        if self.kind == "regression":
            try:
                return np.asarray(raw, dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError("the target must be numeric for a regression loss.") from None
        ids = self.class_ids(raw)
        if self.kind == "pm1":
            return ids * 2.0 - 1.0
        if self.kind == "01":
            return ids.astype(np.float64)
        if self.kind == "sparse":
            return ids
        return np.eye(len(self.classes))[ids]

    def class_ids(self, raw):
        lookup = {str(c): i for i, c in enumerate(self.classes)}
        keys = [label_key(v) for v in raw]
        unknown = sorted({k for k in keys if k not in lookup})
        if unknown:
            raise ValueError(f"the labels hold value(s) {unknown[:5]} the model was not trained on "
                             f"(known: {self.classes}).")
        return np.array([lookup[k] for k in keys], dtype=np.int64)

    def decode(self, outputs):
        """Network outputs (N, units) -> predicted labels (N,) as the original label values."""
        if self.kind == "regression":
            return outputs[:, 0]
        if self.kind == "pm1":
            ids = (outputs[:, 0] > 0).astype(np.int64)
        elif self.kind == "01":
            ids = (outputs[:, 0] > 0.5).astype(np.int64)
        else:
            ids = outputs.argmax(axis=1)
        return np.array(self.classes, dtype=object)[ids]

    def accuracy(self, outputs, raw):
        truth = np.array(self.classes, dtype=object)[self.class_ids(raw)]
        return float(np.mean(self.decode(outputs) == truth))


def choose_coding(raw, loss_name):
    """The encoding a loss needs for these raw labels (from the loss's spec row in fastnn/losses.py),
    or ValueError when they cannot fit it."""
    from .losses import SPECS

    spec = SPECS.spec(loss_name)
    classes = sorted({label_key(v) for v in raw}, key=_sort_key)
    numeric = all(_is_number(c) for c in classes)
    if spec.regression and numeric and len(classes) > 2:
        return LabelCoding("regression", [])
    if len(classes) < 2:
        raise ValueError(f"the target has a single class ({classes}); a classifier needs at least two.")
    if spec.labels in ("pm1", "01"):
        if len(classes) != 2:
            kind = "regression" if spec.regression else "two-class"
            hint = ("its values are not numeric" if spec.regression
                    else "use categorical_crossentropy or categorical_hinge for more classes")
            raise ValueError(f"loss {loss_name!r} is a {kind} loss but the target has {len(classes)} classes "
                             f"({', '.join(classes[:6])}{', ...' if len(classes) > 6 else ''}); {hint}.")
    return LabelCoding(spec.labels, classes)


MAX_CLASSES = 20  # an integer target with more distinct values is taken as a quantity by loss 'auto'


def auto_loss(raw_y):
    """The loss `fastnn train --loss auto` picks for a target: mean squared error for a numeric
    target with fractional values or more than MAX_CLASSES distinct ones, else binary
    crossentropy for two classes and categorical crossentropy for more."""
    classes = {label_key(v) for v in raw_y}
    if all(_is_number(c) for c in classes) and (
            len(classes) > MAX_CLASSES or any(not float(c).is_integer() for c in classes)):
        return "mean_squared_error"
    return "binary_crossentropy" if len(classes) <= 2 else "categorical_crossentropy"


TABLE_HIDDEN_UNITS = 64  # `fastnn train --data` on a classification target (measured: perf/tabular.py)


def default_layers(coding, loss_name, activation=None, units=20):
    """[(units, activation)]: one hidden layer (20 units, the tutorial's) and an output that fits the
    loss (its spec row)."""
    from .losses import SPECS

    spec = SPECS.spec(loss_name)
    categorical = coding.kind in ("onehot", "sparse")
    hidden = activation or ("relu" if categorical else "tanh")
    if coding.kind == "regression":
        output = (1, "softplus" if spec.output in ("softplus", "sigmoid") else "linear")
    else:
        output = (coding.n_outputs, spec.output)
    return [(units, hidden), output]


# the non-Dense parts of a --layers spec: token -> (layer class name, takes a number)
LAYER_TOKENS = {
    "dropout": ("Dropout", True), "alpha_dropout": ("AlphaDropout", True),
    "gaussian_dropout": ("GaussianDropout", True), "gaussian_noise": ("GaussianNoise", True),
    "noise": ("GaussianNoise", True), "batchnorm": ("BatchNormalization", False),
    "batch_normalization": ("BatchNormalization", False), "layernorm": ("LayerNormalization", False),
    "layer_normalization": ("LayerNormalization", False), "prelu": ("PReLU", False),
}


def parse_layers(spec):
    """'512:relu,dropout:0.2,batchnorm,10:softmax' -> [(512, 'relu'), ('dropout', 0.2), ('batchnorm', None),
    (10, 'softmax')]: Dense layers as units:activation (linear by default), the other kinds by name."""
    from . import activations
    from .registry import closest

    layers = []
    for part in (p.strip() for p in str(spec).split(",")):
        if not part:
            raise ValueError(f"layers {spec!r}: empty layer (two commas in a row?). Example: 20:tanh,1:tanh")
        head, _, arg = (t.strip() for t in part.partition(":"))
        if not head.lstrip("-").isdigit():
            if head.lower() not in LAYER_TOKENS:
                hint = closest(head, list(LAYER_TOKENS))
                raise ValueError(f"layers {spec!r}: {head!r} is not a number of units or a layer name"
                                 f"{f' (did you mean {hint!r}?)' if hint else ''}. Layer names: "
                                 f"{', '.join(LAYER_TOKENS)}. Example: 20:tanh,dropout:0.2,1:tanh")
            takes_number = LAYER_TOKENS[head.lower()][1]
            if takes_number:
                try:
                    value = float(arg)
                except ValueError:
                    raise ValueError(f"layers {spec!r}: {head} needs a rate, e.g. {head}:0.2") from None
                layers.append((head.lower(), value))
            elif arg:
                raise ValueError(f"layers {spec!r}: {head} takes no value (got {arg!r}).")
            else:
                layers.append((head.lower(), None))
            continue
        n = int(head)
        if n < 1:
            raise ValueError(f"layers {spec!r}: a layer needs at least 1 unit, got {n}.")
        name = arg or "linear"
        try:
            activations.canonical_name(name)
        except ValueError as exc:
            raise ValueError(f"layers {spec!r}: {exc}") from None
        layers.append((n, name))
    if not any(isinstance(item[0], int) for item in layers):
        raise ValueError(f"layers {spec!r}: at least one Dense layer (units:activation) is needed.")
    return layers


def layer_text(item):
    """(20, 'tanh') -> '20:tanh', ('dropout', 0.2) -> 'dropout:0.2', ('batchnorm', None) -> 'batchnorm'."""
    head, arg = item
    return f"{head}:{arg:g}" if isinstance(arg, float) else (f"{head}:{arg}" if arg is not None else head)


def with_dropout(layer_list, rate):
    """Dropout(rate) after every hidden Dense layer (the sweep's --dropout axis); rate 0 or None: unchanged."""
    if not rate:
        return list(layer_list)
    dense = [i for i, item in enumerate(layer_list) if isinstance(item[0], int)]
    out = []
    for i, item in enumerate(layer_list):
        out.append(item)
        if i in dense[:-1]:
            out.append(("dropout", float(rate)))
    return out


def _make_layer(item, first, n_features, l2=None):
    from . import layers as L
    from . import regularizers

    head, arg = item
    input_kw = {"input_dim": n_features} if first else {}
    if isinstance(head, int):  # l2: an L2 kernel regularizer on every Dense layer
        reg = {"kernel_regularizer": regularizers.L2(l2)} if l2 else {}
        return L.Dense(head, activation=arg, **input_kw, **reg)
    cls = getattr(L, LAYER_TOKENS[head][0])
    return cls(arg, **input_kw) if arg is not None else cls(**input_kw)


SPLIT_RULES = ("stratified", "shuffled", "last")
SCALE_RULES = ("standard", "minmax", "none")


def split_rows(raw_y, fraction, rule, seed, classes=True, what="validation"):
    """(kept row indices, held-out row indices) for a held-out `fraction`: 'stratified' draws that
    fraction of every class (plain shuffling for a regression target), 'shuffled' draws it from all
    rows, 'last' takes the last rows (Keras's validation_split rule). Seeded: one split per seed."""
    n = len(raw_y)
    if rule not in SPLIT_RULES:
        raise ValueError(f"the split rule must be one of {', '.join(SPLIT_RULES)}, got {rule!r}.")
    if rule == "last":
        held = np.arange(int(np.floor(n * (1.0 - fraction))), n)
    else:
        rng = np.random.default_rng([int(seed), 0x5B11])  # its own stream: the same split whatever else draws
        if rule == "stratified" and classes:
            keys = np.array([label_key(v) for v in raw_y])
            parts = []
            for key in sorted(set(keys.tolist())):
                rows = np.flatnonzero(keys == key)
                parts.append(rng.permutation(rows)[:int(round(len(rows) * fraction))])
            held = np.sort(np.concatenate(parts))
        else:
            held = np.sort(rng.permutation(n)[:int(round(n * fraction))])
    kept = np.setdiff1d(np.arange(n), held)
    if len(kept) == 0 or len(held) == 0:
        raise ValueError(f"a {what} fraction of {fraction:g} leaves {len(kept)} training and {len(held)} {what} "
                         f"rows out of {n}; both need at least one.")
    return kept, held


def scaling_statistics(x, rule):
    """(mean, variance) for a Normalization layer that scales x's columns: 'standard' to mean 0 and
    variance 1, 'minmax' to [0, 1]; a constant column is only shifted (variance 1). None for 'none'."""
    if rule not in SCALE_RULES:
        raise ValueError(f"the scaling must be one of {', '.join(SCALE_RULES)}, got {rule!r}.")
    if rule == "none":
        return None
    if rule == "standard":
        center, spread = x.mean(axis=0), x.std(axis=0)
    else:
        center, spread = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
    spread = np.where(spread > 1e-12 * np.maximum(np.abs(center), 1.0), spread, 1.0)
    return center, spread ** 2


SCHEDULE_FORMS = "none, cosine, warmup-cosine:FRACTION, exponential:RATE"


def parse_schedule(spec):
    """'cosine' -> ('cosine', None), 'exponential:0.9' -> ('exponential', 0.9), 'none'/None -> None;
    a bad spec is a ValueError naming the forms."""
    if spec is None or str(spec).strip().lower() in ("", "none"):
        return None
    name, _, arg = str(spec).strip().lower().partition(":")
    if name == "cosine" and not arg:
        return ("cosine", None)
    try:
        value = float(arg)
    except ValueError:
        value = None
    if name == "exponential" and value is not None and 0 < value <= 1:
        return ("exponential", value)
    if name == "warmup-cosine" and value is not None and 0 < value < 1:
        return ("warmup-cosine", value)
    raise ValueError(f"schedule {spec!r}: use one of {SCHEDULE_FORMS} (exponential's RATE in (0, 1] per epoch, "
                     f"warmup-cosine's FRACTION of the steps in (0, 1)).")


def make_schedule(spec, lr, steps_per_epoch, epochs):
    """A learning-rate schedule over a whole fit: cosine decay to 0 over every step, a linear warmup
    from 0 over FRACTION of the steps then cosine decay, or exponential decay by RATE per epoch."""
    from .optimizers import schedules

    parsed = parse_schedule(spec)
    if parsed is None:
        return lr
    total = max(1, steps_per_epoch * epochs)
    name, arg = parsed
    if name == "cosine":
        return schedules.CosineDecay(lr, total)
    if name == "warmup-cosine":
        warm = max(1, int(round(arg * total)))
        return schedules.CosineDecay(0.0, max(1, total - warm), warmup_target=lr, warmup_steps=warm)
    return schedules.ExponentialDecay(lr, max(1, steps_per_epoch), arg)


def make_optimizer(name, lr=None, schedule=None, steps_per_epoch=1, epochs=1, weight_decay=None):
    from . import optimizers

    opt = optimizers.get(name)
    cfg = opt.get_config()
    if lr is not None:
        cfg["learning_rate"] = lr
    if weight_decay is not None:
        cfg["weight_decay"] = weight_decay
    if schedule is not None:
        cfg["learning_rate"] = make_schedule(schedule, cfg["learning_rate"], steps_per_epoch, epochs)
    return type(opt)(**cfg) if (lr is not None or schedule is not None or weight_decay is not None) else opt


def build_model(n_features, coding, loss, optimizer="adam", lr=None, layers=None, activation=None,
                metrics=("accuracy",), seed=0, dtype="float32", dropout=None, scaler=None, target_scaler=None,
                l2=None, schedule=None, steps_per_epoch=1, epochs=1, weight_decay=None):
    """A compiled Sequential for this task, with the label coding in model.metadata. `scaler`
    (mean, variance) puts a Normalization layer first; `target_scaler` an inverting one last, so a
    regression network learns standardised targets but the model predicts (and reports its loss)
    in the target's own units."""
    from .losses import get as get_loss
    from .models import Sequential

    loss = get_loss(loss)
    layer_list = parse_layers(layers) if isinstance(layers, str) else (layers or default_layers(coding, loss.name,
                                                                                                 activation))
    layer_list = with_dropout(layer_list, dropout)
    units = [item[0] for item in layer_list if isinstance(item[0], int)][-1]
    if units != coding.n_outputs or not isinstance(layer_list[-1][0], int):
        raise ValueError(f"the layers end with {layer_text(layer_list[-1])} ({units} unit(s)) but loss {loss.name!r} "
                         f"on this target needs {coding.n_outputs} output(s) from a last Dense layer ({coding.kind} "
                         f"labels, classes: {coding.classes}).")
    metric_names = [m for m in metrics if not (coding.kind == "regression" and m in ("accuracy", "acc"))]
    model = Sequential(name="fastnn_task", dtype=dtype, seed=seed)
    if scaler is not None:
        from .layers import Normalization

        model.add(Normalization(mean=scaler[0], variance=scaler[1], input_dim=n_features))
    for i, item in enumerate(layer_list):
        model.add(_make_layer(item, i == 0 and scaler is None, n_features, l2))
    if target_scaler is not None and layer_list[-1][1] in ("linear", None):  # not a softplus output's range
        from .layers import Normalization

        model.add(Normalization(mean=target_scaler[0], variance=target_scaler[1], invert=True))
    model.compile(optimizer=make_optimizer(optimizer, lr, schedule, steps_per_epoch, epochs, weight_decay)
                  if isinstance(optimizer, str) else optimizer,
                  loss=loss, metrics=metric_names)
    model.metadata = {"labels": coding.to_json()}
    return model, layer_list


def train_and_evaluate(x, raw_y, test=None, loss="hinge", optimizer="adam", lr=None, layers=None, activation=None,
                       epochs=150, batch_size=32, validation_split=0.2, metrics=("accuracy",), seed=0,
                       dtype="float32", verbose=0, dropout=None, split="last", scale="none", l2=None, schedule=None,
                       weight_decay=None):
    """Train one configuration and evaluate it. Returns (model, history, summary dict); the
    summary holds the configuration, the final and validation logs, the test results when a
    test set (x_test, raw_y_test) is given, and the training time. The validation rows follow
    `split` (split_rows); the scaling (`scale`) is learned from the training rows alone."""
    from .losses import get as get_loss

    loss_name = get_loss(loss).name
    coding = choose_coding(raw_y, loss_name)
    y = coding.encode(raw_y)
    fit_args = {"validation_split": validation_split}
    train_rows = np.arange(len(x))
    if validation_split:
        train_rows, held = split_rows(raw_y, validation_split, split, seed, coding.kind != "regression")
        if split != "last":
            fit_args = {"validation_data": (x[held], y[held])}
    scaler = scaling_statistics(x[train_rows], scale)
    target_scaler = None
    if coding.kind == "regression":
        target_scaler = scaling_statistics(y[train_rows].reshape(-1, 1), scale)
    steps = int(np.ceil(len(train_rows) / batch_size))
    model, layer_list = build_model(x.shape[1], coding, loss_name, optimizer, lr, layers, activation, metrics, seed,
                                    dtype, dropout, scaler, target_scaler, l2, schedule, steps, epochs, weight_decay)
    if split != "last":
        x, y = x[train_rows], y[train_rows]
    t0 = time.perf_counter()
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose, **fit_args)
    seconds = time.perf_counter() - t0
    opt = model.optimizer
    summary = {"loss_function": loss_name, "optimizer": type(opt).__name__.lower(),
               "learning_rate": opt.learning_rate, "l2": l2, "schedule": schedule,
               "layers": [layer_text(item) for item in layer_list],
               "batch_size": batch_size, "seed": seed, "split": split, "scale": scale,
               "epochs_run": len(history.epoch),
               "train_seconds": round(seconds, 6), "interrupted": bool(history.interrupted),
               "nonfinite": bool(history.nonfinite)}
    summary.update({k: v[-1] for k, v in history.history.items() if v})
    if test is not None and test[1] is not None:
        x_test, raw_test = test
        results = model.evaluate(x_test, coding.encode(raw_test), verbose=0, return_dict=True)
        summary.update({f"test_{k}": v for k, v in results.items()})
        if coding.kind != "regression":
            summary["test_accuracy"] = coding.accuracy(model.predict(x_test), raw_test)
        else:  # R^2, scikit-learn's regression score, on the held-out rows
            truth = coding.encode(raw_test)
            residual = float(np.sum((truth - model.predict(x_test)[:, 0].astype(np.float64)) ** 2))
            total = float(np.sum((truth - truth.mean()) ** 2))
            if total > 0:  # undefined for a constant target (one held-out row): left out, not NaN in JSON
                summary["test_r2"] = 1.0 - residual / total
        summary["test_rows"] = int(len(x_test))
    return model, history, summary
