"""Experiment, not used by fastnn: would fastnn's own two-thread products beat OpenBLAS beside a busy process?

Issue 17's load bar asks L to slow by at most 1.6x when another process takes one of the 2 cores.
With one core taken fastnn runs one BLAS thread (engine/blas.py), so it is bounded by its quiet
one-core speed; OpenBLAS's two threads split each product evenly, so a thread on the busy core
stalls every product. This prototype is the obvious alternative: two threads of fastnn's own,
each calling sgemm (through SciPy's function pointer) on column blocks claimed from an atomic
counter (llvmlite intrinsics), the helper a nogil Numba thread. It timed, on 2026-11-28 (steps/s of
L's five products):

                         OpenBLAS 1 thread   OpenBLAS 2 threads   own pool 2 / 8 / 16 chunks
    quiet                       563               1133             1100 / 987 / 989
    beside a busy process       598                272              408 / 428 / 417

(a second run: quiet 605 / 979 / 794, 699, 738; busy 612 / 242 / 347, 331, 329), so one thread stays best under load: a chunk claimed by the thread on the shared core waits for
the scheduler's next turn, and the main thread waits for it. Run (JIT, needs threadpoolctl):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m perf.experiments.own_thread_pool
"""
import sys, time, threading, subprocess, ctypes
import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from threadpoolctl import threadpool_limits
import scipy.linalg.cython_blas as cb

def capsule_address(capsule):
    get_name = ctypes.pythonapi.PyCapsule_GetName; get_name.restype = ctypes.c_char_p; get_name.argtypes = [ctypes.py_object]
    get_ptr = ctypes.pythonapi.PyCapsule_GetPointer; get_ptr.restype = ctypes.c_void_p; get_ptr.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return get_ptr(capsule, get_name(capsule))
V = ctypes.c_void_p
sgemm = ctypes.CFUNCTYPE(None, V, V, V, V, V, V, V, V, V, V, V, V, V)(capsule_address(cb.__pyx_capi__["sgemm"]))

@intrinsic
def atomic_add(typingctx, arr, idx, val):
    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, sig.args[0], ary, [args[1]])
        return builder.atomic_rmw("add", ptr, args[2], "seq_cst")
    return types.int64(arr, idx, types.int64), codegen

@intrinsic
def atomic_load(typingctx, arr, idx):
    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, sig.args[0], ary, [args[1]])
        return builder.load_atomic(ptr, "seq_cst", 8)
    return types.int64(arr, idx), codegen

SEQ, NEXT, DONE, STOP, NCH, M, N, K, A, B, C, W = range(12)

@njit(nogil=True)
def run_chunks(ctrl, ints, flt, chars):
    nch = ctrl[NCH]; m = ctrl[M]; n = ctrl[N]; k = ctrl[K]; w = ctrl[W]
    while True:
        c = atomic_add(ctrl, NEXT, 1)
        if c >= nch:
            return
        c0 = c * w
        width = min(w, n - c0)
        ints[0] = width; ints[1] = m; ints[2] = k; ints[3] = n; ints[4] = k; ints[5] = n
        sgemm(chars.ctypes.data, chars.ctypes.data, ints.ctypes.data, ints.ctypes.data + 4, ints.ctypes.data + 8,
              flt.ctypes.data, ctrl[B] + 4 * c0, ints.ctypes.data + 12, ctrl[A], ints.ctypes.data + 16,
              flt.ctypes.data + 4, ctrl[C] + 4 * c0, ints.ctypes.data + 20)
        atomic_add(ctrl, DONE, 1)

@njit(nogil=True)
def helper(ctrl, ints, flt, chars):
    seen = 0
    while True:
        s = atomic_load(ctrl, SEQ)
        if atomic_load(ctrl, STOP):
            return
        if s != seen:
            seen = s
            run_chunks(ctrl, ints, flt, chars)

