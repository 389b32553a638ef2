"""Specs of indexing: ``__getitem__`` in all its forms (basic, slices, None, Ellipsis, integer
and boolean advanced indexing with repeated indices), ``__setitem__`` without grad,
masked_fill, gather and one_hot."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from registry import OpSpec, arrays, register

from specs.core_shape import SHAPES1, sample


# ---- __getitem__: basic, slices, None, Ellipsis, advanced, boolean (no negative steps) ----
def _basic_key(draw, shape):
    key = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "full", "none"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            key.append(
                slice(
                    draw(st.none() | st.integers(-n - 1, n + 1)),
                    draw(st.none() | st.integers(-n - 1, n + 1)),
                    draw(st.none() | st.sampled_from([1, 2, 3])),
                )
            )
        elif kind == "full":
            key.append(slice(None))
        else:
            key.extend([None, slice(None)])
    if key and draw(st.booleans()):
        key = key[: draw(st.integers(0, len(key)))] + [Ellipsis]
    return tuple(key)


register(
    OpSpec(
        "__getitem__",
        variant="basic",
        fn=lambda m, x, key: x[key],
        sample=sample(kw=lambda d, s: {"key": _basic_key(d, s)}),
        aliases=("getitem",),
    )
)
register(
    OpSpec(
        "__getitem__",
        variant="int_array",
        fn=lambda m, x, idx: x[m.tensor(idx)],
        sample=sample(
            SHAPES1,
            lambda d, s: {"idx": d(st.lists(st.integers(-s[0], s[0] - 1), min_size=1, max_size=6))},
        ),
    )
)
register(
    OpSpec(
        "__getitem__",
        variant="int_list_2d",
        fn=lambda m, x, i, j: x[i, j],
        sample=sample(
            hnp.array_shapes(min_dims=2, max_dims=3, max_side=4),
            lambda d, s: (
                lambda k: {
                    "i": d(st.lists(st.integers(0, s[0] - 1), min_size=k, max_size=k)),
                    "j": d(st.lists(st.integers(-s[1], s[1] - 1), min_size=k, max_size=k)),
                }
            )(d(st.integers(1, 5))),
        ),
    )
)
register(
    OpSpec(
        "__getitem__",
        variant="mixed",
        fn=lambda m, x, idx: x[..., m.tensor(idx), None],
        sample=sample(
            SHAPES1,
            lambda d, s: {"idx": d(st.lists(st.integers(0, s[-1] - 1), min_size=1, max_size=5))},
        ),
    )
)
register(
    OpSpec(
        "__getitem__",
        variant="bool_mask",
        fn=lambda m, x, mask: x[m.tensor(mask)],
        sample=sample(
            SHAPES1, lambda d, s: {"mask": d(hnp.arrays(np.bool_, s[: d(st.integers(1, len(s)))]))}
        ),
    )
)
register(OpSpec("__getitem__", variant="compare_mask", fn=lambda m, x: x[x > 0]))


# ---- __setitem__ (no grad), masked_fill, gather, one_hot ----
def _setitem(m, x, key, v):
    y = x.clone()
    y[key] = v
    return y


register(
    OpSpec(
        "__setitem__",
        fn=_setitem,
        grad_args=(),
        aliases=("setitem",),
        sample=sample(
            SHAPES1, lambda d, s: {"key": _basic_key(d, s)[:1] or 0, "v": d(st.floats(-5, 5))}
        ),
    )
)
register(
    OpSpec("__setitem__", variant="mask", grad_args=(), fn=lambda m, x: _setitem(m, x, x < 0, 0.0))
)
register(
    OpSpec(
        "masked_fill",
        fn=lambda m, x, mask, v: m.masked_fill(x, mask, v),
        shapes=2,
        arg_kinds=("f", "b"),
        kwargs=lambda s: st.fixed_dictionaries({"v": st.sampled_from([0.0, -5.0, 2.5])}),
    )
)
register(
    OpSpec(
        "masked_fill",
        variant="huge",
        shapes=2,
        arg_kinds=("f", "b"),
        fn=lambda m, x, mask: m.masked_fill(x, mask, -1e9),
        smooth=False,
    )
)
register(
    OpSpec(
        "masked_fill",
        variant="neg_inf",
        shapes=2,
        arg_kinds=("f", "b"),
        fn=lambda m, x, mask: m.masked_fill(x, mask, float("-inf")),
        smooth=False,
    )
)
register(
    OpSpec(
        "masked_fill",
        variant="method",
        fn=lambda m, x, v: x.masked_fill(x > 1, v),
        kwargs=lambda s: st.fixed_dictionaries({"v": st.sampled_from([0.0, -3.0])}),
        kinks=(1.0,),
    )
)


@st.composite
def _gather_sample(draw, dtype):
    shape = draw(SHAPES1)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    ishape = tuple(
        draw(st.integers(1, n)) if i != dim % len(shape) else draw(st.integers(1, 5))
        for i, n in enumerate(shape)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    idx = rng.integers(0, shape[dim], ishape).astype(np.int64)  # repeats: scatter-add backward
    return [arrays(draw, dtype, shape), idx], {"dim": dim}


register(
    OpSpec(
        "gather",
        fn=lambda m, x, idx, dim: m.gather(x, dim, idx),
        sample=lambda d, dt: d(_gather_sample(dt)),
    )
)
register(
    OpSpec(
        "gather",
        variant="method",
        fn=lambda m, x, idx, dim: x.gather(dim, idx),
        sample=lambda d, dt: d(_gather_sample(dt)),
    )
)
register(
    OpSpec(
        "one_hot",
        fn=lambda m, idx, n: m.nn.functional.one_hot(idx, n),
        grad_args=(),
        special=False,
        arg_kinds=("i",),
        elements=(0, 3),
        kwargs=lambda s: st.fixed_dictionaries({"n": st.sampled_from([-1, 4, 6])}),
    )
)
