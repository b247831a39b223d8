"""The optimizer base class: hyperparameters, state, validation, and apply().

An optimizer is a set of hyperparameters plus state (slots with the layout of the flat
parameter buffer, the step count and Nadam's momentum product). The update itself is one
kernel (fastnn/kernels/optimizers.py) shared by every optimizer. Common options, applied in
Keras 3's order: clipnorm (per weight tensor) | global_clipnorm | clipvalue (at most one),
then decoupled weight_decay, then the update.
"""
import warnings
import weakref

import numpy as np

from ..engine import memory
from .._validation import number
from ..kernels import codes as C




class LearningRate(float):
    """The learning rate as model.optimizer.lr hands it out: a float that remembers its optimizer, so
    Keras 2's `K.set_value(model.optimizer.lr, 0.01)` (fastnn.backend.set_value) can set it. It
    pickles and serialises as the plain number."""

    def __new__(cls, value, optimizer):
        obj = super().__new__(cls, value)
        obj.optimizer = weakref.ref(optimizer)
        return obj

    def __reduce__(self):
        return float, (float(self),)


class Optimizer:
    """Base of every optimizer. Subclasses set `code`, `n_slots` and their hyperparameters."""

    code = None
    n_slots = 1
    _own_hyperparameters = ()  # names saved by get_config, in constructor order

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, lr=None, decay=None, **kwargs):
        owner = type(self).__name__
        for ignored in ("use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
                        "gradient_accumulation_steps", "jit_compile", "schedule_decay", "is_legacy_optimizer"):
            value = kwargs.pop(ignored, None)
            if value not in (None, False):
                warnings.warn(f"{owner}: option {ignored}={value!r} is not supported by fastnn and is ignored.",
                              stacklevel=3)
        if kwargs:
            raise TypeError(f"{owner} got unexpected argument(s): {sorted(kwargs)}.")
        if lr is not None:  # Keras 1/2 spelling
            learning_rate = lr
        from .schedules import LearningRateSchedule, deserialize

        if isinstance(learning_rate, dict):  # a saved schedule
            learning_rate = deserialize(learning_rate)
        self._schedule = None
        if isinstance(learning_rate, LearningRateSchedule):
            self._schedule = learning_rate
        elif callable(learning_rate):
            raise TypeError(f"{owner}: a learning rate must be a number or a fastnn.optimizers.schedules object "
                            f"(ExponentialDecay, CosineDecay, ...); a Python function cannot run inside the kernel. "
                            f"To change the rate between epochs use LearningRateScheduler.")
        self.name = name or owner.lower()
        if self._schedule is None:
            self.learning_rate = learning_rate  # validated by the property
        self.weight_decay = number(owner, "weight_decay", weight_decay, low=0, allow_none=True)
        self.clipnorm = number(owner, "clipnorm", clipnorm, low=0, low_open=True, allow_none=True)
        self.clipvalue = number(owner, "clipvalue", clipvalue, low=0, low_open=True, allow_none=True)
        self.global_clipnorm = number(owner, "global_clipnorm", global_clipnorm, low=0, low_open=True,
                                            allow_none=True)
        clips = [k for k in ("clipnorm", "clipvalue", "global_clipnorm") if getattr(self, k) is not None]
        if len(clips) > 1:
            raise ValueError(f"{owner}: set at most one of clipnorm, clipvalue, global_clipnorm (got {clips}).")
        self.decay = number(owner, "decay", decay, low=0, allow_none=True)
        self._slots = None
        self._state = None

    # ---- hyperparameters ----------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate: a schedule's value at the current step, or the constant."""
        schedule = getattr(self, "_schedule", None)
        if schedule is not None:
            return LearningRate(schedule(self.iterations if self.built else 0), self)
        return LearningRate(self._learning_rate, self)

    @learning_rate.setter
    def learning_rate(self, value):
        if getattr(self, "_schedule", None) is not None:
            raise TypeError(f"{type(self).__name__}: this optimizer's learning rate follows a schedule "
                            f"({self._schedule!r}); it cannot be set (LearningRateScheduler and ReduceLROnPlateau "
                            f"need a constant learning rate).")
        self._learning_rate = number(type(self).__name__, "learning_rate", value, low=0)

    @property
    def learning_rate_schedule(self):
        return getattr(self, "_schedule", None)

    lr = learning_rate  # Keras 1/2 attribute name

    def _fill_hyperparameters(self, hp):
        """Subclasses write their own hyperparameters into hp."""

    def hyperparameters(self):
        """The kernel's hyperparameter vector (codes.HP_*)."""
        hp = np.zeros(C.N_HP, dtype=np.float64)
        hp[C.HP_LR] = self.learning_rate
        hp[C.HP_WEIGHT_DECAY] = self.weight_decay or 0.0
        hp[C.HP_CLIPNORM] = self.clipnorm or 0.0
        hp[C.HP_GLOBAL_CLIPNORM] = self.global_clipnorm or 0.0
        hp[C.HP_CLIPVALUE] = self.clipvalue or 0.0
        hp[C.HP_DECAY] = self.decay or 0.0
        self._fill_hyperparameters(hp)
        if getattr(self, "_schedule", None) is not None:  # evaluated per step by the kernel
            from .schedules import kernel_vector

            hp = np.concatenate([hp, kernel_vector(self._schedule)])
        return hp

    # ---- state ----------------------------------------------------------------------------
    initial_slot_value = 0.0  # Adagrad starts its accumulator elsewhere

    def build(self, n_params, dtype):
        """Fresh state for a flat buffer of n_params values (slots zero, iterations 0).
        Slot rows are padded so that no two rows share a page offset (fastnn/engine/memory.py)."""
        rows = max(self.n_slots, 1)
        self._slots = memory.zeros((rows, memory.slot_row_length(n_params, dtype)), dtype, "slots")
        self._slots[:, :n_params] = self.initial_slot_value
        self._n_params = n_params
        self._state = np.zeros(C.N_OPT_STATE, dtype=np.float64)
        self._state[C.S_U_PRODUCT] = 1.0

    @property
    def built(self):
        return self._slots is not None

    def built_for(self, n_params, dtype):
        return self.built and self._n_params == n_params and self._slots.dtype == dtype

    @property
    def iterations(self):
        return 0 if self._state is None else int(self._state[C.S_ITERATIONS])

    def state_arrays(self):
        """(slots (k, row >= n_params) as the kernel uses them, scalar state)."""
        return self._slots, self._state

    def get_state(self):
        """(slots (k, n_params), scalar state): the state to save."""
        return self._slots[:, :self._n_params].copy(), self._state.copy()

    def set_state(self, slots, state):
        slots = np.asarray(slots)
        if slots.ndim != 2 or slots.shape[0] != max(self.n_slots, 1):
            raise ValueError(f"{type(self).__name__}: optimizer state has shape {slots.shape}, "
                             f"expected ({max(self.n_slots, 1)}, n_params).")
        self.build(slots.shape[1], slots.dtype.type)
        self._slots[:, :slots.shape[1]] = slots
        self._state[:] = np.array(state, dtype=np.float64).reshape(C.N_OPT_STATE)

    # ---- stepping plain arrays, as keras' optimizer.apply(grads, variables) -----------------
    def apply(self, grads, params):
        """One update of `params` in place from `grads`: a list of float arrays (each one weight
        tensor, for clipnorm) or a single array. The state persists in the optimizer."""
        from ..kernels.optimizers import optimizer_step

        single = isinstance(params, np.ndarray)
        plist = [params] if single else list(params)
        glist = [grads] if single else list(grads)
        if len(plist) != len(glist) or not plist:
            raise ValueError(f"apply: got {len(glist)} gradient(s) for {len(plist)} variable(s).")
        dtype = None
        for p, g in zip(plist, glist):
            if not isinstance(p, np.ndarray) or p.dtype not in (np.float32, np.float64):
                raise TypeError("apply: variables must be float32 or float64 NumPy arrays (updated in place).")
            dtype = dtype or p.dtype.type
            if p.dtype != dtype:
                raise TypeError("apply: all variables must share one dtype.")
            if np.shape(g) != p.shape:
                raise ValueError(f"apply: gradient of shape {np.shape(g)} for a variable of shape {p.shape}.")
        sizes = [p.size for p in plist]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        tensors = np.stack([offsets, np.array(sizes, dtype=np.int64), np.zeros(len(sizes), dtype=np.int64)], axis=1)
        flat_p = np.concatenate([p.reshape(-1) for p in plist]).astype(dtype)
        flat_g = np.concatenate([np.asarray(g, dtype=dtype).reshape(-1) for g in glist])
        if not np.all(np.isfinite(flat_g)):
            raise ValueError("apply: gradients contain NaN or inf.")
        if not self.built_for(flat_p.size, dtype):
            if self.built and self.iterations > 0:
                raise ValueError(f"apply: this optimizer already holds state for {self._n_params} "
                                 f"values; create a new one for {flat_p.size}.")
            self.build(flat_p.size, dtype)
        optimizer_step(flat_p, flat_g, self._slots, tensors, self.code, self.hyperparameters(), self._state)
        for p, off, size in zip(plist, offsets, sizes):
            p.reshape(-1)[:] = flat_p[off:off + size]

    # ---- config ---------------------------------------------------------------------------
    def get_config(self):
        from .schedules import serialize

        schedule = getattr(self, "_schedule", None)
        cfg = {"name": self.name, "learning_rate": self.learning_rate if schedule is None else serialize(schedule)}
        for key in self._own_hyperparameters:
            cfg[key] = getattr(self, key)
        for key in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "decay"):
            cfg[key] = getattr(self, key)
        return cfg

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if v is not None and k != "name")
        return f"{type(self).__name__}({args})"


class MomentOptimizer(Optimizer):
    """Base of the Adam family (Adam, AdamW, Adamax, Nadam): beta_1, beta_2 in [0, 1) and
    epsilon >= 0, with the Keras 3 defaults 0.9, 0.999 and 1e-7."""

    n_slots = 2
    _own_hyperparameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        owner = type(self).__name__
        self.beta_1 = number(owner, "beta_1", beta_1, low=0, high=1, high_open=True)
        self.beta_2 = number(owner, "beta_2", beta_2, low=0, high=1, high_open=True)
        self.epsilon = number(owner, "epsilon", 1e-7 if epsilon is None else epsilon, low=0)

    def _fill_hyperparameters(self, hp):
        hp[C.HP_BETA_1] = self.beta_1
        hp[C.HP_BETA_2] = self.beta_2
        hp[C.HP_EPSILON] = self.epsilon
