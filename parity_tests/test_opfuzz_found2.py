"""Regression tests for more silent differences the op fuzzer (parity_tests/scripts/fuzz_ops.py)
found, each against real torch (value, dtype, shape; nan, inf and the sign of zero exact):

- pow(x, False) backward: torch's exponent-0 shortcut does not take a bool, so the gradient is
  0·x^-1 (nan where x^-1 overflows or x = 0); ours was 0;
- elu/selu/celu(±0) keep x (torch takes the x branch at 0: elu(-0.0) is -0.0), relu6/hardtanh
  keep x at a zero bound (-0.0), logsigmoid(x ≫ 0) is 0.0 (ours was -0.0);
- logit'(-0.0) is +inf (torch's g·inf at x = 0; ours 1/(-0.0·1) = -inf);
- mvlgamma'(-0.0): torch adds +0.0 to x before ψ, so ψ(0.0) = -inf (ours ψ(-0.0) = +inf);
- cdist/pdist(p=1) backward at a nan coordinate: nan (torch's kernel sign; ours took
  vector_norm's sgn, 0);
- the polynomials' recurrences at x = ±0: Tₙ(0.0) for odd n is -0.0 (our float64 fused
  multiply-add added its +0.0 correction to -0.0);
- cumsum/cumprod(x, dtype=float16) of a float64 x: torch's backward casts the gradient to x's
  dtype first and sums in float64; ours summed in float16;
- mul/div/floor_divide(half tensor, 0-d float tensor of another dtype): torch reads the 0-d
  tensor as a float32 scalar (bf16 100 · tensor(1.00390625) is 100.5); ours rounded it to the
  half type first (100).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _np(t):
    t = t.detach()
    return t.double().numpy() if t.is_floating_point() else t.numpy()


def same(a, b, rtol=1e-6, atol=1e-6):
    """torch tensor ``a`` and ours ``b``: dtype, shape, values; nan, inf and zero signs exact."""
    assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
    assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
    x, y = _np(a), _np(b)
    np.testing.assert_allclose(y, x, rtol=rtol, atol=atol, equal_nan=True)
    if x.dtype.kind == "f":
        assert (np.isnan(x) == np.isnan(y)).all(), (x, y)
        assert (np.isinf(x) == np.isinf(y)).all() and (x[np.isinf(x)] == y[np.isinf(y)]).all()
        zero = x == 0
        assert (np.signbit(x[zero]) == np.signbit(y[zero])).all(), (x, y)


def _grad(L, fn, values, dtype="float64", weight=None):
    x = L.tensor(values, dtype=getattr(L, dtype), requires_grad=True)
    r = fn(L, x)
    r.backward(L.ones_like(r) if weight is None else L.tensor(weight, dtype=r.dtype))
    return r, x.grad


def both(fn, *args, **kw):
    """fn run with torch and with tinygrad_edu; every returned tensor compared."""
    t, o = fn(torch, *args, **kw), fn(tg, *args, **kw)
    t, o = (t, o) if isinstance(t, tuple) else ((t,), (o,))
    for a, b in zip(t, o):
        same(a, b)


# ---- pow(x, bool) backward ---------------------------------------------------------------------
@pytest.mark.parametrize("exponent", [False, True, 0, 0.0, 2])
def test_pow_bool_exponent_grad(exponent):
    both(_grad, lambda L, x: L.pow(x, exponent), [-1e-310, 0.0, -0.0, 2.0, -3.0])


# ---- activations at ±0 --------------------------------------------------------------------------
_ACT = {
    "elu": lambda F, x: F.elu(x),
    "elu alpha=-1": lambda F, x: F.elu(x, alpha=-1.0),
    "elu alpha=inf": lambda F, x: F.elu(x, alpha=float("inf")),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x),
    "relu6": lambda F, x: F.relu6(x),
    "hardtanh(-0.0, 0.0)": lambda F, x: F.hardtanh(x, -0.0, 0.0),
    "hardtanh(0, 1)": lambda F, x: F.hardtanh(x, 0.0, 1.0),
    "hardtanh(0.0, -0.0)": lambda F, x: F.hardtanh(x, 0.0, -0.0),
    "hardtanh(-1, -0.0)": lambda F, x: F.hardtanh(x, -1.0, -0.0),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("name", list(_ACT))
def test_activation_zero_sign(name, dtype):
    vals = [-0.0, 0.0, 426.5, -3.0, 7.0, float("nan"), float("-inf"), float("inf")]
    for n in (1, 9):  # torch's scalar loop and its vector lanes
        x = {L: L.tensor(vals * n, dtype=getattr(L, dtype)) for L in (torch, tg)}
        both(lambda L, x=x: _ACT[name](L.nn.functional, x[L]))


def test_activation_zero_sign_grads():
    for name in ("elu", "selu", "celu", "relu6", "logsigmoid"):
        both(_grad, lambda L, x, f=_ACT[name]: f(L.nn.functional, x), [-0.0, 0.0, 426.5, -3.0])


# ---- logit' at -0.0 ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("eps", [None, 0.0, 1e-3])
def test_logit_grad_at_zero(eps, dtype):
    both(_grad, lambda L, x: L.logit(x, eps), [-0.0, 0.0, 1.0, 0.5, -0.0], dtype,
         [1.0, -1.0, -1.0, 1.0, -1.0])


# ---- mvlgamma' at -0.0 ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_mvlgamma_grad_at_minus_zero(dtype):
    both(_grad, lambda L, x: L.mvlgamma(x, 1), [-0.0, 0.0, 0.5, 1.0, 3.25], dtype)
    both(_grad, lambda L, x: L.mvlgamma(x, 2), [0.5, 1.0, 1.5, 3.25], dtype)
    both(_grad, lambda L, x: L.mvlgamma(x, 3), [1.0, 1.5, 3.25], dtype)


# ---- cdist / pdist p=1 backward at nan -----------------------------------------------------------
def test_cdist_p1_grad_at_nan():
    def run(L):
        x = L.tensor([[float("nan"), 2.0, -3.0], [1.0, 0.0, 0.0]], dtype=L.float64,
                     requires_grad=True)
        y = L.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, -1.0, 4.0]], dtype=L.float64,
                     requires_grad=True)
        r = L.cdist(x[None], y[None], p=1)
        r.backward(L.arange(6, dtype=L.float64).reshape(1, 2, 3))
        return r, x.grad, y.grad
    both(run)


def test_pdist_p1_grad_at_nan():
    both(_grad, lambda L, x: L.pdist(x, 1),
         [[float("nan"), 2.0, -3.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, 7.0, -1.0]])


def test_cdist_p1_values_and_empty():
    for dtype in ("float32", "float64"):
        both(lambda L, d=dtype: L.cdist(L.tensor([[[0.5, -1.0], [3.0, 2.0]]], dtype=getattr(L, d)),
                                        L.tensor([[[1.0, 1.0], [-2.0, 0.25], [0.0, 0.0]]],
                                                 dtype=getattr(L, d)), p=1))
    both(lambda L: L.cdist(L.ones(1, 2, 0), L.ones(1, 3, 0), p=1))


# ---- the orthogonal polynomials at ±0 ------------------------------------------------------------
_POLYS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
          "chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
          "legendre_polynomial_p", "laguerre_polynomial_l", "shifted_chebyshev_polynomial_t",
          "shifted_chebyshev_polynomial_u"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", _POLYS)
def test_polynomial_zero_sign(name, dtype):
    xs = [0.0, -0.0, 0.5, -0.5, 1e-300, -1e-300, 0.25, 0.75, 2.0, -3.0]
    for n in range(12):
        both(lambda L, n=n: getattr(L.special, name)(L.tensor(xs, dtype=getattr(L, dtype)), n))


# ---- cumsum / cumprod(dtype=) backward: in the input's dtype ----------------------------------
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
@pytest.mark.parametrize("vals", [[-925.8368550584721, 2.0, -100.0, 0.3], [1.5, 0.0, 2.0, -3.1],
                                  [0.3]])
def test_scan_dtype_backward_in_input_dtype(op, dtype, vals):
    # torch's derivatives.yaml: cumsum_backward(grad.to(self.scalar_type()), dim): the reverse
    # cumulative sum runs in float64 here, not in float16 (-1.406494140625 is no float16)
    def run(L):
        x = L.tensor(vals, dtype=L.float64, requires_grad=True)
        r = getattr(L, op)(x, dim=0, dtype=getattr(L, dtype))
        r.backward(L.tensor([0.5403, -0.41626, -0.99, 0.75][: len(vals)], dtype=r.dtype))
        return r, x.grad
    both(run)


def test_scan_dtype_backward_0d_and_wider():
    both(_grad, lambda L, x: L.cumsum(x, 0, dtype=L.float16), 2.5)
    both(_grad, lambda L, x: L.cumprod(x, 0, dtype=L.float64), [2.5, 1 / 3], "float32",
         [1 / 3, 0.1])


# ---- a 0-d float tensor beside a float16/bfloat16 tensor: read in float32 --------------------
_ZD_OPS = {
    "mul": lambda L, x, s: L.mul(x, s),
    "x * s": lambda L, x, s: x * s,
    "div": lambda L, x, s: L.div(x, s),
    "div floor": lambda L, x, s: L.div(x, s, rounding_mode="floor"),
    "div trunc": lambda L, x, s: L.div(x, s, rounding_mode="trunc"),
    "floor_divide": lambda L, x, s: L.floor_divide(x, s),
    "x // s": lambda L, x, s: x // s,
    "s * x": lambda L, x, s: s * x,  # (torch: s first is no CPU scalar of the kernel)
    "add": lambda L, x, s: L.add(x, s),
    "remainder": lambda L, x, s: L.remainder(x, s),
}


@pytest.mark.parametrize(("xdtype", "sdtype"), [  # a 0-d operand of ANOTHER dtype beside half
    (x, s) for x in ("float16", "bfloat16") for s in ("float16", "bfloat16", "float32", "float64")
    if s != x])
@pytest.mark.parametrize("op", list(_ZD_OPS))
def test_zero_dim_operand_beside_half(op, xdtype, sdtype):
    vals = [2.0, 7.0, 100.0, -3.5, 0.1, 65504.0, 1e-3]
    for sv in (1.00390625, 3.0009765625, 0.30000001, 70000.0, 1e-8, -0.0, float("inf")):
        both(lambda L, sv=sv: _ZD_OPS[op](L, L.tensor(vals, dtype=getattr(L, xdtype)),
                                          L.tensor(sv, dtype=getattr(L, sdtype))))


def test_zero_dim_operand_beside_half_grad():
    def run(L):
        x = L.tensor([2.0, 7.0, 100.0], dtype=L.bfloat16, requires_grad=True)
        s = L.tensor(1.00390625, dtype=L.float16)
        r = x * s + x / s
        r.sum().backward()
        return r, x.grad
    both(run)


@pytest.mark.parametrize("alpha", [-2.0, -0.5, 0.5, 2.0])
def test_celu_branches_on_x_for_either_sign_of_alpha(alpha):
    # silent: celu computed α·elu(x/α), which branches on x/α: with α < 0 it took the other
    # side (celu(426.5, α=-2) gave 2.0, torch 426.5)
    v = [426.5, 3.0, 0.5, 0.0, -0.0, -0.5, -3.0, -30.0]
    x, tx = tg.tensor(v, dtype=tg.float64, requires_grad=True), torch.tensor(
        v, dtype=torch.float64, requires_grad=True)
    y, ty = tg.nn.functional.celu(x, alpha=alpha), torch.nn.functional.celu(tx, alpha=alpha)
    np.testing.assert_array_equal(np.signbit(y.detach().numpy()), np.signbit(ty.detach().numpy()))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-15)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-15)
