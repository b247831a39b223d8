"""A whole Dense stack, forward and backward, over the flat buffers.

network_forward(params, layers, act_params, xT, work, B_cap) -> output block (n_out, B)
network_backward(params, grads, layers, act_params, xT, work, B_cap, d_cur, d_next, skip_last_act)

Activations are feature-major (kernels/dense.py): xT is (n_in, B), every block (n, B).
The layer table (codes.L_*) says where each layer's W and b live in `params` (and, with the
same offsets, in `grads`) and where its pre-activation z and output a live in `work`:
layer li's z block starts at work[L_Z * B_cap] and is viewed as (n_out, B), likewise a.
A linear layer's a block IS its z block (L_A == L_Z), so it costs no copy.

Backward ping-pongs between two scratch buffers: d_cur holds dL/d(layer output) on entry to a
layer, the activation backward writes dL/dz into the other buffer, and the dense backward
writes dL/d(layer input) back into the first, which is free by then. No step runs in place.
"""
from .activations import activation_backward, activation_forward
from .codes import KIND_DENSE, L_A, L_ACT, L_B, L_BLAS, L_KIND, L_N_IN, L_N_OUT, L_W, L_Z
from .dense import dense_backward, dense_forward
from .jit import kernel


@kernel
def block(buf, col, B, B_cap, n):
    # the (n, B) block that starts at column offset col of a workspace sized for B_cap rows
    start = col * B_cap
    return buf[start:start + n * B].reshape(n, B)


@kernel
def layer_weights(params, layers, li):
    n_in, n_out = layers[li, L_N_IN], layers[li, L_N_OUT]
    w_off, b_off = layers[li, L_W], layers[li, L_B]
    w = params[w_off:w_off + n_in * n_out].reshape(n_in, n_out)
    b = params[b_off:b_off + n_out] if b_off >= 0 else params[0:0]
    return w, b


@kernel
def network_forward(params, layers, act_params, xT, work, B_cap):
    B = xT.shape[1]
    inp = xT
    for li in range(layers.shape[0]):
        n_out = layers[li, L_N_OUT]
        z = block(work, layers[li, L_Z], B, B_cap, n_out)
        if layers[li, L_KIND] == KIND_DENSE:
            w, b = layer_weights(params, layers, li)
            dense_forward(z, inp, w, b, layers[li, L_B] >= 0, layers[li, L_BLAS] != 0)
        else:  # an Activation layer: z is a copy of its input
            z[:, :] = inp
        a = block(work, layers[li, L_A], B, B_cap, n_out)
        if layers[li, L_A] != layers[li, L_Z]:
            activation_forward(a, z, layers[li, L_ACT], act_params[li])
        inp = a
    return inp


@kernel
def network_backward(params, grads, layers, act_params, xT, work, B_cap, d_cur, d_next, skip_last_act):
    B = xT.shape[1]
    last = layers.shape[0] - 1
    for li in range(last, -1, -1):
        n_in, n_out = layers[li, L_N_IN], layers[li, L_N_OUT]
        dz = d_cur[:n_out * B].reshape(n_out, B)  # dL/da on entry
        if layers[li, L_A] != layers[li, L_Z] and not (li == last and skip_last_act):
            z = block(work, layers[li, L_Z], B, B_cap, n_out)
            a = block(work, layers[li, L_A], B, B_cap, n_out)
            da = dz
            dz = d_next[:n_out * B].reshape(n_out, B)  # not in place: in place never vectorises
            activation_backward(dz, da, z, a, layers[li, L_ACT], act_params[li])
            d_cur, d_next = d_next, d_cur  # d_cur holds dz, d_next is free
        if layers[li, L_KIND] == KIND_DENSE:
            inp = xT if li == 0 else block(work, layers[li - 1, L_A], B, B_cap, n_in)
            w, b = layer_weights(params, layers, li)
            dw, db = layer_weights(grads, layers, li)
            dx = d_next[:n_in * B].reshape(n_in, B)
            dense_backward(dx, dw, db, dz, inp, w, layers[li, L_B] >= 0, li > 0, layers[li, L_BLAS] != 0)
            d_cur, d_next = d_next, d_cur  # d_cur holds dx
        # an Activation layer passes dz on: it is the gradient w.r.t. its input, in d_cur
