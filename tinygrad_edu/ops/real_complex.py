"""torch's complex-number ops on real tensors. tinygrad_edu has no complex dtypes, so every
tensor is real, and torch's answers for a real tensor are simple: ``conj``, ``conj_physical``,
``resolve_conj``, ``resolve_neg`` and ``real`` return the tensor itself (not a copy, not a view:
torch returns ``self``), ``imag`` and ``view_as_real`` raise torch's RuntimeError, ``is_conj``,
``is_neg`` and ``is_complex`` are False, and ``angle`` is the argument of a point on the real
line: π for x < 0, 0 for x ≥ 0 (−0.0 included), nan for nan.
"""

from __future__ import annotations

import math

from .. import dtype as _dt
from ..backend import get_array_module
from ..dtype import kind_of
from ._unary_util import check_tensor, into
from .rounding import _PiecewiseFn


class AngleFn(_PiecewiseFn):
    """y = arg(x) ∈ {0, π} for real x: piecewise constant, ∂y/∂x = 0 (torch's choice too)"""


def _angle(x):
    xp = get_array_module(x)
    if kind_of(x.dtype) != "f":  # integers and bools: arg in the default float dtype
        x = x.astype(_dt.default_float().np)
    zero_or_nan = xp.where(x == x, x.dtype.type(0), x)  # +0.0 (also for −0.0 and inf), nan
    return xp.where(x < 0, x.dtype.type(math.pi), zero_or_nan)


def angle(input, *, out=None):
    """``torch.angle`` of a real tensor: π where x < 0, 0 where x ≥ 0 (also at −0.0), nan at nan.

    Shapes: any; the output has the input's shape. dtype: the input's floating dtype; integer and
    bool inputs give the default float dtype. Derivative: 0 everywhere (torch's). Raises
    TypeError for a non-Tensor input.
    """
    check_tensor(input, "angle")
    return into(out, AngleFn.apply(input, _angle), "angle")


def _itself(name: str):
    def op(input):
        check_tensor(input, name)
        return input

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"``torch.{name}`` of a real tensor: the tensor itself (torch returns ``self``; "
                  "tinygrad_edu has no complex dtypes).\n\n    Shapes: any; the result is the "
                  "input (same shape and dtype). Raises TypeError for a non-Tensor input.")
    return op


conj = _itself("conj")
conj_physical = _itself("conj_physical")
resolve_conj = _itself("resolve_conj")
resolve_neg = _itself("resolve_neg")
real = _itself("real")


def imag(input):
    """``torch.imag``: raises torch's RuntimeError, as torch does for every real tensor.

    Shapes: any (nothing is returned). Raises RuntimeError always; TypeError for a non-Tensor.
    """
    check_tensor(input, "imag")
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def view_as_real(input):
    """``torch.view_as_real``: raises torch's RuntimeError, as torch does for every real tensor.

    Shapes: any (nothing is returned). Raises RuntimeError always; TypeError for a non-Tensor.
    """
    check_tensor(input, "view_as_real")
    raise RuntimeError("view_as_real is only supported for complex tensors")


def _false(name: str):
    def test(input):
        check_tensor(input, name)
        return False

    test.__name__ = test.__qualname__ = name
    test.__doc__ = (f"``torch.{name}``: False (tinygrad_edu has no complex dtypes).\n\n    "
                    "Shapes: any input shape; returns a Python bool. Raises TypeError for a "
                    "non-Tensor input.")
    return test


is_conj = _false("is_conj")
is_neg = _false("is_neg")
is_complex = _false("is_complex")

__all__ = ["angle", "conj", "conj_physical", "imag", "is_complex", "is_conj", "is_neg", "real",
           "resolve_conj", "resolve_neg", "view_as_real"]

# Tensor.real and Tensor.imag are attributes in torch, the others methods
METHODS = {
    "angle": angle, "conj": conj, "conj_physical": conj_physical, "resolve_conj": resolve_conj,
    "resolve_neg": resolve_neg, "is_conj": is_conj, "is_neg": is_neg, "is_complex": is_complex,
    "real": property(real), "imag": property(imag),
}
