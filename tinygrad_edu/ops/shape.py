"""Views and reshapes: reshape/view, permute/transpose, expand, squeeze/unsqueeze, flatten,
movedim, narrow, flip. They move numbers without changing them, so each backward moves the
gradient back the same way; those that are views share the input's storage (is_view).
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from .._args import check_memory_format, not_tensor, require_tensor
from .._args import shape_arg as _shape_arg
from ..autograd import Function, is_grad_enabled
from ..backend import get_array_module
from ..tensor import Tensor, _wrap_dim
from ._no_dim import EVERY, none_dim
from ._util import dims, named
from .unary import clone
from .view_dtype import as_view_dtype, view_dtype


class ReshapeFn(Function):
    """y = x viewed with a new shape"""

    node_name = "ViewBackward0"  # torch's name for this node

    array_io = True
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape, ctx.new_shape = x.shape, shape
        y = x.reshape(shape)
        if x.size and not get_array_module(x).may_share_memory(x, y):  # reshape had to copy
            ctx.node_name = "UnsafeViewBackward0"
        return y

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None  # same numbers, old shape

    @staticmethod
    def replay(ctx, x):
        return x.reshape(ctx.new_shape)


class PermuteFn(Function):
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
        return PermuteFn.call(g, inverse), None  # apply the inverse permutation

    @staticmethod
    def replay(ctx, x):
        return PermuteFn.call(x, ctx.order)


class ExpandFn(Function):
    """y = x broadcast to a larger shape (a view, no copy)"""

    array_io = True
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.new_shape = shape
        xp = get_array_module(x)
        out = xp.broadcast_to(x, shape)
        if xp is np and x.flags.writeable and (out.size == 0 or not any(
                st == 0 and n > 1 for st, n in zip(out.strides, out.shape))):
            # no element is repeated (only size-1 dims added, or empty): writable, as torch's;
            # a reshape when not empty (its .base is x's, so the engine sees a view of x)
            out = x.reshape(shape) if out.size == x.size else np.lib.stride_tricks.as_strided(
                x, shape, out.strides)
        return out

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine's unbroadcast sums the copies back to x's shape

    @staticmethod
    def replay(ctx, x):
        return ExpandFn.call(x, ctx.new_shape)


# ---- public functions ---------------------------------------------------------------------------
def _check_shape(shape, n: int) -> tuple:
    """``shape`` with its -1 filled in; torch's error when it cannot hold n elements."""
    known = 1
    for s in shape:
        if s != -1:
            if s < -1:
                raise RuntimeError(f"invalid shape dimension {s} (shape {list(shape)})")
            known *= s
    if shape.count(-1) > 1:
        raise RuntimeError(f"only one dimension can be inferred (shape {list(shape)})")
    if shape.count(-1) and known == 0 and n == 0:
        raise RuntimeError(f"cannot reshape tensor of {n} elements into shape {list(shape)} "
                           "because the unspecified dimension size -1 can be any value and is "
                           "ambiguous")
    if (shape.count(-1) and (known == 0 or n % known)) or (not shape.count(-1) and known != n):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {n}")
    return tuple(n // known if s == -1 else s for s in shape)


def reshape(input, *shape):
    """The same elements in a new shape (a view when the strides allow it, else a copy). Shapes:
    input (*) → ``shape`` (one entry may be -1: inferred), with the same number of elements. Raises
    RuntimeError for a shape with another number of elements.
    Raises TypeError when ``input`` is not a Tensor."""
    if not isinstance(input, Tensor):
        raise not_tensor("reshape", input)
    shape = _shape_arg(shape)
    if shape == input._data.shape and not input.requires_grad and not is_grad_enabled():
        # (in grad mode it is recorded as a view: a write of a value that requires grad
        # through it must give its base a history, as torch's CopySlices)
        t = Tensor._wrap(input._data)  # torch: a new tensor (a view), never the input itself
        t._share_version_with(input)
        return t
    if shape != input._data.shape:
        _check_shape(shape, input._data.size)
    return ReshapeFn.apply(input, shape)


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


def view(input, *shape, dtype=None):
    """``reshape`` that never copies: torch raises when the strides do not allow a view. Shapes:
    input (*) → ``shape`` (one entry may be -1), with the same number of elements. Raises
    RuntimeError for a shape with another number of elements or a non-contiguous input whose strides
    allow no view. ``view(dtype)``: the same bytes read as ``dtype`` (see ops/view_dtype.py);
    TypeError for a dtype mixed with sizes."""
    if dtype is not None or any(as_view_dtype(s) is not None for s in shape):
        if dtype is not None and not shape and as_view_dtype(dtype) is not None:
            return view_dtype(input, dtype)
        if dtype is None and len(shape) == 1:
            return view_dtype(input, shape[0])
        got = ", ".join(type(s).__name__ if as_view_dtype(s) is None else "torch.dtype"
                        for s in shape + ((dtype,) if dtype is not None else ()))
        raise TypeError(f"view() received an invalid combination of arguments - got ({got}), "
                        "but expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n")
    shape = _shape_arg(shape, "view", "size")
    a = input._data
    if shape != a.shape and not _viewable(a, _check_shape(shape, a.size)):
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
            f"(view: input shape {list(a.shape)}, strides {list(a.strides)}, requested "
            f"{list(shape)})"
        )
    return reshape(input, *shape)


