"""model.summary(): a Keras-style table of layers, output shapes and parameter counts."""


def summary_text(model):
    if not model.built and model.input_dim is not None:
        model.build()  # Keras builds as soon as the input width is known
    rows = [("Layer (type)", "Output Shape", "Param #")]
    width = model.input_dim
    for layer in model.layers:
        width = layer.output_width(width) if width is not None else None
        params = layer.count_params() if model.built else None
        kind = f"{layer.name} ({type(layer).__name__})"
        activation = getattr(layer, "activation", None)
        if layer.kind == "dense" and activation.name != "linear":
            kind += f" [{activation.name}]"
        rows.append((kind, f"(None, {width if width is not None else '?'})",
                     "?" if params is None else f"{params:,}"))
    widths = [max(len(r[i]) for r in rows) + 2 for i in range(3)]
    line = "─" * sum(widths)
    out = [f'Model: "{model.name}"', line]
    for i, r in enumerate(rows):
        out.append(r[0].ljust(widths[0]) + r[1].ljust(widths[1]) + r[2].rjust(widths[2]))
        if i == 0:
            out.append(line)
    out.append(line)
    total = model.count_params() if model.built else None
    if total is not None:
        item = model.dtype(0).itemsize
        model._sync_trainable()
        tensors = model._layout.tensors
        locked = int(tensors[tensors[:, 2] != 0, 1].sum())  # trainable=False layers
        trainable, frozen = model._layout.n_params - locked, model._layout.n_state + locked  # + moving statistics
        out.append(f" Total params: {total:,} ({_human(total * item)})")
        out.append(f" Trainable params: {trainable:,} ({_human(trainable * item)})")
        out.append(f" Non-trainable params: {frozen:,} ({_human(frozen * item)})")
    else:
        out.append(" Total params: unknown until the model is built (give input_dim or call fit).")
    if model.compiled:
        out.append(f" Optimizer: {model.optimizer!r}")
        out.append(f" Loss: {model.loss.name}" + (f" {model.loss.options}" if model.loss.options else ""))
        if model._metric_identifiers:
            out.append(f" Metrics: {', '.join(map(str, model._metric_identifiers))}")
    out.append(f" dtype: {model.dtype.__name__}")
    return "\n".join(out)


def _human(nbytes):
    for unit in ("B", "KB", "MB", "GB"):
        if nbytes < 1024 or unit == "GB":
            return f"{nbytes:.2f} {unit}"
        nbytes /= 1024
