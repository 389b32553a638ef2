"""Arithmetic: +, −, ×, ÷, negation and powers — each Function's forward and backward side by
side, the derivative in a comment.

Gradients may come out with the broadcast shape: the engine sums them back to each input's
shape (``autograd.engine.unbroadcast``). dtype: torch's promotion (``promotion.binary``).
Subtraction and negation refuse bool tensors, as torch does (``1 - mask`` is almost always a
bug: ``~mask`` or ``logical_not`` is meant).
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._dual import xp_of
from ._ieee import silence_ieee_warnings
from ._out import write_out_same_dtype
from ._util import checked_in, named, quiet, raise_broadcast_error
from .add_scaled import ScaleFn, fused_reduced
from .add_scaled import check_alpha as _check_alpha
from .promotion import binary, check_int_scalar, promote, require_tensor, write_out


class AddFn(Function):
    """z = x + y"""

    array_io = True
    wraps_numbers = True  # torch: x * 3 is mul(x, tensor(3)), next_functions (x, None)

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g  # ∂z/∂x = 1, ∂z/∂y = 1


class SubFn(Function):
    """z = x - y"""

    array_io = True
    wraps_numbers = True  # torch: x * 3 is mul(x, tensor(3)), next_functions (x, None)

    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)  # ∂z/∂x = 1, ∂z/∂y = -1


class MulFn(Function):
    """z = x · y"""

    array_io = True
    wraps_numbers = True  # torch: x * 3 is mul(x, tensor(3)), next_functions (x, None)
    saved_only_for = {0: 1, 1: 0}  # x only for y's gradient, y for x's (hooks.check_versions)

    @staticmethod
    def forward(ctx, x, y):
        ctx._saved = (x, y)  # ctx.save_for_backward(x, y), written out: the hottest op's call
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        return (g * y if nx else None,  # ∂z/∂x = y
                g * x if ny else None)  # ∂z/∂y = x


class DivFn(Function):
    """z = x / y"""

    array_io = True
    wraps_numbers = True  # torch: x * 3 is mul(x, tensor(3)), next_functions (x, None)
    saved_only_for = {0: 1}  # x only for y's gradient (hooks.check_versions)

    @staticmethod
    def forward(ctx, x, y):
        # x only for y's gradient: not saved beside a Python number (torch's div by a scalar)
        ctx.save_for_backward(x if type(y) not in _NUMBERS else None, y)
        with quiet():
            return x / y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        with quiet():
            gx = g / y if nx else None  # ∂z/∂x = 1/y
            gy = -g * (x / y / y) if ny else None  # ∂z/∂y = -x/y² (torch's order: no y² overflow)
        return gx, gy


class NegFn(Function):
    """z = -x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g  # ∂z/∂x = -1


_NUMBERS = (int, float, bool)


