"""Joining: cat, stack, hstack, vstack, dstack, column_stack, and atleast_1d/2d/3d (the reshapes
they use). Each backward cuts the gradient apart the way the forward put the inputs together.
"""

from __future__ import annotations

import numpy as np

from .._args import require_tensor, require_tensors
from ..autograd import Function
from ..autograd.views import mark_multi_output
from ..backend import get_array_module
from ..tensor import Tensor, _wrap_dim
from ._out import write_out
from ._util import named
from .index import GetItemFn, getitem
from .promotion import _dt, cast
from .reorder import _strict_dim
from .shape import reshape


class CatFn(Function):
    """y = [x₁ | x₂ | ...] along one axis"""

    array_io = True

    @staticmethod
    def forward(ctx, *xs, axis, skip=None):
        ctx.axis, ctx.skip = axis, skip  # skip: the 1-D empty inputs torch's legacy rule leaves out
        kept = xs if skip is None else [x for x, s in zip(xs, skip) if not s]
        ctx.bounds = np.cumsum([x.shape[axis] for x in kept])[:-1]
        return get_array_module(xs[0]).concatenate(kept, axis=axis)

    @staticmethod
    def backward(ctx, g):
        # slice it apart: input k receives the part of g it filled
        edges = [0, *(int(b) for b in ctx.bounds), g.shape[ctx.axis]]
        lead = (slice(None),) * ctx.axis
        parts = [GetItemFn.call(g, lead + (slice(a, b),), False)
                 for a, b in zip(edges, edges[1:])]
        if ctx.skip is None:
            return tuple(parts)
        parts.reverse()  # a skipped input filled nothing: its gradient is empty, (0,)
        return tuple(g.reshape(-1)[:0] if s else parts.pop() for s in ctx.skip)


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


def tensor_list(tensors, op: str) -> list:
    """``tensors`` as a list of Tensors, with torch's errors (TypeError for a bare tensor or a
    non-tensor item, RuntimeError for an empty list)."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        "Tensor")
    tensors = list(tensors)
    require_tensors(tensors, op)
    return tensors


def _same_dtype(tensors, op):
    """The tensors in their promoted dtype (torch's result_type over the list)."""
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    r = tensors[0].dtype
    if any(t.dtype is not r for t in tensors):
        r = _dt.result_type(*tensors)
        tensors = [cast(t, r) for t in tensors]
    return tensors


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing ``dim`` (sizes must match elsewhere; 1-D empty tensors
    are skipped, as torch's legacy rule). dtype: promoted over the list. Raises ValueError for
    an empty list, TypeError for a non-tensor, RuntimeError for 0-d tensors or mismatched
    dims/sizes. Derivative: each input gets its own slice of g. Shapes: e.g. (N₁, C) and (N₂, C)
    along dim 0 → (N₁ + N₂, C)."""
    given = tensor_list(tensors, "cat")
    if not given:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(given):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    skip = [t._data.ndim == 1 and t._data.size == 0 for t in given]
    if all(skip):
        skip = [False] * len(given)
    given = _same_dtype(given, "cat")  # the skipped ones take part in type promotion (torch)
    ts = [t for t, s in zip(given, skip) if not s]
    nd = ts[0]._data.ndim
    axis = _wrap_dim(dim, nd, "cat")
    ref = ts[0]._data.shape
    for i, t in enumerate(ts):
        s = t._data.shape
        if len(s) != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and "
                               f"{len(s)}")
        for k, (a, b) in enumerate(zip(s, ref)):
            if k != axis and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {axis}. Expected size "
                    f"{b} but got size {a} for tensor number {i} in the list.")
    res = CatFn.apply(*given, axis=axis, skip=tuple(skip)) if any(skip) else CatFn.apply(
        *ts, axis=axis)
    return write_out(out, res, "cat", *given)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join equally shaped tensors along a new ``dim``. Raises RuntimeError for an empty list
    or different shapes. Derivative: input i gets g's slice i.

    Shapes: k tensors of one shape (d₀, ..., dₙ) → that shape with a new dim of size k at ``dim``.
    """
    ts = _same_dtype(tensor_list(tensors, "stack"), "stack")
    ref = ts[0]._data.shape
    for i, t in enumerate(ts):
        if t._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref)} "
                               f"at entry 0 and {list(t._data.shape)} at entry {i}")
    axis = _wrap_dim(dim, len(ref) + 1, "stack")
    return write_out(out, StackFn.apply(*ts, axis=axis), "stack", *ts)


