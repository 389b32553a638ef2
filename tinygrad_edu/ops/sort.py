"""Sorting: sort, argsort, topk. The sorted values are a gather of the input at the sorted
indices, so the gradient goes back to where each value came from.
"""

from __future__ import annotations

import numpy as np

from ..backend import get_array_module
from ..tensor import Tensor
from ._util import dims, named
from .index import gather
from .return_types import sort_type, topk_type
from .unary import clone
from .views import narrow


def sort(input, dim=-1, descending=False):
    xp = get_array_module(input._data)
    if input._data.ndim == 0:
        dims(dim, 0, "sort")
        return sort_type(named(clone(input), "SortBackward0"),
                         Tensor._wrap(xp.zeros((), np.int64)))
    (ax,) = dims(dim, input._data.ndim, "sort")
    idx = xp.argsort(input._data, axis=ax, kind="stable")
    if descending:  # torch: nan counts as the largest value, so it comes first
        idx = xp.flip(idx, axis=ax)
    values = named(gather(input, ax, Tensor._wrap(idx)), "SortBackward0")
    return sort_type(values, Tensor._wrap(idx.astype(np.int64)))


def argsort(input, dim=-1, descending=False):
    return sort(input, dim, descending).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    _, i = sort(input, dim, descending=largest)
    if input._data.ndim == 0:
        v, i = sort(input, dim, descending=largest)
        return topk_type(named(v, "TopkBackward0"), i)
    i = narrow(i, dim, 0, k)
    # values gathered at the kept indices: a new contiguous tensor (as torch's topk)
    return topk_type(named(gather(input, dim, i), "TopkBackward0"), Tensor._wrap(i._data.copy()))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["argsort", "sort", "topk"]

METHODS = {"sort": sort, "argsort": argsort, "topk": topk}
