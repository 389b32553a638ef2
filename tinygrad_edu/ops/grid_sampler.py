"""``torch.grid_sampler``, ``grid_sampler_2d`` and ``grid_sampler_3d``: torch's argument checks
(aten GridSamplerUtils.h, with its messages) in front of :class:`GridSamplerFn`
(``ops/grid_sample.py``, where the sampling and its derivatives live).
"""

from __future__ import annotations

from .._args import require_tensor
from .grid_sample import GridSamplerFn
from .promotion import type_name


def _sizes(t) -> str:
    return str(list(t.shape))


def _check(input, grid, interpolation_mode: int, padding_mode: int, dim: int | None) -> None:
    """torch's checks (aten GridSamplerUtils.h), with its messages."""
    op = "grid_sampler" if dim is None else f"grid_sampler_{dim}d"
    require_tensor(input, op)
    require_tensor(grid, op, "grid", 2)
    if input.device != grid.device:
        raise RuntimeError(f"grid_sampler(): expected input and grid to be on same device, but "
                           f"input is on {input.device} and grid is on {grid.device}")
    nd = input.ndim if dim is None else dim + 2
    if input.ndim != nd or grid.ndim != nd:
        raise RuntimeError(f"grid_sampler(): expected {nd}D input and grid with same number of "
                           f"dimensions, but got input with sizes {_sizes(input)} and grid with "
                           f"sizes {_sizes(grid)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but "
                           f"got input with sizes {_sizes(input)} and grid with sizes "
                           f"{_sizes(grid)}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in last "
                           f"dimension, but got grid with sizes {_sizes(grid)}")
    for i in range(2, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {_sizes(input)} with dimension "
                               f"{i} being empty")
    if input.ndim == 5 and interpolation_mode == 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.ndim not in (4, 5):
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {_sizes(input)} and grid "
                           f"with sizes {_sizes(grid)}")
    kind = "2d" if input.ndim == 4 else "3d"
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"grid_sampler_{kind}_cpu" not implemented for '
                                  f"'{type_name(input)}'")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {type_name(input)} but found "
                           f"{type_name(grid)}")
    if interpolation_mode not in (0, 1, 2):
        raise RuntimeError(f"Invalid interpolation mode {interpolation_mode}")
    if padding_mode not in (0, 1, 2):
        raise RuntimeError(f"Invalid padding mode {padding_mode}")


def grid_sampler(input, grid, interpolation_mode: int, padding_mode: int, align_corners: bool):
    """torch.grid_sampler: :func:`grid_sampler_2d` or :func:`grid_sampler_3d` by the input's
    rank. ``interpolation_mode`` 0 bilinear, 1 nearest, 2 bicubic (4-D only); ``padding_mode``
    0 zeros, 1 border, 2 reflection.

    Shapes: input (N, C, H_in, W_in), grid (N, H_out, W_out, 2) -> (N, C, H_out, W_out); or
    input (N, C, D_in, H_in, W_in), grid (N, D_out, H_out, W_out, 3) -> (N, C, D_out, H_out,
    W_out). The output has the input's (floating) dtype; the grid must have the same dtype.
    Raises RuntimeError on mismatched ranks, batch sizes, grid width, dtypes or devices and on
    empty spatial sizes; NotImplementedError for integer inputs."""
    _check(input, grid, interpolation_mode, padding_mode, None)
    return GridSamplerFn.apply(input, grid, int(interpolation_mode), int(padding_mode),
                               bool(align_corners))


def grid_sampler_2d(input, grid, interpolation_mode: int, padding_mode: int,
                    align_corners: bool):
    """torch.grid_sampler_2d: sample the input at the grid's points; grid[..., 0] is x (along
    W), grid[..., 1] is y (along H), in [−1, 1]. Modes as :func:`grid_sampler` (0 bilinear, 1
    nearest, 2 bicubic; padding 0 zeros, 1 border, 2 reflection).

    Shapes: input (N, C, H_in, W_in), grid (N, H_out, W_out, 2) -> (N, C, H_out, W_out); the
    input's dtype. Raises RuntimeError for a non-4-D input and as :func:`grid_sampler`."""
    _check(input, grid, interpolation_mode, padding_mode, 2)
    return GridSamplerFn.apply(input, grid, int(interpolation_mode), int(padding_mode),
                               bool(align_corners))


def grid_sampler_3d(input, grid, interpolation_mode: int, padding_mode: int,
                    align_corners: bool):
    """torch.grid_sampler_3d: sample the input at the grid's points by trilinear (0) or
    nearest (1) interpolation; grid[..., 0] is x (W), 1 is y (H), 2 is z (D).

    Shapes: input (N, C, D_in, H_in, W_in), grid (N, D_out, H_out, W_out, 3) -> (N, C, D_out,
    H_out, W_out); the input's dtype. Raises RuntimeError for a non-5-D input, for bicubic
    mode, and as :func:`grid_sampler`."""
    _check(input, grid, interpolation_mode, padding_mode, 3)
    return GridSamplerFn.apply(input, grid, int(interpolation_mode), int(padding_mode),
                               bool(align_corners))


METHODS: dict = {}
__all__ = ["grid_sampler", "grid_sampler_2d", "grid_sampler_3d"]
