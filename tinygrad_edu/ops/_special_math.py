"""Special functions on arrays, as torch computes them: SciPy's values (``backend.special``)
corrected where torch's own algorithm (aten/src/ATen/native/Math.h) gives another answer, and
the series torch evaluates itself. The ops modules (gamma.py, special_fns.py) wrap these in
Functions; here is only the arithmetic, written for NumPy and CuPy alike.
"""

from __future__ import annotations

import math

from ..backend import get_array_module, special
from ._util import quiet


def lgamma_array(x):
    """ln|Γ(x)| as torch computes it (SciPy's gammaln, with torch's lgamma(-inf) = inf and
    -ln|x| for subnormal x, where SciPy overflows)."""
    xp = get_array_module(x)
    y = special("lgamma", x)
    with quiet():
        tiny = xp.abs(x) < 1e-300
        y = xp.where(tiny, -xp.log(xp.abs(x)), y)
    return xp.where(x == -math.inf, x.dtype.type(math.inf), y)


def zeta_array(x, q):
    """Hurwitz ζ(x, q) = Σₖ (k + q)^-x as torch computes it: SciPy's Cephes zeta, and nan where
    torch's Euler-Maclaurin tail evaluates inf·0: at q = +inf, and where the sum underflowed to
    0 while the tail's product (x)(x+1)...(x+22) overflows (x > ~2.5e13, inf included)."""
    xp = get_array_module(q if hasattr(q, "dtype") else x)
    z = special("zeta", x, q)
    bad = ((q == math.inf) & (x > 1)) | ((z == 0) & (x > 2.5e13))
    return xp.where(bad, z.dtype.type(math.nan), z)


def trigamma_array(x):
    """ψ₁(x) = Σₖ 1/(x + k)² by torch's method: reflection below ½, six recurrence steps, then
    the asymptotic series (aten/src/ATen/native/Math.h, ``trigamma``)."""
    xp = get_array_module(x)
    t = x.dtype.type
    with quiet():
        neg = x < 0.5
        s = xp.sin(t(math.pi) * x)
        result = xp.where(neg, -(t(math.pi) * t(math.pi)) / (s * s), t(0))
        sign = xp.where(neg, t(-1), t(1))
        x = xp.where(neg, 1 - x, x)
        for _ in range(6):
            result = result + 1 / (x * x)
            x = x + 1
        ixx = 1 / (x * x)
        series = 1 + 1 / (2 * x) + ixx * (t(1 / 6) - ixx * (t(1 / 30) - ixx * t(1 / 42)))
        return sign * (result + series / x)


def polygamma_array(n: int, x):
    """ψ⁽ⁿ⁾(x), the n-th derivative of digamma, as torch computes it: digamma for n = 0,
    trigamma for n = 1, else (-1)ⁿ⁺¹ n! ζ(n + 1, x)."""
    if n == 0:
        return special("digamma", x)
    if n == 1:
        return trigamma_array(x)
    sign = 1.0 if n % 2 else -1.0
    with quiet():
        return (sign * math.exp(math.lgamma(n + 1.0)) * zeta_array(float(n + 1), x)).astype(
            x.dtype, copy=False)


# torch's asymptotic expansion of Ai(x) for x < -2.09 (Cephes ``airy``; Math.h airy_ai_forward)
_AFN = (-1.31696323418331795333e-01, -6.26456544431912369773e-01, -6.93158036036933542233e-01,
        -2.79779981545119124951e-01, -4.91900132609500318020e-02, -4.06265923594885404393e-03,
        -1.59276496239262096340e-04, -2.77649108155232920844e-06, -1.67787698489114633780e-08)
_AFD = (1.33560420706553243746e+01, 3.26825032795224613948e+01, 2.67367040941499554804e+01,
        9.18707402907259625840e+00, 1.47529146771666414581e+00, 1.15687173795188044134e-01,
        4.40291641615211203805e-03, 7.54720348287414296618e-05, 4.51850092970580378464e-07)
_AGN = (1.97339932091685679179e-02, 3.91103029615688277255e-01, 1.06579897599595591108e+00,
        9.39169229816650230044e-01, 3.51465656105547619242e-01, 6.33888919628925490927e-02,
        5.85804113048388458567e-03, 2.82851600836737019778e-04, 6.98793669997260967291e-06,
        8.11789239554389293311e-08, 3.41551784765923618484e-10)
_AGD = (9.30892908077441974853e+00, 1.98352928718312140417e+01, 1.55646628932864612953e+01,
        5.47686069422975497931e+00, 9.54293611618961883998e-01, 8.64580826352392193095e-02,
        4.12656523824222607191e-03, 1.01259085116509135510e-04, 1.17166733214413521882e-06,
        4.91834570062930015649e-09)


def _polevl(z, coefficients):
    t = z.dtype.type
    acc = z * 0
    for c in coefficients:
        acc = acc * z + t(c)
    return acc


def airy_ai_array(x):
    """Ai(x) as torch computes it: nan at ±inf, 0 above 103.892, torch's asymptotic series below
    -2.09 (where SciPy gives nan for huge |x|), SciPy's Cephes ``airy`` in between (the same
    algorithm as torch's there). Trigonometric functions of float32 arguments are evaluated in
    float64 and rounded, as the C library's sinf/cosf torch calls."""
    xp = get_array_module(x)
    t = x.dtype.type
    inner = ((x >= -2.09) & (x <= 103.892)) | xp.isnan(x)
    mid = special("airy_ai", xp.where(inner, x, t(0)))
    with quiet():
        s = t(-2) * x * xp.sqrt(-x) / t(3)
        z = t(1) / s
        zz = z * z
        f = t(1) + zz * _polevl(zz, _AFN) / _polevl(zz, _AFD)
        g = z * _polevl(zz, _AGN) / _polevl(zz, _AGD)
        theta = s + t(0.25) * t(math.pi)
        wide = xp.float64 if x.dtype == xp.float32 else x.dtype
        sin, cos = (xp.sin(theta.astype(wide)).astype(x.dtype),
                    xp.cos(theta.astype(wide)).astype(x.dtype))
        neg = t(5.64189583547756286948e-01) / xp.sqrt(xp.sqrt(-x)) * (sin * f - cos * g)
    y = xp.where(x < -2.09, neg, mid)
    y = xp.where(x > 103.892, t(0), y)
    return xp.where(xp.isinf(x), t(math.nan), y)
