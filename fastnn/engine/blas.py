"""SciPy's BLAS for the kernels without importing scipy.linalg.

Numba's compiled np.dot finds dgemm/sgemm through the module scipy.linalg.cython_blas (its
__pyx_capi__ table of function pointers). Importing it the usual way runs scipy.linalg's
__init__ first, about 0.25 s on a first fit. The extension module itself needs none of that: it
is loaded here straight from its file and registered under its own name, so the kernels' lookup
finds it in sys.modules (about 20 ms). Any surprise (another SciPy layout, a failed load) falls
back to the plain import, which is always correct, only slower.
"""
import glob
import importlib.machinery
import importlib.util
import os
import sys
import threading
import time

from .thread_probe import ThreadProbe

NAME = "scipy.linalg.cython_blas"


def preload():
    """Make scipy.linalg.cython_blas importable instantly; returns how it was found."""
    if NAME in sys.modules:
        return "already loaded"
    try:
        spec = importlib.util.find_spec("scipy")
        paths = glob.glob(os.path.join(os.path.dirname(spec.origin), "linalg", "cython_blas*" +
                                       importlib.machinery.EXTENSION_SUFFIXES[0]))
        loader = importlib.machinery.ExtensionFileLoader(NAME, paths[0])
        module = importlib.util.module_from_spec(importlib.util.spec_from_file_location(NAME, paths[0], loader=loader))
        sys.modules[NAME] = module
        loader.exec_module(module)
        if not getattr(module, "__pyx_capi__", None):
            raise ImportError("no __pyx_capi__")
        _attach_when_parent_imports(module)
        return "direct"
    except Exception:  # any other SciPy layout: the ordinary import
        sys.modules.pop(NAME, None)
        importlib.import_module(NAME)
        return "import"


class _ParentHook:
    """A meta-path finder for scipy.linalg alone: when it is imported later, its module gets the
    attribute cython_blas, as a normal import of the submodule would have set
    (`import scipy.linalg.cython_blas; scipy.linalg.cython_blas.dgemm` keeps working)."""

    def __init__(self, module):
        self.module = module

    def find_spec(self, name, path, target=None):
        if name != "scipy.linalg":
            return None
        sys.meta_path.remove(self)  # find the real spec with the other finders, once
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            exec_module, module = spec.loader.exec_module, self.module

            def exec_and_attach(parent):
                exec_module(parent)
                parent.cython_blas = module

            spec.loader.exec_module = exec_and_attach
        return spec


def _attach_when_parent_imports(module):
    parent = sys.modules.get("scipy.linalg")
    if parent is not None:
        parent.cython_blas = module
    else:
        sys.meta_path.insert(0, _ParentHook(module))


# ---- BLAS threads per call: a busy machine gets one thread -------------------------------------
# Measured on this 2-core machine (L-size fit, OpenBLAS's own kernel): quiet, 2 threads run at 2x
# one thread (111k vs 52k samples/s); beside one busy process, 2 threads took 2.2x as long as
# quiet (they fight for the one free core) and 1 thread less. So before each chunk of epochs (each
# ~0.1 s slice of a long epoch) fit asks how many cores other processes kept busy since its last
# choice (/proc/stat), or at a fit's first choice how many tasks run right now (/proc/loadavg),
# and gives OpenBLAS only the cores that are free.

_openblas = None  # (set_num_threads, get_num_threads) of the OpenBLAS behind cython_blas, or False


def _openblas_functions():
    global _openblas
    if _openblas is None:
        _openblas = False
        try:
            import ctypes

            if NAME not in sys.modules:  # asked before any fit loaded it: load it, or fail for good
                preload()
            module = sys.modules.get(NAME)
            libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(module.__file__))),
                                          "scipy.libs", "*openblas*"))
            lib = ctypes.CDLL(libs[0])
            for prefix in ("scipy_openblas", "openblas"):
                for suffix in ("", "64_"):
                    if hasattr(lib, f"{prefix}_set_num_threads{suffix}"):
                        _openblas = (getattr(lib, f"{prefix}_set_num_threads{suffix}"),
                                     getattr(lib, f"{prefix}_get_num_threads{suffix}"))
                        return _openblas
        except Exception:  # another BLAS, another layout: leave the threads alone
            _openblas = False
    return _openblas


