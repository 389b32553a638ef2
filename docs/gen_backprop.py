"""Generate docs/backprop.md, "Backprop by hand", from the code itself.

For every differentiable op (each ``Function`` subclass of the library): its forward formula
(the docstring), the derivation of its backward (the comments written beside the gradient
lines, and the backward source), and the result of a float64 finite-difference gradcheck on a
small sample input. Run ``python docs/gen_backprop.py`` after changing an op;
parity_tests/test_docs.py fails while the committed page is out of date.
"""

from __future__ import annotations

import inspect
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tinygrad_edu as tg  # noqa: E402
import tinygrad_edu.nn.functional as F  # noqa: E402
from tinygrad_edu.inspect.gradcheck import KinkWarning, check_gradients  # noqa: E402
from tinygrad_edu.inspect.rules import (  # noqa: E402
    all_functions,
    backward_comments,
    derivative_rules,
    formula,
)

OUT = ROOT / "docs" / "backprop.md"


def _x(*shape, lo=-2.0, hi=2.0, seed=0):
    rng = np.random.default_rng(seed)
    return tg.tensor(rng.uniform(lo, hi, shape), dtype=tg.float64, requires_grad=True)


def _pos(*shape, seed=0):
    return _x(*shape, lo=0.5, hi=2.0, seed=seed)


def _prob(*shape, seed=0):
    return _x(*shape, lo=0.1, hi=0.9, seed=seed)


