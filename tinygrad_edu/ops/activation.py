"""Activations, each with a hand-derived backward (deriving it is the lesson).

sigmoid and tanh compute their gradient from their output; softmax and log_softmax (in
ops/softmax.py, re-exported here) subtract the max so exp never overflows.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..autograd import function as _function
from ..autograd.grad_mode import state as _grad_state
from ..backend import erf, get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from . import _relu_kernel
from . import softmax as _sm  # (its methods: softmax_dim, an int dim)
from ._dual import xp_of
from ._mask_grad import depends_on
from ._util import (
    _float_only,
    half_opmath,
    half_opmath_backward,
    not_tensor,
    quiet,
    require_tensor,
    scalar_arg,
    select_grad,
)
from .elu import EluFn, elu  # noqa: F401  (F.elu; EluFn for selu/celu)
from .inplace import inplace as _inplace
from .prelu import PreluFn, prelu  # noqa: F401  (torch.prelu; PreluFn for the docs)
from .promotion import _F32, _dt, cast, fit_scalar, write_out
from .softmax import LogSoftmaxFn, SoftmaxFn, log_softmax, softmax  # noqa: F401
from .unary import ErfFn


def _probe_max_neg_zero() -> bool:
    """Does np.maximum(0, -0.0) give -0.0 on this machine (SIMD body and scalar tail alike)?
    IEEE leaves the sign of max(+0, -0) open; x86 keeps the second operand, ARM may not."""
    for dt in (np.float32, np.float64):
        for n in (1, 3, 17, 67):
            if not np.signbit(np.maximum(dt(0), np.full(n, -0.0, dt))).all():
                return False
    return True


_MAX_KEEPS_NEG_ZERO = _probe_max_neg_zero()

_ONES = {}  # NumPy dtype -> 1 as a read-only 0-d array of that dtype


def one_like(y):
    """The number 1 for ``1 - y`` in a backward formula: a 0-d array of ``y``'s dtype when ``y``
    is a NumPy array, else the Python ``1`` (a Tensor under ``create_graph``, a CuPy array).

    Same bits either way (1 is exact in every float dtype, and NumPy rounds ``1 - y`` once in
    ``y``'s dtype), but NumPy's conversion of a Python number costs about 0.27 µs per call
    (``1 - y`` on a 4x4 float32 array: 0.47 µs; with a 0-d array: 0.2 µs), which the backward
    of every tanh and sigmoid in a training step pays."""
    if type(y) is not np.ndarray:
        return 1
    one = _ONES.get(y.dtype)
    if one is None:
        one = np.ones((), y.dtype)
        one.flags.writeable = False
        _ONES[y.dtype] = one
    return one


class ReluFn(Function):
    """y = max(x, 0)"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        # torch: relu(-2) = +0 (x * mask would give -0.0), relu(-0.0) = -0.0, relu(nan) = nan
        xp = get_array_module(x)
        if xp is np and x.dtype.char in "fd" and _MAX_KEEPS_NEG_ZERO:
            # speed: one branch-free pass (where() on a random mask is ~10x slower); maximum
            # propagates NaN and, 0 first, keeps x = -0.0 on this NumPy (probed at import)
            y = np.maximum(x.dtype.type(0), x)
        else:
            y = xp.where(x < 0, 0, x)
        ctx.save_for_backward(y)  # the output, as torch (grad_fn._saved_result)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        # ∂y/∂x = 1 where x > 0 (y > 0, or y = nan: torch's x ≤ 0 ? 0 : g), else 0
        # one compiled pass with numba (_relu_kernel), else the mask and select_grad
        r = _relu_kernel.relu_grad(y, g)
        r = select_grad(~(y <= 0), g) if r is None else r  # relu'(0) = 0, +0.0 (not nan·0)
        return r if type(r) is np.ndarray else depends_on(ctx, r)  # create_graph: _mask_grad


class LeakyReluFn(Function):
    """y = x if x > 0 else a·x"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32 (a slope of 7e4 is no inf), rounded once
    def forward(ctx, x, slope):
        xp = get_array_module(x)
        mask = x > 0
        ctx.save_for_backward(mask)
        ctx.slope = slope = fit_scalar(slope, x.dtype)  # 1e39 beside float32: inf, silently
        with quiet():  # inf·x of the branch not taken (x = 0): torch is silent
            return xp.where(mask, x, x * slope)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        xp = xp_of(g)
        r = xp.where(mask, g, g * ctx.slope)  # dy/dx = 1 if x > 0 else a (a at 0: torch)
        return (r if type(r) is np.ndarray else depends_on(ctx, r)), None


_HALF = np.dtype(np.float16)


class SigmoidFn(Function):
    """y = σ(x) = 1 / (1 + e^{-x})"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        half = x.dtype == _HALF  # float16: computed in float32, rounded once (torch's opmath)
        if half:
            x = x.astype(np.float32)
        with quiet():  # torch's formula, in the input's dtype: 1/(1 + e^{-x}), so that
            y = 1 / (1 + get_array_module(x).exp(-x))  # float32 σ(-20) = 2.06e-9, σ(-100) = 0
        if half:
            y = y.astype(_HALF)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):  # float16: in float16 steps, as torch's sigmoid_backward for Half
        (y,) = ctx.saved_tensors
        return g * (one_like(y) - y) * y  # dσ/dx = σ(1 − σ), in torch's order: g·(1 − σ)·σ


