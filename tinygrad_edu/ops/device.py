"""Moving tensors between devices and dtypes: ``to``, ``type``, ``cpu``, ``cuda``.
"""

from __future__ import annotations

from .. import dtype as _dt
from ..autograd import Function
from ..backend import device_of, to_device
from ..creation import LEGACY_TYPES
from ..tensor import Tensor, _device
from .promotion import cast


class ToDeviceFn(Function):
    """y = x copied to another device (the gradient is copied back)"""

    node_name = "ToCopyBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, dev):
        ctx.src = device_of(x)
        return to_device(x, dev)

    @staticmethod
    def backward(ctx, g):
        return ToDeviceFn.call(g, ctx.src), None  # ∂y/∂x = 1, back on x's device


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
        out = ToDeviceFn.apply(out, _device(dev))
    return out


def _type(self, dtype=None, non_blocking=False):
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


METHODS = {
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
