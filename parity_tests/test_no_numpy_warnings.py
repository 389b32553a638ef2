"""No NumPy RuntimeWarning escapes an op, and the value is torch's, on overflowing inputs.

torch computes IEEE results silently (1e39 beside a float32 tensor is inf, 0·inf is nan);
NumPy says "overflow encountered in cast" / "invalid value encountered in multiply". Each kind
found by parity_tests/scripts/scan_numpy_warnings.py is pinned here: the value against torch's
(the oracle) and no warning at all (``simplefilter("error")`` turns one into a failure).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

DTYPES = ("float16", "bfloat16", "float32", "float64")


def run_silently(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


def same(got: tg.Tensor, want: torch.Tensor) -> None:
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")
    a = torch.from_numpy(np.asarray(got.float().numpy()))
    torch.testing.assert_close(a, want.float(), equal_nan=True, rtol=1e-3, atol=1e-3)


# ---------------------------------------------- a Python number beyond the tensor's range --
SCALAR_OPS = {
    "x * s": lambda x, s: x * s, "s * x": lambda x, s: s * x, "x + s": lambda x, s: x + s,
    "x - s": lambda x, s: x - s, "s - x": lambda x, s: s - x, "x / s": lambda x, s: x / s,
    "s / x": lambda x, s: s / x, "x.add_(s)": lambda x, s: x.clone().add_(s),
    "x.mul_(s)": lambda x, s: x.clone().mul_(s), "x.div_(s)": lambda x, s: x.clone().div_(s),
    "x.sub_(s)": lambda x, s: x.clone().sub_(s), "x % s": lambda x, s: x % s,
}


@pytest.mark.parametrize("s", [1e39, -1e39, 1e309, 70000.0, 2**63, math.nan])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
def test_out_of_range_number_beside_a_float_tensor(name, dtype, s):
    """tg.ones(3) * 1e39 is [inf, inf, inf] with no 'overflow encountered in cast'."""
    fn = SCALAR_OPS[name]
    vals = [1.0, -2.0, 0.0, 3.0]
    want = fn(torch.tensor(vals, dtype=getattr(torch, dtype)), s)
    got = run_silently(fn, tg.tensor(vals, dtype=getattr(tg, dtype)), s)
    same(got, want)


def test_the_reported_case():
    got = run_silently(lambda: tg.ones(3) * 1e39)
    assert got.tolist() == [math.inf] * 3


@pytest.mark.parametrize("slope", [70000.0, -70000.0, 2.0**31])
def test_leaky_relu_float16_slope_beyond_float16(slope):
    """torch computes float16 leaky_relu in float32: 0·7e4 is 0 and −2·7e4 is −inf, where a
    slope rounded to float16 first (inf) would give 0·inf = nan."""
    x = [1.0, -2.0, 0.0, 3.0]
    want = torch.nn.functional.leaky_relu(torch.tensor(x, dtype=torch.float16), slope)
    got = run_silently(tg.nn.functional.leaky_relu, tg.tensor(x, dtype=tg.float16), slope)
    same(got, want)


@pytest.mark.parametrize("fn", ["silu", "softplus", "softshrink", "hardshrink"])
def test_activations_at_infinities(fn):
    x = [math.inf, -math.inf, math.nan, 0.0, 1.0]
    want = getattr(torch.nn.functional, fn)(torch.tensor(x))
    got = run_silently(getattr(tg.nn.functional, fn), tg.tensor(x))
    same(got, want)


# ------------------------------------- normalization statistics whose squares overflow ------
ROWS = {
    "1e20 x3 (torch: nan)": [1e20, 1e20, -1e20],
    "all 1e20": [1e20] * 3,
    "1e38, -1e38 (torch: 0)": [1e38, -1e38],
    "16 x 1e20 (nan)": [1e20] * 16,
    "17 x 1e20 (not nan)": [1e20] * 17,
    "9 x 1e30, 9 x -1e30": [1e30] * 9 + [-1e30] * 9,
    "inf": [math.inf, 1.0, 2.0],
    "nan": [math.nan, 1.0],
    "3e38": [3e38] * 4,
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("row", sorted(ROWS))
def test_layer_norm_overflowing_statistics(row, affine, dtype):
    """torch's layer_norm runs Welford's steps in vector lanes (ops/moments.py): nan and inf
    land where the two-pass formula would put other values."""
    vals = ROWS[row]
    if dtype == "float64":
        vals = [v * 1e135 if abs(v) >= 1e20 and math.isfinite(v) else v for v in vals]
    n = len(vals)
    t = torch.tensor([vals, [0.5] * n], dtype=getattr(torch, dtype))
    w = torch.linspace(0.5, 2, n, dtype=t.dtype) if affine else None
    b = torch.linspace(-1, 1, n, dtype=t.dtype) if affine else None
    want = torch.nn.functional.layer_norm(t, (n,), w, b)
    conv = (lambda v: None if v is None else tg.tensor(v.numpy()))
    got = run_silently(tg.nn.functional.layer_norm, tg.tensor(t.numpy()), (n,), conv(w), conv(b))
    same(got, want)
    assert torch.equal(torch.from_numpy(got.numpy()).isnan(), want.isnan())


def test_layer_norm_the_reported_case():
    got = run_silently(tg.nn.functional.layer_norm, tg.tensor([[1e20, 1e20, -1e20]]), (3,))
    assert all(math.isnan(v) for v in got.tolist()[0])
    got = run_silently(tg.nn.functional.layer_norm, tg.tensor([[1e38, -1e38]]), (2,))
    assert got.tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize("row", ["1e20 x3 (torch: nan)", "1e38, -1e38 (torch: 0)", "inf"])
def test_group_norm_overflowing_statistics(row):
    vals = ROWS[row]
    t = torch.tensor(vals * 2).reshape(1, 2, len(vals))
    want = torch.nn.functional.group_norm(t, 1)
    got = run_silently(tg.nn.functional.group_norm, tg.tensor(t.numpy()), 1)
    same(got, want)


# ----------------------------------------------------------- batch norm and var / std -------
BATCHES = {
    "1e20 column": [[1e20, 1.0], [1e20, 2.0], [-1e20, 3.0]],
    "1e38 column": [[1e38, 1.0], [-1e38, 2.0]],
    "constant 1e20": [[1e20, 1.0]] * 17,
    "3e38 sum overflow": [[3e38, 1.0]] * 4,
    "inf": [[math.inf, 1.0], [1.0, 2.0], [2.0, 0.5]],
    "constant 100 (fused rounding)": [[100.0, 1.0]] * 5,
}


@pytest.mark.parametrize("layout", ["(N, C)", "(N, C, L)", "strided (N, C)"])
@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_batch_norm_overflowing_statistics(batch, layout):
    """torch's CPU batch_norm: sums in float32 row by row ((N, C)) or in float64 ((N, C, L)),
    fused x·α + β; a strided input takes its generic path (float64 squares). The output and
    the running statistics are torch's, silently."""
    if batch == "constant 1e20" and layout == "strided (N, C)":
        pytest.skip("torch's float32 mean of 17 × 1e20 is 1 ulp off (its cascade sum), which "
                    "its generic path then normalizes to ±1; NumPy's mean is exact: not emulated")
    x = torch.tensor(BATCHES[batch])
    if layout == "(N, C, L)":
        x = x[:, :, None].repeat(1, 1, 3)
    g = tg.tensor(x.numpy())
    if layout == "strided (N, C)":
        x, g = x.T.contiguous().T, tg.tensor(x.T.contiguous().numpy()).T
    w, b = torch.tensor([0.5, 2.0]), torch.tensor([-1.0, 1.0])
    rm_t, rv_t, rm_g, rv_g = torch.zeros(2), torch.ones(2), tg.zeros(2), tg.ones(2)
    want = torch.nn.functional.batch_norm(x, rm_t, rv_t, w, b, training=True)
    got = run_silently(tg.nn.functional.batch_norm, g, rm_g, rv_g, tg.tensor(w.numpy()),
                       tg.tensor(b.numpy()), training=True)
    same(got, want)
    same(rm_g, rm_t)
    same(rv_g, rv_t)


