"""The flat-buffer layout of a model: one parameter array, a layer table, a workspace.

Like llm.c's single allocation for all parameters: every trainable tensor of a model (each W and
b, gamma and beta, PReLU's alpha) lives back to back in ONE 1-D array, and an int64 table
(kernels/codes.py, L_*) says where. Gradients and optimizer slots use the same offsets, so an
optimizer step is one loop over P numbers and saving a model is saving one array. Non-trainable
state (BatchNormalization's moving statistics) has a second flat array with its own offsets.

Layout turns a list of LayerSpec into that table and hands out views for inspection.
"""
from typing import NamedTuple

import numpy as np

from . import memory
from ..kernels import codes as C
from ..kernels.args import Work

# A layer's matrix products go through BLAS when it has at least BLAS_MIN_WEIGHTS weights and
# both sides are at least BLAS_MIN_SIDE wide; below that the hand loops win, because each BLAS
# call has a fixed cost of about a microsecond. Measured with `python -m perf.crossover`
# (forward + backward, batch 32 and 128): 16x16 BLAS 1.2-1.5x faster, 12x12 even, 5x20 and
# 64x2 loops 1.4-2x faster, 784x10 BLAS 2.5x faster.
BLAS_MIN_WEIGHTS = 192
BLAS_MIN_SIDE = 8


class LayerSpec(NamedTuple):
    """What the kernels need to know about one layer; each layer class builds its own (layers.py)."""

    kind: str  # the kind's name: its kernel code is code_of(kind) (kernels/network.py)
    n_in: int
    n_out: int
    params: tuple = ()  # shapes of the trainable tensors in Keras's order (None: absent), at most two
    state: tuple = ()  # shapes of the non-trainable tensors (BatchNormalization's moving statistics)
    activation: object = None  # fastnn.activations.ActivationFunction (None: linear)
    kind_params: tuple = ()  # up to codes.N_KIND_PARAMS numbers (rate, epsilon, momentum, ...)
    aux: bool = False  # keeps a scratch block for its backward pass (masks, normalised inputs)


