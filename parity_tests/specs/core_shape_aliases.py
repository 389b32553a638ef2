"""Specs of the shape ops' other torch names (aliases with their own signature): moveaxis,
swapdims, row_stack, split_copy. The ops themselves are proven by torch's OpInfos."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from registry import OpSpec, arrays, register

SHAPES1 = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def _one(kw):
    def f(draw, dtype):
        shape = draw(SHAPES1)
        return [arrays(draw, dtype, shape)], kw(draw, shape)

    return f


def _dim(draw, shape):
    return draw(st.integers(-len(shape), len(shape) - 1))


register(OpSpec("moveaxis", fn=lambda m, x, a, b: m.moveaxis(x, a, b),
                sample=_one(lambda d, s: {"a": _dim(d, s), "b": _dim(d, s)})))
register(OpSpec("swapdims", fn=lambda m, x, a, b: m.swapdims(x, a, b),
                sample=_one(lambda d, s: {"a": _dim(d, s), "b": _dim(d, s)})))
register(OpSpec("split_copy", fn=lambda m, x, size, dim: m.split_copy(x, size, dim),
                sample=_one(lambda d, s: (lambda k: {"dim": k, "size": d(st.integers(
                    1, s[k] + 1))})(_dim(d, s)))))


def _rows(draw, dtype):
    w = draw(st.integers(1, 4))
    n = draw(st.integers(1, 3))
    xs = [arrays(draw, dtype, (draw(st.integers(1, 3)), w)) for _ in range(n)]
    return [xs], {}


register(OpSpec("row_stack", fn=lambda m, xs: m.row_stack(xs), sample=_rows))
