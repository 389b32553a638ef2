"""More activations: the piecewise ones (hardtanh, relu6, hardsigmoid, hardswish, threshold,
softshrink, hardshrink) as Functions with a hand-derived backward, and the smooth ones built
from existing ops (selu, celu, glu, mish, softsign, logsigmoid, softmin, tanhshrink, rrelu).

Piecewise functions take torch's gradient at their kinks: the derivative of the piece the
strict comparison selects (hardtanh'(min_val) = 0, softshrink'(λ) = 0, threshold'(t) = 0).
"""

from __future__ import annotations

import numpy as np

from .._args import no_bool_kernel, require_tensor
from ..autograd import Function
from ..backend import get_array_module
from ..dtype import REDUCED_FLOATS, finfo, kind_of, torch_type_name
from ..tensor import _wrap_dim
from ._dual import xp_of
from ._mask_grad import depends_on
from ._rrelu import rrelu_train
from ._scalar_as import scalar_as as _scalar_as
from ._util import _float_only, half_opmath, half_opmath_backward, scalar_arg, select_grad
from .activation import EluFn, LeakyReluFn, softmax, softplus, tanh
from .inplace import inplace as _inplace
from .softmax import _softmax_dim
from .split import chunk

_SELU_ALPHA = 1.6732632423543772848170429870990
_SELU_SCALE = 1.0507009873554804934193349852946


