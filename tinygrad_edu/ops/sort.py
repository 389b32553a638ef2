"""Sorting: sort, argsort, msort, topk. The sorted values are a gather of the input at the
sorted indices, so the gradient goes back to where each value came from.

torch's order: NaN counts as the largest value (last ascending, first descending). Equal values:
with ``stable=True`` they keep their input order (torch's std::stable_sort). Otherwise torch's CPU
kernel runs libstdc++'s std::sort (introsort: stable only up to 16 elements), except a 1-d integer
tensor of ≥ 32768 elements sorted ascending, which goes to a (stable) radix sort; ``topk`` runs
std::partial_sort (k·64 ≤ n) or std::nth_element. Rows without ties come out the same from any
correct sort, so NumPy's stable sort serves them; rows with ties replay torch's algorithm
(``stl_sort.py``) so the indices of equal values are torch's — up to :data:`REPLAY_LIMIT`
elements in tied rows. Beyond that (a ReLU output with a million zeros) the replay, plain
Python, would take seconds, so equal values keep their input order: a correct sort, whose order
of ties differs from torch's (torch documents that order as unspecified unless stable=True).
"""

from __future__ import annotations

import numpy as np

from .._args import require_tensor
from ..backend import get_array_module, is_meta, to_numpy
from ..dtype import kind_of, widen_bfloat16
from ..tensor import Tensor
from . import stl_sort
from ._reduction import one_dim, torch_args, write_out
from ._util import named
from .index import GatherFn
from .return_types import sort_type, topk_type
from .unary import clone
from .views import narrow


def _stable_indices(a, axis: int, descending: bool):
    """The permutation that sorts ``a`` along ``axis`` (int64), stably, NaN as the largest."""
    xp = get_array_module(a)
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable").astype(np.int64, copy=False)
    # descending and stable: sort the reversed array ascending (equal values then come in
    # reverse input order), reverse that, and map the positions back
    n = a.shape[axis]
    rev = xp.argsort(xp.flip(a, axis), axis=axis, kind="stable")
    return (n - 1 - xp.flip(rev, axis)).astype(np.int64, copy=False)


def _key_rows(a, axis: int, descending: bool):
    """torch's comparator as int64 keys, one row per 1-d slice along ``axis``: the rank of each
    value (NaN the largest, all NaNs equal, −0 = 0), negated for descending."""
    a = to_numpy(a)
    rank = np.unique(a, return_inverse=True)[1].reshape(a.shape)
    rows = np.moveaxis(-rank if descending else rank, axis, -1)
    return rows.reshape(-1, a.shape[axis])


REPLAY_LIMIT = 1 << 16  # elements in tied rows that torch's tie order is replayed for


def _tied_rows(a, idx, axis: int):
    """The 1-d slices along ``axis`` (as rows of the moved-axis array) holding equal values
    (NaNs all equal, −0 = 0), found from the sorted values ``a`` taken at ``idx``."""
    s = to_numpy(get_array_module(a).take_along_axis(a, idx, axis))
    s = np.moveaxis(s, axis, -1).reshape(-1, idx.shape[axis])
    eq = s[:, 1:] == s[:, :-1]
    if kind_of(s.dtype) == "f":
        eq |= np.isnan(s[:, 1:]) & np.isnan(s[:, :-1])
    return np.nonzero(eq.any(axis=1))[0]


def _replay(idx, axis: int, keys, rows, algorithm):
    """``idx`` with the given rows replaced by ``algorithm`` run on (key, index) lists."""
    xp = get_array_module(idx)
    out = np.moveaxis(to_numpy(idx), axis, -1).copy()
    flat = out.reshape(-1, out.shape[-1])
    for r in rows:
        v = list(zip(keys[r].tolist(), range(keys.shape[1])))
        flat[r] = [i for _, i in algorithm(v)][:flat.shape[1]]
    return xp.asarray(np.moveaxis(flat.reshape(out.shape), -1, axis))


