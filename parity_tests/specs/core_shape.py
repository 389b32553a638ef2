"""Specs of the shape ops: reshape/view/flatten, permute/transpose/T/mT, squeeze/unsqueeze,
expand/broadcast_to/repeat, cat/stack/split/chunk/unbind/flip/narrow/movedim."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from registry import OpSpec, arrays, register

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
SHAPES1 = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def sample(shapes=SHAPES, kw=None):
    """A ``sample`` drawing one float array and keyword arguments ``kw(draw, shape)``."""

    def f(draw, dtype):
        shape = draw(shapes)
        return [arrays(draw, dtype, shape)], (kw(draw, shape) if kw else {})

    return f


def a_dim(draw, shape, extra=0):
    n = max(len(shape) + extra, 1)
    return draw(st.integers(-n, n - 1))


def _target(draw, shape):
    n = int(np.prod(shape))
    divs = [d for d in range(1, n + 1) if n % d == 0]
    d = draw(st.sampled_from(divs))
    return draw(
        st.sampled_from(
            [(-1,), (n,), (d, n // d), (n // d, -1), (1, d, n // d), ()]
            if n == 1
            else [(-1,), (n,), (d, n // d), (n // d, -1), (1, d, n // d), tuple(reversed(shape))]
        )
    )


# ---- reshape family ----
register(
    OpSpec(
        "reshape",
        fn=lambda m, x, shape: m.reshape(x, shape),
        sample=sample(kw=lambda d, s: {"shape": _target(d, s)}),
    )
)
register(
    OpSpec(
        "reshape",
        variant="method",
        fn=lambda m, x, shape: x.reshape(*shape) if shape else x.reshape(shape),
        sample=sample(SHAPES1, lambda d, s: {"shape": _target(d, s)}),
    )
)
register(
    OpSpec(
        "view",
        fn=lambda m, x, shape: x.view(shape),
        sample=sample(kw=lambda d, s: {"shape": _target(d, s)}),
    )
)
register(OpSpec("view", variant="column", fn=lambda m, x: x.view(-1, 1)))
register(OpSpec("view_as", fn=lambda m, x: x.view_as(x.reshape(-1)), aliases=("reshape_as",)))
register(
    OpSpec(
        "flatten",
        fn=lambda m, x, **kw: m.flatten(x, **kw),
        sample=sample(
            kw=lambda d, s: (
                lambda a: {
                    "start_dim": a,
                    "end_dim": d(st.integers(a % max(len(s), 1), max(len(s), 1) - 1)),
                }
            )(d(st.integers(0, max(len(s), 1) - 1)))
        ),
    )
)
register(OpSpec("flatten", variant="method", fn=lambda m, x: x.flatten()))
register(
    OpSpec(
        "unflatten",
        fn=lambda m, x, dim, sizes: m.unflatten(x, dim, sizes),
        sample=sample(
            SHAPES1,
            lambda d, s: (
                lambda k: {"dim": k, "sizes": (1, s[k], 1) if d(st.booleans()) else (-1,)}
            )(d(st.integers(0, len(s) - 1))),
        ),
    )
)


# ---- transpose / permute / T / mT ----
def _perm(draw, shape):
    return tuple(draw(st.permutations(range(len(shape)))))


register(
    OpSpec(
        "permute",
        fn=lambda m, x, dims: m.permute(x, dims),
        sample=sample(kw=lambda d, s: {"dims": _perm(d, s)}),
    )
)
register(
    OpSpec(
        "permute",
        variant="method",
        fn=lambda m, x, dims: x.permute(*dims),
        sample=sample(SHAPES1, lambda d, s: {"dims": _perm(d, s)}),
    )
)
register(
    OpSpec(
        "transpose",
        fn=lambda m, x, a, b: m.transpose(x, a, b),
        sample=sample(kw=lambda d, s: {"a": a_dim(d, s), "b": a_dim(d, s)}),
        aliases=("swapaxes",),
    )
)
register(
    OpSpec(
        "swapaxes",
        fn=lambda m, x, a, b: m.swapaxes(x, a, b),
        sample=sample(SHAPES1, lambda d, s: {"a": a_dim(d, s), "b": a_dim(d, s)}),
    )
)
register(
    OpSpec(
        "T",
        fn=lambda m, x: x.T,
        aliases=("Tensor.T", "H"),
        sample=sample(hnp.array_shapes(min_dims=2, max_dims=2, max_side=4)),
    )
)
register(
    OpSpec(
        "mT",
        fn=lambda m, x: x.mT,
        aliases=("Tensor.mT",),
        sample=sample(hnp.array_shapes(min_dims=2, max_dims=4, max_side=3)),
    )
)
register(
    OpSpec(
        "t",
        fn=lambda m, x: m.t(x),
        sample=sample(hnp.array_shapes(min_dims=0, max_dims=2, max_side=4)),
    )
)
register(
    OpSpec(
        "movedim",
        fn=lambda m, x, a, b: m.movedim(x, a, b),
        sample=sample(SHAPES1, lambda d, s: {"a": a_dim(d, s), "b": a_dim(d, s)}),
    )
)


# ---- squeeze / unsqueeze ----
SQ_SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2)
register(OpSpec("squeeze", fn=lambda m, x: m.squeeze(x), sample=sample(SQ_SHAPES)))
register(
    OpSpec(
        "squeeze",
        variant="dim",
        fn=lambda m, x, dim: x.squeeze(dim),
        sample=sample(SQ_SHAPES, lambda d, s: {"dim": a_dim(d, s)}),
    )
)
register(
    OpSpec(
        "squeeze",
        variant="dims",
        fn=lambda m, x, dim: m.squeeze(x, dim),
        sample=sample(
            hnp.array_shapes(min_dims=1, max_dims=4, max_side=2),
            lambda d, s: {
                "dim": tuple(d(st.lists(st.integers(0, len(s) - 1), min_size=1, unique=True)))
            },
        ),
    )
)
register(
    OpSpec(
        "unsqueeze",
        fn=lambda m, x, dim: m.unsqueeze(x, dim),
        sample=sample(kw=lambda d, s: {"dim": d(st.integers(-len(s) - 1, len(s)))}),
    )
)


# ---- expand / broadcast_to / repeat ----
def _expand_to(draw, shape):
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return lead + tuple(
        draw(st.sampled_from([n, -1])) if n != 1 else draw(st.sampled_from([1, 3, -1]))
        for n in shape
    )


register(
    OpSpec(
        "expand",
        fn=lambda m, x, sizes: x.expand(*sizes) if sizes else x.expand(sizes),
        sample=sample(SQ_SHAPES, lambda d, s: {"sizes": _expand_to(d, s)}),
    )
)
register(
    OpSpec(
        "expand",
        variant="function",
        fn=lambda m, x, sizes: m.expand(x, sizes) if m.__name__ != "torch" else x.expand(sizes),
        sample=sample(SQ_SHAPES, lambda d, s: {"sizes": _expand_to(d, s)}),
    )
)
register(
    OpSpec(
        "broadcast_to",
        fn=lambda m, x, sizes: m.broadcast_to(x, sizes),
        sample=sample(
            SQ_SHAPES,
            lambda d, s: {
                "sizes": tuple(d(st.lists(st.integers(1, 3), max_size=2)))
                + tuple(d(st.sampled_from([1, 3])) if n == 1 else n for n in s)
            },
        ),
    )
)
register(
    OpSpec(
        "expand_as",
        fn=lambda m, x, y: x.expand_as(y),
        shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_side=3).map(
            lambda b: (b.input_shapes[0], b.result_shape)
        ),
        grad_args=(0,),
    )
)
register(OpSpec("broadcast_tensors", fn=lambda m, x, y: m.broadcast_tensors(x, y), shapes=2))
register(
    OpSpec(
        "repeat",
        fn=lambda m, x, sizes: x.repeat(*sizes),
        sample=sample(
            kw=lambda d, s: {
                "sizes": tuple(
                    d(st.lists(st.integers(1, 3), min_size=max(len(s), 1), max_size=len(s) + 2))
                )
            }
        ),
    )
)


# ---- cat / stack / split / chunk / unbind / flip / narrow ----
@st.composite
def _cat_sample(draw, dtype, same=False):
    base = draw(SHAPES1)
    dim = draw(st.integers(-len(base), len(base) - 1))
    k = draw(st.integers(1, 3))
    shapes = []
    for _ in range(k):
        s = list(base)
        if not same:
            s[dim] = draw(st.integers(1, 3))
        shapes.append(tuple(s))
    return [[arrays(draw, dtype, s) for s in shapes]], {"dim": dim}


register(
    OpSpec(
        "cat",
        fn=lambda m, xs, dim: m.cat(xs, dim),
        sample=lambda d, dt: d(_cat_sample(dt)),
        aliases=("concat", "concatenate"),
    )
)
register(
    OpSpec(
        "concat",
        fn=lambda m, xs, dim: m.concat(xs, dim=dim),
        sample=lambda d, dt: d(_cat_sample(dt)),
    )
)
register(
    OpSpec(
        "concatenate",
        fn=lambda m, xs, dim: m.concatenate(xs, dim),
        sample=lambda d, dt: d(_cat_sample(dt)),
    )
)
register(
    OpSpec(
        "stack",
        fn=lambda m, xs, dim: m.stack(xs, dim if dim >= 0 else dim - 1),
        sample=lambda d, dt: d(_cat_sample(dt, same=True)),
    )
)
register(
    OpSpec(
        "hstack",
        fn=lambda m, xs, dim: m.hstack(xs),
        sample=lambda d, dt: d(_cat_sample(dt, same=True)),
    )
)
register(
    OpSpec(
        "vstack",
        fn=lambda m, xs, dim: m.vstack(xs),
        sample=lambda d, dt: d(_cat_sample(dt, same=True)),
    )
)
register(
    OpSpec(
        "split",
        fn=lambda m, x, size, dim: m.split(x, size, dim),
        sample=sample(
            SHAPES1,
            lambda d, s: (lambda k: {"dim": k, "size": d(st.integers(1, s[k] + 1))})(a_dim(d, s)),
        ),
    )
)


def _sections(draw, shape):
    k = draw(st.integers(0, len(shape) - 1))
    n, parts = shape[k], []
    while n:
        parts.append(draw(st.integers(1, n)))
        n -= parts[-1]
    return {"size": parts, "dim": k}


register(
    OpSpec(
        "split",
        variant="sections",
        fn=lambda m, x, size, dim: x.split(size, dim),
        sample=sample(SHAPES1, _sections),
    )
)
register(
    OpSpec(
        "chunk",
        fn=lambda m, x, chunks, dim: m.chunk(x, chunks, dim),
        sample=sample(SHAPES1, lambda d, s: {"chunks": d(st.integers(1, 5)), "dim": a_dim(d, s)}),
    )
)
register(
    OpSpec(
        "unbind",
        fn=lambda m, x, dim: m.unbind(x, dim),
        sample=sample(SHAPES1, lambda d, s: {"dim": a_dim(d, s)}),
    )
)
register(
    OpSpec(
        "flip",
        fn=lambda m, x, dims: m.flip(x, dims),
        sample=sample(
            SHAPES1,
            lambda d, s: {
                "dims": tuple(d(st.lists(st.integers(0, len(s) - 1), min_size=1, unique=True)))
            },
        ),
    )
)
register(
    OpSpec(
        "narrow",
        fn=lambda m, x, dim, start, length: m.narrow(x, dim, start, length),
        sample=sample(
            SHAPES1,
            lambda d, s: (
                lambda k: (
                    lambda st0: {"dim": k, "start": st0, "length": d(st.integers(0, s[k] - st0))}
                )(d(st.integers(0, s[k] - 1)))
            )(a_dim(d, s)),
        ),
    )
)
