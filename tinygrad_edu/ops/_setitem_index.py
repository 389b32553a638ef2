"""The index of ``x[idx] = v`` (ops/inplace.py ``setitem``), checked in torch's order."""

from __future__ import annotations

from ..dtype import kind_of
from ..tensor import Tensor
from .index import normalize_index


def setitem_index(self: Tensor, idx, check_inplace):
    """``normalize_index`` for ``x[idx] = v``, with torch's order of refusals: too many indices
    or a basic index out of range raise IndexError first (torch's slicing runs before the
    write); with a Tensor index the in-place checks (``check_inplace``) run first, index_put_'s
    own checks after them."""
    try:
        nidx, advanced = normalize_index(idx, self)
    except IndexError:
        parts = idx if isinstance(idx, tuple) else (idx,)
        if any(isinstance(i, (Tensor, list)) for i in parts) and _dims_used(parts) <= \
                self._data.ndim:  # (too many indices: torch's slicing refuses them first)
            check_inplace(self, "__setitem__")
        raise
    if not advanced:
        in_bounds(self._data, nidx)
    return nidx, advanced


def _dims_used(parts) -> int:
    """How many dims of the indexed tensor an index takes (a bool mask: its own dims)."""
    n = 0
    for i in parts:
        if i is None or i is Ellipsis:
            continue
        bool_mask = isinstance(i, Tensor) and kind_of(i._data.dtype) == "b"
        n += i._data.ndim if bool_mask else 1
    return n


def in_bounds(d, nidx) -> None:
    """Raise torch's IndexError when ``d[nidx]`` reaches outside ``d`` (NumPy's words, with
    torch's "dimension")."""
    try:
        d[nidx]
    except IndexError as e:
        raise IndexError(f"__setitem__: {e}".replace(" axis ", " dimension ")) from None
