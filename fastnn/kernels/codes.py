"""Integer codes and table layouts shared by the kernels and the Python layer.

Kernels are chosen by integer code (never by passing functions), so one compiled training
kernel serves every activation x loss x optimizer. Python maps names to these codes in
fastnn/activations.py, losses.py, metrics.py and optimizers/.
"""

# ---- activations ---------------------------------------------------------------------------
ACT_LINEAR = 0
ACT_RELU = 1  # K3 relu(negative_slope, max_value, threshold)
ACT_LEAKY_RELU = 2
ACT_RELU6 = 3
ACT_ELU = 4
ACT_SELU = 5
ACT_CELU = 6
ACT_GELU = 7  # exact, erf
ACT_GELU_TANH = 8  # tanh approximation
ACT_SILU = 9
ACT_HARD_SIGMOID = 10
ACT_HARD_SILU = 11
ACT_SIGMOID = 12
ACT_TANH = 13
ACT_SOFTSIGN = 14
ACT_SOFTPLUS = 15
ACT_EXPONENTIAL = 16
ACT_MISH = 17
ACT_LOG_SIGMOID = 18
ACT_HARD_TANH = 19
ACT_TANH_SHRINK = 20
ACT_SQUAREPLUS = 21
ACT_SPARSE_PLUS = 22
ACT_SPARSE_SIGMOID = 23
ACT_SOFT_SHRINK = 24
ACT_HARD_SHRINK = 25
ACT_SOFTMAX = 26  # row-wise over the last axis
ACT_LOG_SOFTMAX = 27  # row-wise over the last axis

# Per-layer activation parameters: act_params[layer, 0:N_ACT_PARAMS] (model dtype).
# relu:                 [negative_slope, max_value, threshold, has_max_value]
# leaky_relu:           [negative_slope]
# elu, celu:            [alpha]
# squareplus:           [b]
# soft/hard_shrink:     [threshold]
N_ACT_PARAMS = 4

# ---- layer table: layers[l, field] (int64) -------------------------------------------------
L_KIND = 0  # KIND_DENSE or KIND_ACTIVATION
L_N_IN = 1
L_N_OUT = 2
L_W = 3  # offset of W, row-major (n_in, n_out), in params; -1 if the layer has none
L_B = 4  # offset of b (n_out,) in params; -1 if the layer has no bias
L_ACT = 5  # activation code
L_Z = 6  # column offset of the pre-activation block in the workspace
L_A = 7  # column offset of the output block (== L_Z when the activation is linear)
L_BLAS = 8  # 1: this layer's matrix products go through BLAS (np.dot), 0: hand loops
N_LAYER_FIELDS = 9

KIND_DENSE = 0
KIND_ACTIVATION = 1

# ---- losses --------------------------------------------------------------------------------
LOSS_MSE = 0
LOSS_MAE = 1
LOSS_MAPE = 2
LOSS_MSLE = 3
LOSS_HINGE = 4
LOSS_SQUARED_HINGE = 5
LOSS_CATEGORICAL_HINGE = 6
LOSS_BCE = 7
LOSS_CCE = 8
LOSS_SCCE = 9
LOSS_KLD = 10
LOSS_POISSON = 11
LOSS_COSINE = 12
LOSS_LOG_COSH = 13
LOSS_HUBER = 14

# Loss parameters lp[0:N_LOSS_PARAMS] (model dtype, so float32 clipping rounds as in Keras).
LP_EPS = 0  # 1e-7 in the model dtype
LP_ONE_MINUS_EPS = 1  # 1 - eps rounded in the model dtype (0.99999988 in float32)
LP_LABEL_SMOOTHING = 2
LP_DELTA = 3  # huber
LP_FROM_LOGITS = 4  # 1.0 / 0.0
N_LOSS_PARAMS = 5

# ---- metrics -------------------------------------------------------------------------------
M_BINARY_ACCURACY = 0  # y == (p > 0.5), mean over the last axis
M_SIGN_ACCURACY = 1  # (p > 0) == (y > 0): the ±1-label accuracy
M_CATEGORICAL_ACCURACY = 2  # argmax y == argmax p
M_SPARSE_CATEGORICAL_ACCURACY = 3  # y == argmax p
M_LOSS_BASE = 100  # 100 + LOSS_x: that loss's per-sample value (mse, mae, ... as metrics)
M_NEG_LOSS_BASE = 200  # 200 + LOSS_x: minus that value (cosine_similarity metric is +sum)

# ---- optimizers ----------------------------------------------------------------------------
OPT_SGD = 0
OPT_RMSPROP = 1
OPT_ADAGRAD = 2
OPT_ADADELTA = 3
OPT_ADAM = 4  # AdamW is Adam with a default weight_decay
OPT_ADAMAX = 5
OPT_NADAM = 6

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
N_REPORT = 5
STATUS_OK = 0
STATUS_NONFINITE_LOSS = 1  # a batch loss was NaN/inf: stopped before that batch's update
STATUS_NONFINITE_WEIGHTS = 2  # an update made weights or optimizer state NaN/inf: rolled back