def _own_running():
    """This process's threads that are running now (OpenBLAS's workers spin for a while after a
    GEMM, and /proc/loadavg counts them too)."""
    count = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat") as f:
                count += f.read().rsplit(")", 1)[1].split()[0] == "R"
        except (OSError, IndexError):
            pass
    return max(count, 1)


def cpu_reading(pid="self"):
    """(machine's busy CPU ticks, process pid's CPU ticks, time): two readings bound a window in
    which others_running (and perf/quiet.py) can see what other processes used; None where /proc
    is unavailable or pid is gone. Busy = user..steal of /proc/stat's first line, without idle and
    iowait; a process's ticks = utime + stime of all its threads (fields 14 and 15)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
        with open(f"/proc/{pid}/stat") as f:
            own = f.read().rsplit(")", 1)[1].split()
        return sum(fields) - fields[3] - fields[4], int(own[11]) + int(own[12]), time.perf_counter()
    except (OSError, ValueError, IndexError):
        return None


WINDOW_MIN = 0.05  # seconds: /proc/stat counts 10 ms ticks, so shorter windows say little
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def others_running(since=None):
    """How many cores other processes keep busy (Linux; 0 elsewhere). Given a cpu_reading() at
    least WINDOW_MIN old: the CPU time they used since then, in cores, rounded. Otherwise the
    tasks running right now (/proc/loadavg), which on a shared machine can count tasks that do
    not run on our cores: one such task, present for minutes, halved Keras's MNIST MLP here."""
    now = cpu_reading() if since is not None else None
    if now is not None and now[2] - since[2] >= WINDOW_MIN:
        other_ticks = (now[0] - since[0]) - (now[1] - since[1])
        return max(int(other_ticks / TICKS_PER_SECOND / (now[2] - since[2]) + 0.5), 0)
    try:
        with open("/proc/loadavg") as f:
            running = int(f.read().split()[3].split("/")[0])
        return max(running - _own_running(), 0)
    except (OSError, ValueError, IndexError):
        return 0


_lock = threading.Lock()
_active = 0  # fits inside ThreadsForLoad right now (threads of one process share OpenBLAS's setting)
_user_threads = None  # OpenBLAS's setting before the first of them began


class ThreadsForLoad:
    """Within `with ThreadsForLoad(work_key):`, adapt() sets OpenBLAS's threads to the cores not busy
    with other work (at least 1, at most the user's setting), or to one thread while the fit's own
    speed says one is faster (engine/thread_probe.py; record() reports each slice's speed); when
    the last concurrent fit leaves, the user's setting comes back (two fits in two threads must not
    leave each other's choice behind)."""

    def __init__(self, work_key=None):
        self.probe = ThreadProbe(work_key)

    def __enter__(self):
        global _active, _user_threads
        functions = _openblas_functions()
        self.set = functions[0] if functions else None
        try:
            self.cores = len(os.sched_getaffinity(0))
        except AttributeError:
            self.cores = os.cpu_count() or 1
        self.since = None
        with _lock:
            if self.set is not None and _active == 0:
                _user_threads = functions[1]()
            _active += 1
        return self

    def adapt(self):
        # the first call of a fit sees only this instant; later ones, what others used since the last
        if self.set is not None:
            self.set(self.probe.choose(max(1, min(_user_threads, self.cores - others_running(self.since)))))
        now = cpu_reading()
        if self.since is None or now is None or now[2] - self.since[2] >= WINDOW_MIN:
            self.since = now  # else the window grows until it says something

    def record(self, seconds, batches):
        """A slice of `batches` equal batches took `seconds` with the threads adapt() chose."""
        self.probe.record(seconds, batches)

    def __exit__(self, *exc):
        global _active
        with _lock:
            _active -= 1
            if self.set is not None and _active == 0:
                self.set(_user_threads)
        return False
