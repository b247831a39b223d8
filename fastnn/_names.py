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
