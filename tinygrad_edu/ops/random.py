"""In-place random fills (``x.normal_()``, ``x.uniform_()``, ``x.bernoulli_()`` ...) and the
random Tensor methods (``x.bernoulli()``, ``x.multinomial()``), drawn as torch draws them.

The values come from the host generator (``tinygrad_edu.random``; ``generator=`` picks another
stream), computed by ``_rng.kernels`` exactly as torch's CPU kernels compute them, and are
written into the tensor's storage in ONE host→device copy. torch's serial kernels walk the
tensor in memory order, so a non-contiguous tensor (a transposed view) is filled in that order
too; ``normal_`` takes its 16-wide block path only on contiguous tensors, as torch does.

Like every in-place op these refuse a leaf that requires grad while grad mode is on (use
``torch.no_grad()``, as ``nn.init`` does) and bump the tensor's version; on a non-leaf in a
graph the write is recorded, with a zero gradient to the values it replaced (as torch).
"""

from __future__ import annotations

import numpy as np

from .. import random as _random
from .._args import no_kernel
from .._rng import kernels as _k
from ..backend import is_meta, to_device, to_numpy
from ..dtype import kind_of, torch_type_name
from ..sampling import bernoulli as _bernoulli
from ..sampling import multinomial as _multinomial
from ..tensor import Tensor
from ._util import named
from .inplace import CopyFromFn, inplace, records_write
from .inplace import check_inplace as _check
from .inplace import write as _write


def _dtype_name(arr) -> str:
    return torch_type_name(arr.dtype)


def _memory_axes(arr) -> tuple:
    """The axes of ``arr`` from largest to smallest stride: its memory order."""
    return tuple(sorted(range(arr.ndim), key=lambda a: -abs(arr.strides[a])))


# torch's grad_fn of each fill, recorded when the tensor is part of a graph
_NODES = {"uniform_": "UniformBackward0", "normal_": "NormalBackward0",
          "bernoulli_": "BernoulliBackward2", "exponential_": "ExponentialBackward0",
          "geometric_": "GeometricBackward0", "cauchy_": "CauchyBackward0",
          "log_normal_": "LogNormalBackward0", "random_": "RandomBackward0"}


def _fill(self: Tensor, op: str, draw, node: str | None = None) -> Tensor:
    """Check that ``op`` may run in place, draw values with ``draw(shape)`` in the tensor's
    memory order, and write them in one copy. In a graph (a non-leaf that requires grad, or a
    view of one) the write is recorded like any in-place op: the new values do not depend on the
    old ones, so the history before the write gets a zero gradient (torch's zeros_like(grad)),
    never the gradient of values that are no longer there."""
    _check(self, op)
    data = self._data
    axes = _memory_axes(data)
    if is_meta(data):  # no values to draw (torch's generator does not advance either)
        vals = data
    elif axes == tuple(range(data.ndim)):
        vals = to_device(draw(tuple(data.shape)), self.device)
    else:  # drawn in memory order, then laid back in logical order
        mem = draw(tuple(data.shape[a] for a in axes))
        vals = np.empty(data.shape, dtype=mem.dtype)
        vals.transpose(axes)[...] = mem
        vals = to_device(vals, self.device)
    if records_write(self):
        name = node or _NODES[op]
        return inplace(self, op, lambda old: named(CopyFromFn.apply(old, vals), name))
    return _write(self, vals, op)


def _float_only(self: Tensor, kernel: str) -> None:
    no_kernel(self, kernel, "biu")


def _continuous(self: Tensor, name: str) -> None:
    """torch's RuntimeError for a continuous distribution drawn into a non-floating tensor."""
    if kind_of(self._data.dtype) != "f":
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{_dtype_name(self._data)}")


