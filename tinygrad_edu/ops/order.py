"""Order statistics: median, nanmedian, kthvalue, mode (values and indices along a dim), and
quantile, nanquantile.

Along a dim the value is the input gathered at the chosen index, so the gradient goes to that
one element (torch's value_selecting_reduction_backward). The median of every element sends
its gradient evenly to the elements equal to it (to the NaNs when it is NaN), as torch's
``evenly_distribute_backward``.

Which index: torch orders a slice by value with NaN last and equal values by position (its
comparator ``x[i] < x[j] || (x[i] == x[j] && i < j)``), which is a stable sort; median takes
position (n − 1)//2 (the lower median), and the first NaN when there is one; kthvalue runs
torch's quickselect (ported below) so that ties pick the same index as torch.
"""

from __future__ import annotations

import numpy as np

from .._args import no_bool_kernel
from ..autograd import Function
from ..backend import get_array_module, to_numpy
from ..dtype import kind_of, widen_bfloat16
from ..tensor import Tensor
from . import stl_sort
from ._dual import xp_of
from ._reduction import check_nonempty_dims, evenly_distribute, one_dim, torch_args, write_out
from ._util import named, quiet
from .index import GatherFn
from .return_types import kthvalue_type, median_type, mode_type, nanmedian_type
from .unary import clone


