"""A stack of layers, forward and backward, over the flat buffers, dispatching on each layer's kind.

network_forward(net, xT, work, B, training)                    -> every code known
output_block(net, work, B)                                     -> the network's output block
network_backward(net, grads, xT, work, B, d_cur, d_next, fused) -> every code known

`net` is kernels/args.Net: the flat parameters, the layer table (codes.L_*), each layer's activation
and kind parameters, the non-trainable state (BatchNormalization's moving statistics) and the
noise stream (key, training step). Every block is a flat slice holding an (n, B) feature-major
array (kernels/dense.py): xT is (n_in, B), and the block of a layer whose table entry says column
offset c is work[c * B : (c + n) * B] for the B rows of the batch at hand, so a short last batch
still sees contiguous blocks. A linear layer's output block IS its pre-activation block.

A layer kind is one kernel module with its forward and backward side by side (dense.py,
dropout.py, batchnorm.py, layernorm.py, prelu.py, normalization.py) and one branch in each function below. The
forward pass takes `training`: the noise layers act only then, and BatchNormalization uses (and
updates) batch statistics then and its moving statistics otherwise.

Backward ping-pongs between two scratch buffers: d_cur holds dL/d(layer output) on entry to a
layer, the activation backward writes dL/dz into the other buffer, and the layer's backward
writes dL/d(layer input) back into the first, which is free by then. No step runs in place.
"""
from .activations import activation_backward, activation_forward
from .batchnorm import BATCHNORM, batchnorm_backward, batchnorm_forward
from .codes import L_A, L_ACT, L_AUX, L_B, L_BLAS, L_KIND, L_N_IN, L_N_OUT, L_STATE, L_W, L_Z, code_of
from .dense import dense_backward, dense_forward
from .dropout import ALPHA_DROPOUT, DROPOUT, GAUSSIAN_DROPOUT, GAUSSIAN_NOISE, noise_backward, noise_forward
from .jit import kernel, kernel_inline
from .layernorm import LAYERNORM, layernorm_backward, layernorm_forward
from .normalization import NORMALIZATION, normalization_backward, normalization_forward
from .prelu import PRELU, prelu_backward, prelu_forward
from .regularization import ACTIVITY_PENALTY, activity_grad, activity_raw
from .rng import stream_base

DENSE = code_of("dense")
ACTIVATION = code_of("activation")


@kernel
def copy_into(dst, src):
    # dst[:] = src as a loop: slice assignment needs Numba's runtime (NRT), which the kernels
    # are compiled without (its reference counting cost the seed fit 18%)
    for i in range(src.shape[0]):
        dst[i] = src[i]


@kernel_inline
def block(buf, col, n, B):
    # the (n, B) block at column offset col of a workspace or gradient-scratch buffer
    return buf[col * B:(col + n) * B]


@kernel_inline
def tensor(buf, offset, size):
    # a layer's parameter (or gradient, or state) tensor; empty when the layer has none
    return buf[max(offset, 0):max(offset, 0) + (size if offset >= 0 else 0)]


@kernel
def layer_forward(net, li, z, inp, work, B, training):
    # z = the layer's output before its activation; False for an unknown kind
    layers, params = net.layers, net.params
    kind, n_out = layers[li, L_KIND], layers[li, L_N_OUT]
    kp = net.kind_params[li]
    aux = block(work, layers[li, L_AUX], 2 * n_out, B) if layers[li, L_AUX] >= 0 else work[:0]
    if kind == ACTIVATION:  # z is a copy of the input; the activation follows (Dense: network_forward)
        copy_into(z, inp)
    elif kind == BATCHNORM:
        s = layers[li, L_STATE]
        batchnorm_forward(z, aux, inp, tensor(params, layers[li, L_W], n_out), tensor(params, layers[li, L_B], n_out),
                          net.state[s:s + n_out], net.state[s + n_out:s + 2 * n_out], n_out, B, kp[0], kp[1],
                          training and kp[2] == 0)  # trainable=False: inference mode, as Keras 3
    elif kind == LAYERNORM:
        layernorm_forward(z, aux, inp, tensor(params, layers[li, L_W], n_out), tensor(params, layers[li, L_B], n_out),
                          n_out, B, kp[0])
    elif kind == PRELU:
        prelu_forward(z, inp, tensor(params, layers[li, L_W], n_out), n_out, B)
    elif kind == NORMALIZATION:
        s = layers[li, L_STATE]
        normalization_forward(z, inp, net.state[s:s + n_out], net.state[s + n_out:s + 2 * n_out], n_out, B,
                              kp[0] != 0)
    else:
        base = stream_base(net.noise[0], net.noise[1], li)
        return noise_forward(kind, z, aux, inp, n_out, B, kp, base, training)
    return True


