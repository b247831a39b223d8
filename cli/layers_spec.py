"""Formatting a layer list for the train command's header line ("5-20-1 tanh/tanh")."""


def format_layers(n_in, layers):
    return f"{n_in}-" + "-".join(str(u) for u, _ in layers) + " " + "/".join(a for _, a in layers)
