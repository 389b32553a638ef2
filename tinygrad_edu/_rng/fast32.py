"""The fast float32 block normal sampler: torch's AVX2/AVX-512 ``normal_fill`` from raw words,
equal bit for bit to the plain port it stands beside (``kernels._box_muller_16`` on
``libm.log_ps``/``sincos_ps``).

torch draws n words w, takes d = (w & 0xFFFFFF)·2⁻²⁴, and for each row of 16 computes
u1 = 1 − d[:8] (log side) and θ = float32(d[8:]·2π) (sincos side). We start from k = w & 0xFFFFFF
(``engine.random24``): u1 = (2²⁴ − k)·2⁻²⁴ and θ = float32(k·2π·2⁻²⁴), so only 2²⁴ inputs exist
per side. The words are drawn slab by slab (``SLAB`` lanes per side), so a slab's arrays stay
in cache, and every NumPy call writes into a preallocated buffer (a call costs ~0.2 µs, one with
a dtype cast inside ~0.75 µs: casts are separate ``copyto`` calls).

Why the shortcuts are exact (each is checked for every one of the 2²⁴ inputs of each side by
``test_rng_fast.py``, marked slow):

* Fused multiply-adds. torch's polynomials fuse a·b + c (one rounding). A product of two float32
  values is exact in float64, so we add in float64 and round to float32. That double rounding
  can differ from one rounding only when the float64 sum falls exactly halfway between two
  float32 values; on torch's input grid it never does for any step here.
* The log's Horner steps y ← fma(y, x, p) use NumPy's complex64 multiply when it is fused:
  re((y + i·p)(x − i)) = y·x − p·(−1), and NumPy's SIMD loops compute the real part as one fused
  multiply-subtract of y·x and the exact product p·(−1), so it is fma(y, x, p) in float32, three
  times faster than the float64 round trip. The imaginary part is then reset to the next p with
  two integer operations on the 64-bit view (complex64 is two float32 words, real part low).
  :func:`complex_fma` checks this once per process; without it the float64 steps are used.
* u1's exponent and mantissa. k − 2²⁴ = −j with j = 2²⁴·u1, and float32(−j) is exact: its bits
  are those of u1 with 24 added to the exponent and the sign set, so cephes' integer split of
  u1 works on them with adjusted constants.
* The octant. torch takes j = trunc(θ·4/π), rounds it up to even and calls h = j/2. On the grid
  this is h = (k + 2²¹) >> 22, with no float work.
* The reduction x = θ − y·(DP1 + DP2 + DP3), y = 2h, is two exact float32 steps and one fma in
  torch. In float64, θ + y·(DP1 + DP2 + DP3) is exact: the three constants sum exactly in 48
  bits, times y in 50, and θ (a multiple of 2⁻²⁴ once y > 0) added gives a multiple of 2⁻⁴⁷
  below 8. One float64 sum and one rounding to float32 is then the same single rounding.
* The first fma of each trigonometric polynomial. Its values (over every x) stay in one binade,
  where float32 rounds to a fixed step g: adding M = 1.5·2⁵²·g to the float64 sum makes
  float64's own rounding (ties to even included) that float32 rounding, done once, and
  subtracting M gives the float32 value back in float64 exactly, with no conversions.
* The last fma of each trigonometric polynomial. torch's w·z − z/2 and w·x + x are the real
  numbers z·(w − ½) and x·(w + 1); w − ½ and w + 1 are exact in float64 unless |w| < 2⁻²⁹, so
  the float64 product rounds the same number the float64 sum would (and for tiny w the float32
  result is −z/2 or x either way), done for both rows with one add and one multiply.
* Signs and the sine/cosine swap. With r' = r·(−1 if h ∈ {2, 3}), torch's outputs are
  (cos, sin) = (r'·C, r'·S) for even h and (−r'·S, r'·C) for odd h, where S and C are the two
  polynomials in x: a swap and one sign bit, done with integer xors on the float32 bits.
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache

import numpy as np

from . import _normal_kernel, libm

f32, f64, i32, u32 = np.float32, np.float64, np.int32, np.uint32
SLAB = 32768  # lanes per side per slab: ~4 MB of buffers (one op's operands stay in L2)
_ROW = np.dtype((np.void, 32))  # 8 float32 (or uint32) lanes: half a row of 16, one item

mul, add, sub, copyto = np.multiply, np.add, np.subtract, np.copyto
band, bor, bxor, shl, shr = (np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.left_shift,
                             np.right_shift)


def _c(v, dt):
    return np.array(v, dtype=dt)  # 0-d operands: a ufunc takes them faster than NumPy scalars


_SIGN = -(1 << 31)
# log side
_TWO24 = _c(1 << 24, i32)
_LOGE = _c(0x3F3504F3 + (24 << 23) + _SIGN, i32)  # bits of √½, of 2²⁴·(·), of the sign
_I23, _I22, _I31, _I30, _I2 = (_c(v, i32) for v in (23, 22, 31, 30, 2))
_TWO24F, _MTWOM24F = _c(2.0**24, f32), _c(-(2.0**-24), f32)
_LOG_P = [_c(p, f64) for p in libm._LOG_P]
# complex Horner: (x − i)(p0 + i·p1) first; each step sets the imaginary part to the next p
_P01 = _c(complex(libm._LOG_P[0], libm._LOG_P[1]), np.complex64)
_IMAG_P = [_c(complex(0.0, float(p)), np.complex64).view(np.int64) for p in libm._LOG_P[2:]]
_REAL_BITS = _c(0xFFFFFFFF, np.int64)
_Q1, _Q2, _HALF, _M2 = (_c(v, f32) for v in (libm._LOG_Q1, libm._LOG_Q2, 0.5, -2.0))
# sincos side
_HALF_OCT = _c(1 << 21, i32)
_THETA = _c(f32(2.0 * math.pi) * f32(2.0**-24), f32)  # float32 2π, scaled exactly
_DY = _c(2 * (f64(libm._DP1) + f64(libm._DP2) + f64(libm._DP3)), f64)  # y = 2h: h·_DY
_CS = [_c([[c], [s]], f64) for c, s in zip(libm._COS_P, libm._SIN_P)]  # rows: cos, sin
# the first fma's values: cos in −[2⁻¹⁰, 2⁻⁹), sin in [2⁻⁷, 2⁻⁶); float32 steps there are
# g = 2⁻³³ and 2⁻³⁰, and float64's step at 1.5·2⁵²·g is g
_GRID = _c([[1.5 * 2.0**19], [1.5 * 2.0**22]], f64)
_CS1_GRID = _GRID + _CS[1]  # exact: the coefficients are multiples of g
_FINISH, _ONE = _c([[-0.5], [1.0]], f64), _c(1.0, f32)


class _Slab:
    """Scratch arrays for one slab (``n`` lanes per side), allocated once and reused."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.w1, self.w2 = np.empty(n, i32), np.empty(n, i32)
        self.a, self.b, self.h = (np.empty(n, i32) for _ in range(3))
        self.u, self.x, self.y, self.z, self.e, self.q = (np.empty(n, f32) for _ in range(6))
        self.r, self.sc = np.empty(n, f32), np.empty((2, n), f32)  # sc rows: cos, sin
        self.x64, self.y64 = np.empty(n, f64), np.empty(n, f64)
        self.t2, self.zx = np.empty((2, n), f64), np.empty((2, n), f64)
        self.ca, self.cb = np.empty(n, np.complex64), np.full(n, -1j, np.complex64)  # x − i

    def first(self, n: int) -> "_Slab":
        """The same buffers cut to their first ``n`` lanes (a partial last slab)."""
        if n == self.n:
            return self
        part = _Slab.__new__(_Slab)
        part.__dict__.update({k: v if k == "n" else v[..., :n] for k, v in vars(self).items()})
        part.n = n
        return part


