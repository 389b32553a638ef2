"""Reading an index expression the way torch does, before any element is touched: Tensors
become arrays (a 0-d integer tensor an int, so ``x[i]`` stays a view; a uint8 tensor torch's
deprecated byte mask), boolean masks become integer arrays checked against the dims they cover,
and the result says whether the index is advanced (a copy) or basic (a view).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor


def _consumes(i) -> int:
    """How many of the indexed tensor's dims one index entry uses up (None/... use none)."""
    if i is None or i is Ellipsis:
        return 0
    if getattr(i, "dtype", None) == np.bool_:
        return max(i.ndim, 1)
    return 1


def _check_mask(mask, shape: list, pos: int) -> None:
    """torch: a boolean mask must have exactly the shape of the dims it indexes."""
    for j, n in enumerate(mask.shape):
        if pos + j < len(shape) and shape[pos + j] != n:
            raise IndexError(
                f"The shape of the mask {list(mask.shape)} at index {j} does not match the "
                f"shape of the indexed tensor {shape} at index {pos + j}"
            )


def _tensor_index(i: Tensor, stacklevel: int = 5):
    """A Tensor used as an index: its array; a 0-d integer tensor indexes as the Python int it
    holds, as in torch, so ``x[i]`` is a view; a uint8 tensor is a mask (torch's deprecated
    byte mask, with its warning)."""
    d = i._data
    if d.dtype == np.uint8:  # torch's legacy byte mask: nonzero bytes select
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                      "torch.bool instead.", UserWarning, stacklevel=stacklevel)
        return get_array_module(d).asarray(d != 0)
    if d.ndim == 0 and kind_of(d.dtype) in "iu":
        return int(d)
    return d


def normalize_index(idx, x: Tensor):
    """Turn Tensors into arrays and boolean masks into integer arrays; say if it is advanced.

    ``shape``/``pos`` follow the dims as torch sees them (None inserts a dim, an integer
    removes one, a slice shortens one), so a mask's shape is checked against the dims it
    indexes, with torch's message.
    """
    if not isinstance(idx, tuple):
        idx = (idx,)
    xp = get_array_module(x._data)
    idx = tuple(_tensor_index(i) if isinstance(i, Tensor) else xp.asarray(i)
                if isinstance(i, list) else i for i in idx)
    if xp is not np:  # torch accepts a CPU index tensor for a cuda tensor: move it over once
        idx = tuple(xp.asarray(i) if isinstance(i, np.ndarray) else i for i in idx)
    shape, pos = list(x._data.shape), 0
    out, advanced = [], False
    for k, i in enumerate(idx):
        if i is None:
            shape.insert(pos, 1)
            pos += 1
        elif i is Ellipsis:
            pos = max(pos, len(shape) - sum(_consumes(j) for j in idx[k + 1:]))
        elif isinstance(i, slice):
            if i.step is not None and i.step <= 0:  # torch has no negative strides (flip)
                raise ValueError("step must be greater than zero" if i.step < 0
                                 else "slice step cannot be zero")
            if pos < len(shape):
                shape[pos] = len(range(*i.indices(shape[pos])))
            pos += 1
        elif isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)):
            if pos < len(shape):
                del shape[pos]
        if hasattr(i, "dtype") and hasattr(i, "ndim") and not isinstance(i, np.generic):
            if i.dtype == np.bool_:
                _check_mask(i, shape, pos)
                pos += i.ndim
                out.extend(xp.nonzero(i))
                advanced = True
                continue
            if kind_of(i.dtype) not in "iu":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors "
                    f"(got {i.dtype})"
                )
            advanced = True
            pos += 1
        elif isinstance(i, (bool, np.bool_)):
            raise IndexError("indexing with a Python bool is not supported; use a bool tensor")
        out.append(i)
    return tuple(out), advanced
