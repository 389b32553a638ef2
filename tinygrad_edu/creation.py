"""Making tensors: tensor(), zeros/ones/full/arange/..., random tensors, legacy constructors."""

from __future__ import annotations

import numpy as np

from . import dtype as _dt
from . import random as _random
from ._rng import kernels as _k
from .backend import asarray, to_device
from .factories import arange, eye, linspace  # noqa: F401  (re-exported: torch.arange & co)
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
    return _finish(np.full(_size(size), fill, dtype=d.np), None, device, requires_grad)


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


def zeros_like(input, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    d, dev = _like(input, dtype, device)
    return zeros(*input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    d, dev = _like(input, dtype, device)
    return ones(*input.shape, dtype=d, device=dev, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    d, dev = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=d, device=dev, requires_grad=requires_grad)


def _float_dtype(dtype, op: str):
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.float32
    if not d.is_floating_point:
        raise NotImplementedError(f'"{op}" not implemented for \'{_dt_name(d)}\'')
    return d


def _dt_name(d) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(d.name, d.name.capitalize())


# ---- random tensors: drawn on the host from torch's generator (see tinygrad_edu/random.py) ------
# Each is torch's recipe: an empty tensor filled by the in-place sampler (rand = uniform_(0, 1),
# randn = normal_(0, 1), randint = random_(low, high) ...), so the same seed gives torch's values.


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """U[0, 1) of ``size``: float32 takes the low 24 bits of one 32-bit word (× 2⁻²⁴), float64
    the low 53 bits of two words; torch's stream for the same seed."""
    d = _float_dtype(dtype, "check_uniform_bounds")
    arr = _k.uniform(_engine(generator), _size(size), d.np)
    return _finish(arr, None, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """N(0, 1) of ``size`` by Box–Muller, on torch's two paths: fewer than 16 elements one value
    at a time (float64 math, second value cached in the generator); 16 or more in blocks of 16
    (the last 16 redone when the size is not a multiple of 16)."""
    d = _float_dtype(dtype, "normal_kernel_cpu")
    arr = _k.normal(_engine(generator), _size(size), d.np)
    return _finish(arr, None, device, requires_grad)


def _check_range(low: int, high: int) -> None:
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers uniform on [low, high): low + (w mod (high − low)) with w one 32-bit word (a
    64-bit one when high − low ≥ 2³²). ``randint(high, size)`` means low = 0. int64 default."""
    if size is None:
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: expected (low=0, high, size)")
    low, high = int(low), int(high)
    _check_range(low, high)
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.int64
    arr = _k.random_from_to(_engine(generator), _size((size,)), d.np, low, high)
    return _finish(arr, None, device, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random permutation of 0..n−1 (forward Fisher–Yates on 32-bit words, as torch)."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    d = _dt.to_dtype(dtype) if dtype is not None else _dt.int64
    arr = _k.randperm(_engine(generator), n).astype(d.np)
    return _finish(arr, None, device, requires_grad)


def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    d, dev = _like(input, dtype, device)
    return rand(*input.shape, generator=generator, dtype=d, device=dev,
                requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    d, dev = _like(input, dtype, device)
    return randn(*input.shape, generator=generator, dtype=d, device=dev,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad=False) -> Tensor:
    """``randint`` with ``input``'s shape, dtype and device (``randint_like(x, high)`` too)."""
    if high is None:
        low, high = 0, low
    d, dev = _like(input, dtype, device)
    return randint(low, high, tuple(input.shape), generator=generator, dtype=d, device=dev,
                   requires_grad=requires_grad)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """N(mean, std²), torch's four overloads:

    - ``normal(mean: Tensor, std: Tensor)``: standard normals of the broadcast shape, · std + mean;
    - ``normal(mean: Tensor, std: float)``: N(0, std²) of mean's shape, + mean;
    - ``normal(mean: float, std: Tensor)``: standard normals of std's shape, · std + mean;
    - ``normal(mean: float, std: float, size)``: ``empty(size).normal_(mean, std)``.
    The result has the tensor argument's dtype (mean's when both are tensors).
    """
    g = _engine(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected a size for float mean and std")
        _check_std(std)
        d = _float_dtype(dtype, "normal_kernel_cpu")
        arr = _k.normal(g, _size((size,)), d.np, mean, std)
        return _finish(arr, None, device, requires_grad)
    if st:
        s = _to_host(std)
        if s.size and (s < 0).any():
            raise RuntimeError(f"normal expects all elements of std >= 0.0 (std shape "
                               f"{list(std.shape)})")
    ref = mean if mt else std
    dt = ref._data.dtype
    if mt and st:
        try:
            shape = np.broadcast_shapes(tuple(mean.shape), tuple(std.shape))
        except ValueError:
            raise RuntimeError(f"normal: mean of shape {list(mean.shape)} and std of shape "
                               f"{list(std.shape)} do not broadcast") from None
        z = _k.normal(g, shape, dt)
        # torch: output.normal_(0, 1).mul_(std).add_(mean), each in-place step rounded to dtype
        arr = ((z * _to_host(std)).astype(dt) + _to_host(mean)).astype(dt)
    elif mt:
        _check_std(std)
        z = _k.normal(g, tuple(mean.shape), dt, 0.0, std)
        arr = (z + _to_host(mean)).astype(dt)
    else:
        z = _k.normal(g, tuple(std.shape), dt)
        arr = (z * _to_host(std)).astype(dt)
        arr = (arr + dt.type(mean)).astype(dt)
    return _finish(arr, None, ref.device, requires_grad)


def _check_std(std) -> None:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def _to_host(t: Tensor) -> np.ndarray:
    from .backend import to_numpy

    return to_numpy(t._data)


def bernoulli(input, p=None, *, generator=None) -> Tensor:
    """0/1 draws, 1 with probability ``input`` (elementwise) or ``p`` (a float, for every
    element); the result has ``input``'s shape, dtype and device. u < p with u a float64
    uniform, or a float32 one (24 bits) when the probabilities are a float32 tensor."""
    g = _engine(generator)
    dt = input._data.dtype
    if p is None:
        probs = _to_host(input)
        if probs.size and not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("bernoulli: expected all probabilities of input in [0, 1] "
                               f"(input shape {list(input.shape)})")
        arr = _k.bernoulli_tensor(g, probs, dt)
    else:
        arr = _k.bernoulli_scalar(g, tuple(input.shape), dt, _check_p(p))
    return _finish(arr, None, input.device, False)


def _check_p(p) -> float:
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return p


def multinomial(input, num_samples, replacement=False, *, generator=None) -> Tensor:
    """``num_samples`` category indices per row of the weights ``input`` (1-D or 2-D, int64).

    Without replacement (and for a single sample): the top ``num_samples`` of p / q with
    q ~ Exp(1) per entry. With replacement: a float64 uniform per sample placed in the
    normalized cumulative weights. Raises RuntimeError for negative/inf/nan weights, a zero
    row, or more samples than categories without replacement."""
    p = _to_host(input)
    if p.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim (got shape "
                           f"{list(input.shape)})")
    if not np.issubdtype(p.dtype, np.floating):
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_dt_name(input.dtype)}")
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError("multinomial: cannot sample n_sample <= 0 samples")
    if not replacement and n > p.shape[-1]:
        raise RuntimeError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement (n_sample={n}, shape {list(input.shape)})")
    rows = np.atleast_2d(p)
    if not (np.isfinite(rows).all() and (rows >= 0).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(-1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    out = _k.multinomial(_engine(generator), rows, n, bool(replacement))
    return _finish(out.reshape(p.shape[:-1] + (n,)), None, input.device, False)


def _engine(generator):
    return _random.engine_of(generator)


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
