"""The argument checks torch's argument parser makes before an op runs, shared by every op.

torch binds each Python call through one parser that checks every argument's type against the
op's signature, so ``torch.amin(3)`` fails before any kernel with TypeError: "amin(): argument
'input' (position 1) must be Tensor, not int". Here there is no parser layer (a wrapper around
every function would cost each call a Python frame); instead each op checks its tensor argument
where it first touches it, with the one helper below, so the error and its words are torch's.
"""

from __future__ import annotations

from . import dtype as _dt
from .tensor import Tensor


def not_tensor(op: str, x, arg: str = "input", position: int = 1) -> TypeError:
    """torch's TypeError for a non-Tensor ``x`` where ``op``'s signature takes a Tensor.

    Returned, not raised, so that a failure path (``except AttributeError:``, free until it
    fires) can raise it: ``raise not_tensor("relu", input) from None``."""
    return TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor, not "
                     f"{type(x).__name__}")


def require_tensor(x, op: str, arg: str = "input", position: int = 1) -> None:
    """Raise :func:`not_tensor`'s TypeError unless ``x`` is a Tensor (one isinstance)."""
    if not isinstance(x, Tensor):
        raise not_tensor(op, x, arg, position)


def require_tensors(xs, op: str, arg: str = "tensors") -> None:
    """The same for a sequence of tensors (``broadcast_tensors(*tensors)``): torch's TypeError
    "expected Tensor as element 0 in argument 0, but got int"."""
    for i, x in enumerate(xs):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")


def check_memory_format(memory_format, op: str, none_ok: bool = True) -> None:
    """torch's TypeError for a ``memory_format=`` that is not a ``torch.memory_format``
    (``clone(x, memory_format=3)``); None means the default where torch's signature allows it
    (``clone``, the casts, ``*_like``), not for ``contiguous``/``is_contiguous``."""
    if not isinstance(memory_format, _dt.memory_format) and not (none_ok and
                                                                 memory_format is None):
        raise TypeError(f"{op}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(memory_format).__name__}")


def no_bool_kernel(input, kernel: str) -> None:
    """torch's NotImplementedError for an op it has no bool kernel for (``abs`` of a bool
    tensor: '"abs_cpu" not implemented for 'Bool''); ``kernel`` is torch's kernel name."""
    if input._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool' (a bool tensor of "
                                  f"shape {list(input._data.shape)}; convert it first)")