def sort_indices(a, axis: int, descending: bool, stable: bool = False):
    """The permutation (int64) that sorts ``a`` along ``axis`` as torch's CPU sort does."""
    a = widen_bfloat16(a)  # NumPy's sort of ml_dtypes' bfloat16 misplaces NaN; float32 is exact
    n = a.shape[axis]
    idx = _stable_indices(a, axis, descending)
    radix = a.ndim == 1 and kind_of(a.dtype) in "iu" and n >= 32768 and not descending
    if stable or radix or n < 2 or is_meta(a):  # (meta: no values, so no ties to order)
        return idx
    if a.strides[axis] == 0:  # torch: an expanded dim is left as it is (indices 0, 1, ...)
        xp = get_array_module(a)
        ar = xp.arange(n, dtype=np.int64).reshape((n,) + (1,) * (a.ndim - axis - 1))
        return xp.broadcast_to(ar, a.shape).copy()
    ties = _tied_rows(a, idx, axis)
    if not ties.size or ties.size * n > REPLAY_LIMIT:
        return idx
    keys = _key_rows(a, axis, descending)

    def introsort(v):
        stl_sort.sort(v, 0, len(v))
        return v

    return _replay(idx, axis, keys, ties, introsort)


def topk_indices(a, k: int, axis: int, largest: bool, sorted_: bool):
    """The indices torch's topk kernel returns: std::partial_sort when k·64 ≤ n, else
    std::nth_element (then std::sort of the first k − 1 when ``sorted_``)."""
    a = widen_bfloat16(a)  # NumPy's sort of ml_dtypes' bfloat16 misplaces NaN; float32 is exact
    n = a.shape[axis]
    order = Tensor._wrap(_stable_indices(a, axis, largest))
    idx = narrow(order, axis, 0, k)._data
    if k == 0 or is_meta(a):  # (meta: no values, so no ties to order)
        return idx.copy()
    partial = k * 64 <= n
    if sorted_ or partial:  # then only ties among the k + 1 first can change the answer
        rows = _tied_rows(a, narrow(order, axis, 0, min(k + 1, n))._data, axis)
    else:  # nth_element's order of the k is its own
        rows = np.arange(a.size // n if n else 0)
    if not rows.size or rows.size * n > REPLAY_LIMIT:
        return idx.copy()
    keys = _key_rows(a, axis, largest)

    def select(v):
        if partial:
            stl_sort.partial_sort(v, 0, k, n)
        else:
            stl_sort.nth_element(v, 0, k - 1, n)
            if sorted_:
                stl_sort.sort(v, 0, k - 1)
        return v

    return _replay(idx, axis, keys, rows, select)


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
    idx = sort_indices(input._data, ax, bool(descending), bool(stable))
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
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "msort")
    if input._data.ndim == 0:
        return write_out(named(clone(input), "SortBackward0"), out, "msort")
    return write_out(sort(input, 0).values, out, "msort")


@torch_args
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """``torch.topk``: ``(values, indices)`` of the ``k`` largest (or smallest) elements along
    ``dim``, in sorted order. Raises RuntimeError when k exceeds the dim's size, or for a bool
    input (torch has no CPU kernel for it).
    Derivative: each value's gradient goes back to the element it came from.

    Shapes: input (*) → values and indices of input's shape with ``dim`` of size ``k``.
    """
    nd = input._data.ndim
    ax = one_dim(dim, nd, "topk")
    n = input._data.shape[ax] if nd else 1
    if not 0 <= int(k) <= n:
        raise RuntimeError(f"topk(): selected index k out of range (k = {k}, size of dim "
                           f"{ax} is {n})")
    if input._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if nd == 0:
        v, i = sort(input, dim, descending=largest)
        return write_out(topk_type(named(v, "TopkBackward0"), i), out, "topk")
    i = topk_indices(input._data, int(k), ax, bool(largest), bool(sorted))
    # values gathered at the kept indices: a new contiguous tensor (as torch's topk)
    values = named(GatherFn.apply(input, i, ax), "TopkBackward0")
    return write_out(topk_type(values, Tensor._wrap(i)), out, "topk")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["argsort", "msort", "sort", "topk"]

METHODS = {"sort": sort, "argsort": argsort, "msort": msort, "topk": topk}
