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