class MedianFn(Function):
    """y = the lower median of every element (NaN if any, for median; NaNs ignored, for
    nanmedian); the gradient is shared by the elements equal to y"""

    array_io = True

    @staticmethod
    def forward(ctx, x, ignore_nan):
        xp = get_array_module(x)
        flat = xp.sort(x.reshape(-1))  # NaN last
        n = flat.size - (int(xp.isnan(flat).sum()) if ignore_nan else 0)
        if flat.size == 0 or n == 0 or (not ignore_nan and xp.isnan(flat[-1])):
            # torch fills NaN cast to x's dtype: for an empty integer x that is the CPU's
            # conversion of NaN (INT_MIN for int32/int64, 0 for the narrower types), as NumPy's
            with quiet():
                y = xp.asarray(np.nan).astype(x.dtype)
        else:
            y = flat[(n - 1) // 2].copy()
        ctx.save_for_backward(x, y)
        if ignore_nan:
            ctx.node_name = "NanmedianBackward0"
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        # ∂y/∂xᵢ = [xᵢ = y] / #{j: xⱼ = y} (NaN counts as equal to a NaN result)
        with quiet():  # an empty input: no element, 0/0
            return evenly_distribute(xp, g, x, y), None


def _stable_order(a, axis):
    """Positions that sort ``a`` along ``axis``: NaN last, equal values by position (bfloat16
    through float32: NumPy's sort of ml_dtypes' type misplaces NaN)."""
    return get_array_module(a).argsort(widen_bfloat16(a), axis=axis, kind="stable")


def _median_index(a, axis, ignore_nan):
    xp = get_array_module(a)
    order = _stable_order(a, axis)
    nan = xp.isnan(a) if kind_of(a.dtype) == "f" else xp.zeros(a.shape, bool)
    n = a.shape[axis]
    if ignore_nan:
        m = n - nan.sum(axis=axis, keepdims=True)
        pos = xp.where(m > 0, (m - 1) // 2, 0)  # all NaN: C++'s (0 - 1) / 2 = 0
        return xp.take_along_axis(order, pos, axis)
    pick = xp.take(order, [(n - 1) // 2], axis=axis)
    first_nan = xp.argmax(nan, axis=axis, keepdims=True)
    return xp.where(nan.any(axis=axis, keepdims=True), first_nan, pick)


def _select_along(input, dim, keepdim, op, ret, node, index_fn):
    """(values, indices) with indices = index_fn(array, axis) (keepdims shape): the values are
    the input gathered there (the gradient goes to each chosen element)."""
    xp = get_array_module(input._data)
    if input._data.ndim == 0:
        one_dim(dim, 0, op)
        return ret(named(clone(input), node), Tensor._wrap(xp.zeros((), np.int64)))
    ax = one_dim(dim, input._data.ndim, op)
    check_nonempty_dims(input, (ax,), op)
    idx = index_fn(input._data, ax).astype(np.int64)
    values = GatherFn.apply(input, idx, ax)
    if not keepdim:
        values, idx = values.squeeze(ax), idx.squeeze(ax)
        values._view = None  # a new tensor to the user, as torch's (not a view of a temporary)
    return ret(named(values, node), Tensor._wrap(idx))


@torch_args(dim_type="int")
def median(input, dim=None, keepdim=False, *, out=None):
    """``torch.median``: the lower median (the element at position (n − 1)//2 of the sorted
    values; NaN when there is a NaN). Without ``dim``: a 0-d tensor (nan for an empty input),
    gradient shared by the elements equal to it. With ``dim``: ``(values, indices)``, the
    gradient goes to the index chosen. Raises IndexError for a size-0 dim, NotImplementedError
    for a bool input (torch has no bool kernel).

    Shapes: input (*) → with ``dim``: values and indices of the shape with ``dim`` removed (kept as
    size 1 with ``keepdim=True``); ``median``/``nanmedian`` without ``dim``: a 0-d tensor.
    """
    no_bool_kernel(input, "median_cpu")
    if dim is None:
        return write_out(MedianFn.apply(input, False), out, "median")
    res = _select_along(input, dim, keepdim, "median", median_type, "MedianBackward1",
                        lambda a, ax: _median_index(a, ax, False))
    return write_out(res, out, "median")


@torch_args(dim_type="int")
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """``torch.nanmedian``: :func:`median` of the non-NaN elements (NaN when all are NaN).

    Shapes: input (*) → with ``dim``: values and indices of the shape with ``dim`` removed (kept as
    size 1 with ``keepdim=True``); ``median``/``nanmedian`` without ``dim``: a 0-d tensor. Raises
    IndexError for ``dim`` out of range, NotImplementedError for a bool input.
    """
    no_bool_kernel(input, "median_cpu")
    if dim is None:
        return write_out(MedianFn.apply(input, True), out, "nanmedian")
    res = _select_along(input, dim, keepdim, "nanmedian", nanmedian_type, "NanmedianBackward1",
                        lambda a, ax: _median_index(a, ax, True))
    return write_out(res, out, "nanmedian")


def _gt_or_nan(x, y) -> bool:
    return (x != x and y == y) or x > y


def quick_select(values: list, k: int) -> int:
    """torch's CPU ``quick_select_template`` (median-of-three pivot, NaN as the largest):
    partially orders ``values`` so that position k holds the k-th smallest; returns the
    original position of that element (how torch's kthvalue breaks ties)."""
    arr = list(values)
    pos = list(range(len(arr)))

    def swap(i, j):
        arr[i], arr[j] = arr[j], arr[i]
        pos[i], pos[j] = pos[j], pos[i]

    lo, hi = 0, len(arr) - 1
    while hi > lo:
        if hi == lo + 1:
            if _gt_or_nan(arr[lo], arr[hi]):
                swap(lo, hi)
            break
        mid = lo + (hi - lo) // 2
        swap(mid, lo + 1)
        if _gt_or_nan(arr[lo + 1], arr[hi]):
            swap(lo + 1, hi)
        if _gt_or_nan(arr[lo], arr[hi]):
            swap(lo, hi)
        if _gt_or_nan(arr[lo + 1], arr[lo]):
            swap(lo + 1, lo)
        i, j, piv = lo + 1, hi, arr[lo]
        while True:
            i += 1
            while _gt_or_nan(piv, arr[i]):
                i += 1
            j -= 1
            while _gt_or_nan(arr[j], piv):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return pos[k]


def _kth_index(a, axis, k):
    xp = get_array_module(a)
    order = _stable_order(a, axis)
    idx = xp.take(order, [k - 1], axis=axis)
    # slices where the k-th value appears more than once: torch's quickselect picks the index
    kth = xp.take_along_axis(a, idx, axis)
    same = (a == kth) | (xp.isnan(a) & xp.isnan(kth)) if kind_of(a.dtype) == "f" else a == kth
    tied = same.sum(axis=axis, keepdims=True) > 1
    if bool(tied.any()):
        moved = np.moveaxis(widen_bfloat16(to_numpy(a)), axis, -1)
        tmoved = np.moveaxis(to_numpy(tied), axis, -1)
        out = np.moveaxis(to_numpy(idx), axis, -1).copy()
        for where in np.ndindex(tmoved.shape[:-1]):
            if tmoved[where + (0,)]:
                out[where + (0,)] = quick_select(moved[where].tolist(), k - 1)
        idx = xp.asarray(np.moveaxis(out, -1, axis))
    return idx


@torch_args
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """``torch.kthvalue``: ``(values, indices)`` of the k-th smallest element along ``dim``
    (k counts from 1; NaN is the largest). The gradient goes to the index chosen. Raises
    RuntimeError when k is outside [1, size], IndexError for a size-0 dim.

    Shapes: input (*) → values and indices of the shape with ``dim`` removed (kept as size 1 with
    ``keepdim=True``).
    """
    nd = input._data.ndim
    ax = one_dim(dim, nd, "kthvalue")
    n = input._data.shape[ax] if nd else 1
    if nd and n == 0:
        check_nonempty_dims(input, (ax,), "kthvalue")
    if not 1 <= int(k) <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax} "
                           f"(k = {k}, size {n})")
    res = _select_along(input, dim, keepdim, "kthvalue", kthvalue_type, "KthvalueBackward0",
                        lambda a, axis: _kth_index(a, axis, int(k)))
    return write_out(res, out, "kthvalue", inputs=(input,))


def _mode_index(a, axis):
    """Per slice: the most frequent value (the smallest on a tie in counts) and the position
    torch reports for it: torch sorts (value, position) pairs with ``std::sort`` and keeps the
    last pair of each run of equal values (so ties follow that algorithm, ported)."""
    xp = get_array_module(a)
    moved = np.moveaxis(widen_bfloat16(to_numpy(a)), axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    out = np.empty(flat.shape[0], np.int64)
    for r, row in enumerate(flat.tolist()):
        pairs = list(zip(row, range(len(row))))
        stl_sort.sort(pairs, 0, len(pairs))  # torch's std::sort: its order of equal values
        order = [p for _, p in pairs]
        best, best_n, run = 0, 0, 0
        for i, p in enumerate(order):
            run += 1
            if i == len(order) - 1 or row[p] != row[order[i + 1]]:
                if run > best_n:
                    best, best_n = p, run
                run = 0
        out[r] = best
    return xp.asarray(np.moveaxis(out.reshape(moved.shape[:-1] + (1,)), -1, axis))


@torch_args
def mode(input, dim=-1, keepdim=False, *, out=None):
    """``torch.mode``: ``(values, indices)`` of the most frequent value along ``dim`` (the
    smallest of equally frequent ones; the index of its last occurrence). The gradient goes to
    that element. Raises IndexError for a size-0 dim.

    Shapes: input (*) → with ``dim``: values and indices of the shape with ``dim`` removed (kept as
    size 1 with ``keepdim=True``); ``median``/``nanmedian`` without ``dim``: a 0-d tensor.
    """
    res = _select_along(input, dim, keepdim, "mode", mode_type, "ModeBackward0", _mode_index)
    return write_out(res, out, "mode")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["kthvalue", "median", "mode", "nanmedian"]

METHODS = {"median": median, "nanmedian": nanmedian, "kthvalue": kthvalue, "mode": mode}
