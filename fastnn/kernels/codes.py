"""Codes and table layouts shared by the kernels and the Python layer (this module imports no Numba).

Kernels are chosen by integer code (never by passing functions), so one compiled training kernel
serves every activation x loss x optimizer x metric. A code is derived from its name by code_of():
the kernel module defines TANH = code_of("tanh") next to tanh's forward and backward, the Python
spec of "tanh" computes the same number, and no table numbers anything by hand. The completeness
test (tests/test_registries.py) checks that the codes of each family are distinct and that every
spec has a kernel branch.
"""
import zlib


def code_of(name):
    """The kernel code of a family member: a 31-bit CRC of its name (stable across runs and versions)."""
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


# Per-layer activation parameters: act_params[layer, 0:N_ACT_PARAMS] (model dtype).
# relu:                 [negative_slope, max_value, threshold, has_max_value]
# leaky_relu:           [negative_slope]
# elu, celu:            [alpha]
# squareplus:           [b]
# soft/hard_shrink:     [threshold]
N_ACT_PARAMS = 4

# ---- layer table: layers[l, field] (int64) -------------------------------------------------
L_KIND = 0  # the layer kind's code: code_of("dense"), code_of("dropout"), ... (kernels/network.py)
L_N_IN = 1
L_N_OUT = 2
L_W = 3  # offset of the first parameter tensor in params (Dense W row-major (n_in, n_out), BN/LN gamma,
#          PReLU alpha); -1 if none
L_B = 4  # offset of the second (Dense b, BN/LN beta); -1 if none
L_ACT = 5  # activation code (Dense and Activation layers; linear for the others)
L_Z = 6  # column offset of the layer's output block before its activation, in the workspace
L_A = 7  # column offset of its output block (== L_Z when the activation is linear)
L_BLAS = 8  # 0: hand loops; BLAS (np.dot): 1, or BLAS_ROWS_IN for a first layer (below)
L_STATE = 9  # offset of the layer's non-trainable state in `state` (BN: moving mean, then variance); -1
L_AUX = 10  # column offset of the layer's scratch block kept for its backward pass (masks, x_hat); -1
N_LAYER_FIELDS = 11
# L_BLAS of a first Dense layer on BLAS: the batch is gathered as rows (B, n_in) row-major, not
# transposed to the feature-major (n_in, B) block every other layer reads; BLAS reads it
# transposed for free. Transposing 128 rows of 784 features cost 150 us a step, copying them 50.
BLAS_ROWS_IN = 2

# Per-layer kind parameters: kind_params[layer, 0:N_KIND_PARAMS] (model dtype).
# dropout, alpha_dropout:   [rate, share over samples, share over features]
# gaussian_noise:           [stddev]      gaussian_dropout: [rate]
# batch_normalization:      [epsilon, momentum]      layer_normalization: [epsilon]
N_KIND_PARAMS = 4

# The model's noise-stream state noise[0:2] (uint64): the key (from the seed) and the training step.
N_NOISE = 2

# Loss parameters lp[0:N_LOSS_PARAMS] (model dtype, so float32 clipping rounds as in Keras).
LP_EPS = 0  # 1e-7 in the model dtype
LP_ONE_MINUS_EPS = 1  # 1 - eps rounded in the model dtype (0.99999988 in float32)
LP_LABEL_SMOOTHING = 2
LP_DELTA = 3  # huber
LP_FROM_LOGITS = 4  # 1.0 / 0.0
N_LOSS_PARAMS = 5

# ---- optimizers ----------------------------------------------------------------------------
# Hyperparameters hp[0:N_HP] (float64). Clip options and weight decay are off when 0.
HP_LR = 0
HP_BETA_1 = 1
HP_BETA_2 = 2
HP_EPSILON = 3
HP_RHO = 4
HP_MOMENTUM = 5
HP_NESTEROV = 6
HP_CENTERED = 7
HP_AMSGRAD = 8
HP_WEIGHT_DECAY = 9
HP_CLIPNORM = 10
HP_GLOBAL_CLIPNORM = 11
HP_CLIPVALUE = 12
HP_DECAY = 13  # Keras 1/2 time decay: lr / (1 + decay * iterations); 0 in Keras 3
N_HP = 14

# Optimizer scalar state opt_state[0:N_OPT_STATE] (float64).
S_ITERATIONS = 0  # steps taken so far (Keras's `iterations`)
S_U_PRODUCT = 1  # Nadam's running product of momentum-schedule values
N_OPT_STATE = 2

# ---- training-kernel report: report[0:N_REPORT] (int64) -----------------------------------
R_STATUS = 0  # STATUS_*
R_EPOCH = 1  # epoch (within the call) where training stopped
R_BATCH = 2  # batch index where training stopped
R_EPOCHS_DONE = 3
R_RESTORED = 4  # 1: the model and optimizer state were rolled back to the start of epoch R_EPOCH
R_NEXT_BATCH = 5  # a partial-epoch call (Schedule.max_batches >= 0): the batch to start the next call at
N_REPORT = 6
STATUS_OK = 0
STATUS_NONFINITE_LOSS = 1  # a batch loss was NaN/inf: stopped before that batch's update
STATUS_NONFINITE_WEIGHTS = 2  # an update made weights or optimizer state NaN/inf: rolled back
STATUS_UNKNOWN_CODE = 3  # a dispatcher met a code it has no branch for (a bug: Python raises)