def _atleast(t: Tensor, n: int) -> Tensor:
    nd = t._data.ndim
    if nd >= n:
        return t
    shp = t._data.shape
    if n == 1:
        return reshape(t, 1)
    if n == 2:
        return reshape(t, (1,) + shp if nd == 1 else (1, 1))
    return reshape(t, {0: (1, 1, 1), 1: (1,) + shp + (1,), 2: shp + (1,)}[nd])


def _atleast_fn(n: int):
    def fn(*tensors):
        if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
            tensors = tensors[0]
            require_tensors(tensors, f"atleast_{n}d")
            return tuple(_atleast(t, n) for t in tensors)
        require_tensors(tensors, f"atleast_{n}d")
        if len(tensors) == 1:
            return _atleast(tensors[0], n)
        return tuple(_atleast(t, n) for t in tensors)

    fn.__name__ = fn.__qualname__ = f"atleast_{n}d"
    fn.__doc__ = (f"Each tensor with at least {n} dims: fewer dims are filled with size-1 dims "
                  "(torch's rule: 1-D (n) -> (1, n) -> (1, n, 1)); a view. One tensor in, one "
                  "out; several (or a list) in, a tuple out. Derivative: g reshaped back. "
                  "Raises TypeError for an argument that is not a Tensor (a number too, as "
                  "torch).")
    return fn


atleast_1d, atleast_2d, atleast_3d = _atleast_fn(1), _atleast_fn(2), _atleast_fn(3)


def _stack_family(op: str, tensors, n: int, dim):
    ts = tensor_list(tensors, op)
    if not ts:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    ts = [_atleast(t, n) for t in ts]
    if dim is None:  # hstack: 1-D inputs join along dim 0
        dim = 0 if ts[0]._data.ndim == 1 else 1
    return cat(ts, dim)


def hstack(tensors, *, out=None):
    """Join along dim 1 (dim 0 for 1-D tensors): columns side by side.

    Shapes: 1-D (nᵢ,) → (Σ nᵢ,); otherwise (n, cᵢ, ...) → (n, Σ cᵢ, ...). Raises RuntimeError for an
    empty list or sizes that differ outside the joined dim.
    """
    return write_out(out, _stack_family("hstack", tensors, 1, None), "hstack", *tensors)


def vstack(tensors, *, out=None):
    """Join along dim 0 after atleast_2d: rows on top of each other.

    Shapes: tensors of at least 2-D after ``atleast_2d`` (rᵢ, ...) → (Σ rᵢ, ...). Raises
    RuntimeError for an empty list or sizes that differ outside dim 0.
    """
    return write_out(out, _stack_family("vstack", tensors, 2, 0), "vstack", *tensors)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Join along dim 2 after atleast_3d (depth-wise).

    Shapes: tensors of at least 3-D after ``atleast_3d`` (n, m, cᵢ) → (n, m, Σ cᵢ). Raises
    RuntimeError for an empty list or sizes that differ outside dim 2.
    """
    return write_out(out, _stack_family("dstack", tensors, 3, 2), "dstack", *tensors)


def column_stack(tensors, *, out=None):
    """Columns side by side: 0-d and 1-d tensors become (n, 1) columns, then hstack.

    Shapes: k tensors (n,) or (n, cᵢ) → (n, Σ cᵢ) (a 1-D or 0-d tensor is one column). Raises
    RuntimeError for an empty list or rows that differ.
    """
    ts = tensor_list(tensors, "column_stack")
    if not ts:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    cols = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in ts]
    return write_out(out, cat(cols, 1), "column_stack", *ts)


def unbind(input, dim=0):
    """The slices along ``dim``, that dim removed (views). Raises IndexError for a 0-d input.

    Shapes: input (d₀, ..., dₙ) → dᵢ tensors of the shape with ``dim`` = i removed.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "unbind")
    d = _strict_dim(dim, input._data.ndim, "unbind")
    return mark_multi_output(tuple(named(getitem(input, (slice(None),) * d + (i,)),
                                         "UnbindBackward0") for i in range(input._data.shape[d])),
                             "Unbind")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "cat", "column_stack", "concat",
           "concatenate", "dstack", "hstack", "row_stack", "stack", "unbind", "vstack"]

METHODS = {"unbind": unbind}
