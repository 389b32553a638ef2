"""Comparisons, logic and tests: eq/lt/..., logical_and/or/xor/not, isnan/isinf/isfinite,
isclose/allclose/equal, all/any, nonzero. They return bool (or index) tensors outside the
graph: they have no gradient, as in torch.

Comparisons compare in the operands' promoted dtype (``int_tensor < 2.5`` compares as float;
``uint8_tensor == -1`` compares with 255, as torch's conversion wraps the number).
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._reduction import reduce_dims, torch_args
from ._util import raise_broadcast_error
from .promotion import constant_binary, require_tensor, result_type, type_name, write_out


def _comparison(name: str, ufunc: str, doc: str):
    def f(input, other, *, out=None):
        require_tensor(input, name, "input", 1)
        z = constant_binary(lambda xp, x, y: getattr(xp, ufunc)(x, y), input, other, name)
        return z if out is None else write_out(out, z, name, differentiable=False)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"``torch.{name}``: {doc} elementwise (broadcasting; ``other`` a tensor or a "
                 "number), compared in the promoted dtype. dtype: bool. No gradient.\n\nShapes: "
                 "``input`` and ``other`` broadcast (torch's rules); the output has the "
                 "broadcast shape; ``out=`` of any dtype, even one that requires grad (left a "
                 "leaf, as torch). Raises RuntimeError for shapes that do not broadcast; "
                 "TypeError for two non-Tensor arguments.")
    return f


eq = _comparison("eq", "equal", "input == other")
ne = _comparison("ne", "not_equal", "input != other")
lt = _comparison("lt", "less", "input < other")
le = _comparison("le", "less_equal", "input <= other")
gt = _comparison("gt", "greater", "input > other")
ge = _comparison("ge", "greater_equal", "input >= other")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(name: str, doc: str):
    def f(input, other, *, out=None):
        require_tensor(input, name, "input", 1)
        require_tensor(other, name, "other", 2)
        xp = get_array_module(input._data)
        # torch tests the operands cast to their common dtype: a 0-d float64 2e-308 beside
        # float32 is 0 there, and a 0-d int64 -2**62 beside int32 wraps to 0
        r = result_type(input, other).np
        a, b = input._data.astype(r, copy=False), other._data.astype(r, copy=False)
        try:
            z = Tensor._wrap(xp.asarray(getattr(xp, name)(a, b)))
        except ValueError:
            raise_broadcast_error(name, input.shape, other.shape)
        return z if out is None else write_out(out, z, name, differentiable=False)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"``torch.{name}``: {doc} elementwise, nonzero meaning True (NaN is True). "
                 "dtype: bool. Raises TypeError for a number, RuntimeError for shapes that do not "
                 "broadcast. No gradient.\n\nShapes: ``input`` and ``other`` broadcast (torch's "
                 "rules); the output has the broadcast shape.")
    return f


logical_and = _logical("logical_and", "input and other")
logical_or = _logical("logical_or", "input or other")
logical_xor = _logical("logical_xor", "input xor other")


_UNARY_DOCS = {
    "isnan": "True where x is NaN (never for an integer or bool tensor)",
    "isinf": "True where x is +inf or -inf (never for an integer or bool tensor)",
    "isfinite": "True where x is neither NaN nor ±inf (always for an integer or bool tensor)",
    "logical_not": "not x, nonzero meaning True (NaN is True)",
}


def _unary_const(fn_name, with_out=False):
    def f(input):
        require_tensor(input, fn_name, "input", 1)
        xp = get_array_module(input._data)
        return Tensor._wrap(xp.asarray(getattr(xp, fn_name)(input._data)))

    def f_out(input, *, out=None):  # torch's logical_not takes out= (of any dtype: 0/1; one
        return write_out(out, f(input), fn_name, differentiable=False)  # requiring grad too)

    g = f_out if with_out else f
    g.__name__ = g.__qualname__ = fn_name
    g.__doc__ = (f"``torch.{fn_name}``: {_UNARY_DOCS[fn_name]}; elementwise. dtype: bool"
                 + (" (``out=`` of any dtype gets 0 and 1)" if with_out else "")
                 + ". Raises TypeError for a number. No gradient.\n\nShapes: any; the output "
                 "has the input's shape.")
    return g


isnan = _unary_const("isnan")
isinf = _unary_const("isinf")
isfinite = _unary_const("isfinite")
logical_not = _unary_const("logical_not", with_out=True)


def equal(input, other) -> bool:
    """``torch.equal``: True when both have the same shape and elements (NaN ≠ NaN).

    Shapes: any; different shapes give False (no broadcasting). The result is a Python bool.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "equal", "input", 1)
    require_tensor(other, "equal", "other", 2)
    return input.shape == other.shape and bool((input._data == other._data).all())


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """``torch.allclose``: ``isclose(...).all()`` as a Python bool.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the result is a Python bool.
    Raises RuntimeError for shapes that do not broadcast or a dtype mismatch; TypeError for a
    non-Tensor argument.
    """
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``torch.isclose``: |input - other| ≤ atol + rtol·|other| elementwise, or equal (so
    infinities of one sign are close); NaNs close to each other only with ``equal_nan``. Both
    must be tensors of one dtype. Raises RuntimeError for negative rtol/atol or a dtype
    mismatch, TypeError for a number. dtype: bool. No gradient.

    Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the broadcast shape.
    """
    require_tensor(input, "isclose", "input", 1)
    require_tensor(other, "isclose", "other", 2)
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"isclose: {input.dtype} did not match {other.dtype}")
    for name, v in (("rtol", rtol), ("atol", atol)):
        if v < 0:
            raise RuntimeError(f"isclose: {name} must be greater than or equal to zero, but "
                               f"got {v}")

    def close(xp, a, b):
        if kind_of(a.dtype) == "b":
            return a == b
        if kind_of(a.dtype) in "iu":  # torch computes the distance in the default float dtype
            f = _dt.default_float().np
            a, b = a.astype(f), b.astype(f)
        return xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)

    return constant_binary(close, input, other, "isclose")


def nonzero(input, *, as_tuple=False):
    """``torch.nonzero``: the indices of the nonzero elements of an input of shape (d₁, ..., dₖ),
    in row-major order: a (Z, k) int64 tensor (Z the count; (Z, 0) for a 0-d input), or with
    ``as_tuple=True`` k int64 tensors of shape (Z,) (one for a 0-d input). Raises TypeError for
    a number. No gradient.

    Shapes: input (d₁, ..., dₖ) → (Z, k), or k tensors (Z,) with ``as_tuple=True``.
    """
    require_tensor(input, "nonzero", "input", 1)
    xp = get_array_module(input._data)
    idx = xp.nonzero(xp.atleast_1d(input._data))
    if input._data.ndim == 0:  # torch: a 0-d tensor has no index columns
        if as_tuple:
            return (Tensor._wrap(idx[0].astype(np.int64)),)
        return Tensor._wrap(xp.zeros((idx[0].size, 0), np.int64))
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    if not idx:
        return Tensor._wrap(xp.zeros((1, 0), np.int64))
    return Tensor._wrap(xp.stack(idx, axis=1).astype(np.int64))


def _all_any(input, dim, keepdim, op: str):
    """all/any over ``dim`` (None: every element); bool result (uint8 stays uint8, as torch)."""
    a = input._data
    xp = get_array_module(a)
    # torch: dim=() reduces nothing here (sum's reduces all); a dim named twice: RuntimeError
    axes = () if isinstance(dim, (list, tuple)) and not dim else reduce_dims(dim, a.ndim, op)
    fn = xp.all if op == "all" else xp.any
    out = xp.asarray(fn(a, axis=axes, keepdims=keepdim and axes is not None))
    if dim is None and keepdim:
        out = out.reshape((1,) * a.ndim)
    return Tensor._wrap(out.astype(np.uint8) if a.dtype == np.uint8 else out)


def _all_any_out(input, dim, keepdim, out, op: str):
    require_tensor(input, op, "input", 1)
    if out is None:
        return _all_any(input, dim, keepdim, op)
    # torch checks out's dtype first (before a bad dim): bool or uint8, which get 0 and 1
    if isinstance(out, Tensor) and out._data.dtype not in (np.bool_, np.uint8):
        raise RuntimeError(f"{op} only supports bool tensor for result, got: {type_name(out)}")
    z = _all_any(input, dim, keepdim, op)  # uint8 for a uint8 input: 0/1 all the same
    return write_out(out, Tensor._wrap(z._data.astype(np.bool_, copy=False)), op)


@torch_args  # (axis= for dim=, keepdims= for keepdim=, as torch's binding)
def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element (along ``dim``) is nonzero; no gradient. Shapes: 0-d, or the
    input's shape without ``dim`` (size 1 with ``keepdim``). dtype: bool (uint8 for a uint8
    input). Raises IndexError for a dim out of range, RuntimeError for a dim named twice or an
    ``out`` that is neither bool nor uint8. Raises TypeError when ``input`` is not a Tensor."""
    return _all_any_out(input, dim, keepdim, out, "all")