class HardtanhFn(Function):
    """y = clamp(x, min_val, max_val)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = get_array_module(x)
        mask = ~((x <= lo) | (x >= hi))  # torch's test: nan passes the gradient through
        ctx.save_for_backward(mask)
        if (lo == 0 or hi == 0) and lo == lo and hi == hi:  # a zero bound: the sign of a
            # zero result is torch's max(x, lo) = x < lo ? lo : x, then min = hi < y ? hi : y
            # (relu6(-0.0) is -0.0; NumPy's maximum/minimum give the second operand at ties)
            y = xp.where(x < lo, lo, x)
            y = xp.where(hi < y, hi, y)
        else:  # nan stays nan, a nan bound gives nan: torch's
            y = xp.minimum(xp.maximum(x, lo), hi)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        r = select_grad(mask, g)  # dy/dx = [min < x < max]; 0 at both ends
        return (r if type(r) is np.ndarray else depends_on(ctx, r)), None, None


_ONE_SIXTH_F32 = np.float32(1) / np.float32(6)


class HardsigmoidFn(Function):
    """y = relu6(x + 3) / 6"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x):
        xp = get_array_module(x)
        mask = (x > -3) & (x < 3)
        ctx.save_for_backward(mask)
        return (xp.minimum(xp.maximum(x + 3, 0), 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        # dy/dx = 1/6 on (−3, 3), else 0; torch's 1/6 is the float32 constant 1.0f/6.0f, in
        # float64 too (so a float64 gradient is g·0.1666666716337204)
        sixth = g.dtype.type(_ONE_SIXTH_F32) if isinstance(g, np.ndarray) else float(
            _ONE_SIXTH_F32)  # (a Tensor g under create_graph: a Python float keeps its dtype)
        r = select_grad(mask, g * sixth)  # (torch has no derivative of this backward)
        return r if type(r) is np.ndarray else depends_on(ctx, r, 0, "aten::hardsigmoid_backward")


class HardswishFn(Function):
    """y = x · relu6(x + 3) / 6"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x):
        xp = get_array_module(x)
        ctx.save_for_backward(x)
        return (x * xp.minimum(xp.maximum(x + 3, 0), 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(g)
        # dy/dx = 0 for x ≤ −3, x/3 + 1/2 for −3 < x < 3, 1 for x ≥ 3 (torch's kinks; nan: 1)
        return select_grad(~(x <= -3), xp.where(x < 3, g * (x / 3 + 0.5), g))


class ThresholdFn(Function):
    """y = value if x ≤ threshold else x

    As torch's kernel, ``threshold`` and ``value`` are first converted to the input's dtype
    (checked; a float16 input compares in float32)."""

    array_io = True

    @staticmethod
    def forward(ctx, x, threshold, value):
        xp = get_array_module(x)
        value = _scalar_as(value, x.dtype)
        if x.dtype == np.float16:  # torch: the threshold in opmath (float32), the value in half
            mask = ~(x.astype(np.float32) <= _scalar_as(threshold, np.float32))
        else:
            mask = ~(x <= _scalar_as(threshold, x.dtype))  # x <= t ? value : x: nan stays nan
        ctx.save_for_backward(mask)
        return xp.where(mask, x, xp.asarray(value))

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        r = select_grad(mask, g)  # dy/dx = [not x ≤ threshold]
        return (r if type(r) is np.ndarray else depends_on(ctx, r)), None, None


class SoftshrinkFn(Function):
    """y = x − λ if x > λ, x + λ if x < −λ, else 0"""

    array_io = True

    @staticmethod
    def forward(ctx, x, lambd):
        xp = get_array_module(x)
        ctx.save_for_backward(~((x >= -lambd) & (x <= lambd)))  # as torch: nan passes
        inner = xp.where(x != x, x, xp.zeros_like(x))  # 0, nan kept (0·x would warn at ±inf)
        y = xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, inner))
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        r = select_grad(mask, g)  # dy/dx = [|x| > λ]
        return (r if type(r) is np.ndarray else depends_on(ctx, r)), None


class HardshrinkFn(Function):
    """y = x if |x| > λ else 0"""

    array_io = True

    @staticmethod
    def forward(ctx, x, lambd):
        xp = get_array_module(x)
        mask = ~((x >= -lambd) & (x <= lambd))  # as torch: nan is kept, and passes g
        ctx.save_for_backward(mask)
        return xp.where(mask, x, xp.zeros_like(x))  # (0·x would be nan, with a warning, at ±inf)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        r = select_grad(mask, g)  # dy/dx = [|x| > λ]
        return (r if type(r) is np.ndarray else depends_on(ctx, r)), None


# ---- public functions (also in tg.nn.functional) ---------------------------------------------
def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``F.hardtanh``: clamp(x, min_val, max_val). Shapes: any. dtype: the input's. Raises
    ValueError if min_val > max_val, RuntimeError for a bool input or a uint8 one with a
    negative limit, TypeError for an input that is not a Tensor. Derivative: 1 strictly inside
    (min_val, max_val), else 0."""
    require_tensor(input, "hardtanh")
    if kind_of(input._data.dtype) == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val "
                         f"(got min_val={min_val}, max_val={max_val})")
    if input._data.dtype == np.uint8 and (min_val < 0 or max_val < 0):
        raise RuntimeError(f"cannot do hardtanh on an unsigned type with negative limits "
                           f"(a uint8 tensor of shape {list(input.shape)}, min_val={min_val})")
    for v in (min_val, max_val):  # in the input's own type (c10::Half for float16)
        scalar_arg(v, input, "hardtanh", opmath=False)
    if inplace:
        return _inplace(input, "hardtanh_", hardtanh, min_val, max_val)
    return HardtanhFn.apply(input, min_val, max_val)


def relu6(input, inplace=False):
    """``F.relu6``: min(max(x, 0), 6) = hardtanh(x, 0, 6) (torch's node: HardtanhBackward0).

    Shapes: any; the output has the input's shape. Raises RuntimeError for a bool input (as
    hardtanh), TypeError for an input that is not a Tensor.
    """
    require_tensor(input, "relu6")
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    """``F.hardsigmoid``: relu6(x + 3)/6, a piecewise-linear σ. Floating input only.
    Derivative: 1/6 on (−3, 3), else 0.

    Shapes: any; the output has the input's shape. Raises RuntimeError for an integer input or a
    bool input.
    """
    _float_only(input, "hardsigmoid")
    if inplace:
        return _inplace(input, "hardsigmoid_", hardsigmoid)
    return HardsigmoidFn.apply(input)


def hardswish(input, inplace=False):
    """``F.hardswish``: x·relu6(x + 3)/6 (MobileNetV3). Floating input only.
    Derivative: 0 up to −3, x/3 + 1/2 on (−3, 3), 1 from 3 on (torch's values at the kinks).

    Shapes: any; the output has the input's shape. Raises RuntimeError for an integer input or a
    bool input.
    """
    _float_only(input, "hardswish")
    if inplace:
        return _inplace(input, "hardswish_", hardswish)
    return HardswishFn.apply(input)


def threshold(input, threshold, value, inplace=False):
    """``F.threshold``: x where x > threshold, else value. dtype: the input's.
    Derivative: [x > threshold].

    Shapes: any; the output has the input's shape. Raises NotImplementedError for a bool input
    (torch has no bool kernel), TypeError for an input that is not a Tensor.
    """
    require_tensor(input, "threshold")
    no_bool_kernel(input, "threshold_cpu")
    if inplace:
        return _inplace(input, "threshold_", globals()["threshold"], threshold, value)
    return ThresholdFn.apply(input, threshold, value)


def softshrink(input, lambd=0.5):
    """``F.softshrink``: x − λ above λ, x + λ below −λ, 0 between. Raises RuntimeError for
    λ < 0. Derivative: [|x| > λ].

    Shapes: any; the output has the input's shape.
    """
    _float_only(input, "softshrink")
    top = float(finfo(input._data.dtype).max)
    if not 0 <= lambd <= top:  # torch's message: "[0, 3.40282e+38] for input dtype Float"
        raise RuntimeError(f"softshrink: lambda must be in range [0, {top:g}] for input dtype "
                           f"{torch_type_name(input._data.dtype)}, but found {lambd:g}")
    return SoftshrinkFn.apply(input, float(lambd))


def hardshrink(input, lambd=0.5):
    """``F.hardshrink``: x where |x| > λ, else 0. Derivative: [|x| > λ].

    Shapes: any; the output has the input's shape. Raises RuntimeError for an integer input or a
    bool input.
    """
    _float_only(input, "hardshrink")
    return HardshrinkFn.apply(input, float(scalar_arg(lambd, input, "hardshrink", False)))


def selu(input, inplace=False):
    """``F.selu``: scale·elu(x, α) with α ≈ 1.6733, scale ≈ 1.0507 (self-normalizing nets).
    Derivative: scale for x > 0, scale·α·eˣ otherwise.

    Shapes: any; the output has the input's shape. Raises RuntimeError for an integer input or a
    bool input.
    """
    _float_only(input, "selu")
    if inplace:
        return _inplace(input, "selu_", selu)
    return EluFn.apply(input, _SELU_ALPHA) * _SELU_SCALE


def celu(input, alpha=1.0, inplace=False):
    """``F.celu``: x for x ≥ 0, α(e^{x/α} − 1) otherwise (= α·elu(x/α) for α > 0; torch's kernel
    branches on x for either sign of α). Raises RuntimeError for α = 0. Derivative: 1 for
    x > 0, e^{x/α} otherwise.

    Shapes: any; the output has the input's shape.
    """
    _float_only(input, "celu")
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError (alpha must not be 0)")
    scalar_arg(alpha, input, "celu")
    if inplace:
        return _inplace(input, "celu_", celu, alpha)
    if input._data.dtype in REDUCED_FLOATS:  # torch's kernel computes in float32, rounds once
        return celu(input.float(), alpha).to(input.dtype)
    if alpha < 0:  # torch's kernel branches on x (elu with input scale 1/α); α·elu(x/α) would
        from .exp_log import expm1  # branch on x/α, the other side when α < 0
        from .select import where

        return where(input >= 0, input, expm1(input / alpha) * alpha)
    return EluFn.apply(input / alpha, 1.0) * alpha


def glu(input, dim=-1):
    """``F.glu``: a ⊗ σ(b) where a, b are the two halves of ``input`` along ``dim``.
    Shapes: (*, 2n, *) → (*, n, *). Raises RuntimeError for a 0-d input or an odd size."""
    _float_only(input, "glu")
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input._data.ndim, "glu")
    if input._data.shape[d] % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size "
                           f"{input._data.shape[d]}")
    a, b = chunk(input, 2, d)
    return a * b.sigmoid()