def is_contiguous(input, *, memory_format=_dt.contiguous_format) -> bool:
    """True when the elements lie in row-major order with no gaps (NumPy's C-contiguity). Shapes:
    any; returns a Python bool. Raises TypeError for a ``memory_format`` that is not a
    ``torch.memory_format`` (None included, as torch) or a positional argument."""
    if memory_format is not _dt.contiguous_format:
        check_memory_format(memory_format, "is_contiguous", none_ok=False)
    return bool(input._data.flags.c_contiguous)


def contiguous(input, *, memory_format=_dt.contiguous_format):
    """``input`` itself when contiguous, else a row-major copy (differentiable, like clone). Shapes:
    any; the output has the input's shape. Raises TypeError for a ``memory_format`` that is not a
    ``torch.memory_format`` (None included, as torch) or a positional argument."""
    if memory_format is not _dt.contiguous_format:
        check_memory_format(memory_format, "contiguous", none_ok=False)
    if is_contiguous(input):
        return input
    return clone(input)  # CloneFn copies in C order


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (a view when possible; 0-d -> shape (1,)).
    Raises IndexError for dims out of range, RuntimeError when start_dim > end_dim. Shapes: (d₀,
    ..., dₙ) → the dims start_dim..end_dim merged into their product; 0-d → (1,).
    Raises TypeError when ``input`` is not a Tensor."""
    if not isinstance(input, Tensor):
        raise not_tensor("flatten", input)
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, nd, "flatten"), _wrap_dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:  # nothing to merge: torch returns the tensor itself, not a view of it
        return input
    shp = input._data.shape
    return reshape(input, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


def unflatten(input, dim, sizes):
    """Split ``dim`` into ``sizes`` (one may be -1). Derivative: g reshaped back. Shapes: input
    (..., d, ...) at ``dim`` → (..., s₁, ..., sₖ, ...) with Π sⱼ = d. Raises RuntimeError for sizes
    whose product is not the dim's size; IndexError for ``dim`` out of range."""
    d = _wrap_dim(dim, input._data.ndim, "unflatten")
    shp = input._data.shape
    return reshape(input, shp[:d] + tuple(sizes) + shp[d + 1:])


def permute(input, *order):
    """Reorder the dims (a view): y[i_order] = x[i]. Raises RuntimeError for a wrong count or
    a repeated dim. Derivative: g permuted back by the inverse order. Shapes: (d₀, ..., dₖ) →
    (d_order[0], ..., d_order[k]). Raises TypeError when ``input`` is not a Tensor."""
    if not isinstance(input, Tensor):
        raise not_tensor("permute", input)
    order = _shape_arg(order, "permute", "dims")
    nd = input._data.ndim
    if len(order) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(order)}")
    order = tuple(_wrap_dim(o, nd, "permute") for o in order)
    if len(set(order)) != nd:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(order)})")
    return PermuteFn.apply(input, order)


def transpose(input, dim0, dim1):
    """Swap two dims (a view). Raises IndexError for dims out of range. Shapes: e.g. (N, C, L)
    with dims 1, 2 → (N, L, C). Gradient: transposed back."""
    nd = input._data.ndim
    order = list(range(nd))
    if nd == 0:  # a new view all the same (torch: a non-leaf with its own grad_fn)
        _wrap_dim(dim0, 1, "transpose"), _wrap_dim(dim1, 1, "transpose")
        return named(PermuteFn.apply(input, ()), "TransposeBackward0")
    a, b = _wrap_dim(dim0, nd, "transpose"), _wrap_dim(dim1, nd, "transpose")
    order[a], order[b] = order[b], order[a]
    return named(PermuteFn.apply(input, tuple(order)), "TransposeBackward0")


swapaxes = transpose


def t(input):
    """Transpose a ≤ 2-D tensor (0-d and 1-d: a new view of the same shape, as torch). Raises
    RuntimeError above 2 dims. Shapes: (m, n) → (n, m); 0-d and 1-D: unchanged. Raises TypeError
    when ``input`` is not a Tensor."""
    if not isinstance(input, Tensor):
        raise not_tensor("t", input)
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    nd = input._data.ndim
    return named(transpose(input, 0, 1) if nd == 2 else PermuteFn.apply(input, tuple(range(nd))),
                 "TBackward0")


