"""xlogy: input · ln(other), its Function's forward and backward side by side.

torch's kernel computes a float16/bfloat16 ln y in the half type (std::log of a c10::Half or
c10::BFloat16 returns that type), so the logarithm is rounded before the product; its backward
formulas, xlogy(g, y) and (g·x)/y, are half-type ops too. NumPy's float16 ufuncs already round
each step; bfloat16 (opmath off) widens to float32 and rounds where torch rounds.

float32: the kernel is a scalar loop (``cpu_kernel``, no vectorized twin) calling ``std::log``,
i.e. the C library's ``logf``. glibc's ``logf`` is not correctly rounded and NumPy's float32
``log`` is its own SIMD code: they differ in the last bit for ~5 % of inputs, which the product
carries into ~4 % of results (up to 3 ulp where |x| is large). :func:`_logf` therefore takes
the C library's ``logf`` itself: a numba loop over ``math.log`` when numba is installed (it
calls ``logf``; not with Intel's SVML, whose vector log differs), else ``backend.libm_float``
(ctypes, one call per element: exact, slower).
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtype as _dt
from .._numba import MIN_ELEMENTS, load_kernel, numba_module, takes
from ..autograd import Function
from ..backend import libm_float
from ..tensor import Tensor
from ._dual import xp_of
from ._util import named, quiet
from .promotion import array_module, binary, check_int_scalar, require_tensor, write_out

_BF16, _F32 = _dt.bfloat16.np, _dt.float32.np
_KERNELS: dict = {}  # the compiled logf loop (None: not available), filled on first use
ENABLED = True  # False: _logf() always takes the ctypes path (tests switch it off)


def logf_loop(y, out):
    """out = logf(y) elementwise (flat float32 arrays): numba compiles math.log on a float32
    to a call of the C library's logf, the function torch's scalar kernel calls."""
    for i in range(y.size):
        out[i] = math.log(y[i])


def _warm_up(fn):
    a = np.ones(2, np.float32)
    fn(a, a.copy())


def _logf(y):
    """ln y for a float32 NumPy array, rounded as the C library's ``logf`` rounds it (torch's
    ``std::log`` on a float); other arrays (CuPy, meta) fall back inside ``libm_float``."""
    numba = numba_module()
    if (takes(y, min_size=MIN_ELEMENTS) and y.dtype == _F32 and numba is not None
            and not numba.config.USING_SVML):  # SVML would vectorize math.log: other bits
        fn = load_kernel(__name__, logf_loop, _warm_up, "xlogy's logf",
                         "xlogy calls logf through ctypes")
        if fn is not None:
            out = np.empty_like(y)
            fn(y.reshape(-1), out.reshape(-1))
            return out
    return libm_float("log", y)


class XlogyFn(Function):
    """z = x · ln y, with 0 where x = 0 (unless y is NaN); a number operand is cast to the
    tensor's dtype first, as torch's kernel reads it. float16/bfloat16: ln y is rounded to the
    type, then the product (torch's kernel: std::log of a half type returns that type)"""

    array_io = True
    opmath = False  # bfloat16 computed here: its ln y is rounded before the product

    @staticmethod
    def forward(ctx, x, y, x_read=None):
        # x_read: x is a 0-d float tensor of another dtype beside a half-type y; the kernel
        # casts it to y's type, the backward's g·x reads it as the float32 number x_read
        ctx.save_for_backward(x, y)
        ctx.x_read = x_read
        xp = array_module(x, y)
        d = (x if hasattr(x, "shape") and x_read is None else y).dtype
        with quiet():  # (a number beyond the half type's range is ±inf there, as in torch)
            x, y = (v if hasattr(v, "shape") and v.dtype == d else xp.asarray(v, dtype=d)
                    for v in (x, y))
            if d is _BF16:  # NumPy's bfloat16 steps: in float32, each rounded
                x, y = _dt.widen_bfloat16(x), _dt.widen_bfloat16(y)
                log_y = _dt.widen_bfloat16(_dt.to_bfloat16(xp.log(y)))
                z = xp.where(xp.isnan(y), xp.nan, xp.where(x == 0, 0.0, x * log_y))
                return _dt.to_bfloat16(z)
            log_y = _logf(y) if d is _F32 else xp.log(y)  # float32: glibc's logf, as torch
            return xp.where(xp.isnan(y), xp.nan, xp.where(x == 0, 0.0, x * log_y))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad[:2]
        x_dtype = x.dtype if hasattr(x, "dtype") else None
        if ctx.x_read is not None:  # (the 0-d x: as a number from here on, see forward)
            x = ctx.x_read
        xp = xp_of(g)
        gx = gy = None
        zero = xp.zeros_like(g) if g.dtype is _BF16 else 0.0  # (0.0 widens bfloat16)
        with quiet():
            if nx:  # ∂z/∂x = ln y; torch: xlogy(g, y), 0 where x = 0 and y ≤ 0
                gx = xp.where((x == 0) & (y <= 0), zero, XlogyFn.call(g, y))
                if ctx.x_read is not None:  # torch's sum_to in the half type, then x's dtype
                    gx = xp.asarray(gx.sum(dtype=_F32), dtype=g.dtype).astype(x_dtype)
            if ny:  # ∂z/∂y = x/y; torch: (g·x)/y, each step in the type
                if hasattr(x, "shape") or g.dtype not in _dt.REDUCED_FLOATS:
                    gy = g * x / y
                else:  # x a number: g·x in float32 (torch's opmath for a scalar), rounded
                    gy = xp.astype(xp.astype(g, _F32) * x, g.dtype) / y
        return (gx, gy) if len(ctx.needs_input_grad) == 2 else (gx, gy, None)


def _zero_d_beside_half(x, y) -> bool:
    """x a 0-d float tensor of another dtype, y a float16/bfloat16 NumPy tensor (not 0-d): the
    result is y's type, and torch's backward ``grad * self`` takes x as a CPU scalar, read in
    float32 (opmath), unrounded to the half type."""
    if not (isinstance(x, Tensor) and isinstance(y, Tensor)):
        return False
    dx, dy = x._data, y._data
    return (dy.dtype in _dt.REDUCED_FLOATS and dy.ndim > 0 and dx.ndim == 0
            and dx.dtype != dy.dtype and _dt.kind_of(dx.dtype) == "f"
            and type(dx) is np.ndarray and type(dy) is np.ndarray)


def xlogy(input, other, *, out=None):
    """``torch.xlogy``: input · ln(other), 0 where input = 0 (NaN where other is NaN); either
    may be a number. dtype: floating (integers: the default dtype). Derivatives: ln(other) (0
    where input = 0 and other ≤ 0) and input/other. Shapes: ``input`` and ``other`` broadcast
    (torch's rules). Raises RuntimeError for unbroadcastable shapes or an ``out`` of a dtype it
    cannot cast to; TypeError for two non-Tensor arguments."""
    if not isinstance(input, Tensor):
        require_tensor(other, "xlogy", "other", 2)
    t, n = (input, other) if isinstance(input, Tensor) else (other, input)
    if _zero_d_beside_half(input, other):  # torch's backward reads the 0-d x in float32
        z = XlogyFn.apply(input, other, float(_F32.type(input._data)))
    elif type(n) in (float, int, bool) and t.dtype.itemsize == 2 and t.is_floating_point():
        check_int_scalar(n)  # a half type and a number: the forward casts it, the backward
        z = XlogyFn.apply(input, other)  # reads it unrounded (torch's g·x in float32)
    else:
        z = binary(XlogyFn, input, other, True, "xlogy")
    k = 0 if isinstance(input, Tensor) and isinstance(other, Tensor) else (
        1 if isinstance(other, Tensor) else 2)
    return write_out(out, named(z, f"XlogyBackward{k}"), "xlogy")


__all__ = ["xlogy"]
