"""Regression tests for silent differences the op fuzzer (parity_tests/scripts/fuzz_ops.py) found.

Each test runs the same call in torch and in tinygrad_edu and compares value, dtype and shape
(nan positions and inf signs exact). Kinds:
- ``out=`` accepted and ignored: 47 linalg / contraction / histogram functions took ``out=``
  and never wrote it (``torch.linalg.vector_norm(x, out=o)`` left ``o`` empty);
- asin / acos gradients where x² overflows: 0 instead of torch's nan (``(1-x²)**-0.5`` is 0 at
  -inf, torch's rsqrt is nan);
- sinc's gradient where x² underflows (|x| < 1e-154): nan instead of torch's 0;
- lerp of three 0-d tensors: the result kept input's dtype where torch promotes over all three;
- logit(eps=) in bfloat16: the clamp bounds were not rounded to bfloat16 (1 - 1e-6 is 1 there,
  so torch's logit(1.) is inf; ours was 13.8);
- prod in float16/bfloat16: accumulated in float32 where torch multiplies in the type (torch
  overflows to inf, ours gave -4152);
- mean(dtype=float16/bfloat16): the input was cast to the half type before summing (torch sums
  in float32 and rounds once: mean(float64 x, dtype=float16) lost x's digits, overflowed);
- round(decimals=) in float16: x·10ᵈ computed in float16 (inf at 708.5·100; torch: float32);
  round(int tensor, decimals=1) computed where torch raises NotImplementedError;
- special.xlog1py(x, True) backward: log1p of the Python bool taken in float16 (0.6934);
- ldexp(float16 x, 0-d float64 e): float64 result where torch keeps float16;
- logical_and/or/xor tested each operand in its own dtype; torch casts both to their common
  dtype first (a 0-d float64 2.3e-308 beside float32 is 0: logical_xor(1e4, it) is True);
- logit in bfloat16: computed in float32 and rounded once; torch rounds each step (8% apart);
- nansum(x, dtype=int64) cast nan to INT_MIN before summing (torch counts it as 0);
- integer floor_divide/remainder/div of an empty tensor by 0 raised ZeroDivisionError;
- torch.special.round(int tensor) computed (torch passes decimals: NotImplementedError);
  torch.special.xlogy was missing; nanmean(int, dtype=float64) computed (torch raises);
- vector_norm(ord=1/±inf) and l1_loss backward at a nan input: nan (NumPy's sign), torch's
  sgn(nan) is 0;
- lcm whose product wraps kept the wrapped sign (torch takes |.| after the wrap);
- sum/prod/mean/nansum/nanmean/logsumexp/std/var(out=) of another dtype raised; torch
  computes in (or casts into) out's dtype;
- abs/sign/sgn/ceil/floor/trunc/frac/round/bitwise_not/nan_to_num/clamp (number bounds)/where
  cast into an out= of another dtype; torch raises RuntimeError ("Found dtype X but expected Y");
- clamp(x, 0-d tensor, number) raised TypeError; torch reads the 0-d tensor as a number;
- vector_norm over one element: |x|ᵖ overflowed (inf for 1e30 in float32); torch gives |x|.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _np(t):
    t = t.detach()
    if isinstance(t, torch.Tensor):
        return t.double().numpy() if t.is_floating_point() else t.numpy()
    return t.double().numpy() if t.is_floating_point() else t.numpy()


def same(a, b, rtol=1e-6, atol=1e-6):
    """Value, dtype and shape of torch tensor ``a`` and ours ``b`` (nan and inf exact)."""
    assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
    assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
    np.testing.assert_allclose(_np(b), _np(a), rtol=rtol, atol=atol, equal_nan=True)
    x, y = _np(a), _np(b)
    if x.dtype.kind == "f":
        assert (np.isnan(x) == np.isnan(y)).all()
        assert (np.isinf(x) == np.isinf(y)).all() and (x[np.isinf(x)] == y[np.isinf(y)]).all()


# ---- out= honoured ------------------------------------------------------------------------
_OUT_CASES = {
    "dot": "L.dot(a, a, out=o)",
    "vdot": "L.vdot(a, a, out=o)",
    "inner": "L.inner(a, a, out=o)",
    "kron": "L.kron(a, a, out=o)",
    "tensordot": "L.tensordot(m, m, dims=1, out=o)",
    "cross": "L.cross(v, v * 2 + 1, dim=0, out=o)",
    "linalg.cross": "L.linalg.cross(v, v * 2 + 1, out=o)",
    "linalg.vecdot": "L.linalg.vecdot(a, a, out=o)",
    "linalg.multi_dot": "L.linalg.multi_dot([m, m], out=o)",
    "linalg.det": "L.linalg.det(m, out=o)",
    "cholesky": "L.cholesky(m, out=o)",
    "linalg.cholesky": "L.linalg.cholesky(m, out=o)",
    "linalg.vector_norm": "L.linalg.vector_norm(a, out=o)",
    "linalg.vector_norm empty": "L.linalg.vector_norm(L.zeros(2, 0), dim=-1, ord=1, out=o)",
    "linalg.matrix_norm": "L.linalg.matrix_norm(m, out=o)",
    "linalg.norm": "L.linalg.norm(a, out=o)",
    "norm": "L.norm(a, out=o)",
    "renorm": "L.renorm(m, 2, 0, 1.0, out=o)",
    "linalg.pinv": "L.linalg.pinv(m, out=o)",
    "linalg.cond": "L.linalg.cond(m, out=o)",
    "histc": "L.histc(a, bins=4, out=o)",
    "linalg.eigvalsh": "L.linalg.eigvalsh(m, out=o)",
    "linalg.svdvals": "L.linalg.svdvals(m, out=o)",
    "linalg.householder_product": "L.linalg.householder_product(m, a, out=o)",
    "linalg.lu_solve": "L.linalg.lu_solve(*L.linalg.lu_factor(m), m, out=o)",
    "linalg.slogdet": "L.linalg.slogdet(m, out=(o, o2))",
    "linalg.eigh": "L.linalg.eigh(m, out=(o, o2))",
    "linalg.qr": "L.linalg.qr(m, out=(o, o2))",
    "linalg.lu_factor": "L.linalg.lu_factor(m, out=(o, oi))",
    "linalg.inv_ex": "L.linalg.inv_ex(m, out=(o, oi))",
    "histogram": "L.histogram(a, bins=3, out=(o, o2))",
    "triangular_solve": "L.triangular_solve(m, m, out=(o, o2))",
    "linalg.lu": "L.linalg.lu(m, out=(o, o2, o3))",
}


def _out_run(L, code, odtype="float32"):
    a = L.tensor([1.0, 2.0])
    m = L.tensor([[2.0, 1.0], [1.0, 3.0]])
    v = L.tensor([1.0, 2.0, 3.0])
    o, o2, o3 = (L.zeros(0, dtype=getattr(L, odtype)) for _ in range(3))
    oi = L.zeros(0, dtype=L.int32)
    r = eval(code, {"L": L, "a": a, "m": m, "v": v, "o": o, "o2": o2, "o3": o3, "oi": oi})
    return r, (o, o2, o3, oi)


@pytest.mark.parametrize("name", sorted(_OUT_CASES))
def test_out_is_written(name):
    code = _OUT_CASES[name]
    r_t, outs_t = _out_run(torch, code)
    r_o, outs_o = _out_run(tg, code)
    for t, o in zip(outs_t, outs_o):
        same(t, o, rtol=1e-5, atol=1e-5)
    for r, outs in ((r_t, outs_t), (r_o, outs_o)):  # what is returned is the out tensors
        items = r if isinstance(r, tuple) else (r,)
        assert all(any(x is o for o in outs) for x in items)


@pytest.mark.parametrize("name", ["linalg.vector_norm", "dot", "linalg.det", "histc"])
def test_out_of_another_dtype_raises(name):
    with pytest.raises(RuntimeError):
        _out_run(torch, _OUT_CASES[name], "float64")
    with pytest.raises(RuntimeError):
        _out_run(tg, _OUT_CASES[name], "float64")


# ---- gradients at special points ----------------------------------------------------------
@pytest.mark.parametrize("op", ["asin", "acos", "arcsin", "arccos"])
def test_asin_acos_grad_where_square_overflows(op):
    vals = [-math.inf, math.inf, 1.7e308, -1e200, 0.3, 1.0, 2.0, math.nan]
    grads = []
    for L in (torch, tg):
        x = L.tensor(vals, dtype=L.float64, requires_grad=True)
        getattr(L, op)(x).sum().backward()
        grads.append(x.grad)
    same(*grads, rtol=1e-9, atol=1e-12)


def test_asin_acos_double_backward():
    res = []
    for L in (torch, tg):
        x = L.tensor([0.3, -0.5, 1.7e308, 0.9], dtype=L.float64, requires_grad=True)
        g, = L.autograd.grad((L.asin(x) + 2 * L.acos(x)).sum(), x, create_graph=True)
        g.sum().backward()
        res += [g.detach(), x.grad]
    same(res[0], res[2], rtol=1e-9, atol=1e-12)
    same(res[1], res[3], rtol=1e-9, atol=1e-12)


def test_sinc_grad_where_square_underflows():
    vals = [-1e-310, 1e-200, 5e-324, 0.0, -0.0, 1e-100, 0.3, 2.0]
    grads = []
    for L in (torch, tg):
        x = L.tensor(vals, dtype=L.float64, requires_grad=True)
        L.sinc(x).sum().backward()
        grads.append(x.grad)
    same(*grads, rtol=1e-9, atol=1e-12)


# ---- dtype of lerp over 0-d tensors ---------------------------------------------------------
@pytest.mark.parametrize("dims", [(0, 0, 0), (1, 0, 0), (0, 1, 0)])
@pytest.mark.parametrize("dts", [("float32", "float64"), ("float16", "float32"),
                                 ("float64", "float32"), ("float32", "int64")])
def test_lerp_zero_dim_promotion(dims, dts):
    res = []
    for L in (torch, tg):
        dt, wdt = getattr(L, dts[0]), getattr(L, dts[1])
        x, e = ((L.tensor([1.5, -2.0], dtype=dt) if d else L.tensor(1.5, dtype=dt))
                for d in dims[:2])
        w = L.tensor(1, dtype=wdt) if dts[1] == "int64" else L.tensor(0.25, dtype=wdt)
        res.append(L.lerp(x, e, w))
    same(*res)


# ---- logit's eps bounds in the input's dtype -------------------------------------------------
@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32", "float64"])
@pytest.mark.parametrize("eps", [1e-6, 1e-3, 0.1])
def test_logit_eps_bounds_rounded_to_dtype(dtype, eps):
    vals = [0.0, 1e-7, 0.5, 0.99, 1.0, 540.0, -3.0]
    res = []
    for L in (torch, tg):
        res.append(L.logit(L.tensor(vals, dtype=getattr(L, dtype)), eps=eps))
    tol = {"bfloat16": 2e-2, "float16": 1e-3}.get(dtype, 1e-6)
    same(*res, rtol=tol, atol=tol)


def test_logit_eps_grad_bfloat16_mask():
    grads = []
    for L in (torch, tg):
        x = L.tensor([0.0, 0.5, 0.999, 1.0], dtype=L.bfloat16, requires_grad=True)
        L.logit(x, eps=1e-6).sum().backward()
        grads.append(x.grad)
    same(*grads, rtol=2e-2, atol=2e-2)


# ---- prod in float16 / bfloat16 multiplies in the type ----------------------------------------
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_half_prod_rounds_each_step_like_torch(dtype, dim):
    """torch's CPU prod multiplies in the half type: [300, 300, 1/300, 1/300] overflows to inf
    (a float32 accumulator gave 1.0), and a short product rounds after every factor."""
    rng = np.random.default_rng(3)
    vals = (1 + rng.standard_normal((3, 12)) * 0.05).astype(np.float32)
    vals[0, :4] = [300.0, 300.0, 1 / 300, 1 / 300]
    vals[1, :2] = [6e4, -2.0] if dtype == "float16" else [3e38, 4.0]
    res = []
    for L in (torch, tg):
        x = L.tensor(vals).to(getattr(L, dtype))
        res.append(x.prod() if dim is None else x.prod(dim, keepdim=True))
    same(*res, rtol=0, atol=0)


def test_prod_with_a_half_dtype_argument():
    res = []
    for L in (torch, tg):
        x = L.tensor([-2.796875, 9984.0, 5.03125, 0.029541015625], dtype=L.bfloat16)
        res.append(L.prod(x, 0, keepdim=True, dtype=L.float16))
    same(*res, rtol=0, atol=0)


# ---- mean(dtype=half) and round(decimals=) in float16 ---------------------------------------
@pytest.mark.parametrize("src, dtype", [
    ([-467.94771625551743, 0.04285912153033382, -2.884054832974402, 478.07244005535205],
     "float64"),
    ([-1e30, 3.4e38], "float32"),
    ([3.4e38, 0.001, 3.0], "float32"),
    ([1.5, -2.25, 7.0], "float16"),
])
@pytest.mark.parametrize("to", ["float16", "bfloat16"])
def test_mean_with_a_half_dtype_sums_in_float32(src, dtype, to):
    """torch: cast to float32 -> sum -> divide -> round to the half type once (casting to the
    half type first overflowed to inf or nan, and lost the float64 digits)."""
    res = []
    for L in (torch, tg):
        x = L.tensor(src, dtype=getattr(L, dtype))
        res.append(L.mean(x, dtype=getattr(L, to)))
    same(*res, rtol=0, atol=0)


def test_mean_with_a_half_dtype_grad():
    grads = []
    for L in (torch, tg):
        x = L.tensor([[1.0, 2.0, 3.5], [4.0, -1.0, 0.25]], dtype=L.float64, requires_grad=True)
        y = L.mean(x, 1, dtype=L.float16)
        assert y.grad_fn.name() == "MeanBackward1"
        y.backward(L.tensor([1.0, -2.0], dtype=L.float16))
        grads.append(x.grad)
    same(*grads, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("decimals", [2, 1, -1, -2, 3])
def test_round_decimals_float16_in_float32(decimals):
    """torch rounds x·10ᵈ in float32 for float16 (708.5·100 overflowed to inf in float16)."""
    vals = [-3.345703125, 708.5, -65504.0, 1.005, 2.5, -1780.0, 0.125, 6e-5]
    res = []
    for L in (torch, tg):
        x = L.tensor(vals, dtype=L.float16)
        res.append(L.round(x, decimals=decimals))
        res.append(x.clone().round_(decimals=decimals))
    same(res[0], res[2], rtol=0, atol=0)
    same(res[1], res[3], rtol=0, atol=0)


@pytest.mark.parametrize("decimals", [0, 1, -1])
def test_round_decimals_of_integers_raises(decimals):
    """torch's round.decimals overload has no integer kernel (even decimals=0); plain round of
    an integer tensor is a copy."""
    for L in (torch, tg):
        with pytest.raises(NotImplementedError):
            L.round(L.tensor([3, 4], dtype=L.int8), decimals=decimals)
        with pytest.raises(NotImplementedError):
            L.tensor([3, 4]).round_(decimals=decimals)
        assert L.round(L.tensor([3, 4])).tolist() == [3, 4]


# ---- xlog1py's gradient beside a bool number; ldexp's dtype with a 0-d float64 exponent --------
@pytest.mark.parametrize("other", [True, 1, 3, 2.5])
def test_xlog1py_grad_with_a_number(other):
    """∂/∂x xlog1py(x, y) = log1p(y): NumPy's log1p(True) is a float16 0.6934, not ln 2."""
    grads = []
    for L in (torch, tg):
        x = L.tensor([402.9248190775667, -2.0], dtype=L.float64, requires_grad=True)
        L.special.xlog1py(x, other).sum().backward()
        grads.append(x.grad)
    same(*grads, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xdt, odt, zero_d", [
    ("float16", "float64", True), ("float32", "float64", True), ("bfloat16", "float32", True),
    ("float32", "float64", False), ("int32", "int64", False),
])
def test_ldexp_dtype_with_a_zero_dim_exponent(xdt, odt, zero_d):
    res = []
    for L in (torch, tg):
        x = L.tensor([-360.5, 3.0], dtype=getattr(L, xdt)) if xdt != "int32" else \
            L.tensor([3, -4], dtype=L.int32)
        e = L.tensor(-2.193436728315967 if odt.startswith("float") else 2, dtype=getattr(L, odt))
        res.append(L.ldexp(x, e if zero_d else e.reshape(1)))
    same(*res, rtol=1e-3, atol=1e-3)