@pytest.mark.parametrize("batch", ["1e20 column", "inf", "constant 100 (fused rounding)"])
def test_instance_norm_overflowing_statistics(batch):
    x = torch.tensor(BATCHES[batch]).T[None].contiguous()  # (1, C, L)
    want = torch.nn.functional.instance_norm(x)
    got = run_silently(tg.nn.functional.instance_norm, tg.tensor(x.numpy()))
    same(got, want)


@pytest.mark.parametrize("fn", ["var", "std"])
@pytest.mark.parametrize("dim", [None, 1])
@pytest.mark.parametrize("row", ["1e20 x3 (torch: nan)", "1e38, -1e38 (torch: 0)", "3e38"])
def test_var_std_accumulate_in_float64(row, dim, fn):
    """torch's CPU var/std of float32 accumulate in float64 (std([1e20, 1e20, -1e20]) is
    1.15e20, not inf)."""
    x = torch.tensor([ROWS[row]])
    want = getattr(x, fn)(dim)
    got = run_silently(getattr(tg.tensor(x.numpy()), fn), dim)
    same(got, want)


# ---------------------------------------- numbers beyond an integer tensor, Scalar arguments --
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
@pytest.mark.parametrize("v", [2**63, 2**64 - 1, -2**63, 2**64, -2**63 - 1])
@pytest.mark.parametrize("op", ["+", "*", "==", "-", "<"])
def test_int_tensor_and_a_number_beyond_int64(op, v, dtype):
    """torch reads 2**63 ... 2**64 − 1 as uint64 (int64 + 2**63 wraps to x − 2**63) and raises
    OverflowError beyond; NumPy raised 'Python int too large to convert to C long'."""
    def run(lib):
        x = lib.tensor([1, 2, 0, 3], dtype=getattr(lib, dtype))
        try:
            return run_silently(eval, f"x {op} v", {"x": x, "v": v}).tolist()
        except Exception as e:  # noqa: BLE001 - the exception type is the oracle here
            return type(e).__name__
    assert run(tg) == run(torch)


