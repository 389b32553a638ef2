"""The arguments of ``Tensor.to`` and ``Module.to`` read as torch's argument parser reads them:
three signatures, tried in order, the first that binds every argument wins::

    to(device=None, dtype=None, non_blocking=False, copy=False, *, memory_format=None)
    to(dtype, non_blocking=False, copy=False, *, memory_format=None)
    to(tensor, non_blocking=False, copy=False, *, memory_format=None)

So ``to("cpu", "cpu")``, ``to(float64, "cpu")``, ``to(other, float32)``, ``to(float64,
device="cpu")``, a dtype named by a string or a NumPy type, and ``copy=1`` are refused with
torch's TypeError, whose message lists what was given and the three signatures.
"""

from __future__ import annotations

import numpy as np

from .._memory_format import memory_format as _MemoryFormat
from ..backend import device as _Device
from ..dtype import dtype as _DType
from ..dtype import to_dtype
from ..tensor import Tensor

_PY_TYPES = (float, int, bool)  # torch reads these Python types as dtypes (float: float64)
_EXPECTED = (
    " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, bool "
    "copy = False, *, torch.memory_format memory_format = None)\n"
    " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n"
    " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, torch.memory_format "
    "memory_format = None)\n")


def _is_dtype(a) -> bool:
    return isinstance(a, _DType) or any(a is t for t in _PY_TYPES)


def _is_dtype_first(a) -> bool:  # there torch also reads a float or bool value as its type
    return _is_dtype(a) or type(a) in (float, bool)  # (to(2.5) is to(float64), to(True) bool)


def _is_device(a) -> bool:
    return isinstance(a, (str, _Device)) or (type(a) is int)


def _is_bool(a) -> bool:
    return isinstance(a, (bool, np.bool_))


# each signature: its positional parameters (name, check, required)
_SIGNATURES = (
    (("device", lambda a: a is None or _is_device(a), False),
     ("dtype", lambda a: a is None or _is_dtype(a), False),
     ("non_blocking", _is_bool, False), ("copy", _is_bool, False)),
    (("dtype", _is_dtype_first, True), ("non_blocking", _is_bool, False),
     ("copy", _is_bool, False)),
    (("tensor", lambda a: isinstance(a, Tensor), True), ("non_blocking", _is_bool, False),
     ("copy", _is_bool, False)),
)


def _bind(params, args, kwargs) -> dict | None:
    if len(args) > len(params):
        return None
    bound = {p[0]: a for p, a in zip(params, args)}
    for k, v in kwargs.items():
        if k == "memory_format":
            if v is not None and not isinstance(v, _MemoryFormat):
                return None
        elif k in bound or k not in {p[0] for p in params}:
            return None
        else:
            bound[k] = v
    for name, check, required in params:
        if name in bound and not check(bound[name]):
            return None
        if required and name not in bound:
            return None
    return bound


def type_name(a) -> str:
    """torch's name of an argument's type in its parser errors."""
    if isinstance(a, _DType):
        return "torch.dtype"
    if isinstance(a, _Device):
        return "torch.device"
    if isinstance(a, _MemoryFormat):
        return "torch.memory_format"
    t = type(a)  # a C type's name carries its module (numpy.dtypes.Float32DType)
    return f"{t.__module__}.{t.__name__}" if t.__module__.startswith("numpy") else t.__name__


def invalid(op: str, args, kwargs) -> TypeError:
    """torch's TypeError for arguments no signature of ``to`` takes."""
    got = ", ".join(type_name(a) for a in args)
    kw = [f"{k}={type_name(v)}" for k, v in kwargs.items()]
    got = got + ", " + ", ".join(kw) if args and kw else got or "".join(k + ", " for k in kw)
    return TypeError(f"{op}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:\n{_EXPECTED}")


def parse_to(args, kwargs, op: str = "to") -> tuple:
    """``(device, dtype, non_blocking, copy, memory_format)`` of ``to(*args, **kwargs)`` (each
    None or False when not given; a tensor argument gives its device and dtype; an int device
    is a GPU index, ``"cuda:i"``). Raises TypeError as torch for anything its three signatures
    do not take, RuntimeError for a negative device index."""
    for params in _SIGNATURES:
        b = _bind(params, args, kwargs)
        if b is not None:
            break
    else:
        raise invalid(op, args, kwargs)
    dev, dt = b.get("device"), b.get("dtype")
    if "tensor" in b:
        dev, dt = b["tensor"].device, b["tensor"].dtype
    if type(dev) is int:
        if dev < 0:
            raise RuntimeError(f"{op}(): Device index must not be negative (got {dev})")
        dev = f"cuda:{dev}"
    if type(dt) in (float, bool):
        dt = type(dt)
    return (dev, None if dt is None else to_dtype(dt), bool(b.get("non_blocking", False)),
            bool(b.get("copy", False)), kwargs.get("memory_format"))
