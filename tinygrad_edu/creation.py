"""Making tensors: tensor(), zeros/ones/full/arange/..., random tensors, legacy constructors."""

from __future__ import annotations

import numpy as np

from . import dtype as _dt
from .backend import CPU, asarray, rng, to_device
from .backend import full as _full_on
from .tensor import Tensor, _as_array, _device


def _finish(arr, dtype, device, requires_grad) -> Tensor:
    if dtype is not None:
        arr = arr.astype(_dt.to_dtype(dtype).np, copy=False)
    if device is not None and _device(device).type != "cpu":
        arr = to_device(arr, _device(device))
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (lists, scalars, arrays, tensors)."""
    d = None if dtype is None else _dt.to_dtype(dtype)
    arr = _as_array(data, d)
    if device is None and isinstance(data, Tensor):
        device = data.device
    if isinstance(data, (np.ndarray, Tensor)) or hasattr(data, "__cuda_array_interface__"):
        arr = arr.copy()  # tensor() always copies, as torch's does
    if not isinstance(arr, np.ndarray) and device is None:
        device = "cuda"
    return _finish(arr, None, device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    d = None if dtype is None else _dt.to_dtype(dtype)
    return _finish(_as_array(data, d), None, device, False)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (its dtype kept, as torch does)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_numpy_dtype(ndarray.dtype)
    return Tensor._wrap(ndarray)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _const(fill, size, dtype, device, requires_grad, default=None):
    d = _dt.to_dtype(dtype) if dtype is not None else (default or _dt.float32)
    dev = CPU if device is None else _device(device)  # built on the device: no transfer
    return _finish(_full_on(_size(size), fill, d.np, dev), None, None, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _const(0, size, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _const(1, size, dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _const(0, size, dtype, device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    default = _dt.scalar_dtype(fill_value)
    return _const(fill_value, (tuple(size),), dtype, device, requires_grad, default)


def _like(t: Tensor, dtype, device):
    return (dtype if dtype is not None else t.dtype), (device if device is not None else t.device)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    d, dev = _like(input, dtype, device)
    return zeros(*input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    d, dev = _like(input, dtype, device)
    return ones(*input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    d, dev = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=d, device=dev, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    is_float = any(isinstance(v, float) for v in vals)
    d = _dt.to_dtype(dtype) if dtype is not None else (_dt.float32 if is_float else _dt.int64)
    arr = np.arange(*vals, dtype=np.float64 if is_float else np.int64).astype(d.np)
    return _finish(arr, None, device, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.float32
    arr = np.linspace(start, end, int(steps), dtype=np.float64).astype(d.np)
    return _finish(arr, None, device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.float32
    return _finish(np.eye(n, m, dtype=d.np), None, device, requires_grad)


def _float_dtype(dtype):
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.float32
    if not d.is_floating_point:
        raise RuntimeError(f"random: expected a floating point dtype, got {d}")
    return d


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    """Uniform on [0, 1), from the one host generator (same numbers on every device)."""
    d = _float_dtype(dtype)
    g = rng(generator)
    arr = g.random(_size(size), dtype=d.np if d in (_dt.float32, _dt.float64) else np.float64)
    return _finish(arr.astype(d.np, copy=False), None, device, requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    """Standard normal, from the one host generator."""
    d = _float_dtype(dtype)
    g = rng(generator)
    arr = g.standard_normal(_size(size),
                            dtype=d.np if d in (_dt.float32, _dt.float64) else np.float64)
    return _finish(arr.astype(d.np, copy=False), None, device, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.int64
    arr = rng(generator).integers(low, high, size=tuple(size)).astype(d.np)
    return _finish(arr, None, device, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None) -> Tensor:
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.int64
    return _finish(rng(generator).permutation(int(n)).astype(d.np), None, device, False)


def rand_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    d, dev = _like(input, dtype, device)
    return rand(*input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    d, dev = _like(input, dtype, device)
    return randn(*input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def normal(mean, std, size=None, *, generator=None, dtype=None) -> Tensor:
    if size is None:
        size = np.broadcast_shapes(np.shape(mean), np.shape(std))
    d = _float_dtype(dtype)
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    return _finish(rng(generator).normal(m, s, tuple(size)).astype(d.np), None, None, False)


def multinomial(input, num_samples, replacement=False) -> Tensor:
    p = np.asarray(input._data, dtype=np.float64)
    p = p / p.sum(-1, keepdims=True)
    g = rng(None)
    rows = np.atleast_2d(p)
    out = np.stack([g.choice(len(r), num_samples, replace=replacement, p=r) for r in rows])
    return Tensor._wrap(out.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64))


class _LegacyType:
    """``tg.FloatTensor`` & co: call to build a tensor; pass to ``.type()`` to convert."""

    def __init__(self, name: str, d: _dt.dtype):
        self.__name__ = name
        self.dtype = d

    def __call__(self, *data):
        if len(data) == 1 and not isinstance(data[0], (int, np.integer)):
            return tensor(data[0], dtype=self.dtype)
        return zeros(*data, dtype=self.dtype)

    def __instancecheck__(self, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is self.dtype

    def __repr__(self) -> str:
        return f"<class 'torch.{self.__name__}'>"


FloatTensor = _LegacyType("FloatTensor", _dt.float32)
DoubleTensor = _LegacyType("DoubleTensor", _dt.float64)
LongTensor = _LegacyType("LongTensor", _dt.int64)
IntTensor = _LegacyType("IntTensor", _dt.int32)
BoolTensor = _LegacyType("BoolTensor", _dt.bool_)
ByteTensor = _LegacyType("ByteTensor", _dt.uint8)
LEGACY_TYPES = {t.dtype: t for t in (FloatTensor, DoubleTensor, LongTensor, IntTensor,
                                     BoolTensor, ByteTensor)}

_ = asarray
