"""Specs of the reductions (with dim and keepdim) and of matmul in its 1-D/2-D/batched/broadcast
forms."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from registry import OpSpec, dims_kwargs, register

TIES = ("ties",)
# ±1e20 in float32 sums is catastrophic cancellation: any order gives a different answer
NO_HUGE = (float("nan"), float("inf"), float("-inf"), -0.0, 0.0)
# BLAS kernels differ on inf * 0 inside a dot product (some skip zeros): no infs for matmul
NO_INF = (float("nan"), 1e20, -1e20, -0.0, 0.0)


def dot_bound(a, b):
    """The error bound of every summation order of a @ b: 2·n·u·(|a| @ |b|) (Higham, Accuracy
    and Stability of Numerical Algorithms, §3.1: |fl(aᵀb) − aᵀb| ≤ γₙ |a|ᵀ|b|, γₙ ≈ n·u; two
    orders differ by at most twice that). ±1e20 terms that cancel (1e40 − 1e40) leave
    rounding residues of ~1e23 that depend on the BLAS kernel (with FMA or not): seen with
    OpenBLAS's SkylakeX ddot against torch's on an Intel Xeon."""
    a, b = np.asarray(a), np.asarray(b)
    if a.size == 0 or b.size == 0:
        return 0.0
    u = float(np.finfo(a.dtype).eps)  # the unit roundoff's double: the argument's type
    a, b = a.astype(np.float64), b.astype(np.float64)
    n = a.shape[-1]
    with np.errstate(all="ignore"):
        return 2 * n * u * (np.abs(np.nan_to_num(a)) @ np.abs(np.nan_to_num(b)))


def one_dim(shapes, keepdim=True):
    return dims_kwargs(shapes, keepdim=keepdim, allow_none=False, multi=False)


def opt_one_dim(shapes):
    return dims_kwargs(shapes, multi=False)


# ---- sum / mean / prod ----
register(OpSpec("sum", special=NO_HUGE, fn=lambda m, x, **kw: m.sum(x, **kw), kwargs=dims_kwargs))
register(
    OpSpec(
        "sum",
        special=NO_HUGE,
        variant="method",
        fn=lambda m, x, **kw: x.sum(**kw),
        kwargs=dims_kwargs,
    )
)
register(OpSpec("mean", special=NO_HUGE, fn=lambda m, x, **kw: m.mean(x, **kw), kwargs=dims_kwargs))
register(
    OpSpec(
        "mean",
        special=NO_HUGE,
        variant="method",
        fn=lambda m, x, **kw: x.mean(**kw),
        kwargs=dims_kwargs,
    )
)
register(
    OpSpec(
        "prod",
        fn=lambda m, x, **kw: m.prod(x, **kw),
        kwargs=opt_one_dim,
        elements=(-2.0, 2.0),
        kinks=(0.0,),
    )
)

# ---- max / min / amax / amin / argmax / argmin: ties split (amax, max()) or go to one index ----
register(OpSpec("max", fn=lambda m, x: m.max(x), kinks=TIES))
register(
    OpSpec(
        "max",
        variant="dim",
        fn=lambda m, x, **kw: m.max(x, **kw),
        kinks=TIES,
        kwargs=one_dim,
        smooth=False,
    )
)
register(OpSpec("max", variant="binary", fn=lambda m, x, y: m.max(x, y), shapes=2, kinks=TIES))
register(
    OpSpec(
        "max",
        variant="method_dim",
        fn=lambda m, x, **kw: x.max(**kw).values,
        kinks=TIES,
        kwargs=one_dim,
        smooth=False,
    )
)
register(OpSpec("min", fn=lambda m, x: m.min(x), kinks=TIES))
register(
    OpSpec(
        "min",
        variant="dim",
        fn=lambda m, x, **kw: m.min(x, **kw),
        kinks=TIES,
        kwargs=one_dim,
        smooth=False,
    )
)
register(
    OpSpec(
        "min",
        variant="method_dim",
        fn=lambda m, x, d: x.min(d)[0],
        kinks=TIES,
        kwargs=lambda s: st.fixed_dictionaries({"d": st.integers(-1, max(len(s[0]) - 1, 0))}),
        smooth=False,
    )
)
register(OpSpec("amax", fn=lambda m, x, **kw: m.amax(x, **kw), kinks=TIES, kwargs=dims_kwargs))
register(OpSpec("amin", fn=lambda m, x, **kw: m.amin(x, **kw), kinks=TIES, kwargs=dims_kwargs))
register(
    OpSpec(
        "argmax",
        fn=lambda m, x, **kw: m.argmax(x, **kw),
        kinks=TIES,
        grad_args=(),
        kwargs=opt_one_dim,
    )
)
register(
    OpSpec(
        "argmin",
        fn=lambda m, x, **kw: m.argmin(x, **kw),
        kinks=TIES,
        grad_args=(),
        kwargs=opt_one_dim,
    )
)


# ---- var / std (unbiased by default) / logsumexp / norm ----
def var_kwargs(shapes):
    return dims_kwargs(shapes).flatmap(
        lambda d: st.sampled_from(
            [{}, {"unbiased": False}, {"correction": 0}, {"unbiased": True}]
        ).map(lambda c: {**d, **c})
    )


register(OpSpec("var", special=NO_HUGE, fn=lambda m, x, **kw: m.var(x, **kw), kwargs=var_kwargs))
register(
    OpSpec(
        "std",
        special=NO_HUGE,
        fn=lambda m, x, **kw: m.std(x, **kw),
        kwargs=var_kwargs,
        kinks=TIES,
        smooth=False,
    )
)
register(
    OpSpec(
        "std",
        special=NO_HUGE,
        variant="method",
        fn=lambda m, x, **kw: x.std(**kw),
        kwargs=dims_kwargs,
        elements=(-3.0, 3.0),
    )
)
register(
    OpSpec(
        "logsumexp",
        fn=lambda m, x, **kw: m.logsumexp(x, **kw),
        kwargs=lambda s: dims_kwargs(s, allow_none=False),
        elements=(-1e4, 1e4),
        tol={"float32": 10.0},
    )
)
register(
    OpSpec(
        "logsumexp",
        variant="small",
        fn=lambda m, x, **kw: x.logsumexp(**kw),
        kwargs=lambda s: dims_kwargs(s, allow_none=False),
        kinks=TIES,
    )
)


def norm_kwargs(shapes):  # (a 2-tuple dim with p=2 is torch's matrix norm: kept to one dim)
    return dims_kwargs(shapes, multi=False).flatmap(
        lambda d: st.sampled_from([{}, {"p": 2}, {"p": 1}, {"p": 3.0}, {"p": float("inf")}]).map(
            lambda p: {**p, **d} if (d or p.get("p", 2) == 2) else p
        )
    )


register(
    OpSpec(
        "norm",
        special=NO_HUGE,  # torch overflows too, except for a single element
        fn=lambda m, x, **kw: m.norm(x, **kw),
        kwargs=norm_kwargs,
        kinks=(0.0,),
        smooth=False,
    )
)
register(
    OpSpec(
        "norm",
        special=NO_HUGE,  # torch overflows too, except for a single element
        variant="smooth",
        fn=lambda m, x, **kw: x.norm(**kw),
        kwargs=lambda s: dims_kwargs(s, multi=False),
        elements=(0.5, 3.0),
    )
)
register(
    OpSpec(
        "cumsum",
        fn=lambda m, x, dim: m.cumsum(x, dim),
        kwargs=lambda s: st.fixed_dictionaries(
            {"dim": st.integers(-max(len(s[0]), 1), max(len(s[0]), 1) - 1)}
        ),
    )
)


# ---- sort / argsort / topk ----
def sort_kwargs(shapes):
    n = max(len(shapes[0]), 1)
    return st.fixed_dictionaries({"dim": st.integers(-n, n - 1), "descending": st.booleans()})


def _distinct(draw, dtype, shape):
    """Distinct values (torch and NumPy order ties differently in sort/topk indices)."""
    import numpy as np

    n = int(np.prod(shape))
    perm = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).permutation(n)
    return ((perm - n / 2) * 0.75).reshape(shape).astype(dtype)


@st.composite
def _sort_sample(draw, dtype):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    n = max(len(shape), 1)
    return [_distinct(draw, dtype, shape)], {
        "dim": draw(st.integers(-n, n - 1)),
        "descending": draw(st.booleans()),
    }


@st.composite
def _topk_sample(draw, dtype):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    k = draw(st.integers(1, shape[dim]))
    return [_distinct(draw, dtype, shape)], {"k": k, "dim": dim, "largest": draw(st.booleans())}


register(
    OpSpec(
        "sort",
        fn=lambda m, x, **kw: m.sort(x, **kw),
        sample=lambda draw, dtype: draw(_sort_sample(dtype)),
        smooth=False,
        special=False,
    )
)
register(
    OpSpec(
        "sort",
        variant="values",
        fn=lambda m, x, **kw: m.sort(x, **kw).values,
        sample=lambda draw, dtype: draw(_sort_sample(dtype)),
        smooth=False,
    )
)
register(
    OpSpec(
        "argsort",
        fn=lambda m, x, **kw: m.argsort(x, **kw),
        sample=lambda draw, dtype: draw(_sort_sample(dtype)),
        grad_args=(),
        special=False,
    )
)  # specials make ties, whose order torch leaves unspecified
register(
    OpSpec(
        "topk",
        fn=lambda m, x, **kw: m.topk(x, **kw),
        sample=lambda draw, dtype: draw(_topk_sample(dtype)),
        smooth=False,
        special=False,
    )
)
register(
    OpSpec(
        "topk",
        variant="values",
        fn=lambda m, x, **kw: m.topk(x, **kw)[0],
        sample=lambda draw, dtype: draw(_topk_sample(dtype)),
        smooth=False,
    )
)

# ---- matmul: 1-D, 2-D, batched and broadcast, through the gufunc signature ----
MM_SIG = "(m?,n),(n,p?)->(m?,p?)"
register(
    OpSpec(
        "matmul",
        special=NO_INF,
        special_bound=dot_bound,
        fn=lambda m, a, b: m.matmul(a, b),
        shapes=MM_SIG,
        aliases=("__matmul__",),
    )
)
register(
    OpSpec("matmul", special=NO_INF, special_bound=dot_bound, variant="operator",
           fn=lambda m, a, b: a @ b, shapes=MM_SIG)
)
register(
    OpSpec(
        "matmul",
        special=NO_INF,
        special_bound=dot_bound,
        variant="rmatmul",
        fn=lambda m, a, b: b.__rmatmul__(a),
        shapes=MM_SIG,
        aliases=("__rmatmul__",),
    )
)
register(
    OpSpec(
        "mm",
        special=NO_INF,
        special_bound=dot_bound,
        fn=lambda m, a, b: m.mm(a, b),
        shapes=hnp.mutually_broadcastable_shapes(
            signature="(m,n),(n,p)->(m,p)", max_dims=0, max_side=4
        ).map(lambda b: b.input_shapes),
    )
)
register(
    OpSpec(
        "bmm",
        special=NO_INF,
        special_bound=dot_bound,
        fn=lambda m, a, b: m.bmm(a, b),
        shapes=st.tuples(*(st.integers(1, 4) for _ in range(4))).map(
            lambda t: ((t[0], t[1], t[2]), (t[0], t[2], t[3]))
        ),
    )
)
register(
    OpSpec(
        "dot",
        special=NO_INF,
        special_bound=dot_bound,
        fn=lambda m, a, b: m.dot(a, b),
        shapes=st.integers(1, 5).map(lambda n: ((n,), (n,))),
    )
)
