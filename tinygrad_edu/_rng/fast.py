"""Fast paths of the block normal sampler (``kernels.normal_fill``), equal bit for bit to the
plain ports they stand beside (``kernels._box_muller_16`` and ``libm``).

Why these are fast, and why they are still exact:

* float32 (torch's AVX2/AVX-512 build). ``libm.log_ps``/``sincos_ps`` emulate each fused
  multiply-add with a float64 sum and a check for the rare float64 sum that lands exactly
  halfway between two float32 values. Here the inputs can only be the values torch feeds the
  polynomials: u1 = 1 − d and u2 = d with d = k·2⁻²⁴ (k < 2²⁴), θ = float32(u2·2π) — 2²⁴
  inputs each. On that grid every fused step's float64 sum either is exact (all its terms are
  multiples of a common power of two and fit in 53 bits) or never lands on a float32 halfway
  point, so one float64 multiply-add and one rounding to float32 is the fma. This was checked
  for every one of the 2²⁴ inputs of each function (``test_rng_fast.py``, marked slow), so the
  check-free steps are proven, not sampled. Work is done in slabs that stay in cache, on
  preallocated buffers (``out=``), with no float64 temporaries beyond the fused steps.
* float64. torch calls glibc's ``log``/``cos``/``sin``. NumPy's own ``np.cos``/``np.sin``
  for float64 call the same C library functions (checked once per process on a sample; if
  they differ, we fall back to ``math`` per element). NumPy's ``np.log`` is its own SIMD code
  and differs from glibc in about 0.3% of values, so :func:`log_glibc` computes log x in
  double-double precision (a 128-entry table of 1/c and log c built with ``decimal``, plus a
  short series for log(1 + r)), which pins log x to about 10⁻³ ulp. glibc's log is within
  0.519 ulp of the exact value (its documented bound), so wherever the exact value is more
  than 0.519 − 0.5 + our error away from a rounding midpoint, glibc returns the correctly
  rounded value, which is ours. The few percent of values closer to a midpoint are taken
  from ``math.log`` (glibc itself), one at a time.
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext
from functools import lru_cache

import numpy as np

from . import libm

f32, f64 = np.float32, np.float64
TWO_PI_F32 = f32(2.0 * math.pi)
SLAB = 32768  # lanes per slab: the float32 and float64 buffers of one slab stay in L2


# ---- float32: avx_mathfun on torch's input grid ------------------------------------------------
_SQRTHF_BITS = 0x3F3504F3  # float32 √½, the split point of the log reduction
_ROW = np.dtype((np.void, 32))  # 8 float32 lanes: half a row of 16, moved as one item


class _Slab:
    """Scratch arrays for one slab of lanes, allocated once per call."""

    def __init__(self, n: int) -> None:
        self.x, self.z, self.e, self.y, self.w = (np.empty(n, f32) for _ in range(5))
        self.x64, self.z64, self.y64, self.t64 = (np.empty(n, f64) for _ in range(4))
        self.i, self.k = np.empty(n, np.int32), np.empty(n, np.int32)


def _fma(a64, b64, c, out32, t64):
    """out32 = float32(a·b + c), the product and sum in float64 (see the module doc)."""
    np.multiply(a64, b64, out=t64)
    np.add(t64, c, out=t64)
    np.copyto(out32, t64, casting="unsafe")


def _log_ps(u, out, S: _Slab):
    """``libm.log_ps(u)`` for u = 1 − d on torch's grid, written into ``out``."""
    n = u.size
    x, z, e, y, w = S.x[:n], S.z[:n], S.e[:n], S.y[:n], S.w[:n]
    x64, y64, t64 = S.x64[:n], S.y64[:n], S.t64[:n]
    k = S.i[:n]
    # u = 2^e · m with m in [√½, √2): cephes' "m < √½ → 2m, e − 1" as one integer step
    np.subtract(u.view(np.int32), _SQRTHF_BITS, out=k)
    np.right_shift(k, 23, out=k)
    np.copyto(e, k, casting="unsafe")
    np.left_shift(k, 23, out=k)
    np.subtract(u.view(np.int32), k, out=k)
    np.subtract(k.view(f32), f32(1), out=x)               # x = m − 1, exact
    np.copyto(x64, x)
    _fma(x64, libm._LOG_P[0], libm._LOG_P[1], y, t64)     # Horner, one fma per step
    for p in libm._LOG_P[2:]:
        np.copyto(y64, y)
        _fma(y64, x64, p, y, t64)
    np.multiply(x, x, out=z)
    np.multiply(y, x, out=y)                              # y·x rounded, then fma with z
    np.copyto(y64, y)
    np.copyto(x64, z)
    np.multiply(e, libm._LOG_Q1, out=w)
    np.copyto(t64, w)
    np.multiply(y64, x64, out=y64)
    np.add(y64, t64, out=y64)
    np.copyto(y, y64, casting="unsafe")                   # x³P(x) + e·q1
    np.multiply(z, f32(0.5), out=z)
    np.subtract(y, z, out=y)                              # − x²/2
    np.add(x, y, out=y)
    np.multiply(e, libm._LOG_Q2, out=w)                   # e·q2 is exact (q2 has 9 bits),
    np.add(w, y, out=out)                                 # so its fma is one float32 add
    return out


