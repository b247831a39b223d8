"""Name lookup with helpful errors: 'sigmod' -> "did you mean 'sigmoid'?"."""
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
    return ValueError(f"Unknown {kind} {name!r}.{did_you_mean} Valid {kind}s: {listing}.")


def keras_function_name(identifier):
    """The name of a Keras (or tf.keras) function passed by habit, e.g. keras.losses.mse, which
    fastnn can map to its own kernel of the same name; None for any other object."""
    name = getattr(identifier, "__name__", None)
    module = getattr(identifier, "__module__", "") or ""
    if callable(identifier) and name and module.split(".")[0] in ("keras", "tensorflow", "tf_keras"):
        return name
    return None