# ---- logical_and/or/xor test the operands in their common dtype ------------------------------
@pytest.mark.parametrize("op", ["logical_and", "logical_or", "logical_xor"])
@pytest.mark.parametrize("a, adt, b, bdt, zero_d", [
    ([10000.0, 0.0], "float32", 2.3e-308, "float64", True),
    ([-2, 0], "int32", -4611686018427387904, "int64", True),
    ([1.0, 0.0], "float16", 1e-10, "float64", True),
    ([0.0, 3.0], "float64", [1e-10, 0.0], "float16", False),
    ([1, 0], "uint8", [256.5, 0.0], "bfloat16", False),
])
def test_logical_ops_cast_to_the_common_dtype(op, a, adt, b, bdt, zero_d):
    res = []
    for L in (torch, tg):
        x = L.tensor(a, dtype=getattr(L, adt))
        y = L.tensor(b, dtype=getattr(L, bdt))
        res.append(getattr(L, op)(x, y))
        if adt.startswith("float"):
            res.append(getattr(x.clone(), op + "_")(y))
    for t, o in zip(res[:len(res) // 2], res[len(res) // 2:]):
        same(t, o, rtol=0, atol=0)


@pytest.mark.parametrize("eps", [None, 1e-6, 0.1])
def test_logit_bfloat16_rounds_each_step(eps):
    """torch's bfloat16 logit rounds 1 - z, z/(1 - z) and the log to bfloat16 in turn:
    logit(0.490234375) is -0.0359 there (float32 then one rounding: -0.0391, 8% off)."""
    rng = np.random.default_rng(0)
    v = np.concatenate([rng.random(300), [0.0, 1.0, 1e-7, 0.490234375, 0.999]]).astype(np.float32)
    g = rng.standard_normal(v.size).astype(np.float32)
    res = []
    for L in (torch, tg):
        x = L.tensor(v).to(L.bfloat16).requires_grad_()
        y = L.logit(x, eps=eps)
        y.backward(L.tensor(g).to(L.bfloat16))
        res += [y, x.grad]
    same(res[0], res[2], rtol=0, atol=0)
    same(res[1], res[3], rtol=0, atol=0)


# ---- nansum to an integer dtype; empty integer division; special.round / xlogy; nanmean ------
@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "bool"])
@pytest.mark.parametrize("xdt", ["float32", "float16", "bfloat16"])
def test_nansum_to_an_integer_dtype_counts_nan_as_zero(dtype, xdt):
    """torch: nan_to_num first (nan 0, ±inf the float dtype's extremes), then the cast."""
    res = []
    for L in (torch, tg):
        rows = [[float("nan"), 2.7, -1.5], [float("nan"), float("nan"), 3.0]]
        if xdt == "float16" and dtype in ("int64", "int32"):  # 65504 fits (no UB cast)
            rows.append([float("inf"), 1.0, -float("inf")])
        x = L.tensor(rows, dtype=getattr(L, xdt))
        res.append(L.nansum(x, dtype=getattr(L, dtype)))
        res.append(L.nansum(x, 1, dtype=getattr(L, dtype)))
    same(res[0], res[2], rtol=0, atol=0)
    same(res[1], res[3], rtol=0, atol=0)