def _horner_f64(x, S: _Slab) -> None:
    """S.y = P(x) by Horner, y ← fma(y, x, p) as a float64 multiply-add and a float32 round
    trip per step."""
    y, x64, y64 = S.y, S.x64, S.y64
    copyto(x64, x)
    mul(x64, _LOG_P[0], y64)
    add(y64, _LOG_P[1], y64)
    for p in _LOG_P[2:]:
        copyto(y, y64, casting="unsafe")
        copyto(y64, y)
        mul(y64, x64, y64)
        add(y64, p, y64)
    copyto(y, y64, casting="unsafe")


def _horner_complex(x, S: _Slab) -> None:
    """S.ca.real = P(x) by Horner, each fma one complex64 multiply (see the module doc)."""
    a, b = S.ca, S.cb
    bits = a.view(np.int64)
    copyto(b.real, x)
    mul(b, _P01, a)                            # re: fma(x, p0, p1)
    for p in _IMAG_P:
        band(bits, _REAL_BITS, bits)
        bor(bits, p, bits)                     # a = y + i·p
        mul(a, b, a)                           # re: fma(y, x, p)


@lru_cache(maxsize=None)
def complex_fma() -> bool:
    """Whether NumPy's complex64 multiply gives the Horner steps one rounding each, checked once
    per process: the complex Horner against the float64 one on a fixed sample of torch's x
    (m − 1 on its grid; two sizes, so the vector loop's tail is covered too)."""
    j = np.random.default_rng(2024).integers(0xB504F3, 0x16A09E6, 4099)  # 2²⁴·m, m in [√½, √2)
    x = np.where(j < 1 << 24, j, j & ~1).astype(f32) * f32(2.0**-24) - f32(1)
    for n in (4099, 37):
        S = _Slab(n)
        _horner_complex(x[:n], S)
        _horner_f64(x[:n], S)
        if not np.array_equal(S.ca.real, S.y):
            return False
    return True


