"""What every op family shares: argument normalization and torch's type promotion."""

from __future__ import annotations

import numpy as np

from .._args import not_tensor, require_tensor  # noqa: F401  (re-exported for the ops)
from ..backend import get_array_module
from ..dtype import torch_type_name
from ..tensor import Tensor, _as_array, _wrap_dim


def as_tensor_like(x, ref: Tensor) -> Tensor:
    """A Tensor for ``x`` (scalar, list, ndarray) on ``ref``'s device."""
    if isinstance(x, Tensor):
        return x
    arr = _as_array(x, None)
    xp = get_array_module(ref._data)
    if xp is not np:
        arr = xp.asarray(arr)
    return Tensor._wrap(arr)


try:  # NumPy >= 2 keeps the floating-point error state in a context variable
    from numpy._core._ufunc_config import _extobj_contextvar as _ERRSTATE
    from numpy._core.umath import _make_extobj

    _IGNORE_ALL = _make_extobj(all="ignore")
except ImportError:  # older NumPy: fall back to np.errstate
    _ERRSTATE = None


class quiet:
    """``with quiet():`` means ``with np.errstate(all="ignore")``: float math never warns, as in
    torch (1/0 is inf, 0/0 is nan, silently).

    Speed (docs/design.md §7): building and entering an ``np.errstate`` costs ~1 µs, more than
    a small division itself; this sets NumPy's error-state context variable to a prebuilt
    "ignore all" value and restores it on exit, which is what ``np.errstate`` does inside.
    """

    __slots__ = ("_token",)

    def __enter__(self):
        if _ERRSTATE is None:
            self._token = np.errstate(all="ignore")
            self._token.__enter__()
        else:
            self._token = _ERRSTATE.set(_IGNORE_ALL)

    def __exit__(self, *exc):
        if _ERRSTATE is None:
            self._token.__exit__(*exc)
        else:
            _ERRSTATE.reset(self._token)
        return False


def raise_broadcast_error(op: str, *shapes) -> None:
    """Raise torch's RuntimeError for shapes that do not broadcast (naming the op)."""
    shapes = [tuple(s) for s in shapes]
    nd = max(len(s) for s in shapes)
    padded = [(1,) * (nd - len(s)) + s for s in shapes]
    names = "abcdefgh"
    for d in range(nd - 1, -1, -1):
        sizes = [(i, s[d]) for i, s in enumerate(padded) if s[d] != 1]
        for (i, n), (j, k) in zip(sizes, sizes[1:]):
            if n != k:
                raise RuntimeError(
                    f"The size of tensor {names[i]} ({n}) must match the size of tensor "
                    f"{names[j]} ({k}) at non-singleton dimension {d} ({op}: shapes "
                    + ", ".join(str(list(s)) for s in shapes) + ")"
                )
    raise RuntimeError(f"{op}: shapes {', '.join(str(list(s)) for s in shapes)} cannot be "
                       "broadcast together")


def dims(dim, ndim: int, op: str):
    """Normalize ``dim`` (None, int, or tuple) to a tuple of non-negative axes, or None."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        return tuple(sorted({_wrap_dim(int(d), ndim, op) for d in dim}))
    return (_wrap_dim(int(dim), ndim, op),)


def check_float(t: Tensor, op: str) -> None:
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor, got {t.dtype}")


def shape_str(*ts) -> str:
    return " and ".join(str(list(t.shape)) if isinstance(t, Tensor) else repr(t) for t in ts)


def named(t, name: str):
    """Give ``t``'s graph node torch's name for this call (torch names some nodes by how the
    op was called: ``x[1:]`` is SliceBackward0, ``x[1]`` SelectBackward0). Returns ``t``."""
    node = getattr(t, "_node", None)
    if node is not None:
        node.node_name = name
    return t




def _float_only(input, op: str) -> None:
    """torch has no integer kernel for these activations: NotImplementedError, as torch."""
    try:
        kind = input._data.dtype.kind
    except AttributeError:  # not a Tensor: torch's TypeError (this path costs nothing until then)
        raise not_tensor(op, input) from None
    if kind in "iub":
        name = torch_type_name(input._data.dtype)
        raise NotImplementedError(f'"{op}" not implemented for \'{name}\' (an integer tensor; '
                                  f"convert it with .float() first)")
    check_float(input, op)
