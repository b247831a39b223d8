"""keras.preprocessing.sequence.pad_sequences (also keras.utils.pad_sequences in Keras 3)."""
import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """(len(sequences), maxlen) array: each sequence cut to maxlen (from the front with
    truncating='pre', the back with 'post') and filled up with value (in front with padding='pre')."""
    if padding not in ("pre", "post") or truncating not in ("pre", "post"):
        raise ValueError(f"pad_sequences: padding and truncating must be 'pre' or 'post', got {padding!r} and "
                         f"{truncating!r}.")
    try:
        lengths = [len(s) for s in sequences]
    except TypeError:
        raise ValueError("pad_sequences takes a list of sequences (lists or arrays of ids).") from None
    if maxlen is None:
        maxlen = max(lengths, default=0)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be a non-negative integer or None, got {maxlen!r}.")
    sample_shape = next((np.asarray(s).shape[1:] for s in sequences if len(s)), ())
    out = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    for row, seq in enumerate(sequences):
        if not len(seq) or maxlen == 0:
            continue
        kept = np.asarray(seq[-maxlen:] if truncating == "pre" else seq[:maxlen], dtype=dtype)
        if padding == "post":
            out[row, :len(kept)] = kept
        else:
            out[row, -len(kept):] = kept
    return out
