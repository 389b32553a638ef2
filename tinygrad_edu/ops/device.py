"""Moving tensors between devices and dtypes: ``to``, ``type``, ``cpu``, ``cuda``.
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from .._args import check_memory_format, require_tensor
from ..autograd import Function
from ..backend import device_of, to_device
from ..tensor import _device
from ._parse_to import parse_to, type_name
from .promotion import CastFn, cast


class ToDeviceFn(Function):
    """y = x copied to another device (the gradient is copied back)"""

    node_name = "ToCopyBackward0"  # torch's name for this node

    array_io = True
    opmath = False  # moves the array as it is (bfloat16 too: the backend refuses it on a GPU)

    @staticmethod
    def forward(ctx, x, dev):
        ctx.src = device_of(x)
        return to_device(x, dev)

    @staticmethod
    def backward(ctx, g):
        return ToDeviceFn.call(g, ctx.src), None  # ∂y/∂x = 1, back on x's device


def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False,
       memory_format=None):
    """``to(dtype)``, ``to(device[, dtype])``, ``to(other)`` — each optionally followed by
    ``non_blocking`` and ``copy`` (torch's three signatures, read by ``_parse_to``). Returns
    ``self`` when nothing changes (unless ``copy=True``); differentiable (the gradient is
    cast/moved back).

    Raises TypeError for arguments none of torch's signatures takes (``to("cpu", "cpu")``,
    ``to(float64, "cpu")``, ``to(other, float32)``, a dtype named by a string or NumPy type).

    Shapes: any; the output has the input's shape.
    """
    if len(args) == 1 and device is None and dtype is None and not copy and not non_blocking \
            and memory_format is None and isinstance(args[0], (_dt.dtype, str)):
        if isinstance(args[0], str):  # the common x.to("cuda") / x.to(dtype)
            device = args[0]
        else:
            return cast(self, args[0])
    else:
        given = (("device", device, None), ("dtype", dtype, None),
                 ("non_blocking", non_blocking, False), ("copy", copy, False),
                 ("memory_format", memory_format, None))
        kwargs = {k: v for k, v, unset in given if v is not unset}  # the ones given
        device, dtype, non_blocking, copy, memory_format = parse_to(args, kwargs)
    out = self
    if dtype is not None:
        out = cast(out, dtype)
    if device is not None and _device(device) != out.device:
        out = ToDeviceFn.apply(out, _device(device))
    if copy and out is self:
        out = CastFn.apply(self, self._data.dtype)  # a copy, still in the graph
    return out


def _legacy_name(d) -> str:
    """torch's legacy tensor type name of the dtype ``d``: ``FloatTensor``, ``BFloat16Tensor``."""
    return _dt.torch_type_name(d) + "Tensor"


_BY_LEGACY_NAME = {_legacy_name(d): d for d in _dt.ALL}


def _type(self, dtype=None, non_blocking=False):
    """``Tensor.type``: with no argument, the legacy type name (``'torch.FloatTensor'``,
    ``'torch.HalfTensor'``, ``'torch.BFloat16Tensor'``, ``'torch.LongTensor'`` ...; on a GPU
    ``'torch.cuda.FloatTensor'``); with a dtype, a legacy type (``tg.FloatTensor``) or a type
    name (``'torch.DoubleTensor'``, ``'torch.cuda.HalfTensor'``), ``self`` cast to it (same
    shape; moved to the GPU for a ``torch.cuda.`` name). Raises ValueError "invalid type: ..."
    for an unknown type name and TypeError for an argument that is no type, str or dtype (torch's
    messages). Differentiable (the gradient is cast back).

    Shapes: any; the output has the input's shape.
    """
    if not isinstance(non_blocking, (bool, np.bool_)):
        raise TypeError(f"type(): argument 'non_blocking' (position 2) must be bool, not "
                        f"{type_name(non_blocking)}")
    if dtype is None:
        prefix = "torch.cuda." if self.device.type == "cuda" else "torch."
        return prefix + _legacy_name(self.dtype)
    if isinstance(dtype, type):  # torch reads a Python class by its name: float → 'float'
        mod = dtype.__module__
        dtype = dtype.__qualname__ if mod == "builtins" else f"{mod}.{dtype.__qualname__}"
    if isinstance(dtype, str):
        cuda_name = dtype.startswith("torch.cuda.")
        name = dtype[len("torch.cuda."):] if cuda_name else dtype[len("torch."):]
        target = _BY_LEGACY_NAME.get(name) if dtype.startswith("torch.") else None
        if target is None:
            raise ValueError(f"invalid type: {dtype!r}")
        out = cast(self, target)
        return to(out, "cuda") if cuda_name else out
    target = dtype if isinstance(dtype, _dt.dtype) else getattr(dtype, "dtype", None)
    if not isinstance(target, _dt.dtype):  # neither a dtype nor a legacy type (tg.FloatTensor)
        raise TypeError("dtype must be a type, str, or dtype object")
    return cast(self, target)


def type_as(self, other):
    """``Tensor.type_as``: ``self`` cast to ``other``'s dtype (same shape; ``self`` itself when
    the dtypes already agree). Differentiable for a floating target.

    Shapes: any; the output has the input's shape (``other`` any shape). Raises TypeError when
    ``other`` is not a Tensor.
    """
    require_tensor(other, "type_as", "other")
    return cast(self, other.dtype)


def _caster(dtype, name: str):
    """The ``Tensor.float``-style method that casts to ``dtype``."""

    def method(self, *, memory_format=None):  # torch: no positional argument
        if memory_format is not None:
            check_memory_format(memory_format, name)
        return cast(self, dtype)

    method.__name__ = method.__qualname__ = name
    grad = ("Differentiable (the gradient is cast back)." if dtype.is_floating_point else
            "Not differentiable: the result never requires grad (torch's rule for integers).")
    method.__doc__ = (f"``Tensor.{name}()``: ``self`` cast to {dtype}, any shape, kept (``self`` "
                      f"itself when it already is {dtype}). {grad} Raises TypeError for a "
                      "positional argument or a ``memory_format`` that is not one (torch's "
                      "signature).\n\nShapes: any; the output has the input's shape.")
    return method


def cpu(self):
    """``Tensor.cpu()``: ``self`` on the CPU (NumPy), same shape and dtype; ``self`` itself when
    it already is there. Differentiable (the gradient is copied back to the GPU).

    Shapes: any; the output has the input's shape.
    """
    return to(self, "cpu")


def cuda(self, device=None, non_blocking=False, memory_format=None):
    """``Tensor.cuda()``: ``self`` on the GPU (CuPy), same shape and dtype. Raises RuntimeError
    when CuPy or a GPU is missing (torch's CPU build raises AssertionError).

    Shapes: any; the output has the input's shape.
    """
    return to(self, "cuda")


_CASTS = {"float": _dt.float32, "double": _dt.float64, "half": _dt.float16,
          "bfloat16": _dt.bfloat16, "long": _dt.int64, "int": _dt.int32, "bool": _dt.bool_,
          "byte": _dt.uint8, "char": _dt.int8, "short": _dt.int16}

METHODS = {"to": to, "type": _type, "type_as": type_as, "cpu": cpu, "cuda": cuda,
           **{name: _caster(dt, name) for name, dt in _CASTS.items()}}
