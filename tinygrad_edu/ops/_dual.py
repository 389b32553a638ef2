"""``xp_of``: the array namespace a backward formula computes with.

A formula is written once (``return g * xp.cos(x)``). For arrays, ``xp`` is NumPy or CuPy:
fast, nothing recorded. Under ``create_graph=True`` the engine passes Tensors, and ``xp`` is
:data:`tensor_xp`: NumPy's names and signatures, each carried out by a differentiable Tensor
op, so the formula itself becomes part of the graph and can be differentiated again.

Only what backward formulas use is here; each entry maps a NumPy call to the torch-style
Tensor method (bound onto Tensor by ``methods.py``) that computes the same thing.
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor


def xp_of(x):
    """NumPy/CuPy for an array, the differentiable :data:`tensor_xp` for a Tensor."""
    return tensor_xp if isinstance(x, Tensor) else get_array_module(x)


def _t(x, like: Tensor) -> Tensor:
    """``x`` as a Tensor on ``like``'s device (arrays and numbers become constants)."""
    if isinstance(x, Tensor):
        return x
    xp = get_array_module(like._data)
    a = xp.asarray(x)
    if kind_of(a.dtype) == "f" and a.dtype != like._data.dtype and a.ndim == 0:
        a = a.astype(like._data.dtype)
    return Tensor._wrap(a)


def _first_tensor(*xs) -> Tensor:
    for x in xs:
        if isinstance(x, Tensor):
            return x
    raise TypeError("tensor_xp: expected at least one Tensor argument")


def _dim(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


class _TensorXP:
    """NumPy's API over differentiable Tensor ops (the ``xp`` of create_graph mode)."""

    float32, float64, bool_, int64 = np.float32, np.float64, np.bool_, np.int64
    inf, nan, pi, e = np.inf, np.nan, np.pi, np.e

    # ---- elementwise --------------------------------------------------------------------------
    @staticmethod
    def exp(x):
        return x.exp()

    @staticmethod
    def log(x):
        return x.log()

    @staticmethod
    def log1p(x):
        return x.log1p()

    @staticmethod
    def expm1(x):
        return x.expm1()

    @staticmethod
    def sqrt(x):
        return x.sqrt()

    @staticmethod
    def abs(x):
        return x.abs()

    @staticmethod
    def sign(x):
        return x.sign()

    @staticmethod
    def sin(x):
        return x.sin()

    @staticmethod
    def cos(x):
        return x.cos()

    @staticmethod
    def tanh(x):
        return x.tanh()

    @staticmethod
    def square(x):
        return x * x

    @staticmethod
    def negative(x):
        return -x

    @staticmethod
    def reciprocal(x):
        return 1 / x

    @staticmethod
    def maximum(a, b):
        t = _first_tensor(a, b)
        return _t(a, t).maximum(_t(b, t))

    @staticmethod
    def minimum(a, b):
        t = _first_tensor(a, b)
        return _t(a, t).minimum(_t(b, t))

    @staticmethod
    def where(cond, a, b):
        t = _first_tensor(a, b, cond)  # a number takes the values' dtype, not the condition's
        c = cond if isinstance(cond, Tensor) else _t(cond, t)
        if not isinstance(a, Tensor) and not isinstance(b, Tensor):
            return Tensor._wrap(get_array_module(c._data).where(c._data, a, b))
        v = _first_tensor(a, b)  # a number takes the values' dtype (not the bool condition's)
        return _t(a, v).where(c, _t(b, v))

    @staticmethod
    def isnan(x):
        return x.isnan()

    @staticmethod
    def isinf(x):
        return x.isinf()

    @staticmethod
    def isfinite(x):
        return x.isfinite()

    @staticmethod
    def astype(x, dtype):
        return x.to(_dt.to_dtype(dtype))

    # ---- reductions -----------------------------------------------------------------------------
    @staticmethod
    def sum(x, axis=None, keepdims=False):
        return x.sum() if axis is None and not keepdims else x.sum(dim=_dim(axis), keepdim=keepdims)

    @staticmethod
    def mean(x, axis=None, keepdims=False):
        return x.mean() if axis is None and not keepdims else x.mean(dim=_dim(axis),
                                                                     keepdim=keepdims)

    @staticmethod
    def cumsum(x, axis=None):
        return x.reshape(-1).cumsum(0) if axis is None else x.cumsum(axis)

    # ---- creation -------------------------------------------------------------------------------
    @staticmethod
    def zeros_like(x, dtype=None):  # a constant: no gradient flows through zeros
        d = x._data.dtype if dtype is None else _dt.to_dtype(dtype).np
        return Tensor._wrap(get_array_module(x._data).zeros(x._data.shape, dtype=d))

    @staticmethod
    def ones_like(x, dtype=None):
        d = x._data.dtype if dtype is None else _dt.to_dtype(dtype).np
        return Tensor._wrap(get_array_module(x._data).ones(x._data.shape, dtype=d))

    @staticmethod
    def flip(x, axis):
        return x.flip(axis if isinstance(axis, (list, tuple)) else (axis,))

    # ---- shape ----------------------------------------------------------------------------------
    @staticmethod
    def reshape(x, shape):
        return x.reshape(tuple(shape) if isinstance(shape, (list, tuple)) else shape)

    @staticmethod
    def broadcast_to(x, shape):
        return x.expand(*shape)

    @staticmethod
    def expand_dims(x, axis):
        axes = axis if isinstance(axis, (list, tuple)) else (axis,)
        for a in sorted(a % (x.ndim + len(axes)) for a in axes):
            x = x.unsqueeze(a)
        return x

    @staticmethod
    def swapaxes(x, a, b):
        return x.transpose(a, b)

    @staticmethod
    def moveaxis(x, src, dst):
        return x.movedim(src, dst)

    @staticmethod
    def transpose(x, axes=None):
        return x.permute(*(axes if axes is not None else reversed(range(x.ndim))))

    @staticmethod
    def matmul(a, b):
        t = _first_tensor(a, b)
        return _t(a, t) @ _t(b, t)

    @staticmethod
    def take_along_axis(x, idx, axis):
        return x.gather(axis, _t(idx, x))


tensor_xp = _TensorXP()
