"""Ahead-of-time compiled training kernels: fit, evaluate and predict without importing Numba.
They are built when the package is built (setup.py) and by `fastnn warmup`.

Numba's on-disk cache makes a warm process pay ~1.5 s before its first fit (importing Numba,
initialising its compiler, loading the cached code). For `fastnn train` that is most of the
run. So `fastnn warmup` also compiles the three entry points the training loop needs
(kernels/entry_points.py: train_epochs, evaluate_dataset, predict_into) for float32 and float64 into
small C extension modules with numba.pycc, for this machine's CPU. Importing one takes
milliseconds, and Numba is never imported.

The modules live in a cache directory, keyed by a hash of the kernel sources, the Numba and
Python versions and the CPU: change any of them and the old module is simply not used. When no
module matches, fastnn uses the JIT-compiled kernels as before, so everything works without a
C compiler; only startup is slower. Results are identical either way (tests/test_aot.py).
"""
import hashlib
import importlib.machinery
import importlib.util
import os
import platform
import sys
import sysconfig
from pathlib import Path

from .. import kernels

_KERNELS_DIR = kernels.DIRECTORY
_loaded = {}


def cache_dir():
    """$FASTNN_CACHE_DIR, else fastnn/kernels/__aot__ when writable, else ~/.cache/fastnn."""
    configured = os.environ.get("FASTNN_CACHE_DIR")
    if configured:
        return Path(configured)
    local = _KERNELS_DIR / "__aot__"
    if os.access(_KERNELS_DIR, os.W_OK):
        return local
    return Path(os.path.expanduser("~")) / ".cache" / "fastnn"


def _cpu_id():
    try:
        with open("/proc/cpuinfo") as f:
            lines = [line for line in f if line.startswith(("model name", "flags"))][:2]
        return "".join(lines)
    except OSError:
        return platform.processor() + platform.machine()


PORTABLE_TARGET = "x86-64-v3"  # AVX2/FMA/BMI2: what a distributable wheel's modules are built for
_V3_FLAGS = {"avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm"}


def build_target():
    """'host' (this CPU, the default), or FASTNN_KERNEL_TARGET=x86-64-v3 for wheels that other
    machines will install."""
    target = os.environ.get("FASTNN_KERNEL_TARGET", "host")
    if target not in ("host", PORTABLE_TARGET):
        raise ValueError(f"FASTNN_KERNEL_TARGET must be 'host' or {PORTABLE_TARGET!r}, got {target!r}.")
    return target


def runs_portable():
    """Whether this CPU runs x86-64-v3 code (from /proc/cpuinfo's flags)."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    flags = set(_cpu_id().split("flags", 1)[-1].split())
    return _V3_FLAGS <= flags


def cache_key(dtype, target="host"):
    from importlib.metadata import version

    cpu = _cpu_id() if target == "host" else target
    h = hashlib.sha256(kernels.source_digest().encode())
    h.update(f"{dtype}|{version('numba')}|{sys.version}|{platform.machine()}|{cpu}".encode())
    return h.hexdigest()[:16]


def module_name(dtype):
    return f"fastnn_kernels_{dtype}"


def module_path(dtype, directory=None, target="host"):
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or importlib.machinery.EXTENSION_SUFFIXES[0]
    return Path(directory or cache_dir()) / cache_key(dtype, target) / (module_name(dtype) + suffix)


def _candidates(dtype):
    """Where a module may be, best first: built for this CPU in the cache directory or with the
    package (setup.py; found even when site-packages is read-only and the cache lives elsewhere),
    then a portable x86-64-v3 build shipped in a wheel, when this CPU runs it."""
    directories = [cache_dir(), _KERNELS_DIR / "__aot__"]
    paths = [module_path(dtype, d) for d in directories]
    if runs_portable():
        paths += [module_path(dtype, d, PORTABLE_TARGET) for d in directories]
    return list(dict.fromkeys(paths))


def load(dtype):
    """The compiled module for a dtype ('float32'/'float64'), or None when there is none yet."""
    if dtype in _loaded:
        return _loaded[dtype]
    module = None
    if os.environ.get("FASTNN_DISABLE_AOT") != "1":
        for path in _candidates(dtype):
            if not path.exists():
                continue
            try:
                spec = importlib.util.spec_from_file_location(module_name(dtype), path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                break
            except (ImportError, OSError):
                module = None  # a broken file: fall back to JIT (warmup rebuilds it)
    _loaded[dtype] = module
    return module


def signatures(dtype):
    """The exported functions' exact Numba signatures, from their one declaration in kernels/args.py."""
    from ..kernels import args

    return {name: args.signature(name, dtype) for name in args.ENTRY_POINTS}


def python_command(code):
    """argv running `code` in a fresh Python WITHOUT the current directory on sys.path: `python -c`
    puts it first, so a numpy.py planted in the working directory would run with our rights."""
    prelude = "import sys\nif sys.path and sys.path[0] in ('', '.'):\n    del sys.path[0]\n"
    return [sys.executable, "-c", prelude + code]


def build(dtype):
    """Compile the module for a dtype (tens of seconds) and return its path. Needs a C compiler.

    The compilation runs in a fresh process with an empty Numba cache of its own, so every
    function is compiled from the sources as they are now (never from a cache entry that an
    edit in the same second could have left behind)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as numba_cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=numba_cache)
        proc = subprocess.run(python_command(f"from fastnn.engine import aot; aot.build_here({dtype!r})"),
                              env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError(f"building the {dtype} module failed: {lines[-1] if lines else 'no message'}")
    _loaded.pop(dtype, None)
    return module_path(dtype, target=build_target())


def build_here(dtype):
    """build()'s worker: compile in this process."""
    import shutil
    import tempfile
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pycc announces its own deprecation on import
        from numba.pycc import CC

    from ..kernels import entry_points

    cpu = build_target()
    target = module_path(dtype, target=cpu)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        cc = CC(module_name(dtype))
        cc.output_dir = tmp
        cc.target_cpu = cpu  # the key names this CPU (or the portable target), so no other CPU loads it
        cc.verbose = False
        for name, sig in signatures(dtype).items():
            cc.export(name, sig)(entry_points.EXPORTS[name])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cc.compile()
        built = next(Path(tmp).glob(module_name(dtype) + "*"))
        shutil.move(str(built), str(target))  # atomic within one directory tree
    _loaded.pop(dtype, None)
    return target
