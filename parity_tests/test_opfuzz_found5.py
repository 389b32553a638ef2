"""Regression tests for the op fuzzer's last six kinds, fixed on branch fix15
(parity_tests/scripts/opfuzz/kinds.py FIXED_KINDS): each is about which exception torch
raises, or when. Each program runs under torch and under tinygrad_edu (opfuzz/run.py's
run_pair) and must raise the same exception type, or compute the same values; where ours
raises, its message holds the word each case names.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tinygrad_edu

sys.path.insert(0, str(Path(__file__).parent / "scripts"))

from opfuzz.run import assert_like_torch  # noqa: E402

_I8 = "x = torch.tensor([3, 1], dtype=torch.int8)\n"
_INT = "x = torch.tensor([3, 1])\n"
_B = "x = torch.tensor([True, False])\n"


def _z(d, n=2):
    return f"torch.zeros({n}, dtype=torch.{d})"


# (kind, program, a word our message must hold or None): torch raises or computes, ours too
CASES = [
    # ---- median_of_empty: NaN cast to the integer type (the CPU's conversion), no error
    *[("median_of_empty", f"r = torch.{f}(torch.zeros((2, 0), dtype=torch.{d}))", None)
      for f in ("median", "nanmedian") for d in ("int8", "uint8", "int32", "int64", "float32",
                                                 "bfloat16")],
    # ---- lerp_check_order: end's and weight's dtypes first, then promotion, then the kernel
    ("lerp_check_order", _I8 + "r = torch.lerp(x, x, torch.tensor([1, 2]))", "weight"),
    ("lerp_check_order", _I8 + "r = torch.lerp(x, torch.tensor([1, 2]), 0.5)", "end"),
    ("lerp_check_order", _I8 + "r = torch.lerp(x, x, torch.tensor(2))", "lerp_kernel_tensor"),
    ("lerp_check_order", _I8 + "r = torch.lerp(x, x, 2)", "lerp_kernel_scalar"),
    ("lerp_check_order", _I8 + "r = torch.lerp(x, x, torch.tensor(0.5, dtype=torch.float64))",
     None),
    ("lerp_check_order", "x = torch.tensor(1, dtype=torch.int8)\n"
     "r = torch.lerp(x, x, torch.tensor(0.25))", None),
    ("lerp_check_order", "x = torch.tensor([1.0, 2.0])\n"
     "r = torch.lerp(x, x * 3, torch.tensor(0.25, dtype=torch.float64))", None),
    ("lerp_check_order", _B + "r = torch.lerp(x, x, torch.tensor(True))", "Bool"),
    # ---- logical_any_all_out: out= accepted; all/any's out must be bool or uint8
    ("logical_any_all_out", _B + f"o = {_z('bool')}\nr = torch.logical_not(x, out=o)", None),
    ("logical_any_all_out", _B + f"o = {_z('float16', 3)}\nr = torch.logical_not(x, out=o)",
     None),
    *[("logical_any_all_out", f"x = torch.tensor([[1.0, 0.0], [2.0, 3.0]]).to(torch.{xd})\n"
       f"o = {_z(od, 5)}\nr = {call}", word)
      for xd in ("float32", "uint8") for od, word in (("bool", None), ("uint8", None),
                                                      ("float32", "only supports bool"))
      for call in ("torch.all(x, out=o)", "torch.any(x, 1, out=o)",
                   "torch.all(x, 0, True, out=o)")],
    ("logical_any_all_out", f"x = torch.tensor([1.0])\nr = torch.all(x, 5, out={_z('int64')})",
     "only supports bool"),
    ("logical_any_all_out", f"x = torch.tensor([1.0])\nr = x.all(out={_z('bool', 0)})", "out"),
    # ---- reduction_signature_errors: keywords only torch's overloads with a dim take
    *[("reduction_signature_errors", "x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])\n"
       f"r = {call}", word) for call, word in [
        ("torch.sum(x, dtype=torch.float16, out=torch.zeros((), dtype=torch.float16))", "sum"),
        ("torch.sum(x, keepdim=True)", "sum"), ("x.sum(keepdim=False)", "sum"),
        ("torch.prod(x, out=torch.zeros(()))", "prod"), ("torch.mean(x, keepdim=True)", "mean"),
        ("torch.std(x, unbiased=False, out=torch.zeros(()))", "std"),
        ("torch.var(x, False, out=torch.zeros(()))", "var"),
        ("torch.var(x, unbiased=True, keepdim=True)", "var"),
        ("torch.std_mean(x, unbiased=True, keepdim=True)", "std_mean"),
        ("torch.std(x, True, False)", "std"),
        ("torch.sum(x, None, keepdim=True)", None), ("torch.sum(x, axis=0, keepdims=True)", None),
        ("torch.sum(x, dtype=torch.float64)", None), ("torch.mean(x, out=torch.zeros(()))", None),
        ("torch.std(x, correction=0, keepdim=True)", None), ("torch.var(x, False)", None),
        ("torch.std(x, 0, False, True, out=torch.zeros(2))", None),
        ("torch.std(x, dim=None, unbiased=False, out=torch.zeros(()))", None)]],
    # ---- out_cast_check_order: the cast to out / self is checked before the kernel
    ("out_cast_check_order", _INT + "x &= torch.tensor([0.5])\nr = x", "can't be cast"),
    ("out_cast_check_order", _INT + "x <<= 2.5\nr = x", "can't be cast"),
    ("out_cast_check_order", _INT + "r = x.gcd_(torch.tensor([2.0]))", "can't be cast"),
    ("out_cast_check_order", _B + "r = x.hypot_(torch.tensor([1, 2]))", "can't be cast"),
    ("out_cast_check_order", _B + "r = x.cumsum_(0)", "cumsum_out_cpu"),
    ("out_cast_check_order", _INT + "r = x.igammac_(torch.tensor([2]))", "igammac_cpu"),
    *[("out_cast_check_order", f"x = torch.tensor([{a}])\n"
       f"r = torch.{op}(x, torch.tensor([{b}]), out={_z(od, 1)})", word)
      for op in ("bitwise_and", "bitwise_right_shift", "lcm")
      for a, b, od, word in (("3", "1.5", "int64", "can't be cast"),
                             ("3", "1.5", "float32", "_cpu"), ("True", "2", "bool", "Long"))],
    *[("out_cast_check_order", f"x = torch.tensor([{a}])\n"
       f"r = torch.{op}(x, x, out={_z(od, 1)})", word)
      for op in ("hypot", "logaddexp", "nextafter", "igamma")
      for a, od, word in (("3", "bool", "can't be cast"), ("3", "int64", "_cpu"))],
    ("out_cast_check_order", "x = torch.tensor([1.0])\nr = torch.ldexp(x, torch.tensor([True]), "
     f"out={_z('int64', 1)})", "can't be cast"),
    *[("out_cast_check_order", f"x = torch.tensor([{a}])\nr = torch.{op}(x, out={_z(od, 1)})",
       word) for op in ("abs", "ceil", "floor", "trunc", "round", "frac", "bitwise_not")
      for a, od, word in (("True", "int64", "Found dtype"), ("True", "bool", None),
                          ("1.5", "int8", "Found dtype"))],
    # ---- scalar_out_of_range: an int number beyond an integer tensor's C type
    *[("scalar_out_of_range", f"x = torch.tensor([3, 1], dtype=torch.{d})\nr = {call}", word)
      for d, v, word in (("int8", 200, "int8_t"), ("int8", -129, "int8_t"),
                         ("uint8", 256, "uint8_t"), ("uint8", -255, None),
                         ("int16", 2**40, "int16_t"), ("int32", -2**31 - 1, "overflow"),
                         ("int64", 2**63, "int64_t"), ("int8", 127, None))
      for call in (f"torch.clamp_min(x, {v})", f"torch.clamp(x, max={v})",
                   f"torch.where(x > 1, x, {v})", f"torch.add(x, x, alpha={v})",
                   f"torch.addcmul(x, x, x, value={v})")],
    ("scalar_out_of_range", "x = torch.tensor([3], dtype=torch.int8)\n"
     "r = torch.clamp_min(x, -2147483649)", "int8_t"),
    ("scalar_out_of_range", "x = torch.tensor([3], dtype=torch.int16)\nx **= 2**40\nr = x",
     "int16_t"),
    ("scalar_out_of_range", "x = torch.tensor([3], dtype=torch.int16)\nr = x.pow_(2**15)",
     "int16_t"),
    ("scalar_out_of_range", "x = torch.tensor([3], dtype=torch.int16)\nr = x ** (2**15 - 1)",
     None),
    ("scalar_out_of_range", "x = torch.tensor([True])\nr = x ** 2**63", "int64_t"),
    ("scalar_out_of_range", "x = torch.tensor([3], dtype=torch.int8)\nr = x ** (-2**63 - 1)",
     "int"),
    ("scalar_out_of_range", "x = torch.tensor([3], dtype=torch.int32)\n"
     "r = torch.sub(x, x, alpha=-2**31)", "int"),
    ("scalar_out_of_range", "x = torch.tensor([3], dtype=torch.int8)\n"
     "r = torch.nn.functional.hardtanh(x, -129, 0)", "int8_t"),
    ("scalar_out_of_range", "x = torch.tensor([3], dtype=torch.int8)\nr = x + 200", None),
]


@pytest.mark.parametrize("kind, src, word", CASES, ids=[f"{k}-{i}" for i, (k, _, _) in
                                                        enumerate(CASES)])
def test_like_torch(kind, src, word):
    assert_like_torch(kind, src, word, tinygrad_edu)
