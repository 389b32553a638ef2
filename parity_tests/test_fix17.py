"""Which exception torch raises, or that it raises at all (fix17). torch is the oracle in every
case: the same exception type (or the same result, when torch computes), and our message names
the op and the value or dtypes.

1. ``dim=None`` given to an op whose overloads take an int dim or none (prod, max, min, median,
   nanmedian; logsumexp's tuple of ints): TypeError; sum/mean/amax/... take it (every dim).
2. ``out=`` of a differentiable reduction beside an input (or out) that requires grad:
   RuntimeError before any dtype rule (``sum(x, out=int64)`` computed without the graph).
3. Python numbers that do not fit: scatter's value (torch's checked conversion: RuntimeError,
   −1 wraps in uint8, OverflowError beyond 64 bits), a bool tensor beside 2**63 (no uint64
   promotion), bool add with an int alpha (a bool result), bool sub with a number beyond 64 bits
   (OverflowError first), float16/bfloat16 ** a number beyond the type.
4. comparisons and logical ops write into an ``out`` that requires grad (torch does not
   differentiate them, so it has nothing to refuse).
"""

from __future__ import annotations

import pytest
import torch
from helpers import outcome, same_as_torch

import tinygrad_edu as tg

# ---- 1. dim=None -------------------------------------------------------------------------------
_X = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
_NONE_DIM_CALLS = {
    "f(x, None)": lambda m, op: getattr(m, op)(m.tensor(_X), None),
    "f(x, dim=None)": lambda m, op: getattr(m, op)(m.tensor(_X), dim=None),
    "x.f(None)": lambda m, op: getattr(m.tensor(_X), op)(None),
    "x.f(dim=None)": lambda m, op: getattr(m.tensor(_X), op)(dim=None),
    "f(x, None, True)": lambda m, op: getattr(m, op)(m.tensor(_X), None, True),
    "f(x, axis=None)": lambda m, op: getattr(m, op)(m.tensor(_X), axis=None),
}


@pytest.mark.parametrize("call", list(_NONE_DIM_CALLS))
@pytest.mark.parametrize("op", ["prod", "max", "min", "median", "nanmedian", "logsumexp",
                                "sum", "mean", "amax", "nansum", "nanmean", "std", "var",
                                "argmax", "count_nonzero"])
def test_dim_none(op, call):
    if op == "count_nonzero" and "True" in call:
        pytest.skip("count_nonzero has no keepdim")
    words = (op, "dim", "None") if op in ("prod", "max", "min", "median", "nanmedian",
                                          "logsumexp") else ()
    same_as_torch(lambda m: _NONE_DIM_CALLS[call](m, op), *words)


def test_prod_with_a_dim_and_without_one_still_computes():
    for f in (lambda m: m.tensor(_X).prod(), lambda m: m.prod(m.tensor(_X), 1, True),
              lambda m: m.prod(m.tensor(_X), dtype=m.float64), lambda m: m.tensor(_X).max()):
        same_as_torch(f)


# ---- 2. out= beside grad -----------------------------------------------------------------------
_OUT_OPS = ["sum", "prod", "mean", "amax", "amin", "nansum", "nanmean", "logsumexp", "std",
            "var", "norm", "cumsum", "cumprod", "max", "median", "argmax"]


