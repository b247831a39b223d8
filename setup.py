"""Build hook: compile fastnn's training kernels while the package is built, so the first process
after `pip install .` (or `pip install -e .`) trains without waiting for Numba.

Metadata lives in pyproject.toml; this file only adds one step to build_py: the ahead-of-time
compiled kernel modules of fastnn/engine/aot.py, for float32 and float64, built in two processes
at once into fastnn/kernels/__aot__ of what is being installed (the build directory, or the source
tree for an editable install). They are keyed by the kernel sources, the Numba and Python versions
and this CPU, exactly as `fastnn warmup` builds them; a wheel meant for other machines is built with
FASTNN_KERNEL_TARGET=x86-64-v3 (AVX2), which any x86-64-v3 CPU loads. Without a C compiler (or with
FASTNN_SKIP_KERNEL_BUILD=1) the step is skipped with a message and fastnn compiles on first use.
"""
import os
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DTYPES = ("float32", "float64")


class build_py_with_kernels(build_py):
    def run(self):
        super().run()
        if os.environ.get("FASTNN_SKIP_KERNEL_BUILD") == "1":
            return
        root = Path(__file__).resolve().parent if getattr(self, "editable_mode", False) else Path(self.build_lib)
        target = root / "fastnn" / "kernels" / "__aot__"
        env = dict(os.environ, FASTNN_CACHE_DIR=str(target),
                   PYTHONPATH=os.pathsep.join([str(root)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        print(f"fastnn: compiling the training kernels into {target} (about a minute) ...", flush=True)
        procs = [subprocess.Popen([sys.executable, "-c", f"from fastnn.engine import aot; print(aot.build({d!r}))"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for d in DTYPES]
        for dtype, proc in zip(DTYPES, procs):
            out, err = proc.communicate()
            if proc.returncode:
                last = (err or out).strip().splitlines()[-1:] or ["no message"]
                print(f"fastnn: the {dtype} kernels were not compiled ({last[0]}); fastnn will compile them on "
                      f"first use instead (or run `fastnn warmup`).", flush=True)
            else:
                print(f"fastnn: {dtype} kernels ready: {out.strip()}", flush=True)


setup(cmdclass={"build_py": build_py_with_kernels})