class Layout:
    """Offsets of every tensor and workspace block for a list of LayerSpec."""

    def __init__(self, specs, dtype, blas_min_weights=None, blas_min_side=None):
        if not specs:
            raise ValueError("A model needs at least one layer.")
        threshold = BLAS_MIN_WEIGHTS if blas_min_weights is None else blas_min_weights
        min_side = BLAS_MIN_SIDE if blas_min_side is None else blas_min_side
        self.specs = list(specs)
        self.dtype = dtype
        self.layers = np.zeros((len(specs), C.N_LAYER_FIELDS), dtype=np.int64)
        self.act_params = np.zeros((len(specs), C.N_ACT_PARAMS), dtype=dtype)
        self.kind_params = np.zeros((len(specs), C.N_KIND_PARAMS), dtype=dtype)
        self.param_offsets, self.state_offsets = [], []  # per layer: [offset or -1 per tensor]
        tensors = []  # (offset, size, frozen) per weight tensor: per-tensor clipnorm, trainable=False
        self.row_tensors = []  # per layer row: indices into tensors
        offset = state = col = 0
        for r, s in enumerate(self.specs):
            row = self.layers[r]
            row[C.L_KIND], row[C.L_N_IN], row[C.L_N_OUT] = C.code_of(s.kind), s.n_in, s.n_out
            offsets = []
            self.row_tensors.append([])
            for shape in s.params:
                offsets.append(-1 if shape is None else offset)
                if shape is not None:
                    self.row_tensors[-1].append(len(tensors))
                    tensors.append((offset, int(np.prod(shape)), 0))
                    offset += int(np.prod(shape))
            self.param_offsets.append(offsets)
            row[C.L_W], row[C.L_B] = (offsets + [-1, -1])[:2]
            row[C.L_STATE] = state if s.state else -1
            self.state_offsets.append([state + sum(int(np.prod(t)) for t in s.state[:k]) for k in range(len(s.state))])
            state += sum(int(np.prod(t)) for t in s.state)
            row[C.L_BLAS] = int(s.kind == "dense" and s.n_in * s.n_out >= threshold and min(s.n_in, s.n_out) >= min_side)
            if r == 0 and row[C.L_BLAS]:
                row[C.L_BLAS] = C.BLAS_ROWS_IN  # the batch arrives as rows: no transposing gather
            activation = s.activation
            row[C.L_ACT] = C.code_of("linear") if activation is None else activation.code
            if activation is not None:
                self.act_params[r] = activation.param_vector(dtype)
            self.kind_params[r, :len(s.kind_params)] = s.kind_params
            row[C.L_Z] = col
            col += s.n_out
            if activation is None or activation.name == "linear":
                row[C.L_A] = row[C.L_Z]  # a linear layer's output is its pre-activation
            else:
                row[C.L_A] = col
                col += s.n_out
            row[C.L_AUX] = col if s.aux else -1
            col += 2 * s.n_out if s.aux else 0
        self.n_params = offset
        self.n_state = state
        self.tensors = np.array(tensors, dtype=np.int64).reshape(-1, 3)
        self.uses_blas = bool(self.layers[:, C.L_BLAS].any())  # engine/blas.py loads SciPy's BLAS first
        self.work_cols = col
        self.max_width = max(max(s.n_in, s.n_out) for s in self.specs)
        self.n_in = self.specs[0].n_in
        self.n_out = self.specs[-1].n_out

    def views(self, params, state, r):
        """Views of layer row r's tensors in Keras's get_weights order: its trainable tensors (in
        params, or grads, or a slot row), then its non-trainable ones (in state)."""
        spec = self.specs[r]
        out = []
        for shape, off in zip(spec.params, self.param_offsets[r]):
            if shape is not None:
                out.append(params[off:off + int(np.prod(shape))].reshape(shape))
        for shape, off in zip(spec.state, self.state_offsets[r]):
            out.append(state[off:off + int(np.prod(shape))].reshape(shape))
        return out

    def input_block(self, x):
        """Rows x (B, n_in) as the flat input block the kernels' network_forward reads: feature-major
        (n_in, B), or the rows themselves when the first layer reads rows (codes.BLAS_ROWS_IN)."""
        x = np.asarray(x, dtype=self.dtype)
        return np.ascontiguousarray(x if self.layers[0, C.L_BLAS] == C.BLAS_ROWS_IN else x.T).reshape(-1)

    def output_rows(self, work, B):
        """The network's output after kernels.network.network_forward on B rows, as a (B, n_out)
        array. (The kernels return no arrays to Python: they run without Numba's runtime, whose
        boxing would hand back the whole workspace instead of a slice of it.)"""
        col = int(self.layers[-1, C.L_A])
        return work[col * B:(col + self.n_out) * B].reshape(self.n_out, B).T.copy()

    def workspace(self, batch_rows, backup=None, label_cols=None):
        """The kernels' scratch buffers (kernels/args.Work) for batches of up to batch_rows rows,
        allocated once per fit/evaluate/predict. fit passes a backup (Layout.backup): where the
        kernel keeps its epoch-start copy of the parameters and slots, to roll back a non-finite
        update."""
        dt = self.dtype
        saved_params, saved_slots, saved_state, saved_net_state = backup or (
            np.zeros(0, dt), np.zeros((0, 0), dt), np.zeros(C.N_OPT_STATE), np.zeros(0, dt))
        return Work(
            work=memory.zeros(batch_rows * self.work_cols, dt, "work"),
            d_cur=memory.zeros(batch_rows * self.max_width, dt, "d1"),
            d_next=memory.zeros(batch_rows * self.max_width, dt, "d2"),
            xin=memory.zeros(batch_rows * self.n_in, dt, "batch"),  # the transposed input batch
            yb=np.zeros((batch_rows, label_cols or self.n_out), dtype=dt),  # the batch's labels
            swb=np.zeros(batch_rows, dtype=dt),
            pred=np.zeros((batch_rows, self.n_out), dtype=dt),  # outputs as rows, for the loss
            dpred=np.zeros((batch_rows, self.n_out), dtype=dt),
            per_sample=np.zeros(batch_rows, dtype=np.float64),
            saved_params=saved_params, saved_slots=saved_slots, saved_state=saved_state,
            saved_net_state=saved_net_state,
        )

    def backup(self, n_slot_rows):
        """Buffers for the training kernel's epoch-start copy (params, slots' first n_params
        values, optimizer scalar state, the model's non-trainable state). A model keeps one set and reuses it across fits: for a large model,
        allocating and first touching them on every fit cost 10% of a short fit."""
        return (np.zeros(self.n_params, dtype=self.dtype), np.zeros((n_slot_rows, self.n_params), dtype=self.dtype),
                np.zeros(C.N_OPT_STATE, dtype=np.float64), np.zeros(self.n_state, dtype=self.dtype))