@torch_args  # (axis= for dim=, keepdims= for keepdim=, as torch's binding)
def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element (along ``dim``) is nonzero; no gradient. Shapes: 0-d, or the
    input's shape without ``dim`` (size 1 with ``keepdim``). dtype: bool (uint8 for a uint8
    input). Raises IndexError for a dim out of range, RuntimeError for a dim named twice or an
    ``out`` that is neither bool nor uint8. Raises TypeError when ``input`` is not a Tensor."""
    return _all_any_out(input, dim, keepdim, out, "any")


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["all", "allclose", "any", "eq", "equal", "ge", "greater", "greater_equal", "gt",
           "isclose", "isfinite", "isinf", "isnan", "le", "less", "less_equal", "logical_and",
           "logical_not", "logical_or", "logical_xor", "lt", "ne", "nonzero", "not_equal"]

# ops that also have an in-place form (``eq_`` writes 0/1 into the tensor's own dtype)
INPLACE = ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
           "not_equal", "logical_and", "logical_or", "logical_xor", "logical_not")

METHODS = {
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": gt,
    "greater_equal": ge, "less": lt, "less_equal": le, "not_equal": ne, "isnan": isnan,
    "isinf": isinf, "isfinite": isfinite, "logical_not": logical_not,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "equal": equal, "allclose": allclose, "isclose": isclose, "nonzero": nonzero, "all": all,
    "any": any,
}