class TanhFn(Function):
    """y = tanh x"""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).tanh(x)
        ctx._saved = (y,)  # ctx.save_for_backward(y), written out (a method call per tanh)
        return y

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (one_like(y) - y * y)  # d tanh/dx = 1 − tanh²


class GeluFn(Function):
    """y = x·Φ(x) (exact, with erf) or its tanh approximation"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, approximate):
        xp = get_array_module(x)
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            k = math.sqrt(2.0 / math.pi)
            return 0.5 * x * (1 + xp.tanh(k * (x + 0.044715 * x**3)))
        y = 0.5 * x * (1 + erf(x * (1 / math.sqrt(2.0))))
        if x.dtype == np.float32 and x.size > 1:
            # torch's vectorized float32 kernel (used from 2 contiguous elements on) gives nan
            # at +inf; its scalar path and float64 give inf. -inf is nan everywhere (-inf·0).
            y = xp.where(xp.isposinf(x), np.float32(np.nan), y)
        return y

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(g)
        if ctx.approximate == "tanh":
            k = math.sqrt(2.0 / math.pi)
            inner = k * (x + 0.044715 * x**3)
            t = xp.tanh(inner)
            # d/dx ½x(1+t) = ½(1+t) + ½x(1−t²)·k(1 + 3·0.044715x²)
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
        else:
            cdf = 0.5 * (1 + ErfFn.call(x * (1 / math.sqrt(2.0))))
            pdf = xp.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
            d = cdf + x * pdf  # d/dx xΦ(x) = Φ(x) + xφ(x)
        return g * d, None


class SiluFn(Function):
    """y = x·σ(x)"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():  # −inf·σ(−inf) = −inf·0 = nan, as torch's −inf/(1 + e^inf), silently
            return x * SigmoidFn.call(x)

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = SigmoidFn.call(x)
        return g * s * (1 + x * (1 - s))  # dy/dx = σ(x)(1 + x(1 − σ(x)))


