"""Reordering elements: flip, fliplr, flipud, roll, rot90. Each output is a permutation of the
input's elements (a new tensor, as in torch), so each backward applies the inverse
permutation to the gradient: flip again, roll back.
"""

from __future__ import annotations

from .._args import require_tensor
from ..autograd import Function
from ..backend import get_array_module
from ..tensor import _wrap_dim
from ._util import c_order, named
from .shape import reshape, transpose
from .unary import clone


class FlipFn(Function):
    """y = x with the order of elements reversed along ``axes``"""

    array_io = True

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return get_array_module(x).flip(x, axes).copy() if axes else x.copy()

    @staticmethod
    def backward(ctx, g):
        return FlipFn.call(g, ctx.axes), None  # a flip is its own inverse


class RollFn(Function):
    """y[(i + shift) mod n] = x[i] along each of ``axes`` (elements pushed off the end come back
    at the start)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, shifts, axes):
        ctx.shifts, ctx.axes = shifts, axes
        xp = get_array_module(x)
        return c_order(xp.roll(x, shifts, axes))  # row-major, as torch's

    @staticmethod
    def backward(ctx, g):
        return RollFn.call(g, tuple(-s for s in ctx.shifts), ctx.axes), None, None  # roll back


def _strict_dim(dim, nd: int, op: str) -> int:
    """A dim of a tensor that must have at least one (torch's message for a 0-d tensor)."""
    if nd == 0:
        raise IndexError(f"{op}: Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(int(dim), nd, op)


def _dims_arg(args, dims, op: str):
    if dims is None:
        dims = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    elif args:
        raise TypeError(f"{op}() got multiple values for argument 'dims'")
    return (dims,) if isinstance(dims, int) else tuple(dims)


def flip(input, *args, dims=None):
    """Reverse the order of elements along ``dims`` (``x.flip(0, 1)`` or ``flip(x, dims=(0,
    1))``); a new tensor. Raises IndexError for a dim out of range, RuntimeError for a repeated
    dim. Derivative: the same flip of g.

    Shapes: any; the output has the input's shape. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "flip")
    dims = _dims_arg(args, dims, "flip")
    nd = input._data.ndim
    axes = tuple(_wrap_dim(int(d), nd, "flip") for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dims has duplicates, original flip dims size={len(axes)}, but "
                           f"unique flip dims size={len(set(axes))}")
    return FlipFn.apply(input, tuple(sorted(axes)) if nd else ())


def fliplr(input):
    """Flip dim 1 (left/right of a matrix). Raises RuntimeError below 2 dims.

    Shapes: any; the output has the input's shape. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "fliplr")
    if input._data.ndim < 2:
        raise RuntimeError("fliplr: Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input):
    """Flip dim 0 (up/down of a matrix). Raises RuntimeError for a 0-d input.

    Shapes: any; the output has the input's shape. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "flipud")
    if input._data.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d.")
    return flip(input, 0)


def roll(input, shifts, dims=None):
    """Shift elements by ``shifts`` along ``dims``, wrapping around (without dims: over the
    flattened tensor, shape kept). Raises RuntimeError for no shifts or shifts/dims of
    different lengths, IndexError for a dim out of range. Derivative: g rolled back.

    Shapes: any; the output has the input's shape. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "roll")
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if not shifts:
        raise RuntimeError("roll: `shifts` required")
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, "
                               "dims:0")
        flat = reshape(input, -1)
        return named(reshape(RollFn.apply(flat, shifts, (0,)), input._data.shape),
                     "RollBackward0")
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    nd = input._data.ndim
    axes = tuple(_strict_dim(d, nd, "roll") for d in dims)
    return RollFn.apply(input, shifts, axes)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90° ``k`` times in the plane of ``dims``, from the first dim's direction
    towards the second's (torch's composition: flip, then transpose). Raises RuntimeError
    for dims not two distinct dims, a tensor below 2 dims, or dims out of range.

    Shapes: input (..., a, ..., b, ...) in ``dims`` → a and b swapped when k is odd, the same shape
    when even. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "rot90")
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    a, b = dims
    if a == b or abs(a - b) == nd:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and "
                           f"dim1 = {b}")
    a, b = _wrap_dim(a, nd, "rot90"), _wrap_dim(b, nd, "rot90")
    k = k % 4
    if k == 1:
        out = transpose(flip(input, b), a, b)
    elif k == 2:
        out = flip(input, a, b)
    elif k == 3:
        out = transpose(flip(input, a), a, b)
    else:
        out = clone(input)
    return named(out, "Rot90Backward0")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["flip", "fliplr", "flipud", "roll", "rot90"]

METHODS = {"flip": flip, "fliplr": fliplr, "flipud": flipud, "roll": roll, "rot90": rot90}
