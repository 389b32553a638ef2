"""Making tensors: tensor(), zeros/ones/full/arange/..., the legacy constructors (FloatTensor...).
Random tensors (rand, randn, normal, bernoulli ...) are in :mod:`tinygrad_edu.sampling`."""

from __future__ import annotations

import math

import numpy as np

from . import dtype as _dt
from ._args import check_memory_format, require_tensor
from .backend import DEFAULT_DEVICE, to_device
from .backend import full as _full_on
from .factories import arange, eye, linspace  # noqa: F401  (re-exported: torch.arange & co)
from .tensor import Tensor, _as_array, _device


def _finish(arr, dtype, device, requires_grad) -> Tensor:
    if dtype is not None:
        arr = arr.astype(_dt.to_dtype(dtype).np, copy=False)
    device = DEFAULT_DEVICE[-1] if device is None else device  # (`with tg.device(...)`)
    if _device(device).type != "cpu":
        arr = to_device(arr, _device(device))
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def draw_on(device, shape, d, kernel):
    """A random factory's values, ``kernel(shape)`` drawn on the host; on ``device="meta"`` an
    empty meta array of dtype ``d`` instead (nothing drawn: torch's generator does not advance)."""
    device = DEFAULT_DEVICE[-1] if device is None else device
    return _full_on(shape, 0, d.np, _device(device)) if str(device) == "meta" else kernel(shape)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (lists, scalars, arrays, tensors).

    Shapes: data's shape (nested lists: their lengths, outermost first). Raises ValueError for
    ragged nested lists.
    """
    d = None if dtype is None else _dt.to_dtype(dtype, "tensor")
    arr = _as_array(data, d)
    if device is None and isinstance(data, Tensor):
        device = data.device
    if isinstance(data, (np.ndarray, Tensor)) or hasattr(data, "__cuda_array_interface__"):
        arr = arr.copy()  # tensor() always copies, as torch's does
    if not isinstance(arr, np.ndarray) and device is None:
        device = "cuda"
    return _finish(arr, None, device, requires_grad)


def as_tensor(data, *, dtype=None, device=None) -> Tensor:
    """The data as a tensor, sharing memory when it can (torch.as_tensor): a Tensor with the
    requested dtype and device is returned as is; otherwise a new tensor is made (as
    ``tensor(data, dtype, device)``). dtype rule: float data → the default dtype (float32
    unless changed), ints → int64, bools → bool, unless ``dtype`` is given.

    Shapes: data's shape (nested lists: their lengths, outermost first). Raises ValueError for
    ragged nested lists.
    """
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    d = None if dtype is None else _dt.to_dtype(dtype, "as_tensor")
    return _finish(_as_array(data, d), None, device, False)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (its dtype kept, as torch does).

    Raises TypeError for an object that is not a NumPy array.
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_numpy_dtype(ndarray.dtype)
    return Tensor._wrap(ndarray)


def _size(size, op: str | None = None):
    """``size`` (ints, or one tuple/list of them) as a tuple of ints; with ``op``, a negative
    size is torch's RuntimeError naming ``op`` (every creation function checks its size here),
    and no size at all torch's TypeError (``zeros(())`` is the 0-d size; ``zeros()`` is none)."""
    if not size and op is not None:
        raise TypeError(f'{op}() missing 1 required positional arguments: "size"')
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(isinstance(s, (int, np.integer)) or (isinstance(s, Tensor) and s.numel() == 1)
               for s in size):
        raise TypeError(f"size must be a tuple of ints, but got {size!r}")
    if len(size) > 64:  # NumPy's limit; torch's own ops stop there too
        raise RuntimeError(f"only tensors with up to 64 dims are supported (NumPy arrays hold "
                           f"at most 64; got {len(size)})")
    size = tuple(int(s) for s in size)
    if op is not None and any(n < 0 for n in size):
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension "
                           f"{min(size)}: {list(size)}")
    return size


