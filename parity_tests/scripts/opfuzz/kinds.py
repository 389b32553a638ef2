"""The kinds of difference the op fuzzer found (2026-11-30), one root cause each.

``KINDS``: differences of ours still open, each with its cause (file, what goes wrong), the
session that owns the file, and a minimal reproduction: a program run with ``torch`` bound to
torch and to tinygrad_edu, compared by opfuzz/run.py (``r`` and every tensor variable). Each
is a strict xfail in parity_tests/test_opfuzz_smoke.py: fixing the kind makes it XPASS, which
fails the suite until its entry here is deleted. Silent ones (a wrong value or dtype, no error)
come first.

``TORCH_QUIRKS``: places where torch's own result is not the truth (a wrong gradient, a result
that depends on torch's scalar vs vector loop): ours is left as it is, not xfailed; the fuzzer
does not compare them (draw.py, shrink.py).

``FIXED_KINDS``: kinds fixed since found, each with its regression test in
parity_tests/test_opfuzz_found.py, test_opfuzz_found2.py, 3, 4 or 5.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    category: str  # value, dtype, zero-sign, grad, no-raise, we-raise, exception
    owner: str  # the file of the cause (and, in brackets, the session working on it)
    cause: str
    repro: str


KINDS: list = []

# kinds fixed on another branch (fuzz12) after this fuzzer found them: their reproductions
# are regression tests now (test_opfuzz_smoke.py: test_fixed_kind)
FIXED_KINDS = [
    Kind("zero_dim_operand_rounded_to_half", "value", "ops/promotion.py [perop12]",
         "a 0-d tensor of a wider float beside a float16/bfloat16 tensor is rounded to the half "
         "type before the op; torch reads it as a CPU scalar in float32 (opmath): bf16 100 · "
         "tensor(1.00390625) is 100.5 in torch, 100 here; 2 // tensor(1.0039, f16) is 1 vs 2",
         "x = torch.tensor([2.0, 7.0, 100.0], dtype=torch.bfloat16)\n"
         "r = x // torch.tensor(1.00390625, dtype=torch.float16)"),
    Kind("reduction_backward_in_narrow_dtype", "grad", "ops/reduce.py, ops/scan.py [fuzz12]",
         "cumsum/cumprod(x, dtype=float16/bfloat16) of a float64 x: torch's backward casts the "
         "gradient to x's dtype first (grad.to(self.scalar_type())) and sums in float64 "
         "(-0.86597); ours cast x, so summed in float16 (-0.86572). prod(dtype=) agreed",
         "x0 = torch.tensor([-925.8368550584721, 2.0, -100.0], dtype=torch.float64, "
         "requires_grad=True)\nr = torch.cumsum(x0, dim=0, dtype=torch.float16)\n"
         "r.backward(W(r))"),
    Kind("polynomial_zero_sign", "zero-sign", "ops/polynomials.py",
         "chebyshev_polynomial_t / hermite_polynomial_h of odd degree at +0.0: torch's "
         "recurrence gives -0.0, ours 0.0",
         "r = torch.special.chebyshev_polynomial_t(torch.tensor([0.0], dtype=torch.float64), 3)"),
    Kind("cdist_p1_grad_at_nan", "grad", "ops/linalg/distances.py",
         "cdist(p=1) backward at a nan coordinate: torch nan (its sign(nan)), ours 0",
         "x0 = torch.tensor([[float('nan'), 2.0, -3.0]], dtype=torch.float64, "
         "requires_grad=True)\nr = torch.cdist(x0[None], torch.zeros(1, 1, 3, "
         "dtype=torch.float64), p=1).sum()\nr.backward()"),
    Kind("mvlgamma_grad_at_minus_zero", "grad", "ops/gamma.py",
         "mvlgamma(-0.0, p=1) backward: torch's digamma(-0.0) is -inf, ours +inf",
         "x0 = torch.tensor([-0.0], dtype=torch.float64, requires_grad=True)\n"
         "r = torch.mvlgamma(x0, p=1).sum()\nr.backward()"),
    Kind("logit_grad_at_minus_zero", "grad", "ops/exp_log.py",
         "logit'(-0.0) = 1/(x(1 - x)): torch +inf, ours -inf",
         "x0 = torch.tensor([-0.0, 0.5], dtype=torch.float64, requires_grad=True)\n"
         "r = torch.logit(x0).sum()\nr.backward()"),
    Kind("activation_zero_sign", "zero-sign", "ops/activation*.py, ops/elu.py [fuzz12]",
         "elu/selu/celu(-0.0) give 0.0 (torch -0.0; elu(0.0, alpha=-1) is 0.0 in torch, -0.0 "
         "here), relu6(-0.0) gives 0.0, logsigmoid(426.5) gives -0.0 (torch 0.0)",
         "x = torch.tensor([-0.0, 426.5])\n"
         "r = torch.stack([torch.nn.functional.elu(x), torch.nn.functional.selu(x), "
         "torch.nn.functional.relu6(x), torch.nn.functional.logsigmoid(x)])"),
    Kind("pow_zero_exponent_grad", "grad", "ops/arithmetic.py [fuzz12]",
         "pow(x, False) backward: torch computes False·x^-1 (its exponent-0 shortcut does not "
         "take a bool), nan where x^-1 overflows; ours 0",
         "x0 = torch.tensor([-1e-310, 2.0], dtype=torch.float64, requires_grad=True)\n"
         "r = torch.pow(x0, False).sum()\nr.backward()"),
    Kind("add_alpha_in_other_dtype", "value", "ops/arithmetic.py [fuzz12]",
         "add/sub/rsub(alpha=) form alpha·other in other's own dtype before promotion: uint8 "
         "wraps (f32 2 + u8 1·-1 = 257), int8 127·2 wraps, float32 3.4e38·2 overflows beside "
         "float64; and that product's dtype then takes part in promotion (int32 0-d + bool·-1 "
         "gives int64, torch int32; bool + bool·2 gives int64, torch bool)",
         "x = torch.tensor([2.0, -29.0])\ny = torch.tensor([1, 6], dtype=torch.uint8)\n"
         "r = torch.add(x, y, alpha=-1)"),
    Kind("add_alpha_promotes", "dtype", "ops/arithmetic.py [fuzz12]",
         "the same cause seen as a dtype: sub(0-d float64, int16 (1,), alpha=1.5) is float32 "
         "(torch float64: the 0-d float64 is the only float operand)",
         "x = torch.tensor(2.25, dtype=torch.float64)\ny = torch.tensor([4], dtype=torch.int16)\n"
         "r = torch.sub(x, y, alpha=1.5)"),
    Kind("scan_zero_sign", "zero-sign", "ops/scan.py [fuzz12]",
         "cumsum starts from the first element, torch from +0.0: cumsum([-0.0]) is 0.0 in "
         "torch, -0.0 here (also logcumsumexp of bfloat16 [-0.0])",
         "x = torch.tensor([-0.0, -0.0])\nr = torch.cumsum(x, 0)"),
    Kind("softmax_of_integers", "we-raise", "ops/softmax.py",
         "softmax/log_softmax of an empty integer or bool tensor: torch returns it (no kernel "
         "runs); ours raises NotImplementedError",
         "r = torch.nn.functional.log_softmax(torch.zeros((2, 0), dtype=torch.uint8), dim=-1)"),
    Kind("float16_composite_rounding", "value", "ops/reduce.py, ops/softmax.py",
         "logsumexp of float16/bfloat16: torch composes it of half-type ops (x − max, exp, "
         "Σ, log, + max) and its backward too; log_softmax over the last dim stores Σ and its "
         "log in the type; ours computed in float32, rounded once (float16 logsumexp([-3.76, "
         "0]) 0.02316 vs 0.02303); the bfloat16 softmax/log_softmax backward read the "
         "unrounded float32 output",
         "x = torch.tensor([-3.759765625, 0.0], dtype=torch.float16)\n"
         "r = torch.logsumexp(x, 0)"),
    Kind("zero_dim_operand_requiring_grad_beside_half", "value",
         "ops/promotion.py, ops/division.py, ops/half_scalar.py",
         "h · s, h / s, div(h, s, rounding_mode=), h // s with s a 0-d float tensor of another "
         "dtype that requires grad: torch's kernel reads s as a float32 scalar all the same "
         "(and its backward's g·s, g/s); ours rounded s to the half type (f16 [0.1] · "
         "tensor(70000.) inf, torch 7000; ∂/∂h of h·tensor(3.0009765625) 3.8984, torch 3.9004)",
         "x = torch.tensor([0.1, 100.0], dtype=torch.float16, requires_grad=True)\n"
         "s0 = torch.tensor(70000.0, requires_grad=True)\nx0 = x\nr = x * s0\n"
         "r.backward(torch.ones_like(r))"),
    Kind("cdist_p0_pinf", "grad", "ops/linalg/distances.py",
         "cdist(p=0) has a gradient of zeros in torch (ours None) and is nan at a nan "
         "difference (ours counted it); cdist(p=inf) skips nan differences (ours nan) and its "
         "gradient is sign(δ) at every coordinate at the max (ours split ties, vector_norm's)",
         "x0 = torch.tensor([[float('nan'), 2.0], [1.0, 3.0]], dtype=torch.float64, "
         "requires_grad=True)\ny0 = torch.tensor([[0.5, 2.0], [3.0, 5.0]], dtype=torch.float64, "
         "requires_grad=True)\nr = torch.cdist(x0, y0, p=float('inf'))\n"
         "r.backward(torch.ones_like(r))"),
    Kind("pdist_p0_pinf", "grad", "ops/linalg/distances.py",
         "pdist(p=0) has a gradient of zeros in torch (ours None) and is nan at a nan "
         "difference (ours counted it); pdist(p=inf)'s gradient is sign(δ) at every coordinate "
         "at the max, nan for every coordinate of a pair with a nan (ours split ties, 0 at "
         "nan, vector_norm's); float16/bfloat16 pdist has no kernel in torch",
         "x0 = torch.tensor([[1.0, -1.0], [0.0, 0.0], [float('nan'), 2.0]], "
         "dtype=torch.float64, requires_grad=True)\nr = torch.pdist(x0, p=float('inf'))\n"
         "r.backward(torch.ones_like(r))"),
    Kind("out_dtype_same_as_input", "no-raise", "ops/arithmetic.py [fuzz12], ops/pointwise.py",
         "neg/negative with an out= of another dtype (torch: 'Found dtype Double but expected "
         "Long'), heaviside with operands of two dtypes: torch raises RuntimeError; ours casts "
         "(abs, sign, ceil, ..., clamp, where, nan_to_num refuse it now)",
         "x = torch.tensor([2, -3])\no = torch.zeros(2, dtype=torch.float64)\n"
         "r = torch.neg(x, out=o)"),
    Kind("autograd_integer_dtype", "no-raise", "ops/reduce.py, ops/scan.py [fuzz12]",
         "sum/prod/nansum/cumsum/cumprod(x requiring grad, dtype=an integer): torch raises "
         "'Autograd not support dtype: Long'; ours computes",
         "x0 = torch.tensor([1.5, 2.0], dtype=torch.float64, requires_grad=True)\n"
         "r = torch.sum(x0, dtype=torch.int64)"),
    Kind("inplace_scan_dtype", "no-raise", "ops/scan.py [fuzz12]",
         "x.cumsum_(dim, dtype=other): torch raises 'Bad in-place call'; ours computes",
         "x = torch.tensor([1.0, 2.0])\nr = x.cumsum_(0, dtype=torch.float64)"),
    Kind("half_special_functions", "no-raise", "ops/special_fns.py, ops/polynomials.py",
         "bessel_j0/j1, modified_bessel_*, scaled_modified_bessel_k1, spherical_bessel_j0, "
         "ndtri, log_ndtr, erfcx, zeta and the orthogonal polynomials have no float16/bfloat16 "
         "kernel in torch (NotImplementedError); ours computes",
         "r = torch.special.bessel_j0(torch.tensor([1.5], dtype=torch.float16))"),
    Kind("scan_out_cast", "we-raise", "ops/scan.py [fuzz12]",
         "cumsum/cumprod with an out= of another dtype: torch computes in out's dtype; ours "
         "raises 'Expected out tensor to have dtype' (the reductions do it now)",
         "x = torch.tensor([1.5, 2.5])\no = torch.zeros(2, dtype=torch.float64)\n"
         "r = torch.cumsum(x, 0, out=o)"),
    Kind("repeated_dim", "no-raise", "ops/_reduction.py",
         "all/any(x, dim=(0, -1)) of a 1-d x names dim 0 twice: torch raises RuntimeError",
         "r = torch.all(torch.tensor([1, 2]), dim=(0, -1))"),
    Kind("hardtanh_unsigned_negative", "no-raise", "ops/activation*.py [fuzz12]",
         "hardtanh of a uint8 tensor with a negative min_val: torch raises RuntimeError",
         "r = torch.nn.functional.hardtanh(torch.tensor([3], dtype=torch.uint8))"),
    Kind("scalar_out_of_range", "no-raise",
         "ops/_util.py (int_scalar), ops/select.py, ops/arithmetic.py, ops/add_scaled.py",
         "an int Python scalar outside an integer tensor's range: clamp_min(int8 x, -2**31 - 1)"
         " and int16 x **= 2**40 raise 'value cannot be converted to type int8_t without "
         "overflow' in torch; ours computes",
         "x = torch.tensor([3], dtype=torch.int8)\nr = torch.clamp_min(x, -2147483649)"),
    Kind("logical_any_all_out", "we-raise", "ops/logic.py, ops/reduce.py",
         "torch.all/any/logical_not(..., out=) are not accepted (TypeError)",
         "x = torch.tensor([True, False])\no = torch.zeros(2, dtype=torch.bool)\n"
         "r = torch.logical_not(x, out=o)"),
    Kind("out_cast_check_order", "exception",
         "ops/_out.py, ops/inplace.py, ops/bitwise.py, ops/bits.py, ops/pointwise.py",
         "an in-place or out= op whose result type cannot be cast to the destination and that "
         "has no kernel for it (bitwise/shift/gcd/lcm of floats, hypot/igammac/logaddexp/"
         "nextafter of ints, abs/ceil of bool): torch checks the cast first (RuntimeError: "
         "result type Float can't be cast to the desired output type Long); ours raises the "
         "kernel's NotImplementedError",
         "x = torch.tensor([3])\nx &= torch.tensor([0.5])\nr = x"),
    Kind("reduction_signature_errors", "exception",
         "ops/_reduction.py (torch_args), ops/statistics.py",
         "sum/prod(x, dtype=, out=) without dim and std(x, unbiased=, out=): torch's Python "
         "signatures refuse them (TypeError); ours computes or raises RuntimeError",
         "x = torch.tensor([1.0, 2.0])\no = torch.zeros((), dtype=torch.float16)\n"
         "r = torch.sum(x, dtype=torch.float16, out=o)"),
    Kind("median_of_empty", "we-raise", "ops/order.py",
         "median of an empty integer tensor without dim: torch returns its (undefined) value; "
         "ours raises ValueError from NumPy (cannot convert float NaN to integer)",
         "r = torch.median(torch.zeros((2, 0), dtype=torch.int8)).shape"),
    Kind("lerp_check_order", "exception", "ops/ternary.py",
         "lerp with integer or mixed dtypes: torch's dtype check (RuntimeError: expected dtype "
         "for `end`) comes before its kernel's NotImplementedError; ours the other way round",
         "x = torch.tensor([1, 2], dtype=torch.int8)\n"
         "r = torch.lerp(x, torch.tensor([2, 3], dtype=torch.int8), torch.tensor([1, 2]))"),
]

TORCH_QUIRKS = {
    "var/std backward with dim=() or dim=[]": "torch's backward reduces nothing (inf; gradcheck "
    "fails in torch itself); ours is the finite differences' value",
    "var_mean/std_mean's mean with an inf": "torch's Welford update gives nan ((x - inf)/k); the "
    "mean is ±inf, as ours and torch.mean",
    "±0 ties of maximum/minimum/clamp/amax/softshrink": "torch's scalar loop keeps one operand, "
    "its vector lanes the other (maximum(0., -0.) is 0. for 2 elements, -0. for 16)",
    "fmod/remainder when |a/b| overflows": "torch's vector path gives nan, its scalar path "
    "fmod's value (x % y for 1.7e308, 0.63): ours the latter everywhere",
    "gelu(inf)": "torch's vector loop gives inf, its scalar loop nan (ours); float16 inf",
    "lcm(-2**63, 31)": "kills torch with SIGFPE (the fuzzer draws no integer minimum for gcd, "
    "lcm and the integer divisions)",
    "ldexp with an int64 exponent near ±2**63": "torch's integer pow wraps (ldexp(x, -2**63) "
    "is x)",
    "bessel_j0/j1 near a zero": "torch's Cephes polynomial is off by 1e-7 absolute where SciPy "
    "(ours) is correct",
    "lerp near the float limits": "torch's kernel uses a fused multiply-add (end - diff·(1-w) "
    "without the intermediate overflow): lerp(0.23, 1.7e308, -1) is -1.7e308 there, -inf here",
    "igamma/igammac at a = 3.4e38": "torch's float32 kernel gives nan; the value is 0 / 1",
    "orthogonal polynomials at nan": "torch returns 0 or a subnormal for a nan x",
    "hardshrink/softshrink/hardtanh backward at nan": "torch's vector loop gives 0 there, its "
    "scalar loop the upstream gradient (ours)",
    "a long float16/bfloat16 product": "torch's vector lanes group the factors their own way",
    "a sum cancelling ±1.7e308": "the result depends on the summation order (torch's lanes: "
    "-1458; NumPy's pairwise sum: 0.0); both are float sums of the same numbers",
    "i0/i1 of float32 near 90": "torch's float32 Cephes kernel overflows to inf where the value "
    "(4e37) is finite (ours)",
    "relu6/hardtanh backward at nan": "as hardshrink's: torch's vector loop gives 0 there",
    "pdist backward of a (0, M) input": "kills torch with SIGSEGV for every p ≠ 0 (ours "
    "returns the empty gradient)",
    "ldexp(float, int tensor, out= of another float dtype)": "torch fails an internal assert "
    "(needs_dynamic_casting, RuntimeError); ours casts into out as every other op",
}

FIXED = {
    "out_ignored": "47 linalg/contraction/histogram functions accepted out= and never wrote it",
    "asin_acos_grad_overflow": "asin/acos backward 0 instead of nan where x² overflows",
    "sinc_grad_underflow": "sinc backward nan instead of 0 where x² underflows",
    "lerp_zero_dim_promotion": "lerp of three 0-d tensors kept input's dtype",
    "logit_eps_bounds": "logit(eps=) bounds not rounded to the input dtype (bfloat16 inf)",
    "logit_bfloat16_steps": "bfloat16 logit computed in float32 (torch rounds each step)",
    "half_prod": "float16/bfloat16 prod accumulated in float32 (torch: in the type, inf)",
    "mean_half_dtype": "mean(dtype=half) cast the input to half before summing",
    "round_decimals_half": "round(decimals=) of float16 in float16 (inf); ints not refused",
    "xlog1py_bool_grad": "xlog1py(x, True) backward took log1p(True) in float16",
    "ldexp_zero_dim_dtype": "ldexp(float16, 0-d float64) returned float64",
    "logical_common_dtype": "logical_and/or/xor tested operands in their own dtypes",
    "nansum_int_dtype": "nansum(x, dtype=int64) cast nan to INT_MIN (torch: 0)",
    "empty_int_division": "integer division of an empty tensor by 0 raised",
    "special_round_xlogy": "special.round(int) computed; special.xlogy was missing",
    "nanmean_int_dtype": "nanmean(int, dtype=float) computed (torch raises)",
    "lcm_overflow_sign": "lcm whose product wraps kept its sign (torch: abs after the wrap)",
    "reduction_out_cast": "sum/prod/mean/nansum/nanmean/logsumexp/std/var out= of another "
    "dtype raised (torch computes in or casts into out's dtype)",
    "out_dtype_same_as_input": "abs/sign/ceil/floor/trunc/frac/round/bitwise_not/nan_to_num/"
    "clamp/where cast into an out= of another dtype (torch raises)",
    "clamp_tensor_and_number": "clamp(x, 0-d tensor, number) raised TypeError",
    "vector_norm_single_element": "a norm over one element overflowed |x|ᵖ (torch: |x|)",
    "sign_of_nan_in_backward": "vector_norm(ord=1/±inf), l1_loss backward nan at nan (torch 0)",
}
