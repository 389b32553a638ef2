"""Three-input pointwise ops: lerp, addcmul, addcdiv — forward and backward side by side.

Shapes: the three inputs broadcast together. dtype: torch's promotion of the three (lerp
wants one floating dtype for ``input`` and ``end``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._util import half_opmath, named, quiet, raise_broadcast_error, scalar_arg
from .promotion import _convert, cast, require_tensor, result_type, type_name, write_out

_ALL3 = (True, True, True)


class LerpFn(Function):
    """z = x + w·(y - x) (computed from the nearer end, as torch: exact at w = 0 and w = 1)"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, y, w):
        # as torch's derivatives.yaml: x and y only for w's gradient (so they may be changed);
        # a number w is kept on the node (lerp.Scalar saves nothing: a second backward works)
        nw = getattr(ctx, "needs_input_grad", _ALL3)[2]
        if type(w) in (int, float):
            ctx.weight = w
        else:
            ctx.save_for_backward(x if nw else None, y if nw else None, w)
        xp = get_array_module(x)
        with quiet():
            d = y - x
            return xp.where(xp.abs(w) < 0.5, x + w * d, y - d * (1 - w))

    @staticmethod
    def backward(ctx, g):
        w = getattr(ctx, "weight", None)  # (a number weight: nothing saved, nothing freed)
        x, y, w = (None, None, w) if w is not None else ctx.saved_tensors
        nx, ny, nw = ctx.needs_input_grad
        return (g * (1 - w) if nx else None,  # ∂z/∂x = 1 - w
                g * w if ny else None,  # ∂z/∂y = w
                g * (y - x) if nw else None)  # ∂z/∂w = y - x


class AddcmulFn(Function):
    """z = x + v·t₁·t₂"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, t1, t2, v):
        ctx.save_for_backward(t1, t2)
        ctx.v = v
        if math.isfinite(v):
            return x + v * t1 * t2
        with quiet():  # v = ±inf or nan: inf·0 = nan, silently, as torch
            return x + v * t1 * t2

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        _, n1, n2, _ = ctx.needs_input_grad
        v = ctx.v
        return (g,  # ∂z/∂x = 1
                g * (t2 * v) if n1 else None,  # ∂z/∂t₁ = v·t₂
                g * (t1 * v) if n2 else None,  # ∂z/∂t₂ = v·t₁
                None)


class AddcdivFn(Function):
    """z = x + v·t₁/t₂"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, t1, t2, v):
        ctx.save_for_backward(t1, t2)
        ctx.v = v
        with quiet():
            return x + v * t1 / t2

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        _, n1, n2, _ = ctx.needs_input_grad
        v = ctx.v
        with quiet():
            return (g,  # ∂z/∂x = 1
                    g * (v / t2) if n1 else None,  # ∂z/∂t₁ = v/t₂
                    -g * (v * t1 / (t2 * t2)) if n2 else None,  # ∂z/∂t₂ = -v·t₁/t₂²
                    None)


def _apply(fn, op: str, *args):
    try:
        return fn.apply(*args)
    except ValueError:
        raise_broadcast_error(op, *(a.shape for a in args if isinstance(a, Tensor)))


def _float_kernel(d, kernel):
    """torch's lerp kernels exist for the floating types only (``d`` a NumPy dtype)"""
    if kind_of(d) != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(d)}'")