_Y3 = [0, 2, 1]
# Function class name -> (call, inputs): the sample each op is gradchecked on (float64)
SAMPLES = {
    "AddFn": (lambda x, y: x + y, lambda: (_x(2, 3), _x(3, seed=1))),
    "SubFn": (lambda x, y: x - y, lambda: (_x(2, 3), _x(2, 1, seed=1))),
    "MulFn": (lambda x, y: x * y, lambda: (_x(2, 3), _x(3, seed=1))),
    "DivFn": (lambda x, y: x / y, lambda: (_x(2, 3), _pos(2, 3, seed=1))),
    "NegFn": (lambda x: -x, lambda: (_x(4),)),
    "PowFn": (lambda x, y: x**y, lambda: (_pos(3), _x(3, seed=1))),
    "ExpFn": (tg.exp, lambda: (_x(4),)),
    "LogFn": (tg.log, lambda: (_pos(4),)),
    "ErfFn": (tg.erf, lambda: (_x(4),)),
    "Log1pFn": (tg.log1p, lambda: (_pos(4),)),
    "SqrtFn": (tg.sqrt, lambda: (_pos(4),)),
    "AbsFn": (tg.abs, lambda: (_x(4),)),
    "SinFn": (tg.sin, lambda: (_x(4),)),
    "CosFn": (tg.cos, lambda: (_x(4),)),
    "MaximumFn": (tg.maximum, lambda: (_x(4), _x(4, seed=1))),
    "MinimumFn": (tg.minimum, lambda: (_x(4), _x(4, seed=1))),
    "ClampFn": (lambda x: tg.clamp(x, -1.0, 1.0), lambda: (_x(5),)),
    "ClampTensorFn": (lambda x, lo: tg.clamp(x, lo, lo + 1), lambda: (_x(5), _x(5, seed=1))),
    "FmaxFn": (tg.fmax, lambda: (_x(4), _x(4, seed=1))),
    "FminFn": (tg.fmin, lambda: (_x(4), _x(4, seed=1))),
    "RemainderFn": (tg.remainder, lambda: (_x(4), _pos(4, seed=1))),
    "FmodFn": (tg.fmod, lambda: (_x(4), _pos(4, seed=1))),
    "DivModeFn": (lambda x, y: tg.div(x, y, rounding_mode="floor"), lambda: (_x(4), _pos(4))),
    "Atan2Fn": (tg.atan2, lambda: (_x(4), _x(4, seed=1))),
    "HypotFn": (tg.hypot, lambda: (_x(4), _x(4, seed=1))),
    "CopysignFn": (tg.copysign, lambda: (_x(4), _x(4, seed=1))),
    "LogaddexpFn": (tg.logaddexp, lambda: (_x(4), _x(4, seed=1))),
    "Logaddexp2Fn": (tg.logaddexp2, lambda: (_x(4), _x(4, seed=1))),
    "XlogyFn": (tg.xlogy, lambda: (_x(4), _pos(4, seed=1))),
    "LdexpFn": (tg.ldexp, lambda: (_x(4), _x(4, seed=1))),
    "IgammaFn": (lambda x: tg.igamma(tg.tensor([0.5, 1.5, 3.0], dtype=tg.float64), x),
                 lambda: (_pos(3),)),
    "LerpFn": (tg.lerp, lambda: (_x(4), _x(4, seed=1), _x(4, seed=2))),
    "AddcmulFn": (tg.addcmul, lambda: (_x(4), _x(4, seed=1), _x(4, seed=2))),
    "AddcdivFn": (tg.addcdiv, lambda: (_x(4), _x(4, seed=1), _pos(4, seed=2))),
    "WhereFn": (lambda x, y: tg.where(x > 0, x, y), lambda: (_x(4), _x(4, seed=1))),
    # float32 rounding needs a bigger step than 1e-6 to be seen through
    "CastFn": (lambda x: x.float(), lambda: (_x(3),), {"eps": 1e-2, "atol": 1e-4}),
    "CloneFn": (tg.clone, lambda: (_x(3),)),
    "ReluFn": (tg.relu, lambda: (_x(5),)),
    "LeakyReluFn": (lambda x: F.leaky_relu(x, 0.1), lambda: (_x(5),)),
    "PreluFn": (F.prelu, lambda: (_x(2, 3, 2), _x(3, seed=1, lo=0.1, hi=0.5))),
    "SigmoidFn": (tg.sigmoid, lambda: (_x(4),)),
    "TanhFn": (tg.tanh, lambda: (_x(4),)),
    "SoftmaxFn": (lambda x: tg.softmax(x, dim=1), lambda: (_x(2, 3),)),
    "LogSoftmaxFn": (lambda x: tg.log_softmax(x, dim=1), lambda: (_x(2, 3),)),
    "EluFn": (F.elu, lambda: (_x(4),)),
    "GeluFn": (F.gelu, lambda: (_x(4),)),
    "SiluFn": (F.silu, lambda: (_x(4),)),
    "SoftplusFn": (F.softplus, lambda: (_x(4),)),
    "SumFn": (lambda x: x.sum(dim=0), lambda: (_x(3, 2),)),
    "MeanFn": (lambda x: x.mean(dim=1, keepdim=True), lambda: (_x(3, 2),)),
    "ProdFn": (lambda x: x.prod(dim=1), lambda: (_x(2, 3),)),
    "AmaxFn": (lambda x: x.amax(dim=1), lambda: (_x(2, 3),)),
    "VarFn": (lambda x: x.var(dim=0), lambda: (_x(4, 2),)),
    "LogsumexpFn": (lambda x: x.logsumexp(dim=1), lambda: (_x(2, 3),)),
    "NormFn": (lambda x: x.norm(), lambda: (_x(2, 3),)),
    "NansumFn": (lambda x: x.nansum(dim=1), lambda: (_x(2, 3),)),
    "CumsumFn": (lambda x: x.cumsum(1), lambda: (_x(2, 3),)),
    "CumprodFn": (lambda x: x.cumprod(1), lambda: (_x(2, 3),)),
    "LogcumsumexpFn": (lambda x: x.logcumsumexp(1), lambda: (_x(2, 3),)),
    "MedianFn": (lambda x: x.median(), lambda: (_x(2, 3),)),
    "VectorNormFn": (lambda x: tg.masked.norm(x, 3.0, 1), lambda: (_x(2, 3),)),
    "ReshapeFn": (lambda x: x.reshape(3, 2), lambda: (_x(2, 3),)),
    "PermuteFn": (lambda x: x.permute(1, 0), lambda: (_x(2, 3),)),
    "ExpandFn": (lambda x: x.expand(2, 3), lambda: (_x(1, 3),)),
    "RepeatFn": (lambda x: x.repeat(2, 1), lambda: (_x(2, 3),)),
    "CatFn": (lambda x, y: tg.cat([x, y], dim=0), lambda: (_x(1, 3), _x(2, 3, seed=1))),
    "StackFn": (lambda x, y: tg.stack([x, y], dim=1), lambda: (_x(3), _x(3, seed=1))),
    "GetItemFn": (lambda x: x[1:, [0, 0, 2]], lambda: (_x(3, 3),)),
    "GatherFn": (lambda x: tg.gather(x, 1, tg.tensor([[0, 0], [2, 1]])), lambda: (_x(2, 3),)),
    "MaskedFillFn": (lambda x: x.masked_fill(x > 0, 0.5), lambda: (_x(4),)),
    "TrilFn": (lambda x: tg.tril(x, -1), lambda: (_x(3, 3),)),
    "TriuFn": (lambda x: tg.triu(x, 1), lambda: (_x(2, 3),)),
    "DiagFn": (lambda x: tg.diag(x, 1), lambda: (_x(3, 4),)),
    "DiagonalFn": (lambda x: x.diagonal(1), lambda: (_x(3, 4),)),
    "DiagonalScatterFn": (tg.diagonal_scatter, lambda: (_x(3, 3), _x(3, seed=1))),
    "DiagEmbedFn": (tg.diag_embed, lambda: (_x(2, 3),)),
    "UnfoldFn": (lambda x: x.unfold(0, 3, 1), lambda: (_x(5),)),
    "AsStridedFn": (lambda x: x.as_strided((3, 2), (1, 2)), lambda: (_x(6),)),
    "IndexPutFn": (lambda x, v: tg.index_put(x, (tg.tensor([0, 2]),), v),
                   lambda: (_x(3, 2), _x(2, seed=1))),
    "AsStridedScatterFn": (lambda x, s: tg.as_strided_scatter(x, s, (2,), (2,), 1),
                           lambda: (_x(2, 3), _x(2, seed=1))),
    "ScatterFn": (lambda x, s: tg.scatter(x, 1, tg.tensor([[2, 0]]), s),
                  lambda: (_x(2, 3), _x(1, 2, seed=1))),
    "ScatterAddFn": (lambda x, s: tg.scatter_add(x, 1, tg.tensor([[2, 2]]), s),
                     lambda: (_x(2, 3), _x(1, 2, seed=1))),
    "ScatterReduceFn": (lambda x, s: tg.scatter_reduce(x, 0, tg.tensor([1, 1, 0]), s, "prod"),
                        lambda: (_x(3), _x(3, seed=1))),
    "MaskedScatterFn": (lambda x, s: tg.masked_scatter(x, tg.tensor([True, False, True]), s),
                        lambda: (_x(3), _x(3, seed=1))),
    "FlipFn": (lambda x: x.flip(0, 1), lambda: (_x(2, 3),)),
    "RollFn": (lambda x: x.roll(1, 1), lambda: (_x(2, 3),)),
    "ConstantPadNdFn": (lambda x: F.pad(x, (1, -1, 2, 0), value=0.5), lambda: (_x(2, 3),)),
    "MatMulFn": (tg.matmul, lambda: (_x(2, 3), _x(3, 2, seed=1))),
    "LinearFn": (F.linear, lambda: (_x(2, 3), _x(4, 3, seed=1), _x(4, seed=2))),
    "MseLossFn": (F.mse_loss, lambda: (_x(3, 2), _x(3, 2, seed=1))),
    "L1LossFn": (F.l1_loss, lambda: (_x(3, 2), _x(3, 2, seed=1))),
    "SmoothL1LossFn": (F.smooth_l1_loss, lambda: (_x(3, 2), _x(3, 2, seed=1))),
    "BinaryCrossEntropyFn": (F.binary_cross_entropy, lambda: (_prob(4), _prob(4, seed=1))),
    "BinaryCrossEntropyWithLogitsFn": (F.binary_cross_entropy_with_logits,
                                       lambda: (_x(4), _prob(4, seed=1))),
    "NllLossFn": (lambda x: F.nll_loss(x, tg.tensor(_Y3)), lambda: (_x(3, 4),)),
    "CrossEntropyFn": (lambda x: F.cross_entropy(x, tg.tensor(_Y3)), lambda: (_x(3, 4),)),
    "SoftCrossEntropyFn": (
        lambda x, t: F.cross_entropy(x, t.softmax(dim=1)),
        lambda: (_x(3, 4), _x(3, 4, seed=1)),
    ),
    "CosineSimilarityFn": (F.cosine_similarity, lambda: (_x(3, 4), _x(3, 4, seed=1))),
    "BatchNormFn": (
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda: (_x(4, 3), _x(3, seed=1), _x(3, seed=2)),
    ),
    "_PiecewiseFn": (tg.sign, lambda: (_x(4),)),  # sign/floor/ceil/round: gradient 0
    "ConvolutionFn": (
        lambda x, w, b: F.conv2d(x, w, b, padding=1),
        lambda: (_x(1, 2, 4, 4), _x(3, 2, 3, 3, seed=1), _x(3, seed=2)),
    ),
    "MaxPool2dFn": (lambda x: F.max_pool2d(x, 2), lambda: (_x(1, 2, 4, 4),)),
    "AvgPool2dFn": (lambda x: F.avg_pool2d(x, 2), lambda: (_x(1, 2, 4, 4),)),
    "EmbeddingFn": (lambda w: F.embedding(tg.tensor([[0, 2], [2, 1]]), w), lambda: (_x(3, 4),)),
    "LayerNormFn": (
        lambda x, w, b: F.layer_norm(x, (3,), w, b),
        lambda: (_x(2, 3), _x(3, seed=1), _x(3, seed=2)),
    ),
    # trig, exp/log, gamma and torch.special (ops/trig.py, exp_log.py, gamma.py, special_fns.py)
    **{f"{n.capitalize()}Fn": (getattr(tg, n), lambda: (_x(4, lo=-0.9, hi=0.9),))
       for n in ("tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "atanh", "sinc",
                 "exp2", "expm1", "erfc", "erfinv")},
    "AcoshFn": (tg.acosh, lambda: (_x(4, lo=1.2, hi=3.0),)),
    "Deg2RadFn": (tg.deg2rad, lambda: (_x(4),)),
    "Rad2DegFn": (tg.rad2deg, lambda: (_x(4),)),
    "Log2Fn": (tg.log2, lambda: (_pos(4),)),
    "Log10Fn": (tg.log10, lambda: (_pos(4),)),
    "ReciprocalFn": (tg.reciprocal, lambda: (_pos(4),)),
    "LogitFn": (lambda x: tg.logit(x, eps=0.2), lambda: (_prob(4),)),
    "NanToNumFn": (tg.nan_to_num, lambda: (_x(4),)),
    "FracFn": (tg.frac, lambda: (_x(4, lo=0.1, hi=0.9),)),
    "FrexpFn": (lambda x: tg.frexp(x).mantissa, lambda: (_x(4),)),
    "LgammaFn": (tg.lgamma, lambda: (_pos(4),)),
    "DigammaFn": (tg.digamma, lambda: (_pos(4),)),
    "PolygammaFn": (lambda x: tg.polygamma(2, x), lambda: (_pos(4),)),
    "MvlgammaFn": (lambda x: tg.mvlgamma(x, 3), lambda: (_x(4, lo=1.5, hi=3.0),)),
    "I0Fn": (tg.i0, lambda: (_x(4),)),
    "SpecialI0EFn": (tg.special.i0e, lambda: (_x(4),)),
    "SpecialI1Fn": (tg.special.i1, lambda: (_x(4),)),
    "SpecialI1EFn": (tg.special.i1e, lambda: (_x(4),)),
    "SpecialEntrFn": (tg.special.entr, lambda: (_pos(4),)),
    "SpecialErfcxFn": (tg.special.erfcx, lambda: (_x(4),)),
    "SpecialNdtriFn": (tg.special.ndtri, lambda: (_prob(4),)),
    "SpecialLogNdtrFn": (tg.special.log_ndtr, lambda: (_x(4),)),
    "SpecialXlog1pyFn": (tg.special.xlog1py, lambda: (_x(4), _pos(4, seed=1))),
    "SpecialZetaFn": (lambda q: tg.special.zeta(3.0, q), lambda: (_pos(4),)),
}