class PowFn(Function):
    """z = x ** y (y a tensor or a number)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, y):
        with quiet():
            if type(y) is float and (y == 0.5 or y == -0.5):
                # torch: x**0.5 is sqrt and x**-0.5 is rsqrt (differs at -inf and -0.0)
                z = get_array_module(x).sqrt(x)
                z = z if y > 0 else 1 / z
            elif getattr(x, "dtype", np.dtype("f")).kind in "iu" and _any_negative(y):
                z = _int_pow(x, y)
            else:
                z = x**y
        # as torch's derivatives.yaml: x ** 3.0 (pow.Tensor_Scalar) saves x alone, so the
        # result may be changed in place; a Tensor exponent's pow saves the result too
        ctx.save_for_backward(x, y, None if type(y) in _NUMBERS else z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, y, z = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        xp = xp_of(g)
        gx = gy = None
        with quiet():
            # torch's 0-exponent shortcut skips a bool: pow(x, False)' = 0·x^-1 (nan at x = 0)
            zero = np.isscalar(y) and y == 0 and type(y) is not bool
            if nx and zero:  # x**0 = 1: torch's gradient is a constant 0
                gx = xp.zeros_like(g)  # (not a function of x, so no second derivative)
            elif nx:
                # ∂z/∂x = y·x^(y-1); torch: exponent 0 gives gradient 0 even at x = 0
                gx = g * (y * x ** (y - 1))
                gx = xp.where(y == 0, 0.0, gx) if not np.isscalar(y) else gx
            if ny:
                # ∂z/∂y = z·ln x; torch: 0 where x = 0 and y >= 0 (ln 0 = -inf where y < 0)
                gy = g * xp.where((x == 0) & (y >= 0), 0.0, z * _log(xp, x))
        return gx, gy


def _log(xp, x):
    """ln x of an array, Tensor or number (a base given as a Python number stays one)."""
    if hasattr(x, "shape"):
        return xp.log(x)
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def _any_negative(y) -> bool:
    return bool((y < 0).any()) if hasattr(y, "any") else y < 0


def _int_pow(x, y):
    """Integer x ** y where some y < 0 (NumPy refuses): torch gives 1 for x = 1, ±1 for
    x = -1, and 0 otherwise (the integer part of 1/x^|y|)."""
    xp = get_array_module(x)
    y = xp.asarray(y, dtype=x.dtype) if np.isscalar(y) else y
    neg = y < 0
    pos = x ** xp.where(neg, 0, y)
    odd = (y % 2) != 0
    small = xp.where(x == 1, 1, xp.where(x == -1, xp.where(odd, -1, 1), 0)).astype(pos.dtype)
    return xp.where(neg, small, pos)


# ---- the public functions (torch names) --------------------------------------------------------
_BOOL_SUB = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
             "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


_BOOL = np.dtype(bool)


def _is_bool(x) -> bool:
    if isinstance(x, Tensor):
        return x._data.dtype == _BOOL  # (an equality, cheaper than kind_of's call: every sub asks)
    return isinstance(x, (bool, np.bool_))


def check_sub_operands(input, other, alpha=1) -> None:
    """Subtraction's operand check (``sub`` and the ``-`` operator): RuntimeError when either
    operand is bool, as torch (after its OverflowError for a number beyond 64 bits)."""
    a = _is_bool(input)
    if a or _is_bool(other):
        for v in (input, other, alpha):
            check_int_scalar(v)
        if a and _is_bool(other) and isinstance(other, Tensor):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError(_BOOL_SUB)


def _scaled(input, other, alpha, op):
    """``alpha · other`` (torch folds alpha into the op; the gradient is the same), computed in
    the result's dtype: torch promotes first (float + 2·int64 near the int64 limits must not
    wrap in int64)."""
    if (r := _check_alpha(input, other, alpha, op)) is _dt.bool_:  # bool: α nonzero or not
        alpha = bool(alpha)  # (torch: add(b, b, alpha=2) is bool, as add(b, True, alpha=2))
    if isinstance(other, Tensor):
        return ScaleFn.apply(other if other.dtype is r else other.to(r), alpha)
    return other * alpha if r is not _dt.bool_ else bool(other) and alpha


def add(input, other, *, alpha=1, out=None):
    """``torch.add``: z = input + alpha·other elementwise, broadcasting. dtype: torch's promotion
    (a Python number does not widen a tensor: float32 + 2.5 is float32). Derivatives: 1 and
    alpha.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    Raises RuntimeError for shapes that do not broadcast or an ``out`` whose dtype the result cannot
    be cast to.
    """
    if alpha != 1 or type(alpha) is not int:
        z = fused_reduced(input, other, alpha, "add")
        if z is not None:
            return z if out is None else write_out(out, z, "add")
        other = _scaled(input, other, alpha, "add")
    z = binary(AddFn, input, other, op="add")
    return z if out is None else write_out(out, z, "add")


def sub(input, other, *, alpha=1, out=None):
    """``torch.sub``: z = input - alpha·other elementwise. dtype: torch's promotion. Raises
    RuntimeError for bool operands (use ``~`` / ``logical_not``). Derivatives: 1 and -alpha.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    """
    check_sub_operands(input, other, alpha)
    if alpha != 1 or type(alpha) is not int:
        z = fused_reduced(input, other, -alpha if type(alpha) is float else alpha, "sub")
        if z is not None:
            return named(z, "SubBackward0") if out is None else write_out(out, z, "sub")
        other = _scaled(input, other, alpha, "sub")
    z = binary(SubFn, input, other, op="sub")
    return z if out is None else write_out(out, z, "sub")


def rsub(input, other, *, alpha=1):
    """``torch.rsub``: z = other - alpha·input (subtraction with the operands reversed). dtype:
    torch's promotion. Derivatives: -alpha and 1.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    Raises RuntimeError for shapes that do not broadcast or bool inputs; TypeError for two
    non-Tensor arguments.
    """
    require_tensor(input, "rsub", "input", 1)
    z = sub(other, input, alpha=alpha)
    if not isinstance(other, Tensor) and z.grad_fn is not None and z.grad_fn.fn is SubFn:
        z.grad_fn._plain = [0, None]  # torch's rsub.Scalar: the number is no input (next_functions)
    return named(z, "RsubBackward0" if isinstance(other, Tensor) else "RsubBackward1")


def mul(input, other, *, out=None):
    """``torch.mul``: z = input · other elementwise. dtype: torch's promotion. Derivatives:
    ∂z/∂input = other, ∂z/∂other = input.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    Raises RuntimeError for shapes that do not broadcast or an ``out`` whose dtype the result cannot
    be cast to.
    """
    z = binary(MulFn, input, other, op="mul")
    return z if out is None else write_out(out, z, "mul")


def true_divide(input, other, *, out=None):
    """``torch.true_divide``: z = input / other (always floating: integers divide in the
    default float dtype). Derivatives: 1/other and -input/other².

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    Raises RuntimeError for shapes that do not broadcast or an ``out`` whose dtype the result cannot
    be cast to.
    """
    z = binary(DivFn, input, other, float_result=True, op="div")
    return z if out is None else write_out(out, z, "div")


def neg(input, *, out=None):
    """``torch.neg``: z = -input. dtype: the input's; raises RuntimeError for bool tensors
    (use ``~`` / ``logical_not``) and for an ``out`` of another dtype. Derivative: -1.

    Shapes: any; the output has the input's shape.
    """
    require_tensor(input, "neg", "input", 1)
    if kind_of(input._data.dtype) == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    # torch's neg keeps the input's dtype: an out= of another dtype is refused, not cast into
    return write_out_same_dtype(out, NegFn.apply(input), "neg", "Found dtype {got} but "
                                "expected {want} (neg's out= must have the input's dtype)")


def pow(input, exponent, *, out=None):
    """``torch.pow``: z = input ** exponent (either may be a number, not both). dtype: torch's
    promotion; an integer tensor to a negative integer number raises RuntimeError (a negative
    integer *tensor* exponent gives torch's integer result: 0 unless the base is ±1).
    Derivatives: exponent·input^(exponent-1) (0 where exponent = 0) and z·ln(input) (0 where
    input = 0 and exponent ≥ 0).

    Shapes: ``input`` and ``exponent`` broadcast (torch's rules); the output has the broadcast
    shape.
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError(f"pow(): expected a Tensor argument, got {type(input).__name__} and "
                        f"{type(exponent).__name__}")
    if isinstance(input, Tensor) and type(exponent) in (int, float):  # a number exponent in the
        d, k = input._data.dtype, kind_of(input._data.dtype)  # C type: int16 x ** 2**40 and
        if k in "iub" and type(exponent) is int or d in _dt.REDUCED_FLOATS:  # float16 x ** 7e4
            checked_in(exponent, d if k != "b" else np.dtype(np.int64), "pow")  # raise
    if (isinstance(input, Tensor) and kind_of(input._data.dtype) in "iub"
            and isinstance(exponent, (int, np.integer)) and not isinstance(exponent, bool)
            and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")  # torch
    if _is_bool(input) and _is_bool(exponent):
        if isinstance(exponent, Tensor) or not isinstance(input, Tensor):
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        xp = get_array_module(input._data)  # x ** True = x, x ** False = True (no gradient)
        z = input._data.copy() if exponent else xp.ones(input._data.shape, dtype=bool)
        return write_out(out, Tensor._wrap(z), "pow")
    z = binary(PowFn, input, exponent, op="pow")
    # torch's three pow overloads: tensor ** number, tensor ** tensor, number ** tensor
    z = named(z, "PowBackward0" if not isinstance(exponent, Tensor) else
              "PowBackward1" if isinstance(input, Tensor) else "PowBackward2")
    return write_out(out, z, "pow")


def float_power(input, exponent, *, out=None):
    """``torch.float_power``: z = input ** exponent computed in float64 (both operands are
    converted to double first). dtype: float64 always; ``out`` must be float64. Derivatives:
    as ``pow``, through the conversion.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    Raises RuntimeError for shapes that do not broadcast or an ``out`` whose dtype the result cannot
    be cast to; TypeError for two non-Tensor arguments.
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected a Tensor argument")
    if out is not None and isinstance(out, Tensor) and out._data.dtype != np.float64:
        raise RuntimeError(f"the output given to float_power has dtype {out.dtype} but the "
                           "operation's result requires dtype Double")
    a, b = promote(input, exponent, "float_power", to=_dt.float64)
    try:
        z = PowFn.apply(a, b)
    except ValueError:
        raise_broadcast_error("float_power", a.shape, b.shape)  # both tensors to get here
    z = named(z, "PowBackward0" if not isinstance(exponent, Tensor) else
              "PowBackward1" if isinstance(input, Tensor) else "PowBackward2")
    return write_out(out, z, "float_power")


def square(input, *, out=None):
    """``torch.square``: input². dtype: the input's (bool becomes int64, as torch). Derivative:
    2·input.

    Shapes: any; the output has the input's shape. Raises TypeError for a non-Tensor input;
    RuntimeError for an ``out`` whose dtype the result cannot be cast to.
    """
    return write_out(out, pow(input, 2), "square")


# torch's aliases
subtract, multiply, negative = sub, mul, neg

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["add", "sub", "subtract", "rsub", "mul", "multiply", "true_divide", "neg",
           "negative", "pow", "float_power", "square"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("add", "sub", "subtract", "mul", "multiply", "pow", "square", "true_divide", "neg",
           "negative")

METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul,
    "true_divide": true_divide, "neg": neg, "negative": neg, "pow": pow,
    "float_power": float_power, "square": square,
}

silence_ieee_warnings(__name__, "add", "subtract", "multiply")  # IEEE, silently (_ieee.py)
