"""Formatting a layer list for the train command's header line ("5-20-1 tanh/tanh",
"784-512-dropout(0.2)-10 relu/softmax")."""


def format_layers(n_in, layers):
    parts, acts = [str(n_in)], []
    for head, arg in layers:
        if isinstance(head, int):
            parts.append(str(head))
            acts.append(arg)
        else:
            parts.append(f"{head}({arg:g})" if arg is not None else head)
    return "-".join(parts) + " " + "/".join(acts)
