"""Norms: vector_norm (one Function), and matrix_norm, linalg.norm, torch.norm, dist, renorm
composed of it (and of svdvals, amax/amin).

vector_norm's backward is torch's norm_backward, case by case in p (the subgradient choices at
0 and at ties are torch's): ∂‖x‖ₚ/∂xᵢ = sign(xᵢ)|xᵢ|^(p−1) / ‖x‖ₚ^(p−1), which is sign(x) for
p = 1, x/‖x‖ for p = 2, the (shared) sign at the arg-max for p = ±inf, and 0 for p = 0.
"""

from __future__ import annotations

import math

from ..._args import require_tensor
from ...autograd import Function
from ...backend import get_array_module
from ...tensor import Tensor
from .._dual import xp_of
from .._out import honour_out
from .._util import dims, half_opmath, quiet
from ..arithmetic import add, mul, sub
from ..extrema import amax, amin
from ..promotion import _dt, cast
from ..select import where
from ..shape import permute, unsqueeze
from ._common import check_float
from .spectral import svdvals

_TORCH_TYPE = {"float16": "Half", "float32": "Float", "float64": "Double"}


def _keep(t, axes, keepdim, ndim):
    """A reduced result reshaped to broadcast against the input again."""
    if keepdim:
        return t
    if axes is None:
        return xp_of(t).reshape(t, (1,) * ndim)
    return xp_of(t).expand_dims(t, axes)