def _const(fill, size, dtype, device, requires_grad, default=None, op="zeros"):
    d = _dt.to_dtype(dtype, op) if dtype is not None else (default or _dt.default_float())
    dev = DEFAULT_DEVICE[-1] if device is None else _device(device)  # made there: no transfer
    shape = _size(size, op) if not size else _size(size)
    if any(n < 0 for n in shape):
        raise RuntimeError(f"{op}: Dimension size must be non-negative (size {list(shape)})")
    return _finish(_full_on(shape, fill, d.np, dev), None, dev, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of the given size filled with 0. ``size`` is ints or one tuple/list
    (``zeros(2, 3)`` = ``zeros((2, 3))``; ``zeros(())`` is 0-d). dtype: the default dtype
    (``get_default_dtype()``, float32 unless changed) unless ``dtype=``. Raises RuntimeError
    for a negative dimension, TypeError for a size that is not ints.
    """
    return _const(0, size, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of the given size filled with 1 (sizes and dtype as :func:`zeros`).

    Raises RuntimeError for a negative size; TypeError for a non-int size.
    """
    return _const(1, size, dtype, device, requires_grad, op="ones")


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of the given size whose values are unspecified (torch.empty). Here they are
    zeros: NumPy could hand back uninitialised memory, and a learner printing it should see
    something reproducible. Sizes and dtype as :func:`zeros`.

    Raises RuntimeError for a negative size; TypeError for a non-int size.
    """
    return _const(0, size, dtype, device, requires_grad, op="empty")


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``. dtype rule (torch's): the
    fill value's own kind — bool → bool, int → int64, float → the default dtype (float32
    unless changed) — unless ``dtype=``.

    Raises RuntimeError for a negative size, or a value the dtype cannot hold (torch's
    overflow rule, :func:`~tinygrad_edu.dtype.checked_scalar`: 300 in uint8; −9 wraps to 247).
    """
    default = _dt.scalar_dtype(fill_value)
    if isinstance(fill_value, _dt.NUMBERS):  # torch's overflow rule
        fill_value = _dt.checked_scalar(
            fill_value, _dt.to_dtype(dtype, "full") if dtype is not None else default,
            inf_ok=all(type(n) is int for n in size) and math.prod(size) == 1)
    return _const(fill_value, (tuple(size),), dtype, device, requires_grad, default, "full")


def _like(t: Tensor, dtype, device, op: str = "zeros_like", memory_format=None):
    require_tensor(t, op)
    if memory_format is not None:
        check_memory_format(memory_format, op)
    return (_dt.to_dtype(dtype, op) if dtype is not None else t.dtype), (
        device if device is not None else t.device)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """A new tensor of ``input``'s shape filled with 0; dtype and device default to ``input``'s
    (``dtype=``/``device=`` override them). Shapes: out has input's shape (any, 0-d and empty
    included). ``memory_format`` is accepted and ignored (every tensor here is contiguous
    row-major). Raises TypeError when ``input`` is not a Tensor or ``memory_format`` not a
    ``torch.memory_format``.
    """
    d, dev = _like(input, dtype, device, "zeros_like", memory_format)
    return zeros(tuple(input.shape), dtype=d, device=dev, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """A new tensor of ``input``'s shape filled with 1; dtype and device default to ``input``'s
    (``dtype=``/``device=`` override them). Shapes: out has input's shape (any, 0-d and empty
    included). ``memory_format`` is accepted and ignored (every tensor here is contiguous
    row-major). Raises TypeError when ``input`` is not a Tensor or ``memory_format`` not a
    ``torch.memory_format``.
    """
    d, dev = _like(input, dtype, device, "ones_like", memory_format)
    return ones(tuple(input.shape), dtype=d, device=dev, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """A new tensor of ``input``'s shape with unspecified values (zeros here, as :func:`empty`);
    dtype and device default to ``input``'s (``dtype=``/``device=`` override them). Shapes: out has
    input's shape (any, 0-d and empty included). ``memory_format`` is accepted and ignored (every
    tensor here is contiguous row-major). Raises TypeError when ``input`` is not a Tensor or
    ``memory_format`` not a ``torch.memory_format``.
    """
    _like(input, dtype, device, "empty_like", memory_format)
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """A new tensor of ``input``'s shape filled with ``fill_value``; dtype and device default to
    ``input``'s (``dtype=``/``device=`` override them). Shapes: out has input's shape (any, 0-d and
    empty included). ``memory_format`` is accepted and ignored (every tensor here is contiguous
    row-major). Raises TypeError when ``input`` is not a Tensor or ``memory_format`` not a
    ``torch.memory_format``.
    """
    d, dev = _like(input, dtype, device, "full_like", memory_format)
    return full(input.shape, fill_value, dtype=d, device=dev, requires_grad=requires_grad)


class _LegacyType:
    """``tg.FloatTensor`` & co: call to build a tensor; pass to ``.type()`` to convert.

    Shapes: ``FloatTensor(2, 3)`` → (2, 3); ``FloatTensor(data)`` → data's shape. Raises
    ValueError for ragged nested lists.
    """

    def __init__(self, name: str, d: _dt.dtype):
        self.__name__ = name
        self.dtype = d

    def __call__(self, *data):
        if len(data) == 1 and not isinstance(data[0], (int, np.integer)):
            return tensor(data[0], dtype=self.dtype)
        return zeros(data or (0,), dtype=self.dtype)  # FloatTensor() is empty, as torch's

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

