"""The argument checks torch's argument parser makes before an op runs, shared by every op.

torch binds each Python call through one parser that checks every argument's type against the
op's signature, so ``torch.amin(3)`` fails before any kernel with TypeError: "amin(): argument
'input' (position 1) must be Tensor, not int". Here there is no parser layer (a wrapper around
every function would cost each call a Python frame); instead each op checks its tensor argument
where it first touches it, with the one helper below, so the error and its words are torch's.
"""

from __future__ import annotations

import operator

import numpy as np

from . import dtype as _dt
from ._argtypes import at, require_bool, type_name  # noqa: F401  (require_bool: re-exported)
from .dtype import kind_of
from .tensor import Tensor


def not_tensor(op: str, x, arg: str = "input", position: int = 1) -> TypeError:
    """torch's TypeError for a non-Tensor ``x`` where ``op``'s signature takes a Tensor.

    Returned, not raised, so that a failure path (``except AttributeError:``, free until it
    fires) can raise it: ``raise not_tensor("relu", input) from None``."""
    return TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor, not "
                     f"{type_of(x)}")


def type_of(x) -> str:
    """The type's name; a tensor of another library (a real ``torch.Tensor`` beside a
    tinygrad_edu one: "must be Tensor, not Tensor" would puzzle) says whose it is."""
    cls = type(x)
    module = cls.__module__.split(".")[0]
    if cls.__name__ == "Tensor" and module != "tinygrad_edu":
        return (f"{module}.Tensor (a tensor of another library: convert it with "
                f"tinygrad_edu.tensor(t.numpy()))")
    return cls.__name__



def require_tensor(x, op: str, arg: str = "input", position: int = 1) -> None:
    """Raise :func:`not_tensor`'s TypeError unless ``x`` is a Tensor (one isinstance)."""
    if not isinstance(x, Tensor):
        raise not_tensor(op, x, arg, position)


def require_int(value, op: str, arg: str, position: int | None = None) -> None:
    """torch's TypeError for an int parameter (a size, a count) given a bool, a float or a
    tensor that is not one integer: "eye(): argument 'm' (position 2) must be int, not
    Tensor". An int, a NumPy integer and a 0-d integer tensor pass (torch reads their index)."""
    if type(value) is bool or not (
            isinstance(value, (int, np.integer)) or isinstance(value, Tensor)
            and value._data.ndim == 0 and kind_of(value._data.dtype) in "iu"):
        raise TypeError(f"{op}(): argument '{arg}'{at(position)} must be int, not "
                        f"{type_name(value)}")


def require_tensors(xs, op: str, arg: str = "tensors") -> None:
    """The same for a sequence of tensors (``broadcast_tensors(*tensors)``): torch's TypeError
    "expected Tensor as element 0 in argument 0, but got int"."""
    for i, x in enumerate(xs):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type_of(x)}")


def check_memory_format(memory_format, op: str, none_ok: bool = True) -> None:
    """torch's TypeError for a ``memory_format=`` that is not a ``torch.memory_format``
    (``clone(x, memory_format=3)``); None means the default where torch's signature allows it
    (``clone``, the casts, ``*_like``), not for ``contiguous``/``is_contiguous``."""
    if not isinstance(memory_format, _dt.memory_format) and not (none_ok and
                                                                 memory_format is None):
        raise TypeError(f"{op}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(memory_format).__name__}")


def no_kernel(input, kernel: str, kinds: str = "b") -> None:
    """torch's NotImplementedError for a dtype its kernel has no case for ('"trace" not
    implemented for 'Bool''): ``kinds`` are the NumPy dtype kinds refused ("b": bool; "biu":
    every non-floating dtype), ``kernel`` is torch's kernel name. Also refuses float16 when
    ``kinds`` holds "e" (the LAPACK kernels: '"lu_cpu" not implemented for 'Half'')."""
    dt = input._data.dtype
    if kind_of(dt) in kinds or (dt.itemsize == 2 and kind_of(dt) == "f" and "e" in kinds):
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_dt.torch_type_name(dt)}' (a tensor of dtype "
            f"{dt} and shape {list(input._data.shape)}; convert it first)")


def no_bool_kernel(input, kernel: str) -> None:
    """torch's NotImplementedError for an op it has no bool kernel for (``abs`` of a bool
    tensor: '"abs_cpu" not implemented for 'Bool''); ``kernel`` is torch's kernel name."""
    if kind_of(input._data.dtype) == "b":
        no_kernel(input, kernel)


def no_float_cast(input, op: str) -> None:
    """torch's RuntimeError when an op's float result must land in a non-floating tensor
    (dropout of an integer or bool tensor: its mask is scaled by 1/(1 − p) in float, "result
    type Float can't be cast to the desired output type Long")."""
    dt = input._data.dtype
    if kind_of(dt) != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_dt.torch_type_name(dt)} ({op} of a {dt} tensor of shape "
                           f"{list(input._data.shape)})")


def shape_arg(shape, op: str = "reshape", what: str = "shape"):
    """``shape`` (ints, or one tuple/list of them) as a tuple of ints. Each entry must be an
    integer (an int, a NumPy integer, a one-element integer tensor); a float, bool or str is
    torch's TypeError "<op>(): argument '<what>' (position 1) must be tuple of ints, ..."."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    out = []
    for i, s in enumerate(shape):
        if type(s) is not int:
            try:
                if isinstance(s, (bool, np.bool_)):
                    raise TypeError
                s = operator.index(s)
            except TypeError:
                raise TypeError(f"{op}(): argument '{what}' (position 1) must be tuple of ints, "
                                f"but found element of type {type(s).__name__} at pos {i}"
                                ) from None
        out.append(s)
    return tuple(out)
