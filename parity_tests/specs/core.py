"""Specs of the core elementwise ops: arithmetic, pow, exp/log/sqrt, abs, trig, maximum/minimum,
clamp, where, comparisons and the piecewise-constant ops."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from registry import OpSpec, register

POS = (0.1, 10.0)
TIES = ("ties",)


def fixed(**choices):
    """kwargs strategy: each keyword drawn from its list of choices."""
    return lambda shapes: st.fixed_dictionaries({k: st.sampled_from(v) for k, v in choices.items()})


# ---- arithmetic ----
register(OpSpec("add", fn=lambda m, x, y: m.add(x, y), shapes=2))
register(
    OpSpec("add", variant="operator", fn=lambda m, x, y: x + y, shapes=2, aliases=("__add__",))
)
register(
    OpSpec(
        "add",
        variant="alpha",
        fn=lambda m, x, y, alpha: x.add(y, alpha=alpha),
        shapes=2,
        kwargs=fixed(alpha=[2, -0.5]),
    )
)
register(OpSpec("add", variant="scalar", fn=lambda m, x, s: x + s, arg_kinds=("f", "s"), shapes=2))
register(
    OpSpec(
        "add",
        variant="rscalar",
        fn=lambda m, x, s: s + x,
        arg_kinds=("f", "s"),
        shapes=2,
        aliases=("__radd__",),
    )
)
register(OpSpec("sub", fn=lambda m, x, y: m.sub(x, y), shapes=2, aliases=("__sub__", "subtract")))
register(
    OpSpec(
        "sub",
        variant="rscalar",
        fn=lambda m, x, s: s - x,
        arg_kinds=("f", "s"),
        shapes=2,
        aliases=("__rsub__",),
    )
)
register(
    OpSpec(
        "sub",
        variant="alpha",
        fn=lambda m, x, y, alpha: m.sub(x, y, alpha=alpha),
        shapes=2,
        kwargs=fixed(alpha=[3, 0.25]),
    )
)
register(OpSpec("mul", fn=lambda m, x, y: m.mul(x, y), shapes=2, aliases=("__mul__", "multiply")))
register(OpSpec("mul", variant="self", fn=lambda m, x: x * x))  # a tensor used twice
register(
    OpSpec(
        "mul",
        variant="rscalar",
        fn=lambda m, x, s: s * x,
        arg_kinds=("f", "s"),
        shapes=2,
        aliases=("__rmul__",),
    )
)
register(
    OpSpec(
        "div",
        fn=lambda m, x, y: m.div(x, y),
        shapes=2,
        elements=((-10, 10), POS),
        aliases=("__truediv__", "divide", "true_divide"),
    )
)
register(
    OpSpec(
        "div",
        variant="neg_divisor",
        fn=lambda m, x, y: x / y,
        shapes=2,
        elements=((-10, 10), (-10, -0.1)),
    )
)
register(
    OpSpec(
        "div",
        variant="rscalar",
        fn=lambda m, x, s: s / x,
        arg_kinds=("f", "s"),
        shapes=2,
        elements=(POS, (-10, 10)),
        aliases=("__rtruediv__",),
    )
)
register(OpSpec("neg", fn=lambda m, x: m.neg(x), aliases=("__neg__", "negative")))
register(OpSpec("neg", variant="operator", fn=lambda m, x: -x))
register(OpSpec("square", fn=lambda m, x: m.square(x)))

# ---- pow ----
register(
    OpSpec(
        "pow",
        variant="tensor_exp",
        fn=lambda m, x, y: m.pow(x, y),
        shapes=2,
        elements=((0.1, 3.0), (-3.0, 3.0)),
        aliases=("__pow__",),
    )
)
register(
    OpSpec(
        "pow",
        variant="int_exp",
        fn=lambda m, x, exponent: x**exponent,
        elements=(-3.0, 3.0),
        kinks=(0.0,),
        kwargs=fixed(exponent=[0, 1, 2, 3, -1, -2, 2.0]),
    )
)
register(
    OpSpec(
        "pow",
        variant="frac_exp",
        fn=lambda m, x, exponent: m.pow(x, exponent),
        elements=(0.1, 5.0),
        kwargs=fixed(exponent=[0.5, 1.5, -0.5, 2.5, -1.5]),
    )
)
register(
    OpSpec(
        "pow",
        variant="scalar_base",
        fn=lambda m, x, base: base**x,
        elements=(-3.0, 3.0),
        kwargs=fixed(base=[2.0, 0.5, 3, 1.5]),
        aliases=("__rpow__",),
    )
)
register(
    OpSpec(
        "pow",
        variant="scalar_base_fn",
        fn=lambda m, x, base: m.pow(base, x),
        elements=(-3.0, 3.0),
        kwargs=fixed(base=[2.0, 0.5]),
    )
)
register(OpSpec("rsqrt", fn=lambda m, x: m.rsqrt(x), elements=POS))

# ---- transcendental ----
register(OpSpec("exp", fn=lambda m, x: m.exp(x)))
register(OpSpec("log", fn=lambda m, x: m.log(x), elements=(0.01, 10.0)))
register(OpSpec("sqrt", fn=lambda m, x: m.sqrt(x), elements=(0.0, 10.0), kinks=(0.0,), smooth=True))
register(
    OpSpec("abs", fn=lambda m, x: m.abs(x), kinks=(0.0, -0.0), aliases=("__abs__", "absolute"))
)
register(OpSpec("sin", fn=lambda m, x: m.sin(x)))
register(OpSpec("cos", fn=lambda m, x: m.cos(x)))

# ---- maximum / minimum / clamp / where ----
register(OpSpec("maximum", fn=lambda m, x, y: m.maximum(x, y), shapes=2, kinks=TIES))
register(OpSpec("minimum", fn=lambda m, x, y: m.minimum(x, y), shapes=2, kinks=TIES))
register(
    OpSpec(
        "clamp",
        fn=lambda m, x, min, max: m.clamp(x, min, max),
        kinks=(-1.0, 2.0),
        kwargs=lambda shapes: st.sampled_from(
            [{"min": -1.0, "max": 2.0}, {"min": -1.0, "max": None}, {"min": None, "max": 2.0}]
        ),
        aliases=("clip",),
    )
)
register(
    OpSpec(
        "clamp",
        variant="method_int_bounds",
        fn=lambda m, x: x.clamp(min=-1, max=2),
        kinks=(-1.0, 2.0),
    )
)
# torch's clamp backward fails when x is smaller than the broadcast shape: x gets the full one
_bounds_shapes = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=3, max_side=4
).map(lambda b: (b.result_shape, *b.input_shapes))
register(
    OpSpec(
        "clamp",
        variant="tensor_bounds",
        fn=lambda m, x, lo, hi: m.clamp(x, lo, hi),
        shapes=_bounds_shapes,
        elements=((-10, 10), (-6, -1), (1, 6)),
        kinks=(-1.0, 1.0),
    )
)
register(
    OpSpec(
        "clamp",
        variant="tensor_min",
        fn=lambda m, x, lo: m.clamp(x, min=lo),
        shapes=_bounds_shapes.map(lambda s: s[:2]),
        kinks=TIES,
    )
)
register(
    OpSpec(
        "clamp",
        variant="tensor_max",
        fn=lambda m, x, hi: x.clamp(max=hi),
        shapes=_bounds_shapes.map(lambda s: s[:2]),
        kinks=TIES,
    )
)
register(OpSpec("clip", fn=lambda m, x: m.clip(x, -0.5, 0.5), kinks=(-0.5, 0.5)))
register(
    OpSpec("where", fn=lambda m, c, x, y: m.where(c, x, y), shapes=3, arg_kinds=("b", "f", "f"))
)
register(
    OpSpec(
        "where",
        variant="method",
        fn=lambda m, c, x, y: x.where(c, y),
        shapes=3,
        arg_kinds=("b", "f", "f"),
    )
)
register(
    OpSpec("where", variant="scalar_other", fn=lambda m, x: m.where(x > 0, x, 0.0), kinks=(0.0,))
)

# ---- comparisons and piecewise-constant ops (no gradient: forward only) ----
for _n in ("eq", "ne", "lt", "le", "gt", "ge"):
    register(
        OpSpec(
            _n,
            fn=(lambda n: lambda m, x, y: getattr(m, n)(x, y))(_n),
            shapes=2,
            kinks=TIES,
            grad_args=(),
            aliases=(f"__{_n}__",),
        )
    )
    register(
        OpSpec(
            _n,
            variant="scalar",
            fn=(lambda n: lambda m, x: getattr(x, n)(0.5))(_n),
            kinks=(0.5,),
            grad_args=(),
        )
    )
for _a, _b in (
    ("greater", "gt"),
    ("greater_equal", "ge"),
    ("less", "lt"),
    ("less_equal", "le"),
    ("not_equal", "ne"),
):
    register(
        OpSpec(
            _a,
            fn=(lambda n: lambda m, x, y: getattr(m, n)(x, y))(_a),
            shapes=2,
            kinks=TIES,
            grad_args=(),
        )
    )
for _n in ("logical_and", "logical_or", "logical_xor"):
    register(
        OpSpec(
            _n,
            fn=(lambda n: lambda m, x, y: getattr(m, n)(x, y))(_n),
            shapes=2,
            arg_kinds=("b", "b"),
            grad_args=(),
            special=False,
            aliases=(
                {"logical_and": "__and__", "logical_or": "__or__", "logical_xor": "__xor__"}[_n],
            ),
        )
    )
register(
    OpSpec(
        "logical_not",
        fn=lambda m, x: m.logical_not(x),
        arg_kinds=("b",),
        grad_args=(),
        special=False,
        aliases=("__invert__",),
    )
)
for _n in ("isnan", "isinf", "isfinite"):
    register(OpSpec(_n, fn=(lambda n: lambda m, x: getattr(m, n)(x))(_n), grad_args=()))
for _n in ("sign", "floor", "ceil", "round"):  # piecewise constant: gradient 0 (torch)
    register(
        OpSpec(
            _n,
            fn=(lambda n: lambda m, x: getattr(m, n)(x))(_n),
            kinks=(0.0, 0.5, 1.5),
            smooth=False,
        )
    )
register(
    OpSpec(
        "round",
        variant="decimals",
        fn=lambda m, x: m.round(x, decimals=2),
        smooth=False,
        special=False,
    )
)
for _n, _al in (("floor_divide", "__floordiv__"), ("remainder", "__mod__"), ("fmod", "")):
    register(
        OpSpec(
            _n,
            fn=(lambda n: lambda m, x, y: getattr(m, n)(x, y))(_n),
            shapes=2,
            elements=((-10, 10), (0.5, 4.0)),
            grad_args=(),
            special=False,
            aliases=(_al,) if _al else (),
        )
    )
register(
    OpSpec(
        "floor_divide",
        variant="rscalar",
        fn=lambda m, x: 7.0 // x,
        elements=POS,
        grad_args=(),
        special=False,
        aliases=("__rfloordiv__",),
    )
)
register(OpSpec("isclose", fn=lambda m, x, y: m.isclose(x, y), shapes=2, kinks=TIES, grad_args=()))
register(
    OpSpec(
        "allclose",
        fn=lambda m, x, y: m.allclose(x, y),
        shapes=2,
        kinks=TIES,
        grad_args=(),
        special=False,
    )
)
register(
    OpSpec(
        "equal", fn=lambda m, x, y: m.equal(x, y), shapes=2, kinks=TIES, grad_args=(), special=False
    )
)
register(OpSpec("nonzero", fn=lambda m, x: m.nonzero(x), kinks=TIES, grad_args=(), special=False))
register(
    OpSpec(
        "nonzero",
        variant="as_tuple",
        fn=lambda m, x: m.nonzero(x, as_tuple=True),
        kinks=TIES,
        grad_args=(),
        special=False,
    )
)
register(OpSpec("clone", fn=lambda m, x: m.clone(x)))
