"""The classical orthogonal polynomials of ``torch.special``: Chebyshev T, U, V, W (and their
shifted forms on [0, 1]), Hermite H (physicists') and He (probabilists'), Laguerre L and
Legendre P, each evaluated at x for a degree n.

Every function takes ``(x, n)``: tensors or one of them a number, broadcast together; n is
truncated to an integer (torch casts it to int64) and a negative n gives 0. The result has the
promoted floating dtype (integers: the default dtype). torch defines no derivative for them, so
the result does not require grad.

Evaluation follows torch (aten/src/ATen/native/Math.h) step for step, so values agree where
the recurrences lose precision: the three-term recurrence from p₀ = 1 and p₁, except inside
(-1, 1) for high degree, where the Chebyshev families use their trigonometric closed forms
(T_n(cos θ) = cos nθ, U_n(cos θ) = sin((n+1)θ)/sin θ, ...).
"""

from __future__ import annotations

import math

from ..backend import get_array_module, libm_float, special
from ._unary_util import constant, into
from ._util import quiet
from .special_fns import float_operands, refuse_half


def fma(a, b, c):
    """a·b + c rounded once, as torch's compiled CPU kernels compute ``a * b - c * d`` (the
    compiler contracts the first product and the addition into one fused multiply-add). float32:
    exact in float64, then rounded. float64: Dekker's exact product and Knuth's two-sum."""
    xp = get_array_module(a)
    if a.dtype == xp.float32:
        return (a.astype(xp.float64) * b.astype(xp.float64) + c).astype(xp.float32)
    with quiet():
        p = a * b
        ah, bh = _split(a), _split(b)
        al, bl = a - ah, b - bh
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # a·b = p + e exactly
        s = p + c
        v = s - p
        err = (p - (s - v)) + (c - v)  # p + c = s + err exactly
        corr = err + e
        r = xp.where(corr == 0, s, s + corr)  # (s + 0.0 would lose the sign of s = -0.0)
    return xp.where(xp.isfinite(r), r, p + c)  # (the split overflows near the float64 limit)


def _split(a):
    """Veltkamp's split: the high 26 bits of each float64 (a = hi + lo, both exact)."""
    t = a * 134217729.0  # 2²⁷ + 1
    return t - (t - a)


def _recurrence(x, n, p1, step, fallback=None, limit=4096):
    """p_n(x) elementwise for degrees ``n`` (an int array) by p_j = step(j, x, p_{j-1},
    p_{j-2}) from p₀ = 1 and ``p1``. Stops once every value still being advanced is nan (it
    stays nan); after ``limit`` steps, degrees still running are handed to ``fallback(n, x)``
    (SciPy's recurrence in C: the values agree to ~1e-10, a Python loop would take minutes)."""
    xp = get_array_module(x)
    p, q = xp.ones_like(x), p1
    out = xp.array(p1, copy=True)
    nmax = int(n.max()) if n.size else 0
    with quiet():
        for j in range(2, nmax + 1):
            p, q = q, step(j, x, q, p)
            out = xp.where(n == j, q, out)
            later = n > j
            running = later & ~xp.isnan(q)
            if not bool(running.any()):
                return xp.where(later, q, out)
            if j == limit and fallback is not None:
                far = fallback(xp.where(running, n, 0), x)
                far = xp.where(xp.isinf(far), x.dtype.type(math.nan), far)  # torch: inf - inf
                return xp.where(running, far, xp.where(later, q, out))
    return out


def _evaluate(x, n, p1, step, closed=None, edges=(), fallback=None):
    """torch's order of cases: n < 0 → 0; then each (mask, value) of ``edges``; then the
    closed form (mask, value) if given; n = 0 → 1; n = 1 → p1; else the recurrence."""
    xp = get_array_module(x)
    t = x.dtype.type
    res = _recurrence(x, n, p1, step, fallback)
    res = xp.where(n == 1, p1, res)
    res = xp.where(n == 0, t(1), res)
    if closed is not None:
        res = xp.where(closed[0], closed[1], res)
    for mask, value in reversed(edges):
        res = xp.where(mask, value, res)
    return xp.where(n < 0, t(0), res)


