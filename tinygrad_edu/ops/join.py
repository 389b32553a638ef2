"""Joining and splitting: cat, stack, repeat, split, chunk, unbind. Each backward cuts the
gradient apart the way the forward put the inputs together (or sums the repeats).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import _wrap_dim
from ._dual import xp_of
from ._util import named
from .index import GetItemFn
from .promotion import _dt, cast
from .shape import _shape_arg, reshape
from .views import narrow


class RepeatFn(Function):
    """y = x tiled ``reps`` times along each axis"""

    array_io = True

    @staticmethod
    def forward(ctx, x, reps):
        ctx.shape = (1,) * (len(reps) - x.ndim) + x.shape
        return get_array_module(x).tile(x, reps)

    @staticmethod
    def backward(ctx, g):
        # view g as (r0, s0, r1, s1, ...) and sum over the repeat axes r_k
        split = []
        for r, s in zip(g.shape, ctx.shape):
            split += [r // s, s]
        xp = xp_of(g)
        return xp.sum(xp.reshape(g, split), axis=tuple(range(0, len(split), 2))), None


class CatFn(Function):
    """y = [x₁ | x₂ | ...] along one axis"""

    array_io = True

    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.axis = axis
        ctx.bounds = np.cumsum([x.shape[axis] for x in xs])[:-1]
        return get_array_module(xs[0]).concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        # slice it apart: input k receives the part of g it filled
        edges = [0, *(int(b) for b in ctx.bounds), g.shape[ctx.axis]]
        lead = (slice(None),) * ctx.axis
        return tuple(GetItemFn.call(g, lead + (slice(a, b),), False)
                     for a, b in zip(edges, edges[1:]))


class StackFn(Function):
    """y = stack of equally shaped xᵢ along a new axis"""

    array_io = True

    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.axis = axis
        return get_array_module(xs[0]).stack(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.axis  # input i receives slice i of g
        return tuple(GetItemFn.call(g, lead + (i,), False) for i in range(g.shape[ctx.axis]))


def repeat(input, *sizes):
    sizes = _shape_arg(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return RepeatFn.apply(input, sizes)


def _same_device_dtype(tensors, op):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{op}(): expected a non-empty list of Tensors")
    r = tensors[0].dtype
    if any(t.dtype is not r for t in tensors):
        r = _dt.result_type(*[t for t in tensors])
        tensors = [cast(t, r) for t in tensors]
    return tensors


def cat(tensors, dim=0):
    tensors = [t for t in _same_device_dtype(tensors, "cat")
               if not (t._data.ndim == 1 and t._data.size == 0)] or list(tensors)[:1]
    nd = tensors[0]._data.ndim
    axis = _wrap_dim(dim, nd, "cat")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        s = t._data.shape
        if len(s) != nd or any(a != b for k, (a, b) in enumerate(zip(s, ref)) if k != axis):
            raise RuntimeError(
                f"cat(): Sizes of tensors must match except in dimension {axis}. Expected size "
                f"{list(ref)} but got size {list(s)} for tensor number {i} in the list."
            )
    return CatFn.apply(*tensors, axis=axis)


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = _same_device_dtype(tensors, "stack")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref)} "
                               f"at entry 0 and {list(t._data.shape)} at entry {i}")
    axis = _wrap_dim(dim, len(ref) + 1, "stack")
    return StackFn.apply(*tensors, axis=axis)


def hstack(tensors):
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t) for t in tensors], 0)


def atleast_2d(t):
    return t if t._data.ndim >= 2 else reshape(t, (1, -1))


def split(tensor, split_size_or_sections, dim=0):
    d = _wrap_dim(dim, tensor._data.ndim, "split")
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got {step}")
        sizes = [min(step, n - i) for i in range(0, n, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
    out, start = [], 0
    name = "SplitBackward0" if isinstance(split_size_or_sections, int) else \
        "SplitWithSizesBackward0"
    for s in sizes:
        out.append(named(narrow(tensor, d, start, s), name))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    d = _wrap_dim(dim, input._data.ndim, "chunk")
    n = input._data.shape[d]
    step = max(-(-n // chunks), 1)
    return split(input, step, d)


def unbind(input, dim=0):
    d = _wrap_dim(dim, input._data.ndim, "unbind")
    return tuple(named(input[(slice(None),) * d + (i,)], "UnbindBackward0")
                 for i in range(input._data.shape[d]))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["cat", "chunk", "concat", "concatenate", "hstack", "split", "stack", "unbind",
           "vstack"]

METHODS = {"repeat": repeat, "split": split, "chunk": chunk, "unbind": unbind}