@pytest.mark.parametrize("code", [
    "L.floor_divide(L.zeros((2, 0), dtype=L.int32), False)",
    "L.zeros(0, dtype=L.int8) % 0",
    "L.remainder(L.zeros((0, 3), dtype=L.int64), L.zeros(3, dtype=L.int64))",
    "L.div(L.zeros(0, dtype=L.int16), 0, rounding_mode='trunc')",
])
def test_integer_division_by_zero_of_nothing_does_not_raise(code):
    res = [eval(code, {"L": L}) for L in (torch, tg)]
    same(*res)


def test_integer_division_by_zero_still_raises():
    for L in (torch, tg):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            L.floor_divide(L.tensor([3]), 0)


def test_special_round_and_xlogy():
    for L in (torch, tg):
        with pytest.raises(NotImplementedError):
            L.special.round(L.tensor([3, 4]))
        assert L.round(L.tensor([3, 4])).tolist() == [3, 4]
    res = []
    for L in (torch, tg):
        x = L.tensor([0.0, 2.0, 3.5], requires_grad=True)
        y = L.special.xlogy(x, L.tensor([0.0, 3.0, 0.5]))
        y.sum().backward()
        res += [L.special.round(L.tensor([1.25, -2.5]), decimals=1), y, x.grad]
    for t, o in zip(res[:3], res[3:]):
        same(t, o)


