"""``F.grid_sample`` and ``F.affine_grid`` (torch's "vision functions"): the argument rules
in front of ``torch.grid_sampler`` (``ops/grid_sample.py``) and
``torch.affine_grid_generator`` (``ops/affine_grid.py``).
"""

from __future__ import annotations

import warnings

from ...ops.affine_grid import affine_grid_generator
from ...ops.grid_sample import INTERPOLATION, PADDING
from ...ops.grid_sampler import grid_sampler
from ...tensor import Tensor

__all__ = ["grid_sample", "affine_grid"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the old "
                  "behavior is desired. See the documentation of grid_sample for details.")


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` at the normalized locations of ``grid`` (−1, +1: the image's extremes).

    Shapes: input (N, C, H_in, W_in), grid (N, H_out, W_out, 2) -> (N, C, H_out, W_out); 5-D:
    input (N, C, D_in, H_in, W_in), grid (N, D_out, H_out, W_out, 3) -> (N, C, D_out, H_out,
    W_out). grid[..., 0] is x (along W), grid[..., 1] y (H), grid[..., 2] z (D).

    Each location becomes a pixel coordinate c = ((g + 1)·size − 1)/2 (align_corners=False)
    or (g + 1)/2·(size − 1) (True), made to fall inside by ``padding_mode`` ('zeros': outside
    reads 0; 'border': clamp; 'reflection': mirror at the borders), and the output is
    Σ_t w_t·x[tap t]: 'nearest' (round half to even), 'bilinear' (trilinear in 5-D; weights
    products of (1 − f, f) with f = c − ⌊c⌋) or 'bicubic' (4-D only; Keys' cubic, A = −0.75).
    Differentiable in both input (the weights, scattered back) and grid (x[tap]·∂w/∂f·dc/dg;
    0 for 'nearest').

    dtype: input's (floating); grid must match. align_corners=None warns and means False.
    Raises ValueError for an unknown mode or padding_mode, RuntimeError for mismatched
    shapes, dtypes or devices and for bicubic on a 5-D input (see ``tg.grid_sampler``)."""
    if mode not in INTERPOLATION:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in PADDING:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    return grid_sampler(input, grid, INTERPOLATION[mode], PADDING[padding_mode], align_corners)


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of the affine maps ``theta``, for :func:`grid_sample`.

    Shapes: theta (N, 2, 3) with size (N, C, H, W) -> (N, H, W, 2); theta (N, 3, 4) with size
    (N, C, D, H, W) -> (N, D, H, W, 3). grid[n, p] = θ[n]·(x_p, y_p[, z_p], 1) with the base
    points evenly spaced in [−1, 1] (align_corners=True) or ±(n − 1)/n (False, the pixel
    centres). ∂L/∂θ[n] = Σ_p g[n, p]ᵀ (x_p, y_p[, z_p], 1).

    dtype: theta's. align_corners=None warns and means False. Raises ValueError for an integer
    theta, a theta of the wrong shape or a non-positive size; NotImplementedError for a size
    that is not 4-D or 5-D."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    user, size = size, list(size)
    shape = tuple(theta.shape)
    if len(size) in (4, 5):
        d = len(size) - 2
        if theta.ndim != 3 or shape[-2] != d or shape[-1] != d + 1:
            kind = "2D affine matrices of shape Nx2x3" if d == 2 else (
                "3D affine matrices of shape Nx3x4")
            raise ValueError(f"Expected a batch of {kind} for size {user}. Got "
                             f"{theta.shape}.")
        spatial = size[-d:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {user}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {user}")
    return affine_grid_generator(theta, size, align_corners)

