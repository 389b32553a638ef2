"""``Tensor.view(dtype)``: the same bytes read as another dtype (a bit reinterpretation, as
C's ``memcpy`` between types; no value is converted).

    a = tg.tensor([1.5, -2.0], dtype=tg.bfloat16)
    a.view(tg.int16)        # tensor([ 16320, -16384], dtype=torch.int16): the raw bit patterns

The result shares ``input``'s memory and version counter (a write through one shows in the
other), as torch. When the element sizes differ, the last dim scales by their ratio: float32
(3,) viewed as int16 is (6,), int16 (4,) viewed as float32 is (2,).
"""

from __future__ import annotations

from .. import dtype as _dt
from ..tensor import Tensor
from .strided import storage_of, strides_of

# a Python type passed to view() is the dtype torch's argument parser makes of it
_PY_TYPES = {float: _dt.float64, int: _dt.int64, bool: _dt.bool_}


def as_view_dtype(arg):
    """The dtype that ``view(arg)`` reinterprets to, or None when ``arg`` is a size."""
    if isinstance(arg, _dt.dtype):
        return arg
    return _PY_TYPES.get(arg) if isinstance(arg, type) else None


def view_dtype(input: Tensor, dtype) -> Tensor:
    """``input``'s bytes read as ``dtype`` (no conversion). Same element size: the same shape
    and strides. A smaller element (ratio r = old size / new size): the last dim is r times
    longer. A larger one (r = new size / old size): the last dim is r times shorter.

    Shapes: (..., n) → (..., n·old/new); 0-d only for the same element size.

    Raises RuntimeError (torch's messages) when the sizes differ and input is 0-d, its last
    dim is not contiguous (stride(-1) ≠ 1), or — for a larger element — the last dim's size,
    the storage offset or another dim's stride is not divisible by r.

    Derivative: none. The result never requires grad, not even float32 viewed as float32
    (torch's rule: a bit reinterpretation has no gradient); it is detached from the graph.
    """
    new = as_view_dtype(dtype)
    a = input._data
    old = _dt.from_numpy_dtype(a.dtype)
    if old.itemsize != new.itemsize:
        _check(a, old, new)
    out = a.view(new.np)
    t = Tensor._wrap(out)
    t._share_version_with(input)
    return t


def _check(a, old, new) -> None:
    """torch's conditions for viewing ``a`` as a dtype of another element size."""
    what = (f"to view {_dt.torch_type_name(old)} as {_dt.torch_type_name(new)} (different "
            f"element sizes)")
    if a.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    st = strides_of(a)
    if st[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {st[-1]}")
    if new.itemsize < old.itemsize:
        return
    r = new.itemsize // old.itemsize
    if a.shape[-1] % r:
        raise RuntimeError(f"self.size(-1) must be divisible by {r} {what}, but got "
                           f"{a.shape[-1]}")
    offset = storage_of(a)[1]
    if offset % r:
        raise RuntimeError(f"self.storage_offset() must be divisible by {r} {what}, but got "
                           f"{offset}")
    for i, s in enumerate(st[:-1]):
        if s % r:
            raise RuntimeError(f"self.stride({i}) must be divisible by {r} {what}, but got {s}")
