"""One registry per family (activations, losses, optimizers, metrics): names, aliases, specs.

    ACTIVATIONS = Registry("activation", case_sensitive=False)
    ACTIVATIONS.add(spec, aliases=("swish",))     # spec.name is the canonical name
    ACTIVATIONS.canonical("Swish")  -> "silu";   ACTIVATIONS.spec("tanh") -> the spec row
    ACTIVATIONS.names()             -> every accepted name, aliases included

An unknown name raises ValueError naming the closest valid one ("Did you mean 'sigmoid'?").
"""
import difflib


def closest(name, choices):
    """The valid choice nearest to `name`, or None when nothing is close."""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[match[0]] if match else None


def unknown_name_error(kind, name, choices):
    """ValueError naming the bad value, the closest valid one and every valid choice."""
    hint = closest(name, choices)
    did_you_mean = f" Did you mean {hint!r}?" if hint else ""
    listing = ", ".join(sorted(set(choices), key=str.lower))
    kinds = kind + ("es" if kind.endswith("s") else "s")  # losses, activations
    return ValueError(f"Unknown {kind} {name!r}.{did_you_mean} Valid {kinds}: {listing}.")


def keras_function_name(identifier):
    """The name of a Keras (or tf.keras) function passed by habit, e.g. keras.losses.mse, which
    fastnn can map to its own kernel of the same name; None for any other object."""
    name = getattr(identifier, "__name__", None)
    module = getattr(identifier, "__module__", "") or ""
    if callable(identifier) and name and module.split(".")[0] in ("keras", "tensorflow", "tf_keras"):
        return name
    return None


class Registry:
    """Specs of one family by canonical name, plus aliases."""

    def __init__(self, kind, case_sensitive=True):
        self.kind = kind
        self.case_sensitive = case_sensitive
        self._specs = {}
        self._aliases = {}

    def _key(self, name):
        return name if self.case_sensitive else str(name).lower()

    def add(self, spec, aliases=()):
        for key in (spec.name, *aliases):
            if self._key(key) in self._specs or self._key(key) in self._aliases:
                raise ValueError(f"{self.kind} name {key!r} registered twice")
        self._specs[self._key(spec.name)] = spec
        for alias in aliases:
            self._aliases[self._key(alias)] = spec.name
        return spec

    def add_alias(self, alias, canonical):
        if self._key(alias) not in self._specs:
            self._aliases[self._key(alias)] = canonical

    def canonical(self, name):
        """The canonical name for a name or alias; ValueError (with the closest name) otherwise."""
        if not isinstance(name, str):
            raise unknown_name_error(self.kind, name, self.names())
        key = self._key(name)
        if key in self._specs:
            return self._specs[key].name
        if key in self._aliases:
            return self._aliases[key]
        raise unknown_name_error(self.kind, name, self.names())

    def spec(self, name):
        return self._specs[self._key(self.canonical(name))]

    def specs(self):
        return list(self._specs.values())

    def names(self):
        """Every accepted name: canonical names and aliases, sorted."""
        return sorted({s.name for s in self._specs.values()} | set(self._alias_names()))

    def _alias_names(self):
        return list(self._aliases)

    def aliases_of(self, canonical):
        return sorted(alias for alias, target in self._aliases.items() if target == canonical)

    def __contains__(self, name):
        try:
            self.canonical(name)
        except ValueError:
            return False
        return True