class _Exact:
    """NumPy's functions, except the trigonometric ones for float32 input: torch's kernel calls
    the C library's acosf/cosf/sinf, where NumPy's own float32 SIMD versions may be ulps off
    (and the closed forms amplify an ulp near x = ±1). arccos is the C library's own
    (``backend.libm_float``); cos and sin are rounded from float64 (the C library's are within
    half an ulp of that)."""

    def __init__(self, xp):
        self.xp = xp

    def __getattr__(self, name):
        f = getattr(self.xp, name)
        if name not in ("arccos", "cos", "sin"):
            return f

        def exact(v):
            if v.dtype != self.xp.float32:
                return f(v)
            if name == "arccos":
                return libm_float("acos", v)
            return f(v.astype(self.xp.float64)).astype(self.xp.float32)

        return exact


def _acos(xp, y, used):
    """arccos(y) where ``used`` (the closed form's elements), 0 elsewhere."""
    a = xp.zeros_like(y)
    a[used] = xp.arccos(y[used])
    return a


def _cheb_step(j, x, q, p):
    return fma(x + x, q, -p)  # p_j = 2x·p_{j-1} - p_{j-2}


def _cheb(kind: str, x, n):
    """Chebyshev T, U, V, W at x (p₁ = x, 2x, 2x - 1, 2x + 1), torch's cases at x = ±1 and its
    closed forms inside (-1, 1) above degree 6 (T) or 8 (U, V, W)."""
    xp = _Exact(get_array_module(x))
    t = x.dtype.type
    p1 = {"t": x, "u": x + x, "v": x + x - t(1), "w": x + x + t(1)}[kind]
    odd, nf = n % 2 == 1, n.astype(x.dtype)
    high = (xp.abs(x) < 1) & (n > (6 if kind == "t" else 8))
    with quiet():
        a = _acos(xp, x, high)
        if kind == "t":
            edge = xp.where((x > 0) | ~odd, t(1), t(-1))
            form = xp.cos(nf * a)
        elif kind == "u":
            edge = xp.where((x > 0) | ~odd, nf + 1, -(nf + 1))
            form = _u_form(xp, x, a, nf)
        elif kind == "v":
            edge = xp.where(x > 0, t(1), xp.where(odd, -(nf + nf + 1), nf + nf + 1))
            form = _v_form(xp, a, nf, odd)
        else:
            edge = xp.where(x > 0, nf + nf + 1, xp.where(odd, t(-1), t(1)))
            form = xp.where(xp.cos(a / 2) != 1, xp.sin((nf + t(0.5)) * a) / xp.sin(a / 2), edge)
    return _evaluate(x, n, p1, _cheb_step, (high, form), [(xp.abs(x) == 1, edge)])


def _u_form(xp, y, a, nf):
    s = xp.sin(a)
    return xp.where(s != 0, xp.sin((nf + 1) * a) / s, (nf + 1) * xp.cos((nf + 1) * a) / y)


def _v_form(xp, a, nf, odd):
    t = a.dtype.type
    return xp.where(xp.sin(a / 2) != 1, xp.cos((nf + t(0.5)) * a) / xp.cos(a / 2),
                    xp.where(odd, -(nf + nf + 1), nf + nf + 1))


def _shifted(kind: str, x, n):
    """The shifted Chebyshev polynomials T*ₙ(x) = Tₙ(2x - 1) and likewise U*, V*, W*, with
    torch's values at x = 1 and x = 0 and its closed forms above degree 6 (W*: 4)."""
    xp = _Exact(get_array_module(x))
    t = x.dtype.type
    y = x + x - t(1)
    p1 = {"t": y, "u": y + y, "v": y + y - t(1), "w": y + y + t(1)}[kind]
    odd, nf = n % 2 == 1, n.astype(x.dtype)
    high = (xp.abs(y) < 1) & (n > (4 if kind == "w" else 6))
    with quiet():
        a = _acos(xp, y, high)
        if kind == "t":
            at1, at0, form = t(1), xp.where(odd, t(-1), t(1)), xp.cos(nf * a)
        elif kind == "u":
            at1, at0 = nf + 1, xp.where(odd, -(nf + 1), nf + 1)
            form = _u_form(xp, y, a, nf)
        elif kind == "v":
            at1, at0 = t(1), xp.where(odd, -(nf + nf + 1), nf + nf + 1)
            form = _v_form(xp, a, nf, odd)
        else:
            at1, at0 = nf + nf + 1, xp.where(odd, t(-1), t(1))
            form = xp.where(xp.cos(a / 2) != 1, xp.sin((nf + t(0.5)) * a) / xp.sin(a / 2), at0)
    return _evaluate(y, n, p1, _cheb_step, (high, form), [(x == 1, at1), (x == 0, at0)])


def _hermite_h(x, n):
    return _evaluate(x, n, x + x, lambda j, x, q, p: fma(x + x, q, -((2 * (j - 1)) * p)))