def mish(input, inplace=False):
    """``F.mish``: x·tanh(softplus(x)). Derivative: by the chain rule through softplus/tanh.

    Shapes: any; the output has the input's shape. Raises RuntimeError for an integer input or a
    bool input.
    """
    _float_only(input, "mish")
    if inplace:
        return _inplace(input, "mish_", mish)
    return input * tanh(softplus(input))


def softsign(input):
    """``F.softsign``: x / (1 + |x|). Derivative: 1 / (1 + |x|)².

    Shapes: any; the output has the input's shape.

    Raises AttributeError for a non-Tensor input (as torch), NotImplementedError for a bool input
    (torch's abs has no bool kernel).
    """
    return input / (input.abs() + 1)


def logsigmoid(input):
    """``F.logsigmoid``: log σ(x) = −softplus(−x), computed without overflow.
    Derivative: 1 − σ(x) = σ(−x).

    Shapes: any; the output has the input's shape. Raises RuntimeError for an integer input or a
    bool input.
    """
    _float_only(input, "log_sigmoid")
    return 0.0 - softplus(-input)  # torch: min(0, x) − log1p(e^−|x|), 0.0 (not −0.0) at x ≫ 0


def tanhshrink(input):
    """``F.tanhshrink``: x − tanh x. Derivative: tanh² x.

    Shapes: any; the output has the input's shape. Raises RuntimeError for a bool input.
    """
    return input - tanh(input)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``F.softmin``: softmax(−x) along ``dim``. As torch, −x is taken in the input's dtype and
    ``dtype`` then casts it (so a uint8 input's −x wraps modulo 256 before the cast).

    Shapes: any; the output has the input's shape (normalized along ``dim``). Raises IndexError for
    ``dim`` out of range; NotImplementedError for an integer input without ``dtype``.
    """
    if dim is None:
        dim = _softmax_dim(input, dim, "softmin", _stacklevel)
    return softmax(-input, dim, dtype=dtype)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """``F.rrelu``: leaky ReLU whose negative slope is drawn from U(lower, upper) per element
    in training, and is (lower + upper)/2 in eval. Raises RuntimeError if lower > upper.
    Derivative: 1 for x > 0, the slope otherwise (the drawn one in training).

    Shapes: any; the output has the input's shape.
    """
    _float_only(input, "rrelu")
    if lower > upper:
        raise RuntimeError(f"rrelu: Lower bound should be less than or equal to the upper "
                           f"bound (got lower={lower}, upper={upper})")
    if inplace:
        return _inplace(input, "rrelu_", rrelu, lower, upper, training)
    if not training:
        return LeakyReluFn.apply(input, (lower + upper) / 2)
    return rrelu_train(input, lower, upper)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["celu", "hardshrink", "rrelu", "selu", "threshold"]

METHODS = {"hardshrink": hardshrink}
