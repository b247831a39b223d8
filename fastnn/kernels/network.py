"""A whole Dense stack, forward and backward, over the flat buffers.

network_forward(params, layers, act_params, xT, work, B)       -> (output block, every code known)
network_backward(params, grads, layers, act_params, xT, work, B, d_cur, d_next, fused)
                                                                 -> every code known

Every block is a flat slice holding an (n, B) feature-major array (kernels/dense.py): xT is
(n_in, B), and the block of a layer whose table entry says column offset c (L_Z for its
pre-activation, L_A for its output) is work[c * B : (c + n) * B] for the B rows of the batch
at hand, so a short last batch still sees contiguous blocks. The layer table (codes.L_*) also
says where each layer's W and b live in `params` (and, with the same offsets, in `grads`).
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
def network_forward(params, layers, act_params, xT, work, B):
    inp = xT
    known = True
    for li in range(layers.shape[0]):
        n_in, n_out = layers[li, L_N_IN], layers[li, L_N_OUT]
        z = work[layers[li, L_Z] * B:(layers[li, L_Z] + n_out) * B]
        if layers[li, L_KIND] == KIND_DENSE:
            w_off, b_off = layers[li, L_W], layers[li, L_B]
            dense_forward(z, inp, params[w_off:w_off + n_in * n_out], params[max(b_off, 0):max(b_off, 0) + n_out],
                          n_in, n_out, B, b_off >= 0, layers[li, L_BLAS] != 0)
        else:  # an Activation layer: z is a copy of its input
            z[:] = inp
        a = work[layers[li, L_A] * B:(layers[li, L_A] + n_out) * B]
        if layers[li, L_A] != layers[li, L_Z]:
            if not activation_forward(a, z, n_out, B, layers[li, L_ACT], act_params[li]):
                known = False
        inp = a
    return inp, known


@kernel
def network_backward(params, grads, layers, act_params, xT, work, B, d_cur, d_next, fused):
    last = layers.shape[0] - 1
    known = True
    for li in range(last, -1, -1):
        n_in, n_out = layers[li, L_N_IN], layers[li, L_N_OUT]
        dz = d_cur[:n_out * B]  # dL/da on entry
        if layers[li, L_A] != layers[li, L_Z] and not (li == last and fused):
            z = work[layers[li, L_Z] * B:(layers[li, L_Z] + n_out) * B]
            a = work[layers[li, L_A] * B:(layers[li, L_A] + n_out) * B]
            da = dz
            dz = d_next[:n_out * B]  # not in place: in place never vectorises
            if not activation_backward(dz, da, z, a, n_out, B, layers[li, L_ACT], act_params[li]):
                known = False
            d_cur, d_next = d_next, d_cur  # d_cur holds dz, d_next is free
        if layers[li, L_KIND] == KIND_DENSE:
            inp = xT if li == 0 else work[layers[li - 1, L_A] * B:(layers[li - 1, L_A] + n_in) * B]
            w_off, b_off = layers[li, L_W], layers[li, L_B]
            b0 = max(b_off, 0)
            dense_backward(d_next[:n_in * B], grads[w_off:w_off + n_in * n_out], grads[b0:b0 + n_out], dz, inp,
                           params[w_off:w_off + n_in * n_out], n_in, n_out, B, b_off >= 0, li > 0,
                           layers[li, L_BLAS] != 0)
            d_cur, d_next = d_next, d_cur  # d_cur holds dx
        # an Activation layer passes dz on: it is the gradient w.r.t. its input, in d_cur
    return known