def _radius(k, S: _Slab) -> None:
    """S.r = √(−2·log_ps(u1)), u1 = 1 − k·2⁻²⁴: cephes' log (see
    ``libm.log_ps``) on u1 = 2^e·m, m in [√½, √2), x = m − 1."""
    a, u, x, y, z, e, q, r, x64, y64 = S.a, S.u, S.x, S.y, S.z, S.e, S.q, S.r, S.x64, S.y64
    ub, af = u.view(i32), a.view(f32)
    sub(k, _TWO24, a)                          # −j = k − 2²⁴, j = 2²⁴·u1 in [1, 2²⁴]
    copyto(u, a, casting="unsafe")             # exact: the bits of −2²⁴·u1
    sub(ub, _LOGE, a)
    shr(a, _I23, a)                            # e
    copyto(e, a, casting="unsafe")
    shl(a, _I23, a)
    sub(ub, a, a)                              # bits of −2²⁴·m
    add(af, _TWO24F, af)                       # −2²⁴·x, exact (Sterbenz)
    mul(af, _MTWOM24F, x)                      # x
    if complex_fma():
        _horner_complex(x, S)
        mul(S.ca.real, x, y)                   # y·x
    else:
        _horner_f64(x, S)
        mul(y, x, y)                           # y·x
    mul(x, x, z)                               # z = x²
    mul(e, _Q1, q)                             # e·q1
    copyto(y64, y)
    copyto(x64, z)
    mul(y64, x64, y64)
    copyto(x64, q)
    add(y64, x64, y64)
    copyto(y, y64, casting="unsafe")           # fma(y·x, z, e·q1)
    mul(z, _HALF, z)
    sub(y, z, y)                               # − z/2
    add(x, y, y)                               # + x
    mul(e, _Q2, q)                             # e·q2 is exact (q2 has 9 bits), so its fma
    add(q, y, r)                               # is one float32 add: log u1
    mul(r, _M2, r)
    np.sqrt(r, r)


def _sincos(k, S: _Slab) -> None:
    """S.sc = (C, S), the cosine and sine polynomials of ``libm.sincos_ps`` at θ =
    float32(2π·k·2⁻²⁴), and S.h = the octant pair index h (j = 2h)."""
    h, th, x, z, y64, t2, sc, zx = S.h, S.u, S.x, S.z, S.y64, S.t2, S.sc, S.zx
    z64, x64 = zx                              # rows of one array: z and x in float64
    copyto(th, k, casting="unsafe")
    mul(th, _THETA, th)                        # θ
    add(k, _HALF_OCT, h)
    shr(h, _I22, h)                            # h = j/2 (see the module doc)
    copyto(y64, h, casting="unsafe")
    mul(y64, _DY, y64)
    copyto(x64, th)
    add(y64, x64, y64)
    copyto(x, y64, casting="unsafe")           # x = θ − y·π/4 in three parts, one rounding
    copyto(x64, x)
    mul(x, x, z)
    copyto(z64, z)
    mul(z64, _CS[0], t2)                       # both polynomials at once: rows cos, sin
    add(t2, _CS1_GRID, t2)                     # fma rounded to float32 by float64's own
    sub(t2, _GRID, t2)                         # rounding (see the module doc), back exactly
    mul(t2, z64, t2)
    add(t2, _CS[2], t2)
    copyto(sc, t2, casting="unsafe")
    mul(sc, z, sc)                             # w = the rounded products Q(z)·z, P(z)·z
    copyto(t2, sc)
    add(t2, _FINISH, t2)                       # w − ½, w + 1
    mul(t2, zx, t2)                            # z·w − z/2 and x·w + x (see the module doc)
    copyto(sc, t2, casting="unsafe")
    add(sc[0], _ONE, sc[0])                    # cosine 1 + (z·w − z/2), sine x + x·w


