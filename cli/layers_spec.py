"""--layers "20:tanh,1:tanh": units and activation per Dense layer (activation defaults to linear)."""
from fastnn import activations

from .errors import CLIError


def parse_layers(spec):
    """[(units, activation name), ...] or a CLIError naming the bad part."""
    layers = []
    parts = [p.strip() for p in str(spec).split(",")]
    for part in parts:
        if not part:
            raise CLIError(f"--layers {spec!r}: empty layer (two commas in a row?). Example: --layers 20:tanh,1:tanh")
        units, _, act = part.partition(":")
        try:
            n = int(units)
        except ValueError:
            raise CLIError(f"--layers {spec!r}: {units!r} is not a number of units. Example: 20:tanh") from None
        if n < 1:
            raise CLIError(f"--layers {spec!r}: a layer needs at least 1 unit, got {n}.")
        name = act.strip() or "linear"
        try:
            activations.canonical_name(name)
        except ValueError as exc:
            raise CLIError(f"--layers {spec!r}: {exc}") from None
        layers.append((n, name))
    return layers


def format_layers(n_in, layers):
    return f"{n_in}-" + "-".join(str(u) for u, _ in layers) + " " + "/".join(a for _, a in layers)
