"""Bind the op functions onto Tensor as methods and operators (``x + y``, ``x.sum()`` ...).

Kept apart from tensor.py so that layering stays one-way: tensor.py knows nothing of ops.
"""

from __future__ import annotations

from .. import dtype as _dt
from ..autograd import Function
from ..backend import device_of, get_array_module, to_device
from ..tensor import Tensor, _device
from . import activation as A
from . import compare as C
from . import elementwise as E
from . import index as I
from . import inplace as IP
from . import matmul as M
from . import matrix as MX
from . import random as RND
from . import reduce as R
from . import select as SE
from . import shape as S
from . import sort as SO
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
        return ToDevice.call(g, ctx.src), None  # ∂y/∂x = 1, back on x's device


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


def _new_filled(fill):
    """``x.new_zeros(size)`` and friends: a new tensor with x's dtype and device by default."""

    def new(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
            pin_memory=False, fill_value=fill):
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = tuple(size[0])
        d = _dt.to_dtype(dtype).np if dtype is not None else self._data.dtype
        xp = get_array_module(self._data)
        arr = xp.full(tuple(int(n) for n in size), fill_value, dtype=d)
        if device is not None and _device(device) != self.device:
            arr = to_device(arr, _device(device))
        t = Tensor._wrap(arr)
        return t.requires_grad_(True) if requires_grad else t

    return new


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False):
    return _new_filled(0)(self, *size, dtype=dtype, device=device,
                          requires_grad=requires_grad, fill_value=fill_value)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                pin_memory=False):
    from ..creation import tensor

    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


_METHODS = {
    # arithmetic operators
    "__add__": E.add, "__radd__": _rop(E.add), "__sub__": E.sub, "__rsub__": _rop(E.sub),
    "__mul__": E.mul, "__rmul__": _rop(E.mul), "__truediv__": E.div,
    "__rtruediv__": _rop(E.div), "__pow__": E.pow, "__rpow__": _rop(E.pow),
    "__neg__": E.neg, "__pos__": lambda self: self, "__abs__": E.abs,
    "__matmul__": M.matmul, "__rmatmul__": _rop(M.matmul),
    "__floordiv__": C.floor_divide, "__rfloordiv__": _rop(C.floor_divide),
    "__mod__": C.remainder,
    "__eq__": C.eq, "__ne__": C.ne, "__lt__": C.lt, "__le__": C.le, "__gt__": C.gt,
    "__ge__": C.ge, "__and__": C.logical_and, "__or__": C.logical_or,
    "__xor__": C.logical_xor, "__invert__": C.logical_not,
    "__getitem__": I.getitem, "__setitem__": IP.setitem,
    # elementwise
    "add": E.add, "sub": E.sub, "subtract": E.sub, "mul": E.mul, "multiply": E.mul,
    "div": E.div, "divide": E.div, "true_divide": E.div, "neg": E.neg, "negative": E.neg,
    "pow": E.pow, "exp": E.exp, "log": E.log, "log1p": E.log1p, "sqrt": E.sqrt,
    "rsqrt": E.rsqrt, "square": E.square, "abs": E.abs, "absolute": E.abs, "sin": E.sin,
    "cos": E.cos, "clone": E.clone,
    "maximum": SE.maximum, "minimum": SE.minimum, "clamp": SE.clamp, "clip": SE.clamp,
    "where": lambda self, cond, other: SE.where(cond, self, other),
    # comparisons, logic, rounding (no gradient / zero gradient)
    "eq": C.eq, "ne": C.ne, "lt": C.lt, "le": C.le, "gt": C.gt, "ge": C.ge,
    "greater": C.gt, "less": C.lt, "sign": C.sign, "floor": C.floor, "ceil": C.ceil,
    "round": C.round, "isnan": C.isnan, "isinf": C.isinf, "isfinite": C.isfinite,
    "logical_not": C.logical_not, "logical_and": C.logical_and, "logical_or": C.logical_or,
    "equal": C.equal, "allclose": C.allclose, "isclose": C.isclose, "nonzero": C.nonzero,
    "floor_divide": C.floor_divide, "remainder": C.remainder, "all": C.all, "any": C.any,
    # reductions
    "sum": R.sum, "mean": R.mean, "prod": R.prod, "max": SO.max, "min": SO.min,
    "amax": SO.amax, "amin": SO.amin, "argmax": SO.argmax, "argmin": SO.argmin, "var": R.var,
    "std": R.std, "logsumexp": R.logsumexp, "norm": R.norm, "cumsum": SO.cumsum,
    "sort": SO.sort, "argsort": SO.argsort, "topk": SO.topk,
    # shape
    "reshape": S.reshape, "view": S.view, "flatten": S.flatten, "unflatten": S.unflatten,
    "permute": S.permute, "transpose": S.transpose, "swapaxes": S.transpose, "t": S.t,
    "squeeze": S.squeeze, "unsqueeze": S.unsqueeze, "expand": S.expand,
    "expand_as": S.expand_as, "broadcast_to": S.broadcast_to, "repeat": S.repeat,
    "split": S.split, "chunk": S.chunk, "unbind": S.unbind, "flip": S.flip,
    "narrow": S.narrow, "movedim": S.movedim,
    "view_as": lambda self, other: S.reshape(self, other.shape),
    "reshape_as": lambda self, other: S.reshape(self, other.shape),
    "contiguous": S.contiguous, "is_contiguous": S.is_contiguous,
    # indexing
    "gather": I.gather, "masked_fill": I.masked_fill, "index_select": I.index_select,
    # matrix helpers
    "tril": MX.tril, "triu": MX.triu, "diag": MX.diag, "outer": MX.outer,
    # matmul
    "matmul": M.matmul, "mm": M.mm, "bmm": M.bmm, "dot": M.dot,
    # activations
    "relu": A.relu, "leaky_relu": A.leaky_relu, "prelu": A.prelu, "sigmoid": A.sigmoid,
    "tanh": A.tanh, "softmax": A.softmax, "log_softmax": A.log_softmax, "elu": A.elu,
    "gelu": A.gelu, "silu": A.silu, "softplus": A.softplus,
    # in place (add_, mul_, zero_ ... are made by inplace._methods below)
    # random (drawn as torch's CPU generator draws; see ops/random.py)
    "normal_": RND.normal_, "uniform_": RND.uniform_, "bernoulli_": RND.bernoulli_,
    "exponential_": RND.exponential_, "geometric_": RND.geometric_,
    "log_normal_": RND.log_normal_, "cauchy_": RND.cauchy_, "random_": RND.random_,
    "bernoulli": RND.bernoulli, "multinomial": RND.multinomial,
    # new tensors like this one
    "new_zeros": _new_filled(0), "new_ones": _new_filled(1), "new_empty": _new_filled(0),
    "new_full": _new_full, "new_tensor": _new_tensor,
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


_METHODS.update(IP._methods())


def bind() -> None:
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(lambda self: S.permute(self, *reversed(range(self._data.ndim))))
    Tensor.mT = property(lambda self: S.transpose(self, -2, -1))
    Tensor.H = Tensor.T


bind()
