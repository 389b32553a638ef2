"""Sorting: sort, argsort, msort, topk. The sorted values are a gather of the input at the
sorted indices, so the gradient goes back to where each value came from.

torch's order: NaN counts as the largest value (last ascending, first descending); equal
values keep their input order (a stable sort; torch promises it with ``stable=True`` and, for
small inputs, gives it anyway).
"""

from __future__ import annotations

import numpy as np

from ..backend import get_array_module
from ..tensor import Tensor
from ._reduction import one_dim, torch_args, write_out
from ._util import named
from .index import GatherFn
from .return_types import sort_type, topk_type
from .unary import clone
from .views import narrow


def sort_indices(a, axis: int, descending: bool):
    """The permutation that sorts ``a`` along ``axis`` (int64), stably, NaN as the largest."""
    xp = get_array_module(a)
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable").astype(np.int64, copy=False)
    # descending and stable: sort the reversed array ascending (equal values then come in
    # reverse input order), reverse that, and map the positions back
    n = a.shape[axis]
    rev = xp.argsort(xp.flip(a, axis), axis=axis, kind="stable")
    return (n - 1 - xp.flip(rev, axis)).astype(np.int64, copy=False)


@torch_args
def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """``torch.sort``: ``(values, indices)`` of ``input`` sorted along ``dim`` (ascending, or
    ``descending``; NaN is the largest; equal values keep their order). indices are int64.
    Derivative: each value's gradient goes back to the element it came from (a scatter).

    Shapes: any; the output(s) have the input's shape. Raises IndexError for ``dim`` out of range.
    """
    xp = get_array_module(input._data)
    if input._data.ndim == 0:
        one_dim(dim, 0, "sort")
        res = sort_type(named(clone(input), "SortBackward0"),
                        Tensor._wrap(xp.zeros((), np.int64)))
        return write_out(res, out, "sort")
    ax = one_dim(dim, input._data.ndim, "sort")
    idx = sort_indices(input._data, ax, bool(descending))
    values = named(GatherFn.apply(input, idx, ax), "SortBackward0")
    return write_out(sort_type(values, Tensor._wrap(idx)), out, "sort")


@torch_args
def argsort(input, dim=-1, descending=False, *, stable=False):
    """``torch.argsort``: the indices :func:`sort` returns (int64, no gradient).

    Shapes: any; the output(s) have the input's shape. Raises IndexError for ``dim`` out of range.
    """
    return sort(input, dim, descending, stable=stable).indices


def msort(input, *, out=None):
    """``torch.msort``: ``input`` sorted along dim 0 (the values of ``sort(input, 0)``).

    Shapes: any; the output(s) have the input's shape.
    """
    if input._data.ndim == 0:
        return write_out(named(clone(input), "SortBackward0"), out, "msort")
    return write_out(sort(input, 0).values, out, "msort")


@torch_args
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """``torch.topk``: ``(values, indices)`` of the ``k`` largest (or smallest) elements along
    ``dim``, in sorted order. Raises RuntimeError when k exceeds the dim's size.
    Derivative: each value's gradient goes back to the element it came from.

    Shapes: input (*) → values and indices of input's shape with ``dim`` of size ``k``.
    """
    nd = input._data.ndim
    ax = one_dim(dim, nd, "topk")
    n = input._data.shape[ax] if nd else 1
    if not 0 <= int(k) <= n:
        raise RuntimeError(f"topk(): selected index k out of range (k = {k}, size of dim "
                           f"{ax} is {n})")
    v, i = sort(input, dim, descending=largest)
    if nd == 0:
        return write_out(topk_type(named(v, "TopkBackward0"), i), out, "topk")
    i = narrow(i, ax, 0, int(k))
    # values gathered at the kept indices: a new contiguous tensor (as torch's topk)
    values = named(GatherFn.apply(input, i._data, ax), "TopkBackward0")
    return write_out(topk_type(values, Tensor._wrap(i._data.copy())), out, "topk")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["argsort", "msort", "sort", "topk"]

METHODS = {"sort": sort, "argsort": argsort, "msort": msort, "topk": topk}
