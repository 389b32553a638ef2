"""Exact floating point for the sampler: the functions torch's kernels call, bit for bit.

Two traps make "the same formula" give different bits:

* NumPy's ``log``/``cos``/``sin`` are its own SIMD implementations, not the C library's, and
  differ from glibc's (which torch calls) in the last bit for a share of inputs. Scalar work
  therefore goes through Python's ``math`` (glibc for float64) or, for float32, glibc's
  ``logf``/``cosf``/``sinf`` through ctypes.
* torch's AVX2 and AVX-512 builds are compiled with fused multiply-add contraction, and its
  float32 normal sampler uses the AVX polynomial log/sincos of ``avx_mathfun`` (Pommier's
  sse_mathfun, ported to AVX), not libm. :func:`log_ps` and :func:`sincos_ps` are that
  polynomial evaluation, one rounding per step, with every step the compiler fuses done as a
  single-rounding fma.

NumPy has no fma, so :func:`fma32` and :func:`fma64` emulate it exactly on arrays.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

import numpy as np

f32, f64 = np.float32, np.float64


# ---- which of torch's CPU builds to follow ------------------------------------------------------
def cpu_capability() -> str:
    """The kernel build torch picks on this CPU: "AVX512", "AVX2" or "DEFAULT".

    Follows torch's rule: ``ATEN_CPU_CAPABILITY`` (default / avx2 / avx512) if set, otherwise the
    best the CPU supports. Only the AVX2/AVX-512 builds fuse multiply-adds and use the polynomial
    float32 normal sampler (torch registers no separate AVX-512 normal kernel)."""
    env = os.environ.get("ATEN_CPU_CAPABILITY", "").strip().lower()
    if env in ("default", "avx2", "avx512"):
        return env.upper()
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:  # pragma: no cover - NumPy 1.x layout
        from numpy.core._multiarray_umath import __cpu_features__ as feats
    if all(feats.get(k) for k in ("AVX512F", "AVX512BW", "AVX512VL", "AVX512DQ", "FMA3")):
        return "AVX512"
    if feats.get("AVX2") and feats.get("FMA3"):
        return "AVX2"
    return "DEFAULT"


# ---- glibc, element by element ------------------------------------------------------------------
def elementwise(fn, x: np.ndarray) -> np.ndarray:
    """``fn`` (a float64 C-library function from ``math``) applied to each element of ``x``."""
    return np.fromiter(map(fn, x.ravel().tolist()), dtype=f64, count=x.size).reshape(x.shape)


def _libm_float(name: str):
    path = ctypes.util.find_library("m")
    try:
        fn = getattr(ctypes.CDLL(path), name)
    except (OSError, AttributeError, TypeError):  # pragma: no cover - no C library found
        return None
    fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
    return fn


_LIBM_F = {}


def elementwise_f32(name: str, x: np.ndarray) -> np.ndarray:
    """glibc's float32 ``logf``/``cosf``/``sinf`` on each element (NumPy's as a fallback)."""
    if name not in _LIBM_F:
        _LIBM_F[name] = _libm_float(name + "f")
    fn = _LIBM_F[name]
    if fn is None:  # pragma: no cover
        return getattr(np, name)(x.astype(f32))
    return np.fromiter(map(fn, x.ravel().tolist()), dtype=f32, count=x.size).reshape(x.shape)


# ---- fused multiply-add, emulated exactly -------------------------------------------------------
def _nudge_to_odd(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """Round-to-odd: where ``s`` is inexact (err ≠ 0) and its last bit is even, step one ulp
    toward the exact value. A later rounding to fewer bits is then correct (Boldo–Melquiond)."""
    fix = (err != 0) & ((s.view(np.int64) & 1) == 0)
    if fix.any():
        s = s.copy()
        s[fix] = np.nextafter(s[fix], np.where(err[fix] > 0, np.inf, -np.inf))
    return s


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _f64(v):
    """float64 view of float32 values: an array ``astype`` (NumPy's fast path; float64 arrays
    holding float32 values pass through) or a scalar."""
    if isinstance(v, np.ndarray):
        return v if v.dtype == f64 else v.astype(f64)
    return f64(f32(v))


def fma32(a, b, c, exact_sum: bool = False) -> np.ndarray:
    """float32 ``a·b + c`` with ONE rounding, as an FMA instruction computes it.

    The product of two float32 values is exact in float64; the sum is rounded to float64 and
    then to float32. That double rounding can only go wrong when the float64 sum lies exactly
    halfway between two float32 values; those rare elements are redone with round-to-odd.
    ``exact_sum=True`` skips that check where the caller knows a·b + c fits in 53 bits."""
    p = _f64(a) * _f64(b)
    s = np.atleast_1d(p + _f64(c))
    half = None if exact_sum else (s.view(np.int64) & 0x1FFFFFFF) == 0x10000000
    if half is not None and half.any():
        c64 = np.broadcast_to(_f64(c), s.shape)[half]
        ss, err = _two_sum(np.broadcast_to(p, s.shape)[half], c64)
        s[half] = _nudge_to_odd(ss, err)
    out = s.astype(f32)
    return out if np.ndim(a) or np.ndim(b) or np.ndim(c) else out[0]


def _split(a):
    c = 134217729.0 * a  # 2**27 + 1: Veltkamp's split into two 26-bit halves
    hi = c - (c - a)
    return hi, a - hi


def _two_prod(a, b):
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma64(a, b, c) -> np.ndarray:
    """float64 ``a·b + c`` with one rounding (Boldo & Melquiond's emulation: the exact product
    as two doubles, an exact sum with c, the low parts added with round-to-odd)."""
    a, b, c = (np.asarray(v, dtype=f64) for v in (a, b, c))
    a, b, c = np.broadcast_arrays(a, b, c)
    uh, ul = _two_prod(a, b)
    th, tl = _two_sum(c, uh)
    v, err = _two_sum(tl, ul)
    out = th + _nudge_to_odd(np.atleast_1d(v), np.atleast_1d(err)).reshape(v.shape)
    return np.where(np.isfinite(out), out, a * b + c)  # inf/nan: nothing to emulate


# ---- avx_mathfun: torch's vectorized float32 log and sincos -------------------------------------
def _c(v: float) -> np.float64:
    return f64(f32(v))  # a float32 constant, held exactly in a float64 for the fma emulation


_LOG_P = [_c(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                          -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                          2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = f32(-2.12194440e-4), f32(0.693359375)
_SQRTHF = f32(0.707106781186547524)
_FOPI = f32(1.27323954473516)  # 4/π
_DP1, _DP2, _DP3 = f32(-0.78515625), f32(-2.4187564849853515625e-4), f32(-3.77489497744594108e-8)
_COS_P = [_c(v) for v in (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)]
_SIN_P = [_c(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]


def _bits(v: np.ndarray) -> np.ndarray:
    return v.view(np.int32)


def log_ps(u: np.ndarray) -> np.ndarray:
    """Natural log of positive normal float32 values, as torch's ``log256_ps`` computes it.

    Cephes' method: write u = m·2^e with m in [√½, √2), then log u = e·ln2 + log m, where
    log(1+x) = x − x²/2 + x³·P(x) with a degree-8 polynomial P (Horner, one fma per step)
    and ln 2 split in two constants (q2 + q1) so e·ln2 adds without losing bits. Branches are
    masks, as in the vector code: adding the masked value 0 changes nothing."""
    bits = _bits(u)
    e = ((bits >> 23) - 126).astype(f32)              # exponent + 1 of m in [0.5, 1)
    m = ((bits & 0x007FFFFF) | 0x3F000000).view(f32)  # mantissa scaled into [0.5, 1)
    low = (m < _SQRTHF).astype(f32)                   # 1 where we use 2m in [√½, 1) and e − 1
    x = (m - f32(1)) + m * low
    e = e - low
    z = x * x
    x64 = x.astype(f64)
    y = np.full(x.shape, _LOG_P[0], dtype=f32)
    for p in _LOG_P[1:]:
        y = fma32(y, x64, p)
    y = fma32(y * x, z, e * _LOG_Q1)                  # x³P(x) + e·q1
    y = y - z * f32(0.5)                              # − x²/2 (exact halving, no fma)
    # + e·q2: e·q2 is an integer times 355·2⁻⁹ (≤ 14 bits, < 2⁵) and |x + y| ≥ 2⁻²⁵ for
    # inputs in [2⁻²⁴, 1] (torch's u1), so the float64 sum is exact: no halfway check needed
    exact = u.size == 0 or float(u.min()) >= 2.0**-24
    return fma32(e, _LOG_Q2, x + y, exact_sum=exact)


def sincos_ps(theta: np.ndarray):
    """(sin θ, cos θ) of float32 θ ≥ 0, as torch's ``sincos256_ps`` computes them.

    Cephes' method: j = the even integer nearest to θ·4/π picks the octant; θ − j·π/4 is
    reduced in three steps (π/4 split in three constants), and a sine and a cosine
    polynomial in the reduced x are swapped and sign-flipped by the octant, with the same
    bit masks and additions of zero as the vector code."""
    j = (theta * _FOPI).astype(np.int32)              # truncation, as cvttps2dq
    j = (j + 1) & ~1
    y = j.astype(f32)
    x = theta + y * _DP1                              # y·DP1 and y·DP2 are exact: no fma needed
    x = x + y * _DP2
    x = fma32(y, _DP3, x)
    z = x * x
    yc = fma32(fma32(z, _COS_P[0], _COS_P[1]), z, _COS_P[2]) * z
    yc = fma32(yc, z, -(z * f32(0.5))) + f32(1)       # 1 − z/2 + z²·Q(z)
    ys = fma32(fma32(z, _SIN_P[0], _SIN_P[1]), z, _SIN_P[2]) * z
    ys = fma32(ys, x, x)                              # x + x³·P(z)
    keep = -((j & 2) == 0).astype(np.int32)           # all ones where the octant keeps sin/cos
    ys_kept = (_bits(ys) & keep).view(f32)
    yc_moved = (_bits(yc) & ~keep).view(f32)
    sin = yc_moved + ys_kept
    cos = (yc - yc_moved) + (ys - ys_kept)
    sin_sign = (j & 4) << 29                          # the sign bit, where the octant flips it
    cos_sign = (~(j - 2) & 4) << 29
    return (_bits(sin) ^ sin_sign).view(f32), (_bits(cos) ^ cos_sign).view(f32)