SCALAR_ARGS = {  # torch converts these Scalars with an overflow check (c10::checked_convert)
    "add(x, x, alpha=s)": lambda L, x, s: L.add(x, x, alpha=s),
    "sub(x, x, alpha=s)": lambda L, x, s: L.sub(x, x, alpha=s),
    "addcmul(value=s)": lambda L, x, s: L.addcmul(x, x, x, value=s),
    "addcdiv(value=s)": lambda L, x, s: L.addcdiv(x, x, x + 4, value=s),
    "lerp(x, 2x, s)": lambda L, x, s: L.lerp(x, 2 * x, s),
    "elu": lambda L, x, s: L.nn.functional.elu(x, s),
    "celu": lambda L, x, s: L.nn.functional.celu(x, s),
    "leaky_relu": lambda L, x, s: L.nn.functional.leaky_relu(x, s),
    "softplus beta": lambda L, x, s: L.nn.functional.softplus(x, s),
    "softplus threshold": lambda L, x, s: L.nn.functional.softplus(x, 1.0, s),
    "hardtanh": lambda L, x, s: L.nn.functional.hardtanh(x, -s, s),
    "hardshrink": lambda L, x, s: L.nn.functional.hardshrink(x, s),
    "softshrink": lambda L, x, s: L.nn.functional.softshrink(x, s),
}


@pytest.mark.parametrize("s", [1e39, 70000.0, math.inf])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(SCALAR_ARGS))
def test_scalar_arguments_beyond_the_kernel_type(name, dtype, s):
    """Beyond the kernel's type: torch's RuntimeError (float32 for float16/bfloat16 kernels that
    compute in float, the tensor's own type for hardtanh, hardshrink, alpha); else torch's
    value, computed silently (elu(0, alpha=inf) is 0, float16 celu in float32)."""
    if name == "celu" and s == math.inf:
        pytest.skip("celu(x, alpha=inf): torch's kernel gives x for x > 0, ours nan (x/α·α): "
                    "left (composed of elu)")
    fn = SCALAR_ARGS[name]
    vals = [1.0, -2.0, 0.0, 0.5]
    try:
        want = fn(torch, torch.tensor(vals, dtype=getattr(torch, dtype)), s)
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match=re.escape(str(e).split(": ")[-1][:40])):
            run_silently(fn, tg, tg.tensor(vals, dtype=getattr(tg, dtype)), s)
        return
    got = run_silently(fn, tg, tg.tensor(vals, dtype=getattr(tg, dtype)), s)
    same(got, want)