def gradcheck_line(name: str) -> str:
    sample = SAMPLES.get(name)
    if sample is None:
        if name == "_Dropout":
            return (
                "gradcheck: not applicable (each call draws a new random mask); the "
                "parity suite checks it against torch with a fixed mask"
            )
        if name == "ToDevice":
            return "gradcheck: needs a GPU (the device copy is checked by the GPU parity run)"
        return "gradcheck: no sample here (this op is covered by the parity suite)"
    fn, make, kw = (sample + ({},))[:3]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", KinkWarning)
            res = check_gradients(fn, make(), **kw)
    except Exception as e:  # noqa: BLE001 - the page reports it instead of hiding the op
        return f"gradcheck: could not run ({type(e).__name__}: {e})"
    status = "✓ passed" if res.ok else "✗ FAILED"
    if kw:
        status += " (" + ", ".join(f"{k}={v:g}" for k, v in kw.items()) + ")"
    errs = (
        "max abs error < 1e-6"
        if res.max_abs_err < 1e-6
        else (f"max abs error {res.max_abs_err:.1e}")
    )
    kinks = f", {len(res.kinks)} kink(s) re-drawn" if res.kinks else ""
    return (
        f"gradcheck (float64, central differences, {res.mode} Jacobian of "
        f"{res.checked} entries): {status}, {errs}{kinks}"
    )


