"""The elementwise unary functions and torch.special beyond what torch's OpInfo samples reach:
``out=``, integer and bool inputs, the tg.special namespace, functions torch does not
differentiate, the backend's special-function table, and the numerics written to reproduce
torch's kernels (fused multiply-add, the C library's acosf, the large-degree polynomials).
Every expected value comes from torch."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import backend


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach().numpy())


def _same(got, want, rtol=1e-7, atol=1e-7):
    assert str(got.dtype) == str(want.dtype), (got.dtype, want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(_np(got), _np(want), rtol=rtol, atol=atol, equal_nan=True)


# ---- out= ---------------------------------------------------------------------------------------
def test_out_writes_into_the_given_tensor_and_returns_it():
    x = [0.3, -1.2, 2.0]
    out = tg.empty(3, dtype=tg.float64)
    got = tg.atanh(tg.tensor(x, dtype=tg.float64) / 4, out=out)
    assert got is out
    _same(out, torch.atanh(torch.tensor(x, dtype=torch.float64) / 4))


def test_out_of_another_shape_is_resized_and_a_float_result_into_int_raises():
    out = tg.zeros(5)
    tg.special.erfcx(tg.tensor([[0.5, 1.0]]), out=out)
    assert out.shape == (1, 2)
    _same(out, torch.special.erfcx(torch.tensor([[0.5, 1.0]])))
    with pytest.raises(RuntimeError, match="can't be cast"):
        tg.exp2(tg.tensor([1.0]), out=tg.zeros(1, dtype=tg.int64))
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        tg.lgamma(tg.tensor([1.5], requires_grad=True), out=tg.zeros(1))


# ---- dtypes: integer and bool inputs, as torch -------------------------------------------------
@pytest.mark.parametrize("name", ["exp2", "log10", "sinc", "lgamma", "digamma", "erfinv", "i0",
                                  "reciprocal", "deg2rad", "special.i1e", "special.ndtr",
                                  "special.entr", "special.bessel_j0", "special.airy_ai"])
def test_integer_and_bool_inputs_compute_in_float32(name):
    for data, dt in (([0, 1, 3, -2], "int64"), ([True, False], "bool"), ([1, 2], "int16")):
        want = _call(torch, name, torch.tensor(data, dtype=getattr(torch, dt)))
        got = _call(tg, name, tg.tensor(data, dtype=getattr(tg, dt)))
        _same(got, want, rtol=1.3e-6, atol=1e-5)


def _call(lib, dotted, *args):
    fn = lib
    for part in dotted.split("."):
        fn = getattr(fn, part)
    return fn(*args)


def test_integer_and_bool_rules_of_the_bit_and_rounding_ops():
    i32 = [5, -3, 0]
    for op in ("bitwise_not", "signbit", "isposinf", "isneginf", "isreal", "trunc", "floor",
               "sgn", "nan_to_num"):
        for data, dt in ((i32, "int32"), ([True, False], "bool"), ([7, 0], "uint8")):
            t_in = torch.tensor(data, dtype=getattr(torch, dt))
            try:
                want = getattr(torch, op)(t_in)
            except Exception as e:  # torch refuses: tinygrad_edu raises the same type
                with pytest.raises(type(e)):
                    getattr(tg, op)(tg.tensor(data, dtype=getattr(tg, dt)))
                continue
            got = getattr(tg, op)(tg.tensor(data, dtype=getattr(tg, dt)))
            assert got.dtype.name == str(want.dtype).removeprefix("torch."), (op, dt)
            np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert (~tg.tensor([5, -3], dtype=tg.int32)).tolist() == [-6, 2]
    with pytest.raises(TypeError, match="only implemented on integer"):
        ~tg.tensor([1.5])  # torch's operator: TypeError
    with pytest.raises(NotImplementedError, match="bitwise_not_cpu"):
        tg.bitwise_not(tg.tensor([1.5]))  # torch's kernel: NotImplementedError


def test_polynomials_and_zeta_promote_like_torch():
    cases = [(torch.tensor([1, 2]), 3), (torch.tensor([0.5], dtype=torch.float64), 4),
             (2.5, torch.tensor([2.0, 5.0])),
             (torch.tensor([0.25]), torch.tensor([3], dtype=torch.int32))]
    for x, n in cases:
        conv = (lambda v: tg.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v)
        for name in ("chebyshev_polynomial_t", "hermite_polynomial_he", "zeta"):
            want = getattr(torch.special, name)(x, n)
            _same(getattr(tg.special, name)(conv(x), conv(n)), want)
    with pytest.raises(TypeError):
        tg.special.zeta(2.0, 3.0)
    with pytest.raises(RuntimeError, match="must match"):
        tg.special.legendre_polynomial_p(tg.ones(3), tg.ones(2))


# ---- differentiability: torch's choices --------------------------------------------------------
def test_functions_torch_does_not_differentiate_return_constants():
    x = tg.tensor([0.5, 1.5], requires_grad=True)
    for name in ("bessel_j0", "bessel_y1", "modified_bessel_k0", "airy_ai", "spherical_bessel_j0"):
        assert not getattr(tg.special, name)(x).requires_grad
        t = torch.tensor([0.5], requires_grad=True)
        assert not getattr(torch.special, name)(t).requires_grad
    assert not tg.special.chebyshev_polynomial_t(x, 3).requires_grad
    assert not tg.signbit(x).requires_grad and not tg.isposinf(x).requires_grad


def test_zeta_differentiates_in_q_and_refuses_in_x():
    q = tg.tensor([1.5, 2.0], dtype=tg.float64, requires_grad=True)
    tq = torch.tensor([1.5, 2.0], dtype=torch.float64, requires_grad=True)
    tg.special.zeta(3.0, q).sum().backward()
    torch.special.zeta(3.0, tq).sum().backward()
    _same(q.grad, tq.grad)
    x = tg.tensor([3.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="zeta"):
        tg.special.zeta(x, 2.0).sum().backward()


def test_second_derivatives_where_torch_guards_a_point():
    """i1'(0) = ½ and logit'' outside [0, 1]: the guarded formulas differentiate again (a
    number constant in a Tensor-mode ``where`` takes the value's dtype, not the bool mask's)."""
    for name, vals in (("special.i1", [0.0, 1.5]), ("special.i1e", [0.0, -2.0]),
                       ("logit", [1.5, 0.3, -0.2])):
        xs = [lib.tensor(vals, dtype=lib.float64, requires_grad=True) for lib in (torch, tg)]
        hs = []
        for lib, x in zip((torch, tg), xs):
            (g,) = lib.autograd.grad(_call(lib, name, x).sum(), x, create_graph=True)
            (h,) = lib.autograd.grad(g.sum(), x)
            hs.append((g, h))
        _same(hs[1][0], hs[0][0].detach())
        _same(hs[1][1], hs[0][1])


# ---- the tg.special namespace ------------------------------------------------------------------
# torch.special names whose op belongs to another family and is not in tinygrad_edu yet
_NOT_YET: set = set()


def test_tg_special_has_every_torch_special_function():
    names = {n for n in dir(torch.special) if not n.startswith("_") and callable(
        getattr(torch.special, n)) and n not in ("Tensor", "torch")}
    missing = sorted(n for n in names - _NOT_YET if not hasattr(tg.special, n))
    assert missing == []
    assert sorted(n for n in _NOT_YET if hasattr(tg.special, n)) == [], "remove from _NOT_YET"
    x = [0.1, 0.7]
    for alias in ("expit", "psi", "gammaln", "multigammaln", "log1p", "round", "erf", "sinc"):
        args = (2,) if alias == "multigammaln" else ()
        want = getattr(torch.special, alias)(torch.tensor(x) + 1, *args)
        _same(getattr(tg.special, alias)(tg.tensor(x) + 1, *args), want, 1.3e-6, 1e-5)


# ---- the backend's table ---------------------------------------------------------------------
def test_every_special_table_entry_names_a_scipy_function_and_runs():
    import scipy.special as sc

    for fname, _ in backend.SPECIAL.values():
        assert hasattr(sc, fname), fname
    x = np.array([0.25, 0.75], dtype=np.float32)
    assert backend.special("i1e", x).dtype == np.float32
    assert backend.special("zeta", 3.0, x).dtype == np.float32  # (the array's dtype)


def test_libm_acos_is_the_c_librarys_or_the_rounded_double():
    x = np.linspace(-0.999, 0.999, 2001, dtype=np.float32)
    got = backend.libm_float("acos", x)
    ref = np.arccos(x.astype(np.float64)).astype(np.float32)
    assert got.dtype == np.float32
    assert np.max(np.abs(got.view(np.int32) - ref.view(np.int32))) <= 1  # within an ulp


# ---- numerics written to reproduce torch's kernels --------------------------------------------
def test_fma_rounds_once():
    from tinygrad_edu.ops.polynomials import fma

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(200) * 1e3, rng.standard_normal(200)
    c = -(a * b) + rng.standard_normal(200) * 1e-9  # heavy cancellation
    exact = [float(Fraction(p) * Fraction(q) + Fraction(r)) for p, q, r in zip(a, b, c)]
    assert np.array_equal(fma(a, b, c), np.array(exact))
    a32, b32, c32 = (v.astype(np.float32) for v in (a, b, c))
    exact32 = [np.float32(Fraction(float(p)) * Fraction(float(q)) + Fraction(float(r)))
               for p, q, r in zip(a32, b32, c32)]
    assert np.array_equal(fma(a32, b32, c32), np.array(exact32, dtype=np.float32))


def test_large_degree_polynomials_match_torch_without_a_python_loop_per_degree():
    x = torch.tensor([501.0, 0.3, -0.6, 1001.0], dtype=torch.float64)
    n = torch.tensor([4988429.0, 70000.0, 123456.0, 13437.0], dtype=torch.float64)
    for name in ("laguerre_polynomial_l", "legendre_polynomial_p"):
        want = getattr(torch.special, name)(x, n)
        got = getattr(tg.special, name)(tg.tensor(x.numpy()), tg.tensor(n.numpy()))
        _same(got, want, rtol=1e-6, atol=1e-9)


def test_values_at_the_edges_are_torchs():
    edges = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1e-310, -2.0, 1e20]
    for name in ("lgamma", "digamma", "erfinv", "acosh", "atanh", "logit", "sinc", "frac",
                 "special.ndtri", "special.log_ndtr", "special.i0e", "special.erfcx",
                 "special.spherical_bessel_j0", "special.airy_ai",
                 "special.scaled_modified_bessel_k1"):
        want = _call(torch, name, torch.tensor(edges, dtype=torch.float64))
        got = _call(tg, name, tg.tensor(edges, dtype=tg.float64))
        _same(got, want)
        w = want.numpy()
        assert np.array_equal(np.signbit(got.numpy()), np.signbit(w), equal_nan=False) or (
            np.array_equal(np.signbit(got.numpy())[~np.isnan(w)], np.signbit(w)[~np.isnan(w)])
        ), name  # (-0.0 where torch gives -0.0; a nan's sign means nothing)
    for n in range(5):
        want = torch.polygamma(n, torch.tensor(edges, dtype=torch.float64))
        _same(tg.polygamma(n, tg.tensor(edges, dtype=tg.float64)), want)


def test_frexp_returns_torchs_pair():
    x = [0.0, -3.5, 1e-40, 6.0, math.inf]
    m, e = tg.frexp(tg.tensor(x))
    r = torch.frexp(torch.tensor(x))
    _same(m, r.mantissa)
    assert e.dtype == tg.int32 and e.tolist() == r.exponent.tolist()
    assert tg.frexp(tg.tensor(x)).exponent.tolist() == r.exponent.tolist()
    with pytest.raises(RuntimeError, match="floating-point"):
        tg.frexp(tg.tensor([1, 2]))
