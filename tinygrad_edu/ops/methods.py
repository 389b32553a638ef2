"""Bind the op functions onto Tensor as methods and operators (``x + y``, ``x.sum()`` ...).

Kept apart from tensor.py so that layering stays one-way: tensor.py knows nothing of ops.
"""

from __future__ import annotations

from .. import dtype as _dt
from ..autograd import Function
from ..backend import device_of, get_array_module, to_device
from ..tensor import Tensor, _device
from . import activation as A
from . import elementwise as E
from . import index as I
from . import inplace as IP
from . import matmul as M
from . import reduce as R
from . import shape as S
from ._util import cast


class ToDevice(Function):
    """y = x copied to another device (the gradient is copied back)"""

    array_io = True

    @staticmethod
    def forward(ctx, x, dev):
        ctx.src = device_of(x)
        return to_device(x, dev)

    @staticmethod
    def backward(ctx, g):
        return to_device(g, ctx.src), None


def to(self, *args, **kwargs):
    """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(other_tensor)``."""
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif isinstance(a, (str,)) or type(a).__name__ == "device":
            dev = a
        elif a is not None:
            dt = a
    out = self
    if dt is not None:
        out = cast(out, _dt.to_dtype(dt))
    if dev is not None and _device(dev) != out.device:
        out = ToDevice.apply(out, _device(dev))
    return out


def _type(self, dtype=None, non_blocking=False):
    from ..creation import LEGACY_TYPES

    if dtype is None:
        legacy = LEGACY_TYPES.get(self.dtype)
        name = legacy.__name__ if legacy else f"{self.dtype.name}Tensor"
        return ("torch.cuda." if self.device.type == "cuda" else "torch.") + name
    if isinstance(dtype, str):
        name = dtype.rsplit(".", 1)[-1]
        match = [t for t in LEGACY_TYPES.values() if t.__name__ == name]
        if not match:
            raise TypeError(f"type(): invalid type string {dtype!r}")
        dtype = match[0].dtype
    return cast(self, getattr(dtype, "dtype", None) or _dt.to_dtype(dtype))


def _rop(fn):
    return lambda self, other: fn(other, self)


def _size_args(*s):
    return s


