"""Nadam with Keras 3's momentum schedule u_t = b1 (1 - 0.5 * 0.96^t) (Keras 1/2 and the
tf.keras legacy optimizer used 0.96^(0.004 t), which changes results)."""
from ..kernels import codes as C
from .base import MomentOptimizer


class Nadam(MomentOptimizer):
    """Nadam.

    Args: learning_rate=0.001, beta_1=0.9, beta_2=0.999 (both in [0, 1)), epsilon=1e-7, and
    the common options.
    """

    code = C.code_of("nadam")