def test_nanmean_refuses_integers_even_with_a_float_dtype():
    for L in (torch, tg):
        with pytest.raises(RuntimeError):
            L.nanmean(L.tensor([3, 4]), dtype=L.float64)


# ---- sgn(nan) = 0 in the backward of the 1- and inf-norms and of l1_loss ---------------------
@pytest.mark.parametrize("expr", [
    "L.linalg.vector_norm(x, ord=1)", "L.linalg.vector_norm(x, ord=float('inf'))",
    "L.linalg.vector_norm(x, ord=-float('inf'))", "L.norm(x, p=1)",
    "L.nn.functional.l1_loss(x, L.zeros(4, dtype=L.float64))",
    "L.nn.functional.l1_loss(x, L.zeros(4, dtype=L.float64), reduction='none').sum()",
])
def test_sign_of_nan_is_zero_in_backward(expr):
    grads = []
    for L in (torch, tg):
        x = L.tensor([float("nan"), 2.0, -3.0, 0.5], dtype=L.float64, requires_grad=True)
        eval(expr, {"L": L, "x": x}).backward()
        grads.append(x.grad)
    same(*grads, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
def test_lcm_of_a_wrapping_product(dtype):
    """torch: |a / gcd · b| with the product wrapping first (in C's int for 8/16-bit types)."""
    info = np.iinfo(dtype)
    a = [-9223372036854775807, 64, -4611686018427387904, 0, 0, 12, -12, 7, 255, -32767]
    b = [6, -9223372036854775807, 3, 0, 5, 18, 18, -7, 254, 6]
    a, b = ([int(np.clip(v, info.min + 1, info.max)) for v in vs] for vs in (a, b))
    res = [L.lcm(L.tensor(a, dtype=getattr(L, dtype)), L.tensor(b, dtype=getattr(L, dtype)))
           for L in (torch, tg)]
    same(*res, rtol=0, atol=0)


# ---- reductions write into an out= of another dtype, as torch ----------------------------------
@pytest.mark.parametrize("name", ["sum", "prod", "mean", "nansum", "nanmean", "logsumexp", "std",
                                  "var"])
@pytest.mark.parametrize("odt", ["float64", "float16", "int64", "bool", "int8"])
@pytest.mark.parametrize("xdt", ["float32", "int64"])
def test_reduction_out_of_another_dtype(name, odt, xdt):
    """sum/prod compute in out's dtype (sum([1.5, 2.5, -0.7], out=int64) is 3); mean/nansum/
    nanmean take a float out's dtype; std/var/logsumexp cast into a float out; the rest raise
    torch's exception type (e.g. NotImplementedError: nansum_cpu for an int out of floats)."""
    res = []
    for L in (torch, tg):
        x = (L.tensor([[1.5, 2.5, -0.7], [3.0, 4.0, float("nan")]]) if xdt == "float32" else
             L.tensor([[100, 3, -2], [5, 6, 7]]))
        o = L.empty(0, dtype=getattr(L, odt))
        try:
            r = getattr(L, name)(x, 1, out=o)
            assert r is o
            res.append(o)
        except Exception as e:  # noqa: BLE001 - the type is compared
            res.append(type(e))
    if isinstance(res[0], type):
        assert res[1] is res[0] or issubclass(res[1], res[0]), res
    else:
        same(*res, rtol=1e-3, atol=1e-3)


# ---- ops that keep their dtype refuse an out= of another dtype ---------------------------------
_SAME = {
    "abs": "L.abs(x, out=o)", "sign": "L.sign(x, out=o)", "sgn": "L.sgn(x, out=o)",
    "ceil": "L.ceil(x, out=o)", "floor": "L.floor(x, out=o)", "trunc": "L.trunc(x, out=o)",
    "fix": "L.fix(x, out=o)", "frac": "L.frac(x, out=o)", "round": "L.round(x, out=o)",
    "round_d": "L.round(x, decimals=1, out=o)", "bitwise_not": "L.bitwise_not(xi, out=o)",
    "abs_i": "L.abs(xi, out=o)", "nan_to_num": "L.nan_to_num(x, out=o)",
    "nan_to_num_i": "L.nan_to_num(xi, out=o)", "clamp": "L.clamp(x, 0, 1, out=o)",
    "clamp_min": "L.clamp_min(x, 0, out=o)", "clamp_max": "L.clamp_max(x, 0, out=o)",
    "clamp_int_float": "L.clamp(xi, 0.5, out=o)", "where": "L.where(c, x, x, out=o)",
    "clamp_tensors": "L.clamp(x, L.tensor(0.0), L.tensor(1.0), out=o)", "sin": "L.sin(x, out=o)",
}


@pytest.mark.parametrize("name", sorted(_SAME))
@pytest.mark.parametrize("odt", ["float64", "int64", "float16", "bool", "float32"])
def test_out_dtype_rule(name, odt):
    """abs/sign/ceil/.../clamp with number bounds/where/nan_to_num: out must have the result's
    dtype (RuntimeError "Found dtype Double but expected Float"); clamp with tensor bounds and
    sin cast into any out their result can be cast to."""
    res = []
    for L in (torch, tg):
        env = {"L": L, "x": L.tensor([1.5, -2.5]), "xi": L.tensor([3, -4]),
               "c": L.tensor([True, False]), "o": L.empty(0, dtype=getattr(L, odt))}
        try:
            res.append(eval(_SAME[name], env))
        except RuntimeError as e:
            res.append(str(e))
    if isinstance(res[0], str):
        assert isinstance(res[1], str), res
        if "Found dtype" in res[0]:
            assert res[0] in res[1], res
    else:
        same(*res)


# ---- clamp with a 0-d tensor bound beside a number -----------------------------------------
@pytest.mark.parametrize("xdt", ["float32", "float16", "int32", "int8"])
@pytest.mark.parametrize("tdt", ["float32", "float64", "int64"])
@pytest.mark.parametrize("num", [2, 2.5, -1, True])
@pytest.mark.parametrize("tshape", [(), (3,)])
def test_clamp_tensor_bound_and_number(xdt, tdt, num, tshape):
    """torch's parser reads a 0-d tensor beside a number as a number (the number overload);
    a dimensioned tensor beside a number is a TypeError."""
    res = []
    for L in (torch, tg):
        x = L.tensor([-4.0, 0.3, 9.0]).to(getattr(L, xdt))
        t = L.full(tshape, 1.0).to(getattr(L, tdt))
        try:
            res += [L.clamp(x, t, num), L.clamp(x, num, t), L.clip(x, -num, t)]
        except TypeError:
            res.append(TypeError)
    if TypeError in res:
        assert res == [TypeError, TypeError]
    else:
        for a, b in zip(res[:3], res[3:]):
            same(a, b)


@pytest.mark.parametrize("ord_", [2, 3, 0.5, 1, -1, float("inf"), -float("inf"), 0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_vector_norm_of_one_element_is_abs(ord_, dtype):
    """torch: a norm over a single element is |x| for any ord (1e30 in float32, not inf from
    the square; 1e-30 not 0), and its gradient sign(x)."""
    big, tiny = (1e30, 1e-30) if dtype == "float32" else (1e200, 1e-200)
    res = []
    for L in (torch, tg):
        x = L.tensor([[big, -2.0], [0.0, 5.0]], dtype=getattr(L, dtype), requires_grad=True)
        y = L.tensor([-tiny], dtype=getattr(L, dtype), requires_grad=True)
        a, b = L.linalg.vector_norm(x[:1], ord_, dim=0), L.linalg.vector_norm(y, ord_)
        (a.sum() + b).backward() if ord_ != 0 else None
        res.append((a, b, x.grad, y.grad))
    for t, o in zip(*res):
        if t is None:
            assert o is None
        else:
            same(t, o, rtol=1e-6, atol=0)
