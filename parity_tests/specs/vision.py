"""OpSpecs of the vision functions torch's OpInfos do not reach: ``F.affine_grid`` and
``torch.affine_grid_generator`` (torch has no OpInfo for them), and the rank-dispatching
``torch.grid_sampler`` (its 2-D and 3-D kernels have OpInfos: grid_sampler_2d/3d and
nn.functional.grid_sample). Gradients w.r.t. theta, input and grid are compared."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from registry import OpSpec, register
from registry import arrays as _arrays


def _arr(draw, dtype, shape, lo, hi):
    return np.array(_arrays(draw, dtype, shape, lo, hi), dtype=dtype)


def _theta_sample(draw, dtype):
    d = draw(st.sampled_from([2, 3]))
    n = draw(st.integers(1, 2))
    spatial = tuple(draw(st.lists(st.integers(2, 4), min_size=d, max_size=d)))
    theta = _arr(draw, dtype, (n, d, d + 1), -2.0, 2.0)
    return [theta], {"size": (n, 2) + spatial, "align_corners": draw(st.booleans())}


def _sampler_sample(draw, dtype):
    d = draw(st.sampled_from([2, 3]))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    space = tuple(draw(st.lists(st.integers(1, 4), min_size=d, max_size=d)))
    out = tuple(draw(st.lists(st.integers(1, 3), min_size=d, max_size=d)))
    x = _arr(draw, dtype, (n, c) + space, -2.0, 2.0)
    grid = _arr(draw, dtype, (n,) + out + (d,), -1.5, 1.5)
    mode = draw(st.sampled_from([0, 1, 2] if d == 2 else [0, 1]))
    return [x, grid, mode, draw(st.sampled_from([0, 1, 2])), draw(st.booleans())], {}


register(OpSpec("affine_grid",
                fn=lambda m, th, **k: m.nn.functional.affine_grid(th, **k),
                sample=_theta_sample, grad_args=(0,), special=False))
register(OpSpec("affine_grid_generator",
                fn=lambda m, th, size, align_corners: m.affine_grid_generator(
                    th, size, align_corners),
                sample=lambda draw, dtype: (lambda a, k: ([a[0], k["size"],
                                                          k["align_corners"]], {}))(
                    *_theta_sample(draw, dtype)),
                grad_args=(0,), special=False))
# piecewise polynomial in the grid (kinks at pixel boundaries): no finite differences
register(OpSpec("grid_sampler", fn=lambda m, *a: m.grid_sampler(*a), sample=_sampler_sample,
                grad_args=(0, 1), smooth=False, special=False))