def squeeze(input, dim=EVERY):
    """Remove size-1 dims (all, or those in ``dim``; others are kept). A view. Shapes: e.g.
    (N, 1, W) → (N, W). Raises IndexError for a dim out of range. Gradient: reshaped back.
    Raises TypeError when ``input`` is not a Tensor, or for ``dim=None`` (torch's)."""
    if not isinstance(input, Tensor):
        raise not_tensor("squeeze", input)
    shp = input._data.shape
    if dim is EVERY:
        return named(reshape(input, tuple(s for s in shp if s != 1)), "SqueezeBackward0")
    if dim is None:
        none_dim("squeeze")
    axes = dims(dim, input._data.ndim, "squeeze") if shp else ()
    out = reshape(input, tuple(s for i, s in enumerate(shp) if not (i in axes and s == 1)))
    return named(out, "SqueezeBackward2" if isinstance(dim, (list, tuple)) else "SqueezeBackward1")


def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim`` (in [-ndim-1, ndim]). A view. Shapes: e.g. (N, W) with
    dim=1 → (N, 1, W). Raises IndexError for a dim out of range. Gradient: reshaped back.
    Raises TypeError when ``input`` is not a Tensor."""
    if not isinstance(input, Tensor):
        raise not_tensor("unsqueeze", input)
    if dim is None:
        none_dim("unsqueeze", "int")
    nd = input._data.ndim
    d = _wrap_dim(dim, nd + 1, "unsqueeze")
    shp = input._data.shape
    return named(reshape(input, shp[:d] + (1,) + shp[d:]), "UnsqueezeBackward0")


def expand(input, *sizes):
    """Broadcast size-1 dims to ``sizes`` (-1 keeps a dim; new dims in front) without copying.
    Raises RuntimeError for a size that cannot be reached. Derivative: g summed over the copies
    (the engine's unbroadcast). Shapes: input (*) → ``size``: size-1 dims stretched, new dims added
    in front, -1 keeps a dim."""
    sizes = _shape_arg(sizes, "expand", "size")
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
    return ExpandFn.apply(input, tuple(out))  # a new view even at the same shape (as torch)


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (the others keep their order; a
    view). Raises RuntimeError for lists of different lengths or repeated dims, IndexError for
    dims out of range. Shapes: input (*) → the same sizes, with the moved dims at
    ``destination``."""
    nd = input._data.ndim
    if nd == 0:  # torch: dims 0 and -1 are valid on a 0-d tensor
        for d in (source if isinstance(source, (list, tuple)) else [source]):
            _wrap_dim(d, 0, "movedim")
        return PermuteFn.apply(input, ())
    src = list(source) if isinstance(source, (list, tuple)) else [source]
    dst = list(destination) if isinstance(destination, (list, tuple)) else [destination]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    src_w = [_wrap_dim(d, nd, "movedim") for d in src]
    dst_w = [_wrap_dim(d, nd, "movedim") for d in dst]
    for name, given, wrapped in (("source", src, src_w), ("destination", dst, dst_w)):
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    src, dst = src_w, dst_w
    order = [n for n in range(nd) if n not in src]
    for d, s_ in sorted(zip(dst, src)):  # each moved axis lands at its destination
        order.insert(d, s_)
    return PermuteFn.apply(input, tuple(order))


def ravel(input):
    """The elements as one dim, in row-major order (a view when possible, like reshape(-1)).

    Shapes: input (*) → (numel,). Raises TypeError for a memory format that is not one."""
    require_tensor(input, "ravel")
    return reshape(input, -1)


def _matrices(input, name: str):
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of matrices. "
                           f"Got {nd}-D tensor.")
    return transpose(input, -2, -1)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["expand", "flatten", "movedim", "moveaxis",
           "permute", "ravel", "reshape", "squeeze", "swapaxes", "swapdims", "t", "transpose",
           "unflatten", "unsqueeze"]

moveaxis = movedim
swapdims = swapaxes

METHODS = {
    "reshape": reshape, "view": view, "flatten": flatten, "unflatten": unflatten,
    "permute": permute, "transpose": transpose, "swapaxes": transpose, "swapdims": transpose,
    "t": t, "ravel": ravel, "moveaxis": movedim,
    "squeeze": squeeze, "unsqueeze": unsqueeze, "expand": expand, "movedim": movedim,
    "contiguous": contiguous, "is_contiguous": is_contiguous,
    "T": property(lambda self: permute(self, *reversed(range(self._data.ndim)))),
    "mT": property(lambda self: _matrices(self, "mT")),
    "mH": property(lambda self: _matrices(self, "mH")),
    "H": property(lambda self: permute(self, *reversed(range(self._data.ndim)))),
}
