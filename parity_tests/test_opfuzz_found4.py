"""Regression tests for the op fuzzer's exception kinds fixed on branch fix14
(parity_tests/scripts/opfuzz/kinds.py FIXED_KINDS): each program runs under torch and under
tinygrad_edu (opfuzz/run.py's run_pair) and must raise the same exception type, or compute
the same values; where ours raises, its message holds the word each case names (the op).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tinygrad_edu

sys.path.insert(0, str(Path(__file__).parent / "scripts"))

from opfuzz.run import assert_like_torch, run_pair  # noqa: E402

# (kind, program, a word our message must hold or None): torch raises or computes, ours too
CASES = [
    # ---- out_dtype_same_as_input: neg keeps its dtype, heaviside's out= counts as an operand
    ("out_dtype_same_as_input", "x = torch.tensor([2, -3])\n"
     "r = torch.neg(x, out=torch.zeros(2, dtype=torch.float64))", "neg"),
    ("out_dtype_same_as_input", "x = torch.tensor([2.0, -3.0])\n"
     "r = torch.negative(x, out=torch.zeros(2, dtype=torch.float64))", "neg"),
    ("out_dtype_same_as_input", "x = torch.tensor([2.0, -3.0])\n"
     "r = torch.neg(x, out=torch.zeros(2))", None),
    ("out_dtype_same_as_input", "x = torch.tensor([1.0, 0.0])\n"
     "r = torch.heaviside(x, torch.tensor([1.0, 2.0]), out=torch.zeros(2, dtype=torch.float64))",
     "out torch.float64"),
    ("out_dtype_same_as_input", "x = torch.tensor([1, 0])\n"
     "r = torch.heaviside(x, torch.tensor([1, 2]), out=torch.zeros(2))", "heaviside"),
    # ---- autograd_integer_dtype: no integer/bool dtype= beside a tensor requiring grad
    *[("autograd_integer_dtype", "x0 = torch.tensor([1.5, 2.0], dtype=torch.float64, "
       f"requires_grad=True)\nr = {call}", word) for call, word in [
        ("torch.sum(x0, dtype=torch.int64)", "sum"), ("x0.sum(0, dtype=torch.bool)", "sum"),
        ("torch.prod(x0, dtype=torch.int8)", "prod"), ("torch.nansum(x0, dtype=torch.int32)",
                                                       "nansum"),
        ("torch.cumsum(x0, 0, dtype=torch.int16)", "cumsum"),
        ("x0.cumprod(0, dtype=torch.uint8)", "cumprod"),
        ("torch.cumprod(x0, 0, dtype=torch.bool)", None),  # the kernel's error comes first
        ("torch.sum(x0, dtype=torch.float16)", None), ("torch.sum(x0.detach(), dtype=torch.int64)",
                                                       None)]],
    # ---- inplace_scan_dtype: x.cumsum_(dim, dtype=) only in x's dtype; bool has no kernel
    *[("inplace_scan_dtype", f"x = {x}\nr = {call}", word) for x, call, word in [
        ("torch.tensor([1.0, 2.0])", "x.cumsum_(0, dtype=torch.float64)", "cumsum_"),
        ("torch.tensor([1.0, 2.0])", "x.cumprod_(0, dtype=torch.int64)", "cumprod_"),
        ("torch.tensor([1.0, 2.0])", "x.cumprod_(0, dtype=torch.bool)", "Bad in-place"),
        ("torch.tensor([True, False])", "x.cumsum_(0)", "cumsum_out_cpu"),
        ("torch.tensor([100, 100], dtype=torch.int8)", "x.cumsum_(0, dtype=torch.int8)", None),
        ("torch.tensor([3, 100], dtype=torch.uint8)", "x.cumprod_(dim=0)", None),
        ("torch.tensor([1.5, 2.5])", "x[1:].cumsum_(0)", None)]],
    # ---- scan_out_cast: cumsum/cumprod(out=) compute in out's dtype (x cast to it)
    *[("scan_out_cast", f"x = {x}\no = torch.zeros({n}, dtype=torch.{d})\n"
       f"r = torch.{op}(x, 0, out=o)", word) for x, n, d, op, word in [
        ("torch.tensor([1e8, 1.0, 1.0, 0.7])", 4, "float64", "cumsum", None),
        ("torch.tensor([1e8, 1.0, 1.0, 0.7])", 4, "float64", "cumprod", None),
        ("torch.tensor([1e8, 1.0, 1.0, 0.7])", 4, "int64", "cumsum", None),
        ("torch.tensor([1e8, 1.0, 1.0, 0.7])", 4, "int8", "cumprod", None),
        ("torch.tensor([1e8, 1.0, 1.0, 0.7])", 4, "float16", "cumsum", None),
        ("torch.tensor([1.0, 0.7])", 2, "bool", "cumsum", "cumsum_out_cpu"),
        ("torch.tensor([True, True])", 2, "float32", "cumsum", None),
        ("torch.tensor([100, 100, 3])", 3, "int8", "cumsum", None)]],
    ("scan_out_cast", "x = torch.tensor([1.5, 2.5])\n"
     "r = torch.cumsum(x, 0, dtype=torch.float16, out=torch.zeros(2, dtype=torch.float64))",
     "cumsum"),
]


@pytest.mark.parametrize("kind, src, word", CASES, ids=[f"{k}-{i}" for i, (k, _, _) in
                                                        enumerate(CASES)])
def test_like_torch(kind, src, word):
    assert_like_torch(kind, src, word, tinygrad_edu)


def test_integer_dtype_without_grad_mode():  # no graph is recorded: torch computes
    for lib in (tinygrad_edu, __import__("torch")):
        x = lib.tensor([1.5, 2.0], requires_grad=True)
        with lib.no_grad():
            assert lib.sum(x, dtype=lib.int64).item() == 3


# ---- half_special_functions: torch's CPU kernels of these have no float16/bfloat16 ------------
_NO_HALF = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
            "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
            "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
            "ndtri", "log_ndtr", "erfcx", "airy_ai"]
_POLY = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
         "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "hermite_polynomial_h",
         "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"]
_HALF_CASES = [
    *[(f"r = torch.special.{f}(torch.tensor([0.5, 1.5], dtype=torch.{d}))", f)
      for f in _NO_HALF for d in ("float16", "bfloat16")],
    *[(f"r = torch.special.{f}(torch.tensor([0.5, 1.5], dtype=torch.{d}), 3)", f)
      for f in _POLY for d in ("float16", "bfloat16")],
    ("r = torch.special.legendre_polynomial_p(0.5, torch.tensor([3, 2], dtype=torch.float16))",
     "legendre"),
    ("r = torch.special.hermite_polynomial_h(torch.tensor([0.5], dtype=torch.float16), "
     "torch.tensor([3.0]))", None),  # promoted to float32: computes
    ("r = torch.special.zeta(torch.tensor([2.0], dtype=torch.float16), 1.5)", "zeta"),
    ("r = torch.special.zeta(2.0, torch.tensor([1.5], dtype=torch.bfloat16))", "zeta"),
    ("r = torch.special.zeta(torch.tensor(2.0, dtype=torch.float64), "
     "torch.tensor([1.5], dtype=torch.float16))", "zeta"),
    ("r = torch.special.zeta(torch.tensor([2.0], dtype=torch.float16), torch.tensor([1.5]))",
     None),
    ("r = torch.special.ndtr(torch.tensor([0.5], dtype=torch.float16))", None),
    ("r = torch.special.i1e(torch.tensor([0.5], dtype=torch.bfloat16))", None),
]


@pytest.mark.parametrize("src, word", _HALF_CASES, ids=[w or "computes" for _, w in _HALF_CASES])
def test_half_special_functions(src, word):
    m, t, o = run_pair(src, tinygrad_edu, loose=4.0)
    assert m is None, f"{m}\n{src}"
    if word is not None:
        assert "error" in o and o["error"][0] == "NotImplementedError", o.get("error")
        assert word in o["error"][2] and ("Half" in o["error"][2] or "BFloat16" in o["error"][2])


# ---- repeated_dim, hardtanh_unsigned_negative ------------------------------------------------
_MORE = [
    ("r = torch.all(torch.tensor([1, 2]), dim=(0, -1))", "all"),
    ("r = torch.any(torch.tensor([[1, 2]]), dim=(1, 1))", "any"),
    ("r = torch.all(torch.tensor([[1, 0]]), dim=())", None),  # reduces nothing
    ("r = torch.any(torch.tensor([[1, 0]], dtype=torch.uint8), dim=[1], keepdim=True)", None),
    ("r = torch.all(torch.tensor(1), dim=0)", None),
    ("r = torch.nn.functional.hardtanh(torch.tensor([3], dtype=torch.uint8))", "hardtanh"),
    ("r = torch.nn.functional.hardtanh(torch.tensor([3], dtype=torch.uint8), 0, 2)", None),
    ("r = torch.nn.functional.hardtanh(torch.tensor([3], dtype=torch.uint8), 0, -1)", "min_val"),
    ("r = torch.nn.functional.relu6(torch.tensor([3, 9], dtype=torch.uint8))", None),
    ("r = torch.nn.functional.hardtanh(torch.tensor([3], dtype=torch.int8))", None),
]


@pytest.mark.parametrize("src, word", _MORE, ids=[s.split("(")[0][4:] + str(i)
                                                  for i, (s, _) in enumerate(_MORE)])
def test_repeated_dim_and_hardtanh(src, word):
    m, t, o = run_pair(src, tinygrad_edu)
    assert m is None, f"{m}\n{src}"
    if word is not None:
        assert "error" in o and word in o["error"][2], o.get("error")