def _sincos_ps(th, sin_out, cos_out, S: _Slab):
    """``libm.sincos_ps(th)`` for th = float32(u2·2π) on torch's grid."""
    n = th.size
    x, z, y, w = S.x[:n], S.z[:n], S.y[:n], S.w[:n]
    x64, z64, y64, t64 = S.x64[:n], S.z64[:n], S.y64[:n], S.t64[:n]
    j, m = S.i[:n], S.k[:n]
    np.multiply(th, libm._FOPI, out=x)
    np.copyto(j, x, casting="unsafe")                     # truncation, as cvttps2dq
    np.add(j, 1, out=j)
    np.bitwise_and(j, -2, out=j)                          # the even octant index
    np.copyto(y, j, casting="unsafe")
    np.multiply(y, libm._DP1, out=x)                      # y·DP1 and y·DP2 are exact
    np.add(th, x, out=x)
    np.multiply(y, libm._DP2, out=w)
    np.add(x, w, out=x)
    np.copyto(x64, x)
    np.copyto(y64, y)
    np.multiply(y64, f64(libm._DP3), out=y64)
    np.add(y64, x64, out=y64)
    np.copyto(x, y64, casting="unsafe")                   # fma(y, DP3, x)
    np.copyto(x64, x)
    np.multiply(x, x, out=z)
    np.copyto(z64, z)
    # cosine 1 − z/2 + z²·Q(z), into cos_out
    _fma(z64, libm._COS_P[0], libm._COS_P[1], w, t64)
    np.copyto(y64, w)
    _fma(y64, z64, libm._COS_P[2], w, t64)
    np.multiply(w, z, out=w)
    np.copyto(y64, w)
    np.multiply(y64, z64, out=y64)
    np.multiply(z64, 0.5, out=t64)                        # z/2, exact
    np.subtract(y64, t64, out=y64)
    np.copyto(cos_out, y64, casting="unsafe")
    np.add(cos_out, f32(1), out=cos_out)
    # sine x + x³·P(z), into sin_out
    _fma(z64, libm._SIN_P[0], libm._SIN_P[1], w, t64)
    np.copyto(y64, w)
    _fma(y64, z64, libm._SIN_P[2], w, t64)
    np.multiply(w, z, out=w)
    np.copyto(y64, w)
    _fma(y64, x64, x64, sin_out, t64)
    # the octant: swap sine and cosine where bit 1 of j is set (an xor of their bits under
    # a mask), then flip the sine's sign where bit 2 is, the cosine's where ~(j − 2) has it
    s, c = sin_out.view(np.int32), cos_out.view(np.int32)
    np.right_shift(j, 1, out=m)
    np.bitwise_and(m, 1, out=m)
    np.negative(m, out=m)                                 # all ones where we swap
    d = S.e[:n].view(np.int32)
    np.bitwise_xor(s, c, out=d)
    np.bitwise_and(d, m, out=d)
    np.bitwise_xor(s, d, out=s)
    np.bitwise_xor(c, d, out=c)
    np.bitwise_and(j, 4, out=m)
    np.left_shift(m, 29, out=m)
    np.bitwise_xor(s, m, out=s)
    np.subtract(j, 2, out=m)
    np.invert(m, out=m)
    np.bitwise_and(m, 4, out=m)
    np.left_shift(m, 29, out=m)
    np.bitwise_xor(c, m, out=c)
    return sin_out, cos_out


def box_muller_16_f32(d: np.ndarray) -> np.ndarray:
    """``kernels._box_muller_16(d, float32)`` of torch's AVX2/AVX-512 build, for rows of 16
    uniforms on the 2⁻²⁴ grid: u1 = 1 − d[:, :8] (log), u2 = d[:, 8:] (sin/cos)."""
    rows = d.shape[0]
    out = np.empty((rows, 16), dtype=f32)
    step = SLAB // 8
    S = _Slab(SLAB)
    u1, rad = np.empty(SLAB, f32), np.empty(SLAB, f32)
    th, sin, cos = np.empty(SLAB, f32), np.empty(SLAB, f32), np.empty(SLAB, f32)
    halves = np.ascontiguousarray(d, dtype=f32).view(_ROW)  # (rows, 2): lanes 0-7 and 8-15
    out_halves = out.view(_ROW)
    for i in range(0, rows, step):
        r = min(step, rows - i)
        n = 8 * r
        np.copyto(u1[:n].view(_ROW), halves[i:i + r, 0])
        np.copyto(th[:n].view(_ROW), halves[i:i + r, 1])
        np.subtract(f32(1), u1[:n], out=u1[:n])
        np.multiply(th[:n], TWO_PI_F32, out=th[:n])
        _log_ps(u1[:n], rad[:n], S)
        np.multiply(rad[:n], f32(-2), out=rad[:n])
        np.sqrt(rad[:n], out=rad[:n])
        _sincos_ps(th[:n], sin[:n], cos[:n], S)
        np.multiply(rad[:n], cos[:n], out=cos[:n])
        np.multiply(rad[:n], sin[:n], out=sin[:n])
        np.copyto(out_halves[i:i + r, 0], cos[:n].view(_ROW))
        np.copyto(out_halves[i:i + r, 1], sin[:n].view(_ROW))
    return out


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