# ---- the public functions (torch names) --------------------------------------------------------
def lerp(input, end, weight, *, out=None):
    """``torch.lerp``: input + weight·(end - input), elementwise with broadcasting; ``weight``
    a number or a tensor. ``input`` and ``end`` (and a dimensioned ``weight``) must share one
    dtype (RuntimeError otherwise, checked first); a 0-d ``weight`` tensor takes part in the
    promotion (integer inputs with a 0-d float64 weight give float64), and the promoted dtype
    must be floating (NotImplementedError: torch has no integer kernel). Derivatives:
    1 - weight, weight, and end - input.

    Shapes: ``input``, ``end`` and a tensor ``weight`` broadcast together (torch's rules); the
    output has the broadcast shape. Raises RuntimeError for shapes that do not broadcast.
    """
    require_tensor(input, "lerp", "input", 1)
    require_tensor(end, "lerp", "end", 2)
    # torch's order: the dtype checks, then the promotion, then the kernel (floats only)
    d = input._data.dtype
    if end._data.dtype != d:
        raise RuntimeError(f"lerp: expected dtype {input.dtype} for `end` but got dtype "
                           f"{end.dtype}")
    if isinstance(weight, Tensor):
        if weight._data.dtype != d and weight.ndim:
            raise RuntimeError(f"lerp: expected dtype {input.dtype} for `weight` but got dtype "
                               f"{weight.dtype}")
        # a 0-d weight takes part in torch's TensorIterator promotion: a float64 weight beside
        # 0-d float32 inputs, or a float weight beside integer inputs, makes the result its type
        r = result_type(input, end, weight)
        _float_kernel(r.np, "lerp_kernel_tensor")
        input, end = cast(input, r), cast(end, r)
        z = _apply(LerpFn, "lerp", input, end, cast(weight, r))
        return write_out(out, named(z, "LerpBackward1"), "lerp")
    _float_kernel(d, "lerp_kernel_scalar")
    w = float(scalar_arg(weight, input, "lerp"))  # keeps the tensors' dtype (weak scalar)
    return write_out(out, named(_apply(LerpFn, "lerp", input, end, w), "LerpBackward0"), "lerp")


def _three(input, tensor1, tensor2, value, op: str):
    """The operands cast to their common dtype, and ``value`` as a number of that kind."""
    for i, (t, n) in enumerate(((input, "input"), (tensor1, "tensor1"), (tensor2, "tensor2"))):
        require_tensor(t, op, n, i + 1)
    r = result_type(input, tensor1, tensor2)
    if r is _dt.bool_:
        raise NotImplementedError(f"\"{op}_cpu_out\" not implemented for 'Bool'")
    v = value.item() if isinstance(value, (np.number, np.bool_)) else value
    if r.np in _dt.REDUCED_FLOATS:  # computed in float32 (opmath): 7e4 stays 7e4 beside float16
        v = float(scalar_arg(v, cast(input, r), op))
    else:
        scalar_arg(v, cast(input, r), op)
        v = _convert(int(v) if not r.is_floating_point and isinstance(v, float) else v, r)
    return cast(input, r), cast(tensor1, r), cast(tensor2, r), v


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``torch.addcmul``: input + value·tensor1·tensor2, elementwise with broadcasting. dtype:
    torch's promotion of the three (NotImplementedError for bool). Derivatives: 1,
    value·tensor2, value·tensor1.

    Shapes: ``input``, ``tensor1`` and ``tensor2`` broadcast together (torch's rules); the output
    has the broadcast shape. Raises RuntimeError for shapes that do not broadcast; TypeError for a
    non-Tensor input.
    """
    args = _three(input, tensor1, tensor2, value, "addcmul")
    return write_out(out, _apply(AddcmulFn, "addcmul", *args), "addcmul")


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``torch.addcdiv``: input + value·tensor1/tensor2, elementwise with broadcasting. dtype:
    torch's promotion of the three. Raises RuntimeError when tensor1 and tensor2 are both
    integers (torch removed integer division here). Derivatives: 1, value/tensor2,
    -value·tensor1/tensor2².

    Shapes: ``input``, ``tensor1`` and ``tensor2`` broadcast together (torch's rules); the output
    has the broadcast shape.
    """
    for i, (t, n) in enumerate(((input, "input"), (tensor1, "tensor1"), (tensor2, "tensor2"))):
        require_tensor(t, "addcdiv", n, i + 1)
    if kind_of(tensor1._data.dtype) in "iub" and kind_of(tensor2._data.dtype) in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    args = _three(input, tensor1, tensor2, value, "addcdiv")
    return write_out(out, _apply(AddcdivFn, "addcdiv", *args), "addcdiv")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["addcdiv", "addcmul", "lerp"]

# ops that also have an in-place form (``lerp_``), made by ops/inplace.py
INPLACE = ("addcdiv", "addcmul", "lerp")

METHODS = {"addcdiv": addcdiv, "addcmul": addcmul, "lerp": lerp}
