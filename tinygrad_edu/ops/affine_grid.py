"""``torch.affine_grid_generator`` (behind ``F.affine_grid``): the sampling grid of an affine
map, the usual companion of ``grid_sample`` in a Spatial Transformer.

Every output pixel p gets its normalized base coordinates b_p = (x_p, y_p[, z_p], 1), evenly
spaced in [−1, 1] (align_corners=True: the corner pixels' centres sit at ±1; False: the image
edges do, so the centres are at ±(n − 1)/n), and the grid is the affine map θ applied to it:

    grid[n, p, :] = θ[n] · b_p          θ (N, 2, 3) for 2-D, (N, 3, 4) for 3-D

Linear in θ, so with B the (P, 3|4) matrix of base points, grid[n] = B θ[n]ᵀ and

    ∂L/∂θ[n] = g[n]ᵀ B          (g[n] = ∂L/∂grid[n], (P, 2|3))
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import get_array_module
from ._dual import xp_of


def _linspace(n: int, align: bool, dtype):
    """torch's _linspace_from_neg_one: n points over [−1, 1] (align) or ±(n − 1)/n; 0 if n ≤ 1."""
    if n <= 1:
        return np.zeros(n, dtype=dtype)
    a = 1.0 if align else (n - 1) / n
    return np.linspace(-a, a, n).astype(dtype)


def base_grid(spatial: tuple, align: bool, dtype) -> np.ndarray:
    """B (P, d + 1): each output pixel's (x, y[, z], 1), x varying fastest (D, H, W order)."""
    axes = [_linspace(n, align, dtype) for n in spatial]  # (D,) H, W
    mesh = np.meshgrid(*axes, indexing="ij")  # each (D,) H, W
    cols = [m.reshape(-1) for m in reversed(mesh)] + [np.ones(int(np.prod(spatial)), dtype)]
    return np.stack(cols, axis=1)


class AffineGridGeneratorFn(Function):
    """grid[n] = B · θ[n]ᵀ   (B the base points, see the module doc); ∂L/∂θ[n] = g[n]ᵀ · B.
    torch names the node ``AffineGridGeneratorBackward0``."""

    array_io = True

    @staticmethod
    def forward(ctx, theta, spatial, align):
        xp = get_array_module(theta)
        B = xp.asarray(base_grid(spatial, align, theta.dtype))
        ctx.B = B
        N, d = theta.shape[0], len(spatial)
        out = xp.matmul(B, xp.swapaxes(theta, 1, 2))  # (N, P, d)
        return out.reshape((N,) + tuple(spatial) + (d,))

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        N, d = g.shape[0], g.shape[-1]
        gm = xp.reshape(g, (N, -1, d))
        return xp.matmul(xp.swapaxes(gm, 1, 2), ctx.B), None, None  # ∂L/∂θ = gᵀ B


def affine_grid_generator(theta, size, align_corners: bool):
    """torch.affine_grid_generator(theta, size, align_corners): the grid of ``F.affine_grid``
    without its argument checks. theta (N, 2, 3) with size (N, C, H, W) -> (N, H, W, 2);
    theta (N, 3, 4) with size (N, C, D, H, W) -> (N, D, H, W, 3). dtype: theta's (floating).
    Raises RuntimeError when size is not 4-D/5-D or the batch sizes differ."""
    size = [int(s) for s in size]
    if len(size) not in (4, 5):
        raise RuntimeError("affine_grid_generator needs 4d (spatial) or 5d (volumetric) inputs.")
    d = len(size) - 2
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (d, d + 1) or theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {d + 1}] but got: [{theta.shape[0]}, "
                           f"{theta.shape[-1] if theta.ndim else 0}].")
    return AffineGridGeneratorFn.apply(theta, tuple(size[2:]), bool(align_corners))


METHODS: dict = {}
__all__ = ["affine_grid_generator"]