class SoftplusFn(Function):
    """y = (1/β) log(1 + e^{βx}); linear (y = x) where βx > threshold, as torch"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, beta, threshold):
        xp = get_array_module(x)
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        with quiet():  # the branch not taken may be inf − inf (x = ±inf), β = inf gives 0·inf:
            bx = x * beta  # torch is silent
            return xp.where(bx > threshold, x, xp.logaddexp(0, bx) / beta)

    @staticmethod
    @half_opmath_backward  # float16: computed in float32 (torch's backward kernel)
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        # dy/dx = σ(βx) (1 where βx > threshold: the linear zone)
        return xp_of(g).where(bx > ctx.threshold, g, g * SigmoidFn.call(bx)), None, None


# ---- public functions (also in tg.nn.functional and as Tensor methods) ---------------------------
def relu(input, inplace=False):
    """``torch.relu``: y = max(x, 0), elementwise (any shape; dtype: the input's, integers too).
    Raises RuntimeError for a bool input. Derivative: [x > 0] (0 at x = 0, as torch).

    Shapes: any; the output has the input's shape. Raises TypeError when ``input`` is not a Tensor.
    """
    if not isinstance(input, Tensor):
        raise not_tensor("relu", input)
    if kind_of(input._data.dtype) == "b":
        raise RuntimeError("relu: Boolean inputs not supported for relu")
    if inplace:
        return _inplace(input, "relu_", relu)
    return ReluFn.apply(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``F.leaky_relu``: y = x if x > 0 else a·x (a = ``negative_slope``), elementwise (any shape;
    floating dtype kept). Raises NotImplementedError for an integer or bool input.
    Derivative: 1 if x > 0 else a.

    Shapes: any; the output has the input's shape.
    """
    _float_only(input, "leaky_relu")
    if inplace:
        return _inplace(input, "leaky_relu_", leaky_relu, negative_slope)
    return LeakyReluFn.apply(input, float(scalar_arg(negative_slope, input, "leaky_relu")))


def _to_float(input):
    """torch: sigmoid/tanh of an integer or bool tensor is computed in the default dtype."""
    if kind_of(input._data.dtype) != "f":
        return cast(input, _dt.default_float())
    return input


def sigmoid(input, *, out=None):
    """``torch.sigmoid``: σ(x) = 1 / (1 + e^{-x}), elementwise (any shape). dtype: the input's
    float dtype; integer and bool inputs give float32. Derivative: σ(1 − σ). ``out=``: the
    result is written into ``out``.

    Shapes: any; the output has the input's shape. Raises TypeError for an input that is not a
    Tensor; RuntimeError for an ``out`` of an integer dtype or when a gradient would be needed.
    """
    if not isinstance(input, Tensor):
        raise not_tensor("sigmoid", input)
    y = SigmoidFn.apply(_to_float(input))
    return y if out is None else write_out(out, y, "sigmoid")


def tanh(input, *, out=None):
    """``torch.tanh``: y = tanh x, elementwise (any shape). dtype: the input's float dtype;
    integer and bool inputs give float32. Derivative: 1 − tanh² x. ``out=``: the result is
    written into ``out``.

    Shapes: any; the output has the input's shape. Raises TypeError for an input that is not a
    Tensor; RuntimeError for an ``out`` of an integer dtype or when a gradient would be needed.
    """
    if not isinstance(input, Tensor):
        raise not_tensor("tanh", input)
    y = TanhFn.apply(_to_float(input))
    return y if out is None else write_out(out, y, "tanh")


def _sigmoid_method(self):
    """``Tensor.sigmoid()`` (no ``out=``, as torch's; apart so x.sigmoid() stays one call): σ(x)
    as :func:`sigmoid`. Shapes: any; the output has the input's shape. Raises nothing."""
    return SigmoidFn.apply(_to_float(self))


def _tanh_method(self):
    """``Tensor.tanh()`` (no ``out=``, as torch's; apart so x.tanh() stays one call): tanh x as
    :func:`tanh`. Shapes: any; the output has the input's shape. Raises nothing."""
    d = self._data
    dt = d.dtype
    # a float tensor (no _to_float) that requires grad: Function.apply's test for its one-Tensor
    # fast path written out (bfloat16's kind is "V": it takes apply's opmath path)
    if ((dt is _F32 or dt.kind == "f") and self._rg and _function.FAST and _grad_state.enabled
            and not _grad_state.slow):  # (slow: anomaly mode or saved-tensor hooks)
        return _function._apply_unary(TanhFn, self, d, dt)
    return TanhFn.apply(_to_float(self))


def _relu_method(self):
    """``Tensor.relu()``: max(x, 0) as :func:`relu`; no arguments (torch's method takes none, so
    ``x.relu(3)`` is Python's TypeError, not an in-place flag). Shapes: any; the output has the
    input's shape. Raises RuntimeError for a bool tensor."""
    if kind_of(self._data.dtype) == "b":
        raise RuntimeError("relu: Boolean inputs not supported for relu")
    return ReluFn.apply(self)  # as relu's body: x.relu() stays one call


_relu_method.__name__ = _relu_method.__qualname__ = "relu"
_sigmoid_method.__name__ = _sigmoid_method.__qualname__ = "sigmoid"
_tanh_method.__name__ = _tanh_method.__qualname__ = "tanh"


def gelu(input, approximate="none"):
    """``F.gelu``: y = x·Φ(x) (Φ the normal CDF, exact with erf) or, with approximate="tanh",
    ½x(1 + tanh(√(2/π)(x + 0.044715x³))); elementwise (any shape; floating dtype kept). Raises
    RuntimeError for another ``approximate``, NotImplementedError for an integer input.
    Derivative: Φ(x) + xφ(x).

    Shapes: any; the output has the input's shape. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    _float_only(input, "gelu")
    return GeluFn.apply(input, approximate)


def silu(input, inplace=False):
    """``F.silu``: y = x·σ(x), elementwise (any shape; floating dtype kept). Raises
    NotImplementedError for an integer input. Derivative: σ(x)(1 + x(1 − σ(x))).

    Shapes: any; the output has the input's shape.
    """
    _float_only(input, "silu")
    if inplace:
        return _inplace(input, "silu_", silu)
    return SiluFn.apply(input)


def softplus(input, beta=1.0, threshold=20.0):
    """``F.softplus``: y = (1/β) log(1 + e^{βx}), y = x where βx > ``threshold``; elementwise (any
    shape; floating dtype kept). Raises NotImplementedError for an integer input.
    Derivative: σ(βx) (1 in the linear zone).

    Shapes: any; the output has the input's shape.
    """
    _float_only(input, "softplus")
    beta, threshold = (scalar_arg(v, input, "softplus") for v in (beta, threshold))
    return SoftplusFn.apply(input, float(beta), float(threshold))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["elu", "gelu", "leaky_relu", "log_softmax", "prelu", "relu", "sigmoid", "silu",
           "softmax", "softplus", "tanh"]

# ops that also have an in-place form (``exp_``), made by ops/inplace.py
INPLACE = ("relu", "sigmoid", "tanh")

METHODS = {
    "relu": _relu_method, "leaky_relu": leaky_relu, "prelu": prelu, "sigmoid": _sigmoid_method,
    "tanh": _tanh_method, "softmax": _sm.softmax_dim, "log_softmax": _sm.log_softmax_dim,
    "elu": elu, "gelu": gelu, "silu": silu, "softplus": softplus,
}