def _rows(k, out, S: _Slab) -> None:
    """``out`` (r, 16) float32 from rows of 16 grid indices ``k`` ((r, 16) int32, the low 24
    bits of torch's words), for r ≤ SLAB/8 rows."""
    S = S.first(8 * k.shape[0])
    halves = k.view(_ROW)
    copyto(S.w1.view(_ROW), halves[:, 0])
    copyto(S.w2.view(_ROW), halves[:, 1])
    _radius(S.w1, S)
    _sincos(S.w2, S)
    r, h, m, sg, d = S.r, S.h, S.a, S.b, S.u.view(i32)
    cos, sin = S.sc
    c, s = cos.view(i32), sin.view(i32)
    shl(h, _I31, sg)                           # the sign bit where h is odd
    shr(sg, _I31, m)                           # all ones where h is odd
    bxor(s, c, d)
    band(d, m, d)
    bxor(s, d, s)                              # odd h: sin ← C
    bxor(d, sg, d)
    bxor(c, d, c)                              # odd h: cos ← −S
    band(h, _I2, m)
    shl(m, _I30, m)
    bxor(r.view(i32), m, r.view(i32))          # r' = −r for h = 2, 3
    mul(r, cos, cos)
    mul(r, sin, sin)
    oh = out.view(_ROW)
    copyto(oh[:, 0], cos.view(_ROW))
    copyto(oh[:, 1], sin.view(_ROW))


_LOCAL = threading.local()  # one set of scratch buffers per thread


def _scratch() -> _Slab:
    S = getattr(_LOCAL, "slab", None)
    if S is None or S.n != SLAB:
        S = _LOCAL.slab = _Slab(SLAB)
    return S


def box_muller_words(words: np.ndarray) -> np.ndarray:
    """Rows of 16 float32 N(0, 1) values from rows of 16 words ((r, 16) uint32), as torch's
    ``normal_fill_16`` on d = (words & 0xFFFFFF)·2⁻²⁴ computes them."""
    k = (np.asarray(words, dtype=u32) & u32(0xFFFFFF)).view(i32)
    out = np.empty(k.shape, dtype=f32)
    S, step = _scratch(), SLAB // 8
    fused = _normal_kernel.kernel()
    for i in range(0, k.shape[0], step):
        _box_muller(fused, k[i:i + step], out[i:i + step], S)
    return out


def _box_muller(fused, k, out, S) -> None:
    """:func:`_rows`, or its compiled twin ``fused`` (numba; the same bits) when there is one."""
    if fused is not None:
        fused(k, out)
    else:
        _rows(k, out, S)


def normal_fill(gen, n: int, partial: bool = True) -> np.ndarray:
    """torch's float32 ``normal_fill`` (n ≥ 16): n words, Box–Muller on each full row of 16
    (words drawn slab by slab), and when n is not a multiple of 16 the last 16 outputs redone
    from 16 fresh words. ``partial=False`` is torch's float16 kernel, which never draws the
    words of the partial last row (it fills a 16-wide buffer per block)."""
    rows = n // 16
    out = np.empty(n, dtype=f32)
    full = out[:16 * rows].reshape(rows, 16)
    S, step = _scratch(), SLAB // 8
    fused = _normal_kernel.kernel()  # the compiled twin of _rows (numba), bit for bit
    for i in range(0, rows, step):
        r = min(step, rows - i)
        _box_muller(fused, gen.random24(16 * r).view(i32).reshape(r, 16), full[i:i + r], S)
    if n % 16:
        if partial:
            gen.random24(n % 16)  # drawn by torch, then overwritten by the redone last block
        out[n - 16:] = box_muller_words(gen.random24(16).reshape(1, 16)).reshape(-1)
    return out
