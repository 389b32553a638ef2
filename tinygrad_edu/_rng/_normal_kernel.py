"""Optional compiled twin of the float32 Box–Muller rows of ``_rng/fast32.py`` (numba, the
``[fast]`` extra; :mod:`tinygrad_edu._numba`).

``fast32._rows`` computes torch's AVX ``normal_fill_16`` with about 60 NumPy passes over
scratch slabs. :func:`box_muller_rows` is the same arithmetic lane by lane, each step the float32
or float64 operation the NumPy pass makes, in the same order (fast32's module docstring says why
each shortcut is exact: the float64 multiply-adds that stand for torch's fma, the exponent split
on the float32 bits, the octant). One step takes another road to the same bits: the octant's
swap and signs are float negations and selects instead of xors on the bits.
``parity_tests/test_normal_kernel.py`` checks the rows bit for bit against ``fast32._rows`` on
every one of the 2²⁴ inputs of each side, and randn against torch. Measured on 1M values, one
process: randn float32 14.2 → 8.6 ms (torch 3.6 ms).
"""

from __future__ import annotations

import math

import numpy as np

from .._numba import load_kernel
from . import libm

_KERNELS: dict = {}  # name -> compiled kernel (None: not available), filled on first use
ENABLED = True  # False: kernel() answers None (the NumPy passes of fast32 run)

f32, f64 = np.float32, np.float64
LOG_P = np.array(libm._LOG_P, dtype=f64)  # float32 constants held in float64
Q1, Q2, SQRTHF = f32(libm._LOG_Q1), f32(libm._LOG_Q2), f32(libm._SQRTHF)
THETA = f32(f32(2.0 * math.pi) * f32(2.0**-24))  # float32 2π, scaled exactly
DY = 2 * (f64(libm._DP1) + f64(libm._DP2) + f64(libm._DP3))  # x = θ + h·DY (y = 2h)
COS_P, SIN_P = np.array(libm._COS_P, dtype=f64), np.array(libm._SIN_P, dtype=f64)
GRID_C, GRID_S = 1.5 * 2.0**19, 1.5 * 2.0**22  # float64 rounding at float32's step there
HALF, MTWO, ONE = f32(0.5), f32(-2.0), f32(1.0)


LOGE = np.int32(0x3F3504F3 + (24 << 23) - (1 << 31))  # fast32._LOGE: bits of √½, 2²⁴, sign
TWO24F, MTWOM24F = f32(2.0**24), f32(-(2.0**-24))


def box_muller_rows(k, out):
    """out[i] (16 float32 N(0, 1) values) from k[i] (16 grid indices, the low 24 bits of
    torch's words): lane l pairs the radius of k[i, l] with the angle of k[i, 8 + l] and
    writes r·cos to out[i, l] and r·sin to out[i, 8 + l].

    Four loops over all lanes, each free of branches and calls so that it vectorizes; the
    float32 ↔ int32 reinterpretations go through int32 views of float32 scratch arrays."""
    n = 8 * k.shape[0]
    u = np.empty(n, np.float32)  # −2²⁴·u1, then −2²⁴·m
    m = np.empty(n, np.float32)
    e = np.empty(n, np.float32)
    r = np.empty(n, np.float32)
    ub, mb = u.view(np.int32), m.view(np.int32)
    for t in range(n):  # −j = k − 2²⁴, j = 2²⁴·u1: exact in float32
        u[t] = f32(k[t >> 3, t & 7] - 16777216)
    for t in range(n):  # cephes' split u1 = 2^e·m, m in [√½, √2), on the bits (fast32)
        a = (ub[t] - LOGE) >> 23
        e[t] = f32(a)
        mb[t] = ub[t] - (a << 23)  # the bits of −2²⁴·m
    for t in range(n):  # r = √(−2·log u1), cephes' log
        x = (m[t] + TWO24F) * MTWOM24F  # −2²⁴·x exact (Sterbenz), then x = m − 1
        x64 = f64(x)
        y64 = x64 * LOG_P[0] + LOG_P[1]  # fma(x, p0, p1), rounded once below
        y64 = f64(f32(y64)) * x64 + LOG_P[2]  # y ← fma(y, x, p), unrolled
        y64 = f64(f32(y64)) * x64 + LOG_P[3]
        y64 = f64(f32(y64)) * x64 + LOG_P[4]
        y64 = f64(f32(y64)) * x64 + LOG_P[5]
        y64 = f64(f32(y64)) * x64 + LOG_P[6]
        y64 = f64(f32(y64)) * x64 + LOG_P[7]
        y64 = f64(f32(y64)) * x64 + LOG_P[8]
        y = f32(y64) * x
        z = x * x
        q = e[t] * Q1
        y = f32(f64(y) * f64(z) + f64(q))  # fma(y·x, z, e·q1)
        y = y - z * HALF  # − z/2
        y = x + y
        r[t] = np.sqrt((e[t] * Q2 + y) * MTWO)  # e·q2 exact: its fma is one add (log u1)
    for t in range(n):  # the angle θ = float32(2π·k·2⁻²⁴): octant and cephes' polynomials
        i, lane = t >> 3, t & 7
        kk = np.int64(k[i, 8 + lane])
        th = f32(kk) * THETA
        h = (kk + 2097152) >> 22  # the octant pair h = j/2
        xr = f32(f64(h) * DY + f64(th))  # θ − y·π/4 in three parts, one rounding
        xr64 = f64(xr)
        z = xr * xr
        z64 = f64(z)
        tc = z64 * COS_P[0] + (GRID_C + COS_P[1])  # the first fma, rounded to float32
        tc = (tc - GRID_C) * z64 + COS_P[2]  # by float64's own rounding, then the second
        ts = z64 * SIN_P[0] + (GRID_S + SIN_P[1])
        ts = (ts - GRID_S) * z64 + SIN_P[2]
        wc = f32(tc) * z  # w = Q(z)·z and P(z)·z, rounded products
        ws = f32(ts) * z
        c = f32((f64(wc) - 0.5) * z64) + ONE  # 1 + (z·w − z/2)
        s = f32((f64(ws) + 1.0) * xr64)  # x + x·w
        odd = (h & 1) == 1  # odd h: sin ← C, cos ← −S
        cos = -s if odd else c
        sin = c if odd else s
        rr = -r[t] if (h & 2) == 2 else r[t]  # h = 2, 3: r' = −r
        out[i, lane] = rr * cos
        out[i, 8 + lane] = rr * sin


def kernel():
    """The compiled :func:`box_muller_rows`, or None: no numba, ``TINYGRAD_EDU_NUMBA=0``,
    ``ENABLED`` False, or numba could not compile it (then a RuntimeWarning says so)."""
    return load_kernel(__name__, box_muller_rows, _warm_up, "Box–Muller",
                       "randn float32 uses its NumPy passes")


def _warm_up(fn):
    fn(np.zeros((1, 16), np.int32), np.empty((1, 16), np.float32))