class LinalgVectorNormFn(Function):
    """y = (Σ |x|ᵖ)^(1/p) over axes; p = 0 counts non-zeros, p = ±inf is max/min |x|"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, p, axes, keepdim):
        xp = get_array_module(x)
        a = xp.abs(x)
        with quiet():  # |0|^(negative p) = inf, as torch
            if p == 0:
                y = (x != 0).sum(axis=axes, keepdims=keepdim).astype(x.dtype)
            elif p == math.inf or math.prod(
                    a.shape[i] for i in (range(a.ndim) if axes is None else axes)) == 1:
                y = a.max(axis=axes, keepdims=keepdim)  # (one element per norm: torch's |x|,
                # for any p: no overflow of |x|ᵖ, vector_norm([1e30]) is 1e30)
            elif p == -math.inf:
                y = a.min(axis=axes, keepdims=keepdim)
            elif p == 1:
                y = a.sum(axis=axes, keepdims=keepdim)
            elif p == 2:
                y = xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
            else:
                y = (a ** p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)
        y = xp.asarray(y, dtype=x.dtype)
        ctx.save_for_backward(x, y)
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        p, axes = ctx.p, ctx.axes
        if p == 0:  # a count: locally constant; torch's gradient is undefined (x.grad None)
            return None, None, None, None
        g = _keep(g, axes, ctx.keepdim, x.ndim)
        y = _keep(y, axes, ctx.keepdim, x.ndim)
        # torch's norm_backward, step for step: its masked divisions at ‖x‖ = 0 (and |xᵢ| = 0
        # for p < 1) give torch's second derivatives there, nan included
        with quiet():
            sgn = xp.where(xp.isnan(x), 0.0, xp.sign(x))  # torch's sgn: 0 at nan
            if p == 1:
                gx = sgn * g  # ∂/∂xᵢ = sign(xᵢ)
            elif p == 2:
                gx = g * xp.where(y == 0, 0, x / y)  # xᵢ/‖x‖, 0 at x = 0
            elif math.isinf(p):  # like amax of |x|: ties share the gradient (a nan selects)
                a = xp.abs(x)
                one, zero = xp.ones_like(x), xp.zeros_like(x)
                mask = xp.where(a == y, one, xp.where(xp.isnan(a), one, zero))
                gx = sgn * ((g / xp.sum(mask, axis=axes, keepdims=True)) * mask)
            elif p < 1:  # sign(xᵢ)|xᵢ|^(p−1) taken as 0 at xᵢ = 0
                scaled = xp.sign(x) * xp.where(x == 0, 0, xp.abs(x) ** (p - 1))
                gx = scaled * g * y ** (1 - p)
            else:  # sign(xᵢ)|xᵢ|^(p−1) / ‖x‖^(p−1), 0 at x = 0
                scaled = (xp.sign(x) * xp.abs(x) ** (p - 1) if p < 2
                          else x * xp.abs(x) ** (p - 2))
                gx = scaled * xp.where(y == 0, 0, g / y ** (p - 1))
        return gx, None, None, None


def _reduce_axes(dim, ndim, op):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    if ndim == 0:
        dims(dim, 1, op)  # validates; a 0-d tensor reduces nothing
        return None
    return dims(dim, ndim, op)


def _with_dtype(x, dtype, op):
    if dtype is None:
        return x
    d = _dt.to_dtype(dtype, op)
    if not d.is_floating_point:
        raise RuntimeError(f"{op}: dtype should be floating point or complex, but got "
                           f"{_dt.torch_type_name(d)}")
    if x._data.dtype.itemsize > d.np.itemsize:
        raise RuntimeError(f"{op}: the dtype of the input ({_TORCH_TYPE.get(x.dtype.name)}) "
                           "should be convertible without narrowing to the specified dtype "
                           f"({_TORCH_TYPE.get(d.name, d.name)})")
    return cast(x, d)


@honour_out("vector_norm")
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.vector_norm``: (Σ|x|ᵒʳᵈ)^(1/ord) over ``dim`` (all dims by default). ord:
    any real; 0 counts non-zeros, ±inf is max/min |x|. dtype: float (``dtype=`` computes in a
    wider float). Raises RuntimeError for integer input, for a str ord, and for ord < 0 or
    ±inf over an empty dim. Derivative: sign(x)|x|^(ord−1)/‖x‖^(ord−1) (torch's subgradients).

    Shapes: input (*) → the shape with ``dim`` removed (kept as size 1 with ``keepdim=True``); ()
    when ``dim`` is None.
    """
    op = "linalg.vector_norm"
    if isinstance(ord, str):
        raise TypeError(f"{op}(): argument 'ord' must be Number, not str")
    check_float(x, op, half=True)
    x = _with_dtype(x, dtype, op)
    p = float(ord)
    axes = _reduce_axes(dim, x.ndim, op)
    if (p < 0 or p == math.inf) and x._data.size == 0:
        shape = x._data.shape
        for a in range(len(shape)) if axes is None else axes:
            if shape[a] == 0:
                where_ = ("an empty tensor" if axes is None else
                          f"the dimension {a}because this dimension is empty and")
                raise RuntimeError(f"{op} cannot compute the {_fmt(ord)} norm on {where_}"
                                   + (" because" if axes is None else "")
                                   + " the operation does not have an identity")
    return LinalgVectorNormFn.apply(x, p, axes, keepdim)


def _fmt(p):
    return "inf" if p == math.inf else "-inf" if p == -math.inf else (
        str(int(p)) if float(p).is_integer() else str(p))