_METHODS = {
    # arithmetic operators
    "__add__": E.add, "__radd__": _rop(E.add), "__sub__": E.sub, "__rsub__": _rop(E.sub),
    "__mul__": E.mul, "__rmul__": _rop(E.mul), "__truediv__": E.div,
    "__rtruediv__": _rop(E.div), "__pow__": E.pow, "__rpow__": _rop(E.pow),
    "__neg__": E.neg, "__pos__": lambda self: self, "__abs__": E.abs,
    "__matmul__": M.matmul, "__rmatmul__": _rop(M.matmul),
    "__floordiv__": E.floor_divide, "__rfloordiv__": _rop(E.floor_divide),
    "__mod__": E.remainder,
    "__eq__": E.eq, "__ne__": E.ne, "__lt__": E.lt, "__le__": E.le, "__gt__": E.gt,
    "__ge__": E.ge, "__and__": E.logical_and, "__or__": E.logical_or,
    "__xor__": E.logical_xor, "__invert__": E.logical_not,
    "__getitem__": I.getitem, "__setitem__": I.setitem,
    "__iadd__": IP.add_, "__isub__": IP.sub_, "__imul__": IP.mul_, "__itruediv__": IP.div_,
    # elementwise
    "add": E.add, "sub": E.sub, "subtract": E.sub, "mul": E.mul, "multiply": E.mul,
    "div": E.div, "divide": E.div, "true_divide": E.div, "neg": E.neg, "negative": E.neg,
    "pow": E.pow, "exp": E.exp, "log": E.log, "sqrt": E.sqrt, "rsqrt": E.rsqrt,
    "square": E.square, "abs": E.abs, "absolute": E.abs, "sin": E.sin, "cos": E.cos,
    "maximum": E.maximum, "minimum": E.minimum, "clamp": E.clamp, "clip": E.clamp,
    "where": lambda self, cond, other: E.where(cond, self, other), "clone": E.clone,
    "eq": E.eq, "ne": E.ne, "lt": E.lt, "le": E.le, "gt": E.gt, "ge": E.ge,
    "greater": E.gt, "less": E.lt, "sign": E.sign, "floor": E.floor, "ceil": E.ceil,
    "round": E.round, "isnan": E.isnan, "isinf": E.isinf, "isfinite": E.isfinite,
    "logical_not": E.logical_not, "logical_and": E.logical_and, "logical_or": E.logical_or,
    "equal": E.equal, "allclose": E.allclose, "isclose": E.isclose, "nonzero": E.nonzero,
    "floor_divide": E.floor_divide, "remainder": E.remainder,
    # reductions
    "sum": R.sum, "mean": R.mean, "prod": R.prod, "max": R.max, "min": R.min,
    "amax": R.amax, "amin": R.amin, "argmax": R.argmax, "argmin": R.argmin, "var": R.var,
    "std": R.std, "logsumexp": R.logsumexp, "norm": R.norm, "cumsum": R.cumsum,
    "sort": R.sort, "argsort": R.argsort, "topk": R.topk,
    # shape
    "reshape": S.reshape, "view": S.view, "flatten": S.flatten, "unflatten": S.unflatten,
    "permute": S.permute, "transpose": S.transpose, "swapaxes": S.transpose, "t": S.t,
    "squeeze": S.squeeze, "unsqueeze": S.unsqueeze, "expand": S.expand,
    "expand_as": S.expand_as, "broadcast_to": S.broadcast_to, "repeat": S.repeat,
    "split": S.split, "chunk": S.chunk, "unbind": S.unbind, "flip": S.flip,
    "narrow": S.narrow, "movedim": S.movedim,
    "view_as": lambda self, other: S.reshape(self, other.shape),
    "reshape_as": lambda self, other: S.reshape(self, other.shape),
    "contiguous": lambda self, *a, **k: self, "is_contiguous": lambda self, *a, **k: True,
    # indexing
    "gather": I.gather, "masked_fill": I.masked_fill,
    # matmul
    "matmul": M.matmul, "mm": M.mm, "bmm": M.bmm, "dot": M.dot,
    # activations
    "relu": A.relu, "leaky_relu": A.leaky_relu, "prelu": A.prelu, "sigmoid": A.sigmoid,
    "tanh": A.tanh, "softmax": A.softmax, "log_softmax": A.log_softmax, "elu": A.elu,
    "gelu": A.gelu, "silu": A.silu, "softplus": A.softplus,
    # in place
    "add_": IP.add_, "sub_": IP.sub_, "mul_": IP.mul_, "div_": IP.div_, "pow_": IP.pow_,
    "zero_": IP.zero_, "fill_": IP.fill_, "copy_": IP.copy_, "clamp_": IP.clamp_,
    "clip_": IP.clamp_, "masked_fill_": IP.masked_fill_, "normal_": IP.normal_,
    "uniform_": IP.uniform_, "bernoulli_": IP.bernoulli_, "relu_": IP.relu_,
    # conversion
    "to": to, "type": _type, "type_as": lambda self, other: cast(self, other.dtype),
    "float": lambda self, *a, **k: cast(self, _dt.float32),
    "double": lambda self, *a, **k: cast(self, _dt.float64),
    "half": lambda self, *a, **k: cast(self, _dt.float16),
    "long": lambda self, *a, **k: cast(self, _dt.int64),
    "int": lambda self, *a, **k: cast(self, _dt.int32),
    "bool": lambda self, *a, **k: cast(self, _dt.bool_),
    "cpu": lambda self: to(self, "cpu"),
    "cuda": lambda self, device=None, **k: to(self, "cuda"),
}


def bind() -> None:
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(lambda self: S.permute(self, *reversed(range(self._data.ndim))))
    Tensor.mT = property(lambda self: S.transpose(self, -2, -1))
    Tensor.H = Tensor.T


bind()
_ = get_array_module
