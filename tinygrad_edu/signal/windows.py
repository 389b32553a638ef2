"""``tg.signal.windows``: the window functions of ``torch.signal.windows`` (hann, hamming,
blackman, bartlett, cosine, exponential, gaussian, kaiser, nuttall, general_cosine,
general_hamming), with torch's arguments, checks and formulas.

``sym=True`` (the default) gives a symmetric window for filter design; ``sym=False`` a periodic
one for spectral analysis (the symmetric window of length M + 1, minus its last point). Each is
computed in float64 from the same sample points torch uses, then cast to the dtype.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..dtype import default_float, finfo, float32, float64, to_dtype
from ..factories import _finish, strided

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _checks(name: str, M: int, dtype, layout):
    """torch's common checks; the dtype (the default dtype when None)."""
    d = to_dtype(dtype, name) if dtype is not None else default_float()
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if d not in (float32, float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: torch.{d.name}")
    return d


def _points(M: int, start: float, step: float):
    """torch's sample points: linspace(start, start + (M − 1)·step, M), in float64."""
    return start + step * np.arange(M, dtype=np.float64)


def _make(values, d, device, requires_grad):
    return _finish(np.asarray(values, dtype=np.float64).astype(d.np), device, requires_grad)


def _trivial(M: int, d, device, requires_grad, one: bool = True):
    """The windows of length 0 (empty) and 1 (a single 1), or None."""
    if M == 0:
        return _make(np.zeros(0), d, device, requires_grad)
    if M == 1 and one:
        return _make(np.ones(1), d, device, requires_grad)
    return None


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=strided, device=None,
                requires_grad=False):
    """wₙ = exp(−|n − c| / τ) with c = (M − 1)/2 (M/2 for a periodic window). Raises ValueError
    for τ ≤ 0 or a center given with sym=True."""
    d = _checks("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _trivial(M, d, device, requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    k = _points(M, -center / tau, 1 / tau)
    return _make(np.exp(-np.abs(k)), d, device, requires_grad)


def cosine(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """wₙ = sin(π (n + ½) / M) (M + 1 for a periodic window)."""
    d = _checks("cosine", M, dtype, layout)
    if M == 0:
        return _trivial(M, d, device, requires_grad)
    c = math.pi / (M + 1 if not sym and M > 1 else M)
    return _make(np.sin(_points(M, 0.5 * c, c)), d, device, requires_grad)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=strided, device=None,
             requires_grad=False):
    """wₙ = exp(−(n − (M − 1)/2)² / (2σ²)). Raises ValueError for σ ≤ 0."""
    d = _checks("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _trivial(M, d, device, requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / (std * math.sqrt(2))
    return _make(np.exp(-_points(M, start * c, c) ** 2), d, device, requires_grad)


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=strided, device=None,
           requires_grad=False):
    """wₙ = I₀(β √(1 − (2n/(M − 1) − 1)²)) / I₀(β) (I₀: the modified Bessel function of the
    first kind, order 0). Raises ValueError for β < 0."""
    d = _checks("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    t = _trivial(M, d, device, requires_grad)
    if t is not None:
        return t
    b = float(np.dtype(d.np).type(beta))
    c = 2.0 * b / (M if not sym else M - 1)
    k = np.minimum(_points(M, -b, c), b)
    with np.errstate(all="ignore"):
        num = _i0(np.sqrt(np.maximum(b * b - k * k, 0)), d.np)
        return _make(num / _i0(np.asarray(b), d.np), d, device, requires_grad)


def _i0(x, np_dtype):
    """I₀(x) in ``np_dtype`` as torch computes it (Cephes: eˣ · series / √x for x > 8, so in
    float32 it overflows to inf once eˣ does, for x > ln(max float32) ≈ 88.72)."""
    v = np.i0(x).astype(np_dtype)
    return np.where(np.abs(x) > np.log(finfo(np_dtype).max), np.inf, v).astype(np_dtype)


def bartlett(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """wₙ = 1 − |2n/(M − 1) − 1| (a triangle)."""
    d = _checks("bartlett", M, dtype, layout)
    t = _trivial(M, d, device, requires_grad)
    if t is not None:
        return t
    c = 2 / (M if not sym else M - 1)
    return _make(1 - np.abs(_points(M, -1.0, c)), d, device, requires_grad)


def general_cosine(M, *, a, sym=True, dtype=None, layout=strided, device=None,
                   requires_grad=False):
    """wₙ = Σᵢ (−1)ⁱ aᵢ cos(2π i n / (M − 1)). Raises TypeError when ``a`` is not a sequence,
    ValueError when it is empty."""
    d = _checks("general_cosine", M, dtype, layout)
    t = _trivial(M, d, device, requires_grad)
    if t is not None:
        return t
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    k = _points(M, 0.0, 2 * math.pi / (M if not sym else M - 1))
    w = sum((-1) ** i * c * np.cos(i * k) for i, c in enumerate(a))
    return _make(w, d, device, requires_grad)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=strided, device=None,
                    requires_grad=False):
    """wₙ = α − (1 − α) cos(2π n / (M − 1))."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The Hamming window: general_hamming with α = 0.54."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The Hann window: general_hamming with α = 0.5 (½ − ½ cos(2π n / (M − 1)))."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The Blackman window: general_cosine with a = (0.42, 0.5, 0.08)."""
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """Nuttall's minimum 4-term Blackman–Harris window: general_cosine with a = (0.3635819,
    0.4891775, 0.1365995, 0.0106411)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)