@honour_out("matrix_norm")
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.matrix_norm``: 'fro' (√Σaᵢⱼ²), 'nuc' (Σ singular values), ±1 (max/min
    column sum of |a|), ±inf (max/min row sum), ±2 (largest/smallest singular value), over the
    two dims ``dim``. Composed of vector_norm, svdvals and amax/amin, whose gradients it uses.

    Shapes: A (..., m, n) over ``dim`` → the shape with the two dims removed (kept as size 1 with
    ``keepdim=True``). Raises RuntimeError for an input below 2 dims or an unknown ord.
    """
    op = "linalg.matrix_norm"
    check_float(A, op, half=True)
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        got = " ".join(str(d) for d in dim) if isinstance(dim, (tuple, list)) else dim
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {got}")
    d0, d1 = (dims(d, A.ndim, op)[0] for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    A = _with_dtype(A, dtype, op)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        if A._data.dtype.itemsize == 2:  # the SVD has no float16 kernel
            raise RuntimeError(f"{op}: Low precision dtypes not supported. Got Half")
        rest = [d for d in range(A.ndim) if d not in (d0, d1)]
        s = svdvals(permute(A, rest + [d0, d1]))
        y = s.sum(-1) if ord == "nuc" else (amax(s, -1) if ord == 2 else amin(s, -1))
        if keepdim:
            for d in sorted((d0, d1)):
                y = unsqueeze(y, d)
        return y
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    if abs(ord) == math.inf:  # the inf norm is the 1 norm of the transpose
        d0, d1 = d1, d0
    col = vector_norm(A, 1, d0, keepdim)
    d1 = d1 - 1 if not keepdim and d0 < d1 else d1
    return amax(col, d1, keepdim) if ord > 0 else amin(col, d1, keepdim)


@honour_out("linalg_norm")
def linalg_norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """``torch.linalg.norm``: a vector norm over one dim (or all, flattened, when dim and ord
    are None) and a matrix norm over two dims (or a 2-D input's, when only ord is given).

    Shapes: input (*) → the shape with ``dim`` removed (kept as size 1 with ``keepdim=True``); ()
    when ``dim`` and ``ord`` are None. Raises IndexError for ``dim`` out of range, RuntimeError
    for a matrix ``ord`` ('fro', 'nuc') of a 1-D input, TypeError for an input that is not a
    Tensor.
    """
    require_tensor(A, "linalg_norm", "A", 1)
    op = "linalg.norm"
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            if isinstance(ord, str):
                raise RuntimeError(f"{op}: Order {ord} not supported for vector norms.")
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim not in (1, 2):
        raise RuntimeError(f"{op}: If dim is not specified but ord is, the input must be 1D or "
                           f"2D. Got {A.ndim}D.")
    if A.ndim == 1:
        if isinstance(ord, str):  # 'fro' / 'nuc' are matrix norms (torch: RuntimeError)
            raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                               f"dimensions (linalg.norm with ord={ord!r}: got shape "
                               f"{list(A.shape)}).")
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


@honour_out("norm")
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm`` (deprecated in torch for linalg's): a number p is a vector norm over
    ``dim`` (all dims by default, even two); 'fro' the 2-norm; 'nuc' a matrix norm.

    Shapes: input (*) → the shape with ``dim`` removed (kept as size 1 with ``keepdim=True``); ()
    when ``dim`` is None. Raises IndexError for ``dim`` out of range.
    """
    _dim = [dim] if isinstance(dim, int) else dim
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return vector_norm(input, 2, _dim, keepdim, dtype=dtype)
        _dim = list(range(input.ndim)) if _dim is None else _dim
        return matrix_norm(input, p, _dim, keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, _dim, keepdim, dtype=dtype)


def dist(input, other, p=2):
    """``torch.dist``: ‖input − other‖ₚ over all elements (broadcast). Derivative: that of
    vector_norm, through the subtraction.

    Shapes: ``input`` and ``other`` broadcast → (). Raises RuntimeError for shapes that do not
    broadcast. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "dist")
    require_tensor(other, "dist", "other", 2)
    return vector_norm(sub(input, other), p)


@honour_out("renorm")
def renorm(input, p, dim, maxnorm, *, out=None):
    """``torch.renorm``: each slice along ``dim`` whose p-norm exceeds ``maxnorm`` is scaled
    down to it: x · maxnorm/(‖x‖ₚ + 1e-7) (torch's ε). Its gradient is the composite's (the
    scale depends on x through the norm), which is torch's renorm_backward.

    Shapes: any; the output has the input's shape. Raises IndexError for ``dim`` out of range;
    RuntimeError for maxnorm < 0.
    """
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           "dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    (d,) = dims(dim, input.ndim, "renorm")
    n = vector_norm(input, p, [a for a in range(input.ndim) if a != d], keepdim=True)
    one = Tensor._wrap(get_array_module(n._data).ones((), dtype=n._data.dtype))
    # .contiguous(): torch's result is row-major whatever the input's layout
    return mul(input, where(n > maxnorm, maxnorm / add(n, 1e-7), one)).contiguous()

__all__ = ["dist", "norm", "renorm"]

METHODS = {"norm": norm, "dist": dist, "renorm": renorm}
INPLACE = ("renorm",)
