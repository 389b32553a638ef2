"""Shape ops: they move numbers around without changing them, so each backward moves the
gradient back the same way (reshape back, permute back, slice apart, sum the repeats)."""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ..tensor import Tensor, _wrap_dim
from ._dual import xp_of
from ._util import dims
from .index import GetItem


class Reshape(Function):
    """y = x viewed with a new shape"""

    array_io = True
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape, ctx.new_shape = x.shape, shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None  # same numbers, old shape

    @staticmethod
    def replay(ctx, x):
        return x.reshape(ctx.new_shape)


class Permute(Function):
    """y = x with axes reordered"""

    array_io = True
    is_view = True

    @staticmethod
    def forward(ctx, x, order):
        ctx.order = order
        return x.transpose(order)

    @staticmethod
    def backward(ctx, g):
        inverse = tuple(int(i) for i in np.argsort(ctx.order))
        return Permute.call(g, inverse), None  # apply the inverse permutation

    @staticmethod
    def replay(ctx, x):
        return Permute.call(x, ctx.order)


class Expand(Function):
    """y = x broadcast to a larger shape (a view, no copy)"""

    array_io = True
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.new_shape = shape
        return get_array_module(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine's unbroadcast sums the copies back to x's shape

    @staticmethod
    def replay(ctx, x):
        return Expand.call(x, ctx.new_shape)


class Repeat(Function):
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


class Cat(Function):
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
        return tuple(GetItem.call(g, lead + (slice(a, b),), False)
                     for a, b in zip(edges, edges[1:]))


class Stack(Function):
    """y = stack of equally shaped xᵢ along a new axis"""

    array_io = True

    @staticmethod
    def forward(ctx, *xs, axis):
        ctx.axis = axis
        return get_array_module(xs[0]).stack(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.axis  # input i receives slice i of g
        return tuple(GetItem.call(g, lead + (i,), False) for i in range(g.shape[ctx.axis]))


# ---- public functions ---------------------------------------------------------------------------
def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _check_shape(shape, n: int) -> tuple:
    """``shape`` with its -1 filled in; torch's error when it cannot hold n elements."""
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if shape.count(-1) > 1 or (shape.count(-1) and (known == 0 or n % known)) or (
        not shape.count(-1) and known != n
    ):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {n}")
    return tuple(n // known if s == -1 else s for s in shape)


def reshape(input, *shape):
    """The same elements in a new shape (a view when the strides allow it, else a copy)."""
    shape = _shape_arg(shape)
    if shape == input._data.shape and not input.requires_grad:
        t = Tensor._wrap(input._data)  # torch: a new tensor (a view), never the input itself
        t._share_version_with(input)
        return t
    if shape != input._data.shape:
        _check_shape(shape, input._data.size)
    return Reshape.apply(input, shape)


def _viewable(a, shape) -> bool:
    """Can ``a`` take ``shape`` without a copy (NumPy's stride rule, like torch's view)?"""
    try:
        a.reshape(shape, copy=False)
        return True
    except ValueError:
        return False
    except TypeError:  # an array library without reshape(copy=...): set the shape in place
        tmp = a.view()
        try:
            tmp.shape = shape
            return True
        except AttributeError:
            return False


def view(input, *shape):
    """``reshape`` that never copies: torch raises when the strides do not allow a view."""
    shape = _shape_arg(shape)
    a = input._data
    if shape != a.shape and not _viewable(a, _check_shape(shape, a.size)):
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
            f"(view: input shape {list(a.shape)}, strides {list(a.strides)}, requested "
            f"{list(shape)})"
        )
    return reshape(input, *shape)


def is_contiguous(input, memory_format=None) -> bool:
    """True when the elements lie in row-major order with no gaps (NumPy's C-contiguity)."""
    return bool(input._data.flags.c_contiguous)


def contiguous(input, memory_format=None):
    """``input`` itself when contiguous, else a row-major copy (differentiable, like clone)."""
    if is_contiguous(input):
        return input
    from .elementwise import clone

    return clone(input)  # Clone copies in C order


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, nd, "flatten"), _wrap_dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shp = input._data.shape
    return reshape(input, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


def unflatten(input, dim, sizes):
    d = _wrap_dim(dim, input._data.ndim, "unflatten")
    shp = input._data.shape
    return reshape(input, shp[:d] + tuple(sizes) + shp[d + 1:])


def permute(input, *order):
    order = _shape_arg(order)
    nd = input._data.ndim
    if len(order) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(order)}")
    order = tuple(_wrap_dim(o, nd, "permute") for o in order)
    if len(set(order)) != nd:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(order)})")
    return Permute.apply(input, order)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    if nd == 0:
        return input
    order = list(range(nd))
    a, b = _wrap_dim(dim0, nd, "transpose"), _wrap_dim(dim1, nd, "transpose")
    order[a], order[b] = order[b], order[a]
    return Permute.apply(input, tuple(order))