def backward_source(fn) -> str:
    try:
        return textwrap.dedent(inspect.getsource(fn.backward)).rstrip()
    except (OSError, TypeError):
        return "(source not available)"


def generate() -> str:
    lines = [
        "# Backprop by hand",
        "",
        "Every differentiable op of tinygrad_edu, read straight from its code: the forward "
        "formula is the op's docstring, the derivative rules are the comments written beside "
        "its gradient lines, and the backward itself follows. Beside each op: a float64 "
        "finite-difference gradcheck on a small sample.",
        "",
        "Broadcasting is never undone inside an op: the engine sums each gradient back to its "
        "input's shape in one place, `autograd.unbroadcast`.",
        "",
        '!!! note "Generated page"',
        "    Written by `python docs/gen_backprop.py`; the test suite fails when it is out of "
        "date with the code.",
        "",
    ]
    by_module: dict = {}
    for fn in all_functions():
        by_module.setdefault(fn.__module__, []).append(fn)
    for mod, fns in by_module.items():
        lines += [f"## `{mod}`", ""]
        for fn in fns:
            name = fn.__name__
            lines += [f"### {name.lstrip('_')}", ""]
            f = formula(fn)
            lines += [f"**Forward:** `{f}`" if f else "**Forward:** (no docstring)", ""]
            rules = derivative_rules(fn)
            notes = [c for c in backward_comments(fn) if c not in rules]
            if rules:
                lines += ["**Local derivatives:**", ""] + [f"- `{r}`" for r in rules] + [""]
            if notes:
                lines += ["**Notes in the backward:**", ""] + [f"- {n}" for n in notes] + [""]
            lines += ["```py", backward_source(fn), "```", "", gradcheck_line(name), ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    text = generate()
    if "--check" in sys.argv:
        sys.exit(0 if OUT.exists() and OUT.read_text(encoding="utf-8") == text else 1)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10))} lines)")
