"""In-place ops (``add_``, ``zero_``, ``x -= lr * g`` ...): allowed where torch allows them
without a graph: on tensors that do not require grad, or under ``no_grad``. Each bumps the
tensor's version so a backward that saved the old values refuses to run."""

from __future__ import annotations

import numpy as np

from ..autograd import is_grad_enabled
from ..backend import get_array_module
from ..tensor import Tensor


def _check(self: Tensor, op: str, other=None) -> None:
    if is_grad_enabled():
        if self.requires_grad:
            if self._node is None:
                raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in "
                                   "an in-place operation.")
            raise RuntimeError(f"{op}: in-place operations on tensors that are part of the "
                               "autograd graph are not supported by tinygrad_edu; use the "
                               "out-of-place op")
        if isinstance(other, Tensor) and other.requires_grad:
            raise RuntimeError(f"{op}: in-place operation with an operand that requires grad "
                               "would drop its gradient; use the out-of-place op")


def _write(self: Tensor, value, op: str) -> Tensor:
    """Write ``value`` into self's storage (same array object: views and saved refs see it)."""
    d = self._data
    xp = get_array_module(d)
    value = value._data if isinstance(value, Tensor) else value
    if type(value) is not np.ndarray and xp is not np and hasattr(value, "shape"):
        value = xp.asarray(value)
    vk = getattr(value, "dtype", np.asarray(value).dtype).kind
    if d.dtype.kind in "iub" and vk == "f":
        raise RuntimeError(f"{op}: result type Float can't be cast to the desired output type "
                           f"{self.dtype.name.capitalize()}")
    try:
        if d.ndim == 0:
            d[...] = value
        else:
            xp.copyto(d, value, casting="unsafe")
    except ValueError as e:
        raise RuntimeError(f"{op}: cannot write a value of shape {list(np.shape(value))} into a "
                           f"tensor of shape {list(d.shape)} ({e})") from None
    self._version += 1
    return self


def _operand(self, other):
    return other._data if isinstance(other, Tensor) else other


def add_(self, other, *, alpha=1):
    _check(self, "add_", other)
    o = _operand(self, other)
    return _write(self, self._data + (o * alpha if alpha != 1 else o), "add_")


def sub_(self, other, *, alpha=1):
    _check(self, "sub_", other)
    o = _operand(self, other)
    return _write(self, self._data - (o * alpha if alpha != 1 else o), "sub_")


def mul_(self, other):
    _check(self, "mul_", other)
    return _write(self, self._data * _operand(self, other), "mul_")


def div_(self, other):
    _check(self, "div_", other)
    return _write(self, self._data / _operand(self, other), "div_")


def pow_(self, exponent):
    _check(self, "pow_", exponent)
    return _write(self, self._data ** _operand(self, exponent), "pow_")


def zero_(self):
    _check(self, "zero_")
    self._data[...] = 0
    self._version += 1
    return self


def fill_(self, value):
    _check(self, "fill_", value)
    self._data[...] = _operand(self, value)
    self._version += 1
    return self


def copy_(self, src, non_blocking=False):
    _check(self, "copy_", src)
    from ..backend import to_device

    s = src._data if isinstance(src, Tensor) else np.asarray(src)
    s = to_device(s, self.device)
    return _write(self, get_array_module(s).broadcast_to(s, self._data.shape), "copy_")


def clamp_(self, min=None, max=None):
    _check(self, "clamp_")
    return _write(self, get_array_module(self._data).clip(self._data, min, max), "clamp_")


def masked_fill_(self, mask, value):
    _check(self, "masked_fill_")
    m = mask._data if isinstance(mask, Tensor) else mask
    xp = get_array_module(self._data)
    return _write(self, xp.where(m, _operand(self, value), self._data), "masked_fill_")


# the random fills (normal_, uniform_, bernoulli_, ...) live in ops/random.py


def relu_(self):
    _check(self, "relu_")
    xp = get_array_module(self._data)
    return _write(self, xp.maximum(self._data, 0), "relu_")  # torch: relu(nan) = nan


def requires_no_grad(self):
    return self
