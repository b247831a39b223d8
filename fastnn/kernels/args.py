"""The training entry points' arguments, declared ONCE (llm.c passes one struct for the same reason).

train_epochs(net, opt, train, val, objective, schedule, ws, out)
evaluate_dataset(logs, net, data, objective, ws)
predict_into(out, net, x, ws)

Each group is a namedtuple: the kernels read fields by name (net.params), the Python layer builds
them by keyword, and fastnn/engine/aot.py derives the compiled modules' exact signatures from the
field kinds below. Adding an argument means adding one line here, then using it.

Kinds: F1/F2 arrays of the model dtype (1-D/2-D), D1/D2 float64 arrays, I1/I2 int64 arrays,
U1 uint64 array, i64 an integer, bool a flag. Every array is C-contiguous.
"""
from collections import namedtuple

GROUPS = {
    # the model: flat parameters, the layer table (codes.L_*), per-layer activation and kind parameters,
    # the non-trainable state (BatchNormalization's moving statistics), the noise stream (key, step),
    # the weight and activity penalties (kernels/regularization.py)
    "Net": (("params", "F1"), ("layers", "I2"), ("act_params", "F2"), ("kind_params", "F2"), ("state", "F1"),
            ("noise", "U1"), ("penalties", "D2")),
    # the optimizer: gradients, slots (k, P), weight tensors (T, 3) for clipnorm and trainable=False, code,
    # hp (with a learning-rate schedule at its tail), scalar state, constraints (kernels/regularization.py)
    "Optim": (("grads", "F1"), ("slots", "F2"), ("tensors", "I2"), ("code", "i64"), ("hp", "D1"),
              ("state", "D1"), ("constraints", "D2")),
    # rows of data: features (N, n_in), labels (N, Ky), sample weights (N,); may have 0 rows
    "Data": (("x", "F2"), ("y", "F2"), ("sw", "F1")),
    # the loss (codes.LOSS_*, its parameters, fused gradient) and the metrics
    "Objective": (("loss_code", "i64"), ("lp", "F1"), ("fused", "bool"), ("metric_codes", "I2"), ("mlp", "F1"),
                  ("metric_params", "D1"), ("counts", "D1"), ("val_counts", "D1")),
    # what one train_epochs call does: epochs, shuffling, the RNG state and the row order; with
    # max_batches >= 0, only batches [first_batch, first_batch + max_batches) of one epoch (batch callbacks);
    # the training batch's rows (the workspace may hold more: validation runs in larger chunks)
    "Schedule": (("n_epochs", "i64"), ("shuffle", "bool"), ("rng_state", "U1"), ("order", "I1"),
                 ("first_batch", "i64"), ("max_batches", "i64"), ("batch_rows", "i64")),
    # scratch space for batches of up to B_cap rows (fastnn/engine/layout.py sizes it), and the epoch-start
    # copy of the model and optimizer state that a non-finite update rolls back to
    "Work": (("work", "F1"), ("d_cur", "F1"), ("d_next", "F1"), ("xin", "F1"), ("yb", "F2"), ("swb", "F1"),
             ("pred", "F2"), ("dpred", "F2"), ("per_sample", "D1"), ("saved_params", "F1"),
             ("saved_slots", "F2"), ("saved_state", "D1"), ("saved_net_state", "F1")),
    # one history row per epoch, and the report (codes.R_*)
    "Out": (("history", "D2"), ("report", "I1")),
}

Net = namedtuple("Net", [name for name, _ in GROUPS["Net"]])
Optim = namedtuple("Optim", [name for name, _ in GROUPS["Optim"]])
Data = namedtuple("Data", [name for name, _ in GROUPS["Data"]])
Objective = namedtuple("Objective", [name for name, _ in GROUPS["Objective"]])
Schedule = namedtuple("Schedule", [name for name, _ in GROUPS["Schedule"]])
Work = namedtuple("Work", [name for name, _ in GROUPS["Work"]])
Out = namedtuple("Out", [name for name, _ in GROUPS["Out"]])
CLASSES = {"Net": Net, "Optim": Optim, "Data": Data, "Objective": Objective, "Schedule": Schedule, "Work": Work,
           "Out": Out}

# the entry points: (return kind, argument kinds); a group name stands for its namedtuple
ENTRY_POINTS = {
    "train_epochs": ("void", ("Net", "Optim", "Data", "Data", "Objective", "Schedule", "Work", "Out")),
    "evaluate_dataset": ("i64", ("D1", "Net", "Data", "Objective", "Work")),
    "predict_into": ("i64", ("F2", "Net", "F2", "Work")),
}


def numba_type(kind, dtype):
    """The Numba type of an argument kind for a model dtype ('float32' or 'float64')."""
    from numba import types as t

    if kind in CLASSES:
        fields = GROUPS[kind]
        return t.NamedTuple(tuple(numba_type(k, dtype) for _, k in fields), CLASSES[kind])
    f = t.float32 if dtype == "float32" else t.float64
    scalar = {"F": f, "D": t.float64, "I": t.int64, "U": t.uint64}
    if kind == "i64":
        return t.int64
    if kind == "bool":
        return t.boolean
    if kind == "void":
        return t.void
    return t.Array(scalar[kind[0]], int(kind[1]), "C")


def signature(entry_point, dtype):
    """The exact Numba signature of an entry point for a dtype (what aot.py compiles)."""
    result, kinds = ENTRY_POINTS[entry_point]
    return numba_type(result, dtype)(*(numba_type(k, dtype) for k in kinds))
