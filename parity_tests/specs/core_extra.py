"""Specs of all/any, index_select, log1p, tril/triu, diag and outer."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from registry import OpSpec, arrays, dims_kwargs, register

SHAPES1 = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
MATS = hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4)

# ---- all / any: bool results that never require grad (inputs do; grid values give zeros) ----
for _n in ("all", "any"):
    register(
        OpSpec(
            _n,
            fn=lambda m, x, _n=_n, **kw: getattr(m, _n)(x, **kw),
            elements=(-1.0, 1.0),
            kwargs=dims_kwargs,
            smooth=False,
        )
    )
    register(
        OpSpec(
            _n,
            variant="method",
            fn=lambda m, x, _n=_n, **kw: getattr(x, _n)(**kw),
            elements=(-1.0, 1.0),
            dtypes=("float32",),  # (the binding; the dtypes are tested above)
            kwargs=lambda s: dims_kwargs(s, multi=False),
            smooth=False,
        )
    )
    register(
        OpSpec(
            _n,
            variant="bool",
            fn=lambda m, x, _n=_n, **kw: getattr(m, _n)(x, **kw),
            arg_kinds=("b",),
            kwargs=dims_kwargs,
            dtypes=("float32",),  # (bool input: the float dtype plays no part)
        )
    )


# ---- index_select: advanced indexing along one dim; repeated indices add their gradients ----
@st.composite
def _index_select(draw, dtype):
    shape = draw(SHAPES1)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    idx = draw(st.lists(st.integers(0, n - 1), min_size=0, max_size=6))
    if idx and draw(st.booleans()) and len(idx) == 1:
        index = np.asarray(idx[0], dtype=np.int64)  # a 0-d index keeps the dim (size 1)
    else:
        index = np.asarray(idx, dtype=np.int64)
    return [arrays(draw, dtype, shape), index], {"dim": dim}


register(
    OpSpec(
        "index_select",
        fn=lambda m, x, i, dim: m.index_select(x, dim, i),
        sample=lambda d, dt: d(_index_select(dt)),
    )
)
register(
    OpSpec(
        "index_select",
        variant="method",
        dtypes=("float32",),
        fn=lambda m, x, i, dim: x.index_select(dim, i),
        sample=lambda d, dt: d(_index_select(dt)),
    )
)

# ---- log1p ----
register(OpSpec("log1p", fn=lambda m, x: m.log1p(x), elements=(-0.9, 10.0)))
register(OpSpec("log1p", variant="method", fn=lambda m, x: x.log1p(), elements=(-0.99, 1e-3)))
register(
    OpSpec(
        "log1p",
        variant="int",  # torch: an integer input gives float32
        fn=lambda m, x: m.log1p(x.long()),
        elements=(0.0, 10.0),
        grad_args=(),
        special=False,
        dtypes=("float32",),
    )
)


# ---- tril / triu: a mask multiply on the last two dims ----
@st.composite
def _tri(draw, dtype):
    shape = draw(MATS)
    return [arrays(draw, dtype, shape)], {"k": draw(st.integers(-4, 4))}


for _n in ("tril", "triu"):
    register(
        OpSpec(
            _n,
            fn=lambda m, x, k, _n=_n: getattr(m, _n)(x, k),
            sample=lambda d, dt: d(_tri(dt)),
        )
    )
    register(
        OpSpec(
            _n,
            variant="method",
            fn=lambda m, x, k, _n=_n: getattr(x, _n)(diagonal=k),
            sample=lambda d, dt: d(_tri(dt)),
        )
    )
    register(OpSpec(_n, variant="default", fn=lambda m, x, _n=_n: getattr(m, _n)(x),
                    shapes=MATS.map(lambda s: (s,)), dtypes=("float32",)))


# ---- diag: 1-D -> matrix, 2-D -> its diagonal (any k, also off the matrix) ----
@st.composite
def _diag(draw, dtype):
    nd = draw(st.sampled_from([1, 2]))
    shape = draw(hnp.array_shapes(min_dims=nd, max_dims=nd, min_side=1, max_side=4))
    return [arrays(draw, dtype, shape)], {"k": draw(st.integers(-3, 3))}


register(OpSpec("diag", fn=lambda m, x, k: m.diag(x, k), sample=lambda d, dt: d(_diag(dt))))
register(
    OpSpec(
        "diag",
        variant="method",
        dtypes=("float32",),
        fn=lambda m, x, k: x.diag(k),
        sample=lambda d, dt: d(_diag(dt)),
    )
)


# ---- outer ----
@st.composite
def _outer(draw, dtype):
    a, b = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return [arrays(draw, dtype, (a,)), arrays(draw, dtype, (b,))], {}


register(OpSpec("outer", fn=lambda m, x, y: m.outer(x, y), sample=lambda d, dt: d(_outer(dt))))
register(
    OpSpec(
        "outer",
        variant="method",
        dtypes=("float32",),
        fn=lambda m, x, y: x.outer(y),
        sample=lambda d, dt: d(_outer(dt)),
    )
)
