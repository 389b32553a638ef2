"""Builds the simulated ``cupy`` and ``cupyx`` module objects from ``cupy_api.json``.

Every public name of the recorded CuPy namespaces exists here and nothing else does: a NumPy
name CuPy lacks is an AttributeError, a CuPy name with no NumPy counterpart that the
simulation does not implement is a :class:`NotSimulated` that raises when called. The modules
are plain objects handed to ``tinygrad_edu.backend`` by :func:`gpusim.install`; they are never
put in ``sys.modules`` (``import cupy`` still fails on a machine without CuPy).
"""

from __future__ import annotations

import types

import numpy as np

from . import _api, _array, _funcs
from ._funcs import NotSimulated

# CuPy namespace -> the module whose math stands in for it (None: not simulated).
_NUMPY_TWIN = {
    "cupy": np, "cupy.linalg": np.linalg, "cupy.lib": np.lib,
    "cupy.lib.stride_tricks": np.lib.stride_tricks, "cupy.random": None,
    "cupy.cuda": None, "cupy.cuda.runtime": None, "cupyx": None, "cupyx.scipy": None,
    "cupyx.scipy.special": None,  # filled lazily with scipy.special (below)
}
# CuPy's classes that *are* NumPy's (cupy.float32 is numpy.float32) and its exceptions.
_NUMPY_CLASSES = {
    "AxisError": np.exceptions.AxisError, "ComplexWarning": np.exceptions.ComplexWarning,
    "ModuleDeprecationWarning": np.exceptions.ModuleDeprecationWarning,
    "RankWarning": np.exceptions.RankWarning, "TooHardError": np.exceptions.TooHardError,
    "VisibleDeprecationWarning": np.exceptions.VisibleDeprecationWarning,
}
# Constants whose NumPy twins would build *host* arrays (r_, c_, mgrid, ogrid): not simulated.
_HOST_BUILDERS = {"c_", "r_", "mgrid", "ogrid"}


class SimModule(types.ModuleType):
    """A namespace that has exactly CuPy's names."""

    def __getattr__(self, name):  # only reached for names the real CuPy lacks
        raise AttributeError(
            f"module '{self.__name__}' has no attribute '{name}' (CuPy {_api.CUPY_VERSION} has "
            "none; gpusim offers exactly the real API, parity_tests/gpusim/cupy_api.json)"
        )

    def __repr__(self):
        return f"<gpusim module '{self.__name__}' (simulated CuPy {_api.CUPY_VERSION})>"


def _checked(qualname: str, impl, sig):
    def call(*args, **kwargs):
        _api.check_call(qualname, sig, args, kwargs)
        return impl(*args, **kwargs)

    call.__name__ = qualname.rsplit(".", 1)[-1]
    call.__qualname__ = qualname
    return call


def _entry(modname: str, name: str, info: dict, twin, custom: dict):
    qual = f"{modname}.{name}"
    kind = info["kind"]
    target = getattr(twin, name, None) if twin is not None else None
    if kind == "ufunc":
        if target is None and name in custom:
            target = custom[name]
        if target is None:
            return NotSimulated(qual)
        return _funcs.ufunc(qual, target, info["nin"], info["nout"])
    if kind == "function":
        sig = _api.signature(info.get("sig"))
        if name in custom:
            return _checked(qual, custom[name], sig)
        if callable(target) and not isinstance(target, type):
            return _funcs.function(qual, target, sig)
        return NotSimulated(qual)
    if kind == "class":
        if name == "ndarray":
            return _array.ndarray
        if name == "ufunc":
            return _funcs.ufunc
        if name in _NUMPY_CLASSES:
            return _NUMPY_CLASSES[name]
        if isinstance(target, type) and issubclass(target, (np.generic, np.dtype)):
            return target
        if name in ("dtype", "finfo", "iinfo", "bool"):
            return target
        return custom.get(name, NotSimulated(qual))
    if kind == "constant":
        if name in _HOST_BUILDERS:
            return NotSimulated(qual)
        return getattr(twin, name) if twin is not None and hasattr(twin, name) else \
            custom.get(name, NotSimulated(qual))
    return NotSimulated(qual)  # "unavailable" (needs a GPU to even look up)


def _build(modname: str, custom: dict, built: dict) -> SimModule:
    mod = SimModule(modname, f"Simulated {modname} (CuPy {_api.CUPY_VERSION} API, NumPy math)")
    twin = _NUMPY_TWIN.get(modname)
    if modname == "cupyx.scipy.special":
        import scipy.special as twin
    for name, info in _api.MODULES[modname].items():
        if info["kind"] == "module":
            sub = info.get("name", f"{modname}.{name}")
            value = built.get(sub) if sub in _api.MODULES else None
            setattr(mod, name, value if value is not None else NotSimulated(sub))
        else:
            setattr(mod, name, _entry(modname, name, info, twin, custom.get(modname, {})))
    built[modname] = mod
    return mod


def _cuda_customs() -> dict:
    return {
        "cupy.cuda": {
            "Device": _array.Device, "get_device_id": lambda: 0, "is_available": lambda: True,
        },
        "cupy.cuda.runtime": {
            "getDeviceCount": lambda: 1, "getDevice": lambda: 0, "setDevice": lambda d: None,
            "deviceSynchronize": lambda: None,
        },
        "cupy": {"is_available": lambda: True, **_funcs.CUSTOM,
                 "fix": np.fix, "i0": np.i0, "sinc": np.sinc},
        "cupyx": {
            "scatter_add": _funcs.scatter(np.add), "scatter_max": _funcs.scatter(np.maximum),
            "scatter_min": _funcs.scatter(np.minimum),
            "errstate": np.errstate,
            "rsqrt": lambda x: 1.0 / np.sqrt(x),
        },
    }


def build() -> tuple[SimModule, SimModule]:
    custom = _cuda_customs()
    built: dict = {}
    # leaves first, so parents can attach them
    order = sorted(_api.MODULES, key=lambda m: -m.count("."))
    for modname in order:
        _build(modname, custom, built)
    for modname, mod in built.items():  # re-attach submodules built after their parent
        for name, info in _api.MODULES[modname].items():
            if info["kind"] == "module" and info.get("name") in built:
                setattr(mod, name, built[info["name"]])
    cupy, cupyx = built["cupy"], built["cupyx"]
    cupy.__version__ = _api.CUPY_VERSION
    cupy.__gpusim__ = True
    _array.TOP.update({n: v for n, v in vars(cupy).items() if callable(v)})
    _array.SPECIAL.update({n: v for n, v in vars(built["cupyx.scipy.special"]).items()
                           if isinstance(v, _funcs.ufunc)})
    for np_mod, cp_mod in [("numpy", "cupy"), ("numpy.linalg", "cupy.linalg"),
                           ("numpy.lib.stride_tricks", "cupy.lib.stride_tricks")]:
        _array.BY_MODULE[np_mod] = {n: v for n, v in vars(built[cp_mod]).items()
                                    if callable(v) and not isinstance(v, NotSimulated)}
    return cupy, cupyx


cupy, cupyx = build()