def _hermite_he(x, n):
    return _evaluate(x, n, x, lambda j, x, q, p: fma(x, q, -((j - 1) * p)))


def _laguerre_l(x, n):
    t = x.dtype.type
    step = lambda j, x, q, p: fma((2 * (j - 1)) + (t(1) - x), q, -((j - 1) * p)) / j  # noqa
    return _evaluate(x, n, t(1) - x, step, edges=[(x == 0, t(1))],
                     fallback=lambda n, x: special("eval_laguerre", n, x))


def _legendre_p(x, n):
    xp = get_array_module(x)
    t = x.dtype.type
    edge = xp.where((x > 0) | (n % 2 == 0), t(1), t(-1))
    step = lambda j, x, q, p: fma((2 * (j - 1) + 1) * x, q, -((j - 1) * p)) / j  # noqa: E731
    return _evaluate(x, n, x, step, edges=[(xp.abs(x) == 1, edge)],
                     fallback=lambda n, x: special("eval_legendre", n, x))


def _polynomial(name: str, fn, doc: str):
    op = f"special_{name}"

    def poly(input, n, *, out=None):
        x, nn = float_operands(input, n, op)
        refuse_half(x.dtype, name, [x.shape])  # torch's kernels have no half types
        xp = get_array_module(x)
        # torch: static_cast<int64_t>(n); nan, ±inf and |n| ≥ 2⁶³ become INT64_MIN (x86)
        fits = xp.isfinite(nn) & (xp.abs(nn) < 2.0**63)
        degree = xp.where(fits, nn, -1).astype(xp.int64)
        return into(out, constant(fn(x, degree)), op)

    poly.__name__ = poly.__qualname__ = name
    poly.__doc__ = (f"``torch.special.{name}(input, n)``: {doc} at x = ``input`` for degree "
                    "``n`` (tensors, or one of them a number; broadcast; n truncated to an "
                    "integer, 0 for n < 0). dtype: promoted floating (integers compute in "
                    "float32; float16/bfloat16 raise NotImplementedError). Raises TypeError for "
                    "two numbers, RuntimeError for shapes that do not broadcast. Not "
                    "differentiable (as in torch).\n\nShapes: ``input`` and ``n`` broadcast "
                    "(torch's rules); the output has the broadcast shape.")
    return poly


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", lambda x, n: _cheb("t", x, n),
                                     "the Chebyshev polynomial of the first kind Tₙ")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", lambda x, n: _cheb("u", x, n),
                                     "the Chebyshev polynomial of the second kind Uₙ")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", lambda x, n: _cheb("v", x, n),
                                     "the Chebyshev polynomial of the third kind Vₙ")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", lambda x, n: _cheb("w", x, n),
                                     "the Chebyshev polynomial of the fourth kind Wₙ")
shifted_chebyshev_polynomial_t = _polynomial(
    "shifted_chebyshev_polynomial_t", lambda x, n: _shifted("t", x, n),
    "the shifted Chebyshev polynomial T*ₙ(x) = Tₙ(2x - 1)")
shifted_chebyshev_polynomial_u = _polynomial(
    "shifted_chebyshev_polynomial_u", lambda x, n: _shifted("u", x, n),
    "the shifted Chebyshev polynomial U*ₙ(x) = Uₙ(2x - 1)")
shifted_chebyshev_polynomial_v = _polynomial(
    "shifted_chebyshev_polynomial_v", lambda x, n: _shifted("v", x, n),
    "the shifted Chebyshev polynomial V*ₙ(x) = Vₙ(2x - 1)")
shifted_chebyshev_polynomial_w = _polynomial(
    "shifted_chebyshev_polynomial_w", lambda x, n: _shifted("w", x, n),
    "the shifted Chebyshev polynomial W*ₙ(x) = Wₙ(2x - 1)")
hermite_polynomial_h = _polynomial("hermite_polynomial_h", _hermite_h,
                                   "the physicists' Hermite polynomial Hₙ")
hermite_polynomial_he = _polynomial("hermite_polynomial_he", _hermite_he,
                                    "the probabilists' Hermite polynomial Heₙ")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", _laguerre_l,
                                    "the Laguerre polynomial Lₙ")
legendre_polynomial_p = _polynomial("legendre_polynomial_p", _legendre_p,
                                    "the Legendre polynomial Pₙ")

# torch.special's own functions: tinygrad_edu/special.py re-exports them (not the package root)
__all__: list = []

METHODS: dict = {}
