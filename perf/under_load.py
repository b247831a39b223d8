"""fastnn's L-size fit (784-256-256-10, perf/workloads.py) on a quiet machine and beside one busy
process, with BLAS threads chosen per call (engine/blas.py's ThreadsForLoad) and with them fixed at
OpenBLAS's default, in one run.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m perf.under_load
"""
import subprocess
import sys
import time

import numpy as np

from perf import workloads as W


def main(repeats=3):
    from fastnn.engine import blas

    f = W.Fastnn()
    rng = np.random.default_rng(0)
    x = rng.random((W.L_ROWS, W.L_FEATURES)).astype(np.float32)
    y = rng.integers(0, W.L_CLASSES, len(x))
    adapt = blas.ThreadsForLoad.adapt

    def timed(adaptive):
        blas.ThreadsForLoad.adapt = adapt if adaptive else (lambda self: None)
        try:
            return min(f.fit_l(x, y) for _ in range(repeats))
        finally:
            blas.ThreadsForLoad.adapt = adapt

    quiet = {a: timed(a) for a in (True, False)}
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    time.sleep(0.5)
    try:
        loaded = {a: timed(a) for a in (True, False)}
    finally:
        busy.kill()
    for a, name in ((False, "fixed (OpenBLAS default)"), (True, "chosen per call")):
        print(f"BLAS threads {name}: quiet {quiet[a] * 1e3:.0f} ms, beside a busy process {loaded[a] * 1e3:.0f} ms, "
              f"slowdown {loaded[a] / quiet[a]:.2f}x")


if __name__ == "__main__":
    main()
