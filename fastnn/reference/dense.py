"""Reference Dense layer: forward and backward with plain NumPy matrix products."""


def dense_forward(x, w, b=None):
    """x (B, n_in) @ w (n_in, n_out) + b -> (B, n_out)."""
    out = x @ w
    return out if b is None else out + b


def dense_backward(dout, x, w, use_bias=True):
    """Gradients (dx, dw, db) of a loss whose gradient w.r.t. the output is dout."""
    dx = dout @ w.T
    dw = x.T @ dout
    db = dout.sum(axis=0) if use_bias else None
    return dx, dw, db
