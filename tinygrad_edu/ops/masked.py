"""``tg.masked``: torch.masked's functions on plain (strided) tensors with boolean masks.

A masked-out element takes the identity of the op (for ``logaddexp``, -inf: e^-inf adds
nothing), so the op itself runs unchanged; the gradient of a masked-out element is 0 (it
flows through ``where``).
"""

from __future__ import annotations

from .. import dtype as _dt
from ..backend import get_array_module
from ..tensor import Tensor
from .pointwise import logaddexp as _logaddexp
from .promotion import cast, require_tensor
from .select import where


def _masked(input: Tensor, mask, fill: float, op: str) -> Tensor:
    """``input`` where ``mask`` (broadcast to input's shape, no more dims than input) holds,
    else ``fill``."""
    if mask is None:
        return input
    require_tensor(mask, f"masked.{op}", "mask")
    if mask.ndim > input.ndim:
        raise ValueError(f"masked.{op}: the mask has more dimensions ({mask.ndim}) than the "
                         f"input ({input.ndim})")
    xp = get_array_module(input._data)
    m = Tensor._wrap(xp.broadcast_to(mask._data.astype(bool), input._data.shape))
    return where(m, input, fill)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    """``torch.masked.logaddexp``: ln(e^input + e^other) with masked-out elements treated as
    -inf (so a masked-out input contributes nothing; both masked out gives -inf). Masks are
    bool tensors broadcastable to their operand. dtype: ``dtype`` if given, else the input's.
    Derivatives: as ``logaddexp``, and 0 for masked-out elements."""
    require_tensor(input, "masked.logaddexp", "input", 1)
    require_tensor(other, "masked.logaddexp", "other", 2)
    d = input.dtype if dtype is None else _dt.to_dtype(dtype)
    out = _logaddexp(_masked(input, input_mask, float("-inf"), "logaddexp"),
                     _masked(other, other_mask, float("-inf"), "logaddexp"))
    return cast(out, d)


__all__: list = []  # reached as tg.masked.<name>, not from the package root