swapaxes = transpose


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return transpose(input, 0, 1) if input._data.ndim == 2 else input


def squeeze(input, dim=None):
    shp = input._data.shape
    if dim is None:
        return reshape(input, tuple(s for s in shp if s != 1))
    axes = dims(dim, input._data.ndim, "squeeze") if shp else ()
    return reshape(input, tuple(s for i, s in enumerate(shp) if not (i in axes and s == 1)))


def unsqueeze(input, dim):
    nd = input._data.ndim
    d = _wrap_dim(dim, nd + 1, "unsqueeze")
    shp = input._data.shape
    return reshape(input, shp[:d] + (1,) + shp[d:])


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({len(shp)})")
    lead = len(sizes) - len(shp)
    out = []
    for i, s in enumerate(sizes):
        if s == -1:
            if i < lead:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
            s = shp[i - lead]
        elif i >= lead and shp[i - lead] not in (1, s):
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({shp[i - lead]}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}."
                f"  Tensor sizes: {list(shp)}"
            )
        out.append(s)
    out = tuple(out)
    if out == shp:
        return input
    return Expand.apply(input, out)


def broadcast_to(input, size):
    return expand(input, *size)


def expand_as(input, other):
    return expand(input, *other._data.shape)


def broadcast_tensors(*tensors):
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(expand(t, *shape) for t in tensors)


def repeat(input, *sizes):
    sizes = _shape_arg(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return Repeat.apply(input, sizes)


def _same_device_dtype(tensors, op):
    from ._util import _dt, cast  # _dt: the dtype module

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
    return Cat.apply(*tensors, axis=axis)


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = _same_device_dtype(tensors, "stack")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref)} "
                               f"at entry 0 and {list(t._data.shape)} at entry {i}")
    axis = _wrap_dim(dim, len(ref) + 1, "stack")
    return Stack.apply(*tensors, axis=axis)


def hstack(tensors):
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t) for t in tensors], 0)


def atleast_2d(t):
    return t if t._data.ndim >= 2 else reshape(t, (1, -1))


def narrow(input, dim, start, length):
    d = _wrap_dim(dim, input._data.ndim, "narrow")
    idx = (slice(None),) * d + (slice(start, start + length),)
    return input[idx]


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
    for s in sizes:
        out.append(narrow(tensor, d, start, s))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    d = _wrap_dim(dim, input._data.ndim, "chunk")
    n = input._data.shape[d]
    step = max(-(-n // chunks), 1)
    return split(input, step, d)


def unbind(input, dim=0):
    d = _wrap_dim(dim, input._data.ndim, "unbind")
    return tuple(input[(slice(None),) * d + (i,)] for i in range(input._data.shape[d]))


def flip(input, dims_):
    axes = dims(dims_, input._data.ndim, "flip")
    idx = [slice(None)] * input._data.ndim
    for a in axes:
        idx[a] = slice(None, None, -1)
    from .elementwise import clone

    return clone(input[tuple(idx)])  # torch: flip copies (a new, contiguous tensor)


def movedim(input, source, destination):
    nd = input._data.ndim
    if nd == 0:  # torch: dims 0 and -1 are valid on a 0-d tensor
        for d in (source if isinstance(source, (list, tuple)) else [source]):
            _wrap_dim(d, 0, "movedim")
        return Permute.apply(input, ())
    src = list(source) if isinstance(source, (list, tuple)) else [source]
    dst = list(destination) if isinstance(destination, (list, tuple)) else [destination]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    src = [_wrap_dim(d, nd, "movedim") for d in src]
    dst = [_wrap_dim(d, nd, "movedim") for d in dst]
    order = [n for n in range(nd) if n not in src]
    for d, s_ in sorted(zip(dst, src)):  # each moved axis lands at its destination
        order.insert(d, s_)
    return Permute.apply(input, tuple(order))

