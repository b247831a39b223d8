"""The kernels run without Numba's runtime (NRT), and so must never hand an array back to Python.

kernels/jit.py compiles them with _nrt=False: the runtime's reference counting (an atomic
increment and decrement per array per call) cost the seed fit 18%. Without the runtime, though, an
array returned to Python is boxed as its PARENT: a view of a workspace comes back as the whole
workspace, silently. These tests compile every entry point for both dtypes and check the whole
call tree: which kernels have the runtime, and that no compiled kernel returns an array.
"""
import importlib
import pkgutil

import pytest
from numba import types
from numba.core.registry import CPUDispatcher

import fastnn.kernels as kernels_package
from fastnn.kernels import args, entry_points

# np.dot returns its `out` array, so the BLAS calls keep the runtime; they return nothing
RUNTIME_ALLOWED = {"gemm_forward", "gemm_backward"}


def kernel_dispatchers():
    found = {}
    for info in pkgutil.iter_modules(kernels_package.__path__):
        module = importlib.import_module(f"fastnn.kernels.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = obj
    return found


def holds_array(ty):
    if isinstance(ty, types.Array):
        return True
    if isinstance(ty, types.BaseTuple):
        return any(holds_array(t) for t in ty.types)
    return False


@pytest.fixture(scope="module")
def compiled():
    for dtype in ("float32", "float64"):
        for name in args.ENTRY_POINTS:
            getattr(entry_points, name).compile(args.signature(name, dtype))
    return kernel_dispatchers()


def test_only_the_blas_calls_use_the_runtime(compiled):
    with_runtime = {name.split(".")[1] for name, d in compiled.items() if d.targetoptions.get("_nrt", True)}
    assert with_runtime == RUNTIME_ALLOWED


def test_no_compiled_kernel_returns_an_array(compiled):
    returning = []
    for name, dispatcher in compiled.items():
        if dispatcher.targetoptions.get("inline") == "always":
            continue  # inlined into its callers at Numba's IR level: never a call, never boxed
        for cres in dispatcher.overloads.values():
            if holds_array(cres.signature.return_type):
                returning.append(name)
    assert compiled["network.network_forward"].overloads, "the walk found the compiled call tree"
    assert returning == []