@pytest.mark.parametrize("out_dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("op", _OUT_OPS)
@pytest.mark.parametrize("rg", [True, False])
def test_reduction_out_beside_grad(op, out_dtype, rg):
    def f(m):
        x = m.tensor(_X, requires_grad=rg)
        o = m.empty(0, dtype=getattr(m, out_dtype))
        if op in ("max", "median"):
            o = (o, m.empty(0, dtype=m.int64))
        return getattr(m, op)(x, 0, out=o)
    want = outcome(f, torch)
    words = (op,) if "differentiation" in str(want[1]) and op != "norm" else ()
    if want[0] is RuntimeError and "differentiation" in want[1]:
        assert "differentiation" in outcome(f, tg)[1]
    same_as_torch(f, *words)


@pytest.mark.parametrize("op", ["sum", "prod", "nansum", "cumsum"])
def test_out_beside_grad_with_dtype_and_under_no_grad(op):
    def with_dtype(m):
        x = m.tensor(_X, requires_grad=True)
        return getattr(m, op)(x, 0, dtype=m.int64, out=m.empty(0, dtype=m.int64))

    def no_grad(m):
        x = m.tensor(_X, requires_grad=True)
        with m.no_grad():
            return getattr(m, op)(x, 0, out=m.empty(0, dtype=m.int64))

    def out_requires_grad(m):
        return getattr(m, op)(m.tensor(_X), 0, out=m.zeros(3, requires_grad=True))
    same_as_torch(with_dtype, op, "out=", "int64")
    same_as_torch(no_grad)
    same_as_torch(out_requires_grad, op)


# ---- 3. numbers that do not fit ----------------------------------------------------------------
_INTS = [300, -1, -255, -256, 2**31, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, 2**200]
_FLOATS = [2.5, -1.5, 300.0, 70000.0, 65519.0, 1e39, float("inf"), float("nan")]
_DTYPES = ["uint8", "int8", "int32", "int64", "bool", "float16", "bfloat16", "float32",
           "float64"]


@pytest.mark.parametrize("dt", _DTYPES)
@pytest.mark.parametrize("v", _INTS + _FLOATS + [True], ids=repr)
@pytest.mark.parametrize("form", ["scatter", "scatter_", "value=", "reduce"])
def test_scatter_number_value(form, v, dt):
    def f(m):
        x, idx = m.zeros(3, dtype=getattr(m, dt)), m.tensor([0])
        if form == "scatter":
            return m.scatter(x, 0, idx, v)
        if form == "scatter_":
            return x.scatter_(0, idx, v)
        if form == "value=":
            return x.scatter(0, idx, value=v)
        return x.scatter_(0, idx, v, reduce="add")
    want = outcome(f, torch)
    same_as_torch(f, *(("overflow",) if want[0] is RuntimeError else ()))


_BINARY = {
    "add": lambda x, v: x + v, "mul": lambda x, v: x * v, "eq": lambda x, v: x == v,
    "floor_div": lambda x, v: x // v, "remainder": lambda x, v: x % v,
    "and": lambda x, v: x & v, "lshift": lambda x, v: x << v, "rpow": lambda x, v: v ** x,
    "sub": lambda x, v: x - v, "rsub": lambda x, v: v - x,
}


@pytest.mark.parametrize("dt", ["bool", "uint8", "int32", "int64", "float32"])
@pytest.mark.parametrize("v", [2**63, 2**64 - 1, 2**64, -2**63 - 1], ids=repr)
@pytest.mark.parametrize("op", list(_BINARY))
def test_python_int_beyond_int64(op, v, dt):
    def f(m):
        return _BINARY[op](m.tensor([0, 1, 2]).to(getattr(m, dt)), v)
    want = outcome(f, torch)
    words = ("Bool", "UInt64", str(v)) if "UInt64" in str(want[1]) else ()
    same_as_torch(f, *words)


@pytest.mark.parametrize("alpha", [0, 1, 2, -1, 300, 2**63, True, False, 2**64, -2**63 - 1],
                         ids=repr)
@pytest.mark.parametrize("other", ["tensor", "True", "False", "int"])
@pytest.mark.parametrize("op", ["add", "sub"])
def test_bool_alpha(op, other, alpha):
    def f(m):
        x = m.tensor([True, False, True, False])
        y = {"tensor": m.tensor([True, True, False, False]), "True": True, "False": False,
             "int": 3}[other]
        return getattr(m, op)(x, y, alpha=alpha)
    same_as_torch(f)


@pytest.mark.parametrize("dt", ["int32", "int16", "uint8"])
@pytest.mark.parametrize("alpha", [2**31, -2**31, 2**15, 255, 256, -255], ids=repr)
def test_int_sub_alpha(alpha, dt):
    same_as_torch(lambda m: m.sub(m.tensor([1, 2]).to(getattr(m, dt)), 1, alpha=alpha))


@pytest.mark.parametrize("dt", ["float16", "bfloat16", "float32", "int32", "uint8", "bool"])
@pytest.mark.parametrize("v", [65504, 65505, 70000, 65520.0, 1e39, 2**31, 2**63, -2**63,
                               float("inf"), float("nan"), 2**64, 2.5], ids=repr)
@pytest.mark.parametrize("form", ["**", "pow", "pow_"])
def test_pow_number_exponent(form, v, dt):
    def f(m):
        x = m.tensor([1, 0, 2]).to(getattr(m, dt))
        return x ** v if form == "**" else m.pow(x, v) if form == "pow" else x.clone().pow_(v)
    want = outcome(f, torch)
    same_as_torch(f, *(("pow", "overflow") if want[0] is RuntimeError and "overflow" in want[1]
                       else ()))


# ---- 4. out= that requires grad for ops without a gradient ---------------------------------
@pytest.mark.parametrize("op", ["logical_not", "logical_and", "logical_or", "logical_xor",
                                "eq", "ne", "lt", "le", "gt", "ge"])
def test_out_requiring_grad_of_an_op_without_gradient(op):
    def f(m):
        a, b = m.tensor([1.5, 0.0]), m.tensor([1.0, 1.0])
        o = m.zeros(2, requires_grad=True)
        r = m.logical_not(a, out=o) if op == "logical_not" else getattr(m, op)(a, b, out=o)
        assert r is o and o.is_leaf and o.requires_grad and o.grad_fn is None
        return o.detach()
    same_as_torch(f)


def test_comparison_into_a_non_leaf_keeps_its_graph():
    def f(m):
        w = m.zeros(2, requires_grad=True)
        y = w * 2
        m.eq(m.tensor([1.0, 0.0]), m.tensor([1.0, 1.0]), out=y)
        name = y.grad_fn.name()
        y.sum().backward()
        return name, y.tolist(), w.grad.tolist()
    assert f(tg) == f(torch)


@pytest.mark.parametrize("op", ["neg", "floor", "sign", "add"])
def test_differentiable_ops_still_refuse_an_out_requiring_grad(op):
    def f(m):
        a, o = m.tensor([1.5, -2.0]), m.zeros(2, requires_grad=True)
        return m.add(a, a, out=o) if op == "add" else getattr(m, op)(a, out=o)
    same_as_torch(f, op)