SPECIALS = [1.0, -2.0, 0.0, math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("args", [(1e39, 1e39, -1e39), (70000.0, 1e39, -1e39),
                                  (65519.0, 65520.0, -1e5), (1e39, None, None)])
def test_nan_to_num_replacements_beyond_the_dtype(args, dtype):
    """A replacement beyond the dtype is ±inf (65519 rounds to 65504 in float16), silently."""
    want = torch.nan_to_num(torch.tensor(SPECIALS, dtype=getattr(torch, dtype)), *args)
    got = run_silently(tg.nan_to_num, tg.tensor(SPECIALS, dtype=getattr(tg, dtype)), *args)
    same(got, want)


@pytest.mark.parametrize("bounds", [(math.nan, math.nan), (-1.0, math.nan), (math.nan, 1.0)])
def test_hardtanh_nan_bound(bounds):
    """torch's hardtanh is clamp: a nan bound makes every output nan."""
    want = torch.nn.functional.hardtanh(torch.tensor(SPECIALS), *bounds)
    got = run_silently(tg.nn.functional.hardtanh, tg.tensor(SPECIALS), *bounds)
    same(got, want)


@pytest.mark.parametrize("x", [[0.0, 1.0, 2.5e38, -1e38], [1e38, -1e38, 3e38, 0.5, -2.0]])
def test_histogram_of_a_range_wider_than_float32(x):
    """Edges from a range wider than float32 are inf/nan, as torch's; silently."""
    want = torch.histogram(torch.tensor(x), 3)
    got = run_silently(tg.histogram, tg.tensor(x), 3)
    same(got.hist, want.hist)
    same(got.bin_edges, want.bin_edges)


def test_histogram_edge_near_float32_max_does_not_crash():
    """(x − left)·(n − 1) overflows for x = 3e38: torch casts inf to int64 (undefined in C++;
    it counts 3e38 in the middle bin); ours searches the edges: the last bin. It raised
    NumPy's IndexError before."""
    got = run_silently(tg.histogram, tg.tensor([0.0, 1.0, 3e38]), 3)
    assert got.hist.tolist() == [2.0, 0.0, 1.0]


@pytest.mark.parametrize("fn", ["var_mean", "std_mean"])
@pytest.mark.parametrize("dim", [None, 1])
def test_var_mean_is_welford_in_float64(fn, dim):
    """torch's var_mean/std_mean run Welford in float64 (even for one output): the mean of
    [3e38] × 4 is 3e38 (x.mean() is inf) and its variance 0."""
    rows = [[3e38] * 4, [1.7e38, -1.7e38, 5.6e37, -2.4e37]]
    x = torch.tensor(rows if dim else rows[0])
    want = getattr(torch, fn)(x, dim)
    got = run_silently(getattr(tg, fn), tg.tensor(x.numpy()), dim)
    same(got[0], want[0])
    same(got[1], want[1])


@pytest.mark.parametrize("expr", ["x * 1e39", "x * inf", "1e300 * x", "x + nan",
                                  "F.hardtanh(x, nan, nan)", "F.hardtanh(x, -1e39, 1e39)",
                                  "F.hardtanh(x, -1.5, 1.5)"])
def test_int_tensor_and_a_non_finite_number(expr):
    """An int tensor times inf is [inf, nan, -inf] silently; an integer hardtanh takes its
    bounds as int64_t: nan or 1e39 is torch's RuntimeError."""
    def run(lib):
        env = {"x": lib.tensor([1, 0, -2]), "F": lib.nn.functional, "inf": math.inf,
               "nan": math.nan}
        try:
            return run_silently(eval, expr, env).tolist()
        except RuntimeError as e:
            return "RuntimeError" if "int64_t without overflow" in str(e) else str(e)
    got, want = run(tg), run(torch)
    assert str(got) == str(want)


IEEE_SCRIPT = r"""
import math, warnings
import {lib} as tg
inf = math.inf
a, b = tg.tensor([inf, 0., 1e38, -1.]), tg.tensor([inf, inf, 1e38, 0.])
x, y = tg.tensor([inf, 0.], requires_grad=True), tg.tensor([0., inf], requires_grad=True)
out = [(a - b).tolist(), (a + -b).tolist(), (a * b).tolist(),
       (tg.tensor([[1e38, 1e38]]) @ tg.tensor([[1e38], [1e38]])).tolist(),
       tg.tensor([inf, 1.]).softmax(0).tolist(), tg.tensor([inf, 1.]).log_softmax(0).tolist()]
(x * y).sum().backward()
out += [x.grad.tolist(), y.grad.tolist()]
print(out)
"""


def test_ieee_results_of_the_hottest_ops_are_silent_for_a_user_and_errors_on_request():
    """+, −, ×, matmul and softmax give torch's IEEE values (inf − inf = nan, 0·inf = nan) with
    Python's default warning filters and no RuntimeWarning (ops/_ieee.py: a filter for exactly
    those messages from those modules, appended, so the user's own filters still win)."""
    import subprocess
    import sys

    def run(lib):
        r = subprocess.run([sys.executable, "-c", IEEE_SCRIPT.format(lib=lib)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout, r.stderr

    got, want = run("tinygrad_edu"), run("torch")
    assert got == want and got[1] == ""
    with warnings.catch_warnings():  # a user who asks for errors gets them
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning, match="invalid value encountered in subtract"):
            tg.tensor([math.inf]) - tg.tensor([math.inf])