@njit(nogil=True)
def product(ctrl, ints, flt, chars, a, b, c, nch):
    m, k = a.shape; n = b.shape[1]
    ctrl[M] = m; ctrl[N] = n; ctrl[K] = k; ctrl[A] = a.ctypes.data; ctrl[B] = b.ctypes.data; ctrl[C] = c.ctypes.data
    ctrl[W] = (n + nch - 1) // nch; ctrl[NCH] = nch; ctrl[DONE] = 0; ctrl[NEXT] = 0
    atomic_add(ctrl, SEQ, 1)
    run_chunks(ctrl, ints, flt, chars)
    while atomic_load(ctrl, DONE) < nch:
        pass

rng = np.random.default_rng(0); f = np.float32; Bt = 128
X = rng.random((Bt, 784), dtype=f); W1 = rng.random((784, 256), dtype=f); W2 = rng.random((256, 256), dtype=f)
h1 = rng.random((Bt, 256), dtype=f); d2 = rng.random((Bt, 256), dtype=f); d1 = rng.random((Bt, 256), dtype=f)
o1 = np.zeros((Bt, 256), f); o2 = np.zeros((Bt, 256), f); dW2 = np.zeros((256, 256), f); dh1 = np.zeros((Bt, 256), f)
dW1 = np.zeros((784, 256), f)
XT, h1T, W2T = X.T.copy(), h1.T.copy(), W2.T.copy()
prods = [(X, W1, o1), (h1, W2, o2), (h1T, d2, dW2), (d2, W2T, dh1), (XT, d1, dW1)]
ref = [a @ b for a, b, _ in prods]
def mk():
    return (np.zeros(12, np.int64), np.zeros(6, np.int32), np.array([1.0, 0.0], np.float32), np.array([ord("N")] * 2, np.uint8))
@njit(nogil=True)
def step_pool(ctrl, ints, flt, chars, p0a, p0b, p0c, p1a, p1b, p1c, p2a, p2b, p2c, p3a, p3b, p3c, p4a, p4b, p4c, nch):
    product(ctrl, ints, flt, chars, p0a, p0b, p0c, nch); product(ctrl, ints, flt, chars, p1a, p1b, p1c, nch)
    product(ctrl, ints, flt, chars, p2a, p2b, p2c, nch); product(ctrl, ints, flt, chars, p3a, p3b, p3c, nch)
    product(ctrl, ints, flt, chars, p4a, p4b, p4c, nch)
@njit(nogil=True)
def step_dot(p0a, p0b, p0c, p1a, p1b, p1c, p2a, p2b, p2c, p3a, p3b, p3c, p4a, p4b, p4c):
    np.dot(p0a, p0b, p0c); np.dot(p1a, p1b, p1c); np.dot(p2a, p2b, p2c); np.dot(p3a, p3b, p3c); np.dot(p4a, p4b, p4c)
flat = [arr for trio in prods for arr in trio]
def rate(fn, secs=2.0):
    for _ in range(5): fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < secs:
        for _ in range(20): fn()
        n += 20
    return n / (time.perf_counter() - t0)
# correctness
with threadpool_limits(1, "blas"):
    main_bufs = mk(); ctrl = main_bufs[0]
    hb = (ctrl,) + mk()[1:]  # the helper shares ctrl, has its own scratch
    t = threading.Thread(target=helper, args=hb); t.start()
    step_pool(*main_bufs, *flat, 8)
    print("max rel err", max(float(np.abs(p[2] - r).max() / np.abs(r).max()) for p, r in zip(prods, ref)))
    ctrl[STOP] = 1; t.join()
for busy in (False, True):
    p = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    time.sleep(0.5)
    with threadpool_limits(1, "blas"): one = rate(lambda: step_dot(*flat))
    with threadpool_limits(2, "blas"): two = rate(lambda: step_dot(*flat))
    res = {}
    for nch in (2, 8, 16):
        with threadpool_limits(1, "blas"):
            main_bufs = mk(); ctrl = main_bufs[0]; hb = (ctrl,) + mk()[1:]
            t = threading.Thread(target=helper, args=hb); t.start()
            res[nch] = rate(lambda: step_pool(*main_bufs, *flat, nch))
            ctrl[STOP] = 1; t.join()
    print(("busy " if busy else "quiet"), "steps/s: OpenBLAS 1 thread %.0f, 2 threads %.0f;" % (one, two),
          "own pool " + ", ".join("%d chunks %.0f" % kv for kv in res.items()), flush=True)
    if p: p.kill()
