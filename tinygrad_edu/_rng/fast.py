"""Fast paths of the float64 block normal sampler (``kernels.normal_fill``), equal bit for bit
to the plain port they stand beside (``kernels._box_muller_16`` and ``libm``). The float32 path
of torch's AVX builds is ``fast32``.

Why these are fast, and why they are still exact: torch calls glibc's ``log``/``cos``/``sin``.
NumPy's own ``np.cos``/``np.sin`` for float64 call the same C library functions (checked once
per process on a sample; if they differ, we fall back to ``math`` per element). NumPy's
``np.log`` is its own SIMD code and differs from glibc in about 0.3% of values, so
:func:`log_glibc` computes log x in double-double precision (a 128-entry table of 1/c and
log c built with ``decimal``, plus a short series for log(1 + r)), which pins log x to about
10⁻³ ulp. glibc's log is within 0.519 ulp of the exact value (its documented bound), so
wherever the exact value is more than 0.519 − 0.5 + our error away from a rounding midpoint,
glibc returns the correctly rounded value, which is ours. The few percent of values closer to
a midpoint are taken from ``math.log`` (glibc itself), one at a time. Work is done in slabs
that stay in cache.
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext
from functools import lru_cache

import numpy as np

from . import libm

f64 = np.float64
SLAB = 32768  # lanes per slab: the buffers of one slab stay in L2


# ---- float64: glibc's log, cos and sin ---------------------------------------------------------
@lru_cache(maxsize=None)
def numpy_calls_libm(name: str) -> bool:
    """Whether NumPy's float64 ``np.<name>`` returns what the C library (``math.<name>``)
    returns, on a fixed sample of θ in [0, 2π). Checked once per process."""
    x = np.random.default_rng(12345).random(4096) * (2.0 * math.pi)
    ref = libm.elementwise(getattr(math, name), x)
    return bool(np.array_equal(getattr(np, name)(x), ref))


def trig_glibc(name: str, x: np.ndarray) -> np.ndarray:
    """glibc's float64 ``cos``/``sin`` on an array: NumPy's loop when it calls glibc."""
    if numpy_calls_libm(name):
        return getattr(np, name)(x)
    return libm.elementwise(getattr(math, name), x)  # pragma: no cover - other NumPy builds


_OFF = 0x3FE6000000000000  # z = x / 2^k lands in [0.6875, 1.375), split in 128 intervals
# ln 2 to 42 bits, so k·LN2_HI is exact for |k| < 2¹¹
_LN2_HI = f64(float.fromhex("0x1.62e42fefa3800p-1"))


@lru_cache(maxsize=None)
def _log_table():
    """Per interval i: invc = 1/c to 24 bits (so z·invc splits exactly) and log c as two
    doubles (computed with ``decimal`` to 40 digits). The two intervals around 1 use c = 1,
    so log x near 1 is the series alone, with no cancellation."""
    getcontext().prec = 40
    invc = np.empty(128)
    hi, lo = np.zeros(128), np.zeros(128)
    for i in range(128):
        a = np.array([_OFF + (i << 45), _OFF + ((i + 1) << 45)], dtype=np.int64).view(f64)
        if a[0] <= 1.0 <= a[1] or a[1] == 1.0:
            invc[i] = 1.0
            continue
        inv = 2.0 / (a[0] + a[1])
        invc[i] = math.ldexp(round(math.ldexp(inv, 24)), -24)  # 24 bits
        lc = -Decimal(invc[i]).ln()
        hi[i] = float(lc)
        lo[i] = float(lc - Decimal(hi[i]))
    ln2 = Decimal(2).ln()
    ln2_lo = float(ln2 - Decimal(float(_LN2_HI)))
    return invc, hi, lo, ln2_lo


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


_SERIES = [(-1) ** (j + 1) / j for j in range(10, 2, -1)]  # −1/10, 1/9, ..., 1/3
MARGIN = 0.025  # ulp: glibc's 0.519 bound (0.019 past the midpoint) plus our own small error


def log_glibc(x: np.ndarray) -> np.ndarray:
    """glibc's float64 ``log`` of an array (exact for every input; fast for positive normal
    finite x, see the module doc), in cache-sized blocks."""
    x = np.ascontiguousarray(x, dtype=f64)
    out = np.empty_like(x)
    flat, res = x.reshape(-1), out.reshape(-1)
    for i in range(0, flat.size, SLAB // 2):
        res[i:i + SLAB // 2] = _log_block(flat[i:i + SLAB // 2])
    return out


def _log_block(x: np.ndarray) -> np.ndarray:
    invc_t, hi_t, lo_t, ln2_lo = _log_table()
    ix = x.view(np.int64)
    tmp = ix - _OFF
    i = (tmp >> 45) & 127
    kk = tmp >> 52                                        # arithmetic shift: x = 2^k · z
    z = (ix - (kk << 52)).view(f64)
    k = kk.astype(f64)
    invc = invc_t[i]
    # r = z·invc − 1 exactly, as rh + rl: invc has 24 bits, so z's 27/26-bit halves times invc
    # are exact, and z·invc is within 2⁻⁸ of 1 (p − 1 is exact)
    c = z * 134217729.0
    zh = c - (c - z)
    p = z * invc
    rl = (zh * invc - p) + (z - zh) * invc
    rh = p - 1.0
    # log(1 + r) − r = −r²/2 + r³/3 − ... (|r| < 2⁻⁷), plus the rh·rl cross term
    poly = rh * _SERIES[0]
    for coef in _SERIES[1:]:
        poly = rh * (poly + coef)
    series = rh * rh * (poly - 0.5) + (rl - rh * rl)
    # k·ln2 + log c + rh + series, as a double-double
    s1, e1 = _two_sum(k * _LN2_HI, hi_t[i])
    s2, e2 = _two_sum(s1, rh)
    lo = e1 + e2 + (series + (k * ln2_lo + lo_t[i]))
    hi = s2 + lo
    lo = lo - (hi - s2)
    # where the exact value may sit within MARGIN ulp of a midpoint, ask glibc itself
    ulp = np.abs(np.spacing(hi))
    near = np.abs(lo) >= (0.5 - MARGIN) * ulp
    near |= (hi.view(np.int64) & 0x000FFFFFFFFFFFFF) == 0  # powers of two: uneven ulps
    near |= ~np.isfinite(x) | (x < 2.2250738585072014e-308)  # outside the domain
    idx = np.flatnonzero(near)
    if idx.size:
        hi[idx] = libm.elementwise(math.log, x[idx])
    return hi


_ROW64 = np.dtype((np.void, 64))  # 8 float64 lanes


def box_muller_16_f64(d: np.ndarray) -> np.ndarray:
    """``kernels._box_muller_16(d, float64)``: glibc's log, cos and sin, in cache-sized slabs."""
    halves = np.ascontiguousarray(d, dtype=f64).view(_ROW64)  # (rows, 2): lanes 0-7, 8-15
    rows = halves.shape[0]
    out = np.empty((rows, 16), dtype=f64)
    out_halves = out.view(_ROW64)
    step = SLAB // 16
    u1, u2, c = (np.empty(8 * step, f64) for _ in range(3))
    for i in range(0, rows, step):
        r = min(step, rows - i)
        n = 8 * r
        np.copyto(u1[:n].view(_ROW64), halves[i:i + r, 0])
        np.copyto(u2[:n].view(_ROW64), halves[i:i + r, 1])
        np.subtract(1.0, u1[:n], out=u1[:n])
        radius = _log_block(u1[:n])
        np.multiply(radius, -2.0, out=radius)
        np.sqrt(radius, out=radius)
        np.multiply(u2[:n], 2.0 * math.pi, out=u2[:n])
        np.multiply(radius, trig_glibc("cos", u2[:n]), out=c[:n])
        np.copyto(out_halves[i:i + r, 0], c[:n].view(_ROW64))
        np.multiply(radius, trig_glibc("sin", u2[:n]), out=c[:n])
        np.copyto(out_halves[i:i + r, 1], c[:n].view(_ROW64))
    return out