@kernel
def network_forward(net, xT, work, B, training):
    # Dense layers take the direct path, with the flat arrays unpacked once: through the general
    # dispatch the seed model's forward pass was 15% slower
    params, layers, act_params = net.params, net.layers, net.act_params
    inp = xT
    known = True
    for li in range(layers.shape[0]):
        n_in, n_out = layers[li, L_N_IN], layers[li, L_N_OUT]
        z = block(work, layers[li, L_Z], n_out, B)
        if layers[li, L_KIND] == DENSE:
            w_off, b_off = layers[li, L_W], layers[li, L_B]
            dense_forward(z, inp, params[w_off:w_off + n_in * n_out], tensor(params, b_off, n_out), n_in, n_out, B,
                          b_off >= 0, layers[li, L_BLAS])
        elif not layer_forward(net, li, z, inp, work, B, training):
            known = False
        a = block(work, layers[li, L_A], n_out, B)
        if layers[li, L_A] != layers[li, L_Z]:
            if not activation_forward(a, z, n_out, B, layers[li, L_ACT], act_params[li]):
                known = False
        inp = a
    return known


@kernel_inline
def output_block(net, work, B):
    # the last layer's activation block: the network's (n_out, B) output after network_forward
    last = net.layers.shape[0] - 1
    return block(work, net.layers[last, L_A], net.layers[last, L_N_OUT], B)


@kernel
def layer_backward(net, grads, li, dx, dz, inp, work, B):
    # dx = dL/d(input) (unless li == 0), and the layer's parameter gradients, from dz = dL/d(output
    # before the activation); False for an unknown kind
    layers, params = net.layers, net.params
    kind, n_out = layers[li, L_KIND], layers[li, L_N_OUT]
    aux = block(work, layers[li, L_AUX], 2 * n_out, B) if layers[li, L_AUX] >= 0 else work[:0]
    w_off, b_off = layers[li, L_W], layers[li, L_B]
    if kind == ACTIVATION:  # (Dense: network_backward)
        copy_into(dx, dz)
    elif kind == BATCHNORM:
        batchnorm_backward(dx, tensor(grads, w_off, n_out), tensor(grads, b_off, n_out), dz, aux,
                           tensor(params, w_off, n_out), n_out, B, li > 0)
    elif kind == LAYERNORM:
        layernorm_backward(dx, tensor(grads, w_off, n_out), tensor(grads, b_off, n_out), dz, aux,
                           tensor(params, w_off, n_out), n_out, B, li > 0)
    elif kind == PRELU:
        prelu_backward(dx, tensor(grads, w_off, n_out), dz, inp, tensor(params, w_off, n_out), n_out, B, li > 0)
    elif kind == NORMALIZATION:
        if li > 0:
            s = layers[li, L_STATE]
            normalization_backward(dx, dz, net.state[s + n_out:s + 2 * n_out], n_out, B,
                                   net.kind_params[li][0] != 0)
    elif kind == DROPOUT or kind == GAUSSIAN_NOISE or kind == GAUSSIAN_DROPOUT or kind == ALPHA_DROPOUT:
        noise_backward(dx, dz, aux, n_out, B)
    else:
        return False
    return True


@kernel
def activity_sum(net, work, B):
    # sum over activity-regularized layer outputs of l1 sum|a| + l2 sum a^2 over the batch (the
    # loss takes it divided by B)
    pen, layers = net.penalties, net.layers
    total = 0.0
    for r in range(pen.shape[0]):
        if pen[r, 0] == ACTIVITY_PENALTY:
            li = int(pen[r, 1])
            total += activity_raw(block(work, layers[li, L_A], layers[li, L_N_OUT], B), pen[r, 3], pen[r, 4])
    return total


@kernel
def network_backward(net, grads, xT, work, B, d_cur, d_next, fused):
    params, layers, act_params, pen = net.params, net.layers, net.act_params, net.penalties
    last = layers.shape[0] - 1
    known = True
    for li in range(last, -1, -1):
        n_in, n_out = layers[li, L_N_IN], layers[li, L_N_OUT]
        dz = d_cur[:n_out * B]  # dL/da on entry
        for r in range(pen.shape[0]):  # an activity regularizer on this layer's output
            if pen[r, 0] == ACTIVITY_PENALTY and int(pen[r, 1]) == li:
                activity_grad(dz, block(work, layers[li, L_A], n_out, B), pen[r, 3], pen[r, 4], B)
        if layers[li, L_A] != layers[li, L_Z] and not (li == last and fused):
            z = block(work, layers[li, L_Z], n_out, B)
            a = block(work, layers[li, L_A], n_out, B)
            da = dz
            dz = d_next[:n_out * B]  # not in place: in place never vectorises
            if not activation_backward(dz, da, z, a, n_out, B, layers[li, L_ACT], act_params[li]):
                known = False
            d_cur, d_next = d_next, d_cur  # d_cur holds dz, d_next is free
        inp = xT if li == 0 else block(work, layers[li - 1, L_A], n_in, B)
        if layers[li, L_KIND] == DENSE:  # the direct path, as in network_forward
            w_off, b_off = layers[li, L_W], layers[li, L_B]
            dense_backward(d_next[:n_in * B], grads[w_off:w_off + n_in * n_out], tensor(grads, b_off, n_out), dz,
                           inp, params[w_off:w_off + n_in * n_out], n_in, n_out, B, b_off >= 0, li > 0,
                           layers[li, L_BLAS])
        elif not layer_backward(net, grads, li, d_next[:n_in * B], dz, inp, work, B):
            known = False
        d_cur, d_next = d_next, d_cur  # d_cur holds dx
    return known