def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    """FillFn with U[from, to): u·(to − from) + from in the tensor's dtype (one fma in torch's
    AVX2 build), u from 24 (float32) or 53 (float64) random bits.

    Shapes: any; filled in place (the shape is kept). Raises RuntimeError for from > to.
    """
    _float_only(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    g = _random.engine_of(generator)
    return _fill(self, "uniform_", lambda s: _k.uniform(g, s, self._data.dtype, from_, to))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """FillFn with N(mean, std²) by Box–Muller (torch's block path for ≥ 16 contiguous float32 /
    float64 elements, one value at a time otherwise).

    Shapes: any; filled in place (the shape is kept). Raises RuntimeError for std < 0.
    """
    _float_only(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    g = _random.engine_of(generator)
    contiguous = bool(self._data.flags.c_contiguous)
    return _fill(self, "normal_", lambda s: _k.normal(g, s, self._data.dtype, mean, std,
                                                      contiguous))


def bernoulli_(self, p=0.5, *, generator=None):
    """FillFn with 0/1: 1 where u < p. ``p`` is a float, or a tensor of probabilities that
    broadcasts to self (then u is a float32 uniform unless p is float64).

    Shapes: any; filled in place (the shape is kept). Raises RuntimeError for p outside [0, 1].
    """
    g = _random.engine_of(generator)
    dt = self._data.dtype
    if isinstance(p, Tensor):
        probs = to_numpy(p._data)
        try:
            probs = np.broadcast_to(probs, self._data.shape)
        except ValueError:
            raise RuntimeError(f"bernoulli_: p of shape {list(p.shape)} does not broadcast to "
                               f"self of shape {list(self.shape)}") from None
        if probs.size and not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("bernoulli_: expected all probabilities of p in [0, 1]")
        return _fill(self, "bernoulli_",
                     lambda s: _k.bernoulli_tensor(g, np.ascontiguousarray(
                         probs.transpose(_memory_axes(self._data))).reshape(s), dt),
                     "BernoulliBackward1")
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _fill(self, "bernoulli_", lambda s: _k.bernoulli_scalar(g, s, dt, p))


def exponential_(self, lambd=1.0, *, generator=None):
    """FillFn with ExpFn(λ): −(1/λ)·log1p(−u), u a float64 uniform.

    Shapes: any; filled in place (the shape is kept). Raises RuntimeError for lambd ≤ 0.
    """
    _continuous(self, "Exponential")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    g = _random.engine_of(generator)
    return _fill(self, "exponential_",
                 lambda s: _k.exponential(g, s, self._data.dtype, float(lambd)))


def geometric_(self, p, *, generator=None):
    """FillFn with Geometric(p) on {1, 2, ...}: ⌈log u / log1p(−p)⌉.

    Shapes: any; filled in place (the shape is kept). Raises RuntimeError for p outside (0, 1),
    NotImplementedError for a bool tensor.
    """
    no_kernel(self, "geometric_cpu")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    g = _random.engine_of(generator)
    return _fill(self, "geometric_", lambda s: _k.geometric(g, s, self._data.dtype, float(p)))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """FillFn with exp(N(mean, std²)) (one value at a time, sharing normal_'s Box–Muller cache).

    Shapes: any; filled in place (the shape is kept). Raises RuntimeError for std ≤ 0.
    """
    _float_only(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    g = _random.engine_of(generator)
    return _fill(self, "log_normal_",
                 lambda s: _k.log_normal(g, s, self._data.dtype, float(mean), float(std)))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """FillFn with Cauchy(median, σ): median + σ·tan(π(u − ½)).

    Shapes: any; filled in place (the shape is kept). Raises RuntimeError for sigma ≤ 0 or a
    non-floating tensor.
    """
    _continuous(self, "Cauchy")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    g = _random.engine_of(generator)
    return _fill(self, "cauchy_", lambda s: _k.cauchy(g, s, self._data.dtype, float(median),
                                                      float(sigma)))


def random_(self, from_=None, to=None, *, generator=None):
    """FillFn with integers: ``random_(from, to)`` uniform on [from, to), ``random_(to)`` on
    [0, to), ``random_()`` on [0, 2^mantissa] for floats or [0, max] for integers.

    Shapes: any; filled in place (the shape is kept). Raises RuntimeError for from ≥ to.
    """
    g = _random.engine_of(generator)
    dt = self._data.dtype
    if from_ is None and to is None:
        return _fill(self, "random_", lambda s: _k.random_full(g, s, dt), "RandomBackward2")
    node = "RandomBackward0"
    if to is None:
        from_, to, node = 0, from_, "RandomBackward1"
    from_, to = int(from_), int(to)
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} "
                           f">= to={to}")
    if kind_of(dt) in "iu" and not (np.iinfo(dt).min <= from_ and to - 1 <= np.iinfo(dt).max):
        raise RuntimeError(f"to - 1 is out of bounds for {_dtype_name(self._data).lower()}")
    return _fill(self, "random_", lambda s: _k.random_from_to(g, s, dt, from_, to), node)


def bernoulli(self, p=None, *, generator=None):
    """``torch.bernoulli(self)`` (self holds probabilities) or ``torch.bernoulli(self, p)``;
    the method has no ``out=`` (torch's method has none either: TypeError).

    Shapes: the tensor's shape. Raises RuntimeError for probabilities outside [0, 1].
    """
    return _bernoulli(self, p, generator=generator)


def multinomial(self, num_samples, replacement=False, *, generator=None):
    """``torch.multinomial(self, num_samples, replacement)``.

    Shapes: (C,) → (num_samples,); (N, C) → (N, num_samples). Raises RuntimeError for more samples
    than categories without replacement, and for negative, inf or nan weights.
    """
    return _multinomial(self, num_samples, replacement, generator=generator)


METHODS = {
    "normal_": normal_, "uniform_": uniform_, "bernoulli_": bernoulli_,
    "exponential_": exponential_, "geometric_": geometric_, "log_normal_": log_normal_,
    "cauchy_": cauchy_, "random_": random_, "bernoulli": bernoulli, "multinomial": multinomial,
}
