"""Adaptive average/max pooling (windows chosen so the output has a given size) and fractional
max pooling (windows at random offsets), in 1, 2 and 3 dimensions; the index rules and the
Functions live in ``ops/adaptive_pool.py`` and ``ops/pool.py``."""

from __future__ import annotations

from ..._args import no_kernel, require_tensor
from ...ops._util import named
from ...ops.adaptive_pool import (
    AdaptiveAvgPoolFn,
    adaptive_grids,
    fractional_argmax,
    window_argmax,
)
from ...ops.pool import MaxGatherFn
from ...sampling import rand
from ...tensor import Tensor
from .conv import unbatch

__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "fractional_max_pool2d", "fractional_max_pool3d"]


def _output_size(op, d, input, output_size) -> tuple:
    """torch's output_size forms: an int, or d ints (None keeps the input's size)."""
    nd = input._data.ndim
    if d > 1 and nd < d + 1:
        if isinstance(output_size, (tuple, list)):  # torch's Python layer (_list_with_default)
            raise ValueError(f"Input dimension should be at least {d + 1} ({op}: got input of "
                             f"size {list(input.shape)})")
        sep = ":" if "max" in op else ""  # an int size reaches torch's kernel, which says this
        raise RuntimeError(f"{op}(): Expected {d + 1}D or {d + 2}D tensor, but got{sep} "
                           f"{list(input.shape)}")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != d:
            if d == 1:
                raise RuntimeError(f"{op}() argument 'output_size' should contain one int "
                                   f"(got {len(output_size)})")
            raise RuntimeError(f"{op}: output_size must be {d}")
        space = input._data.shape[nd - d:]
        out = tuple(int(space[a]) if v is None else int(v) for a, v in enumerate(output_size))
    else:
        out = (int(output_size),) * d
    if any(o < 0 for o in out):
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{', '.join(map(str, out))}}}")
    return out


def _batched(op, d, input) -> tuple:
    shape = tuple(input._data.shape)
    if len(shape) not in (d + 1, d + 2) or 0 in shape[len(shape) - d:]:
        raise RuntimeError(f"{op}(): Expected {d + 1}D or {d + 2}D tensor with non-zero "
                           f"spatial sizes, but got input of size: {list(shape)}")
    if len(shape) == d + 1:
        return input.reshape(1, *shape), True
    return input, False


def _finish(y, d, unb):
    if d == 1:  # torch pools 1-D input as 2-D and squeezes
        y = named(y, "SqueezeBackward1")
    return unbatch(y, unb, y.grad_fn.name() if y.grad_fn is not None else "SqueezeBackward1")


def _adaptive_avg(op, d, input, output_size):
    out = _output_size(op, d, input, output_size)
    x, unb = _batched(op, d, input)
    if all(o == 1 for o in out):  # torch: a global average is a mean (MeanBackward1)
        return _finish(x.mean(dim=tuple(range(-d, 0)), keepdim=True), d, unb)
    no_kernel(x, "adaptive_avg_pool3d_cpu" if d == 3 else "adaptive_avg_pool2d", "biu")
    return _finish(AdaptiveAvgPoolFn.apply(x, out), d, unb)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Mean over adaptive windows of (N, C, L) or (C, L) input, giving L_out = ``output_size``
    elements: window i is [⌊i·L/L_out⌋, ⌈(i + 1)·L/L_out⌉). A linear map per axis, so the
    derivative is its transpose.

    Shapes: (N, C, L) or (C, L) → (N, C, L_out) or (C, L_out), the sizes from ``output_size``.
    Raises RuntimeError for an input that is not 2-D or 3-D; NotImplementedError for an
    integer or bool input (torch's kernel has no case for them).
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "adaptive_avg_pool1d")
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Adaptive average pooling of (N, C, H, W) or (C, H, W) input to ``output_size`` (an int,
    or (Ho, Wo) with None keeping that size); see :func:`adaptive_avg_pool1d`.

    Shapes: (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out) or (C, H_out, W_out), the sizes from
    ``output_size``.

    Raises RuntimeError for a negative output size.
    """
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Adaptive average pooling of (N, C, D, H, W) or (C, D, H, W) input; see
    :func:`adaptive_avg_pool2d`.

    Shapes: (N, C, D, H, W) or (C, D, H, W) → (N, C, D_out, H_out, W_out) or (C, D_out, H_out,
    W_out), the sizes from ``output_size``.

    Raises RuntimeError for a negative output size.
    """
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


def _indexed_max(x, idx, d, unb, return_indices, name):
    y = _finish(MaxGatherFn.apply(x, idx, name), d, unb)
    if not return_indices:
        return y
    return y, Tensor._wrap(idx[0] if unb else idx)


def _adaptive_max(op, d, input, output_size, return_indices):
    out = _output_size(op, d, input, output_size)
    x, unb = _batched(op, d, input)
    no_kernel(x, "adaptive_max_pool3d_cpu" if d == 3 else "adaptive_max_pool2d", "biu")
    idx = window_argmax(x._data, adaptive_grids(x._data.shape[2:], out))
    return _indexed_max(x, idx, d, unb, return_indices,
                        f"AdaptiveMaxPool{max(d, 2)}DBackward0")


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max over the adaptive windows of :func:`adaptive_avg_pool1d`; the gradient goes to each
    window's (first) argmax, a NaN wins. ``return_indices``: the argmax, flat into L.

    Shapes: (N, C, L) or (C, L) → (N, C, L_out) or (C, L_out), the sizes from ``output_size``
    (indices of the same shape). Raises RuntimeError for an input that is not 2-D or 3-D.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "adaptive_max_pool1d")
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Adaptive max pooling of (N, C, H, W) or (C, H, W) input (indices flat into H·W); see
    :func:`adaptive_max_pool1d`.

    Shapes: (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out) or (C, H_out, W_out), the sizes from
    ``output_size`` (indices of the same shape).

    Raises RuntimeError for a negative output size.
    """
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """Adaptive max pooling of (N, C, D, H, W) or (C, D, H, W) input; see
    :func:`adaptive_max_pool1d`.

    Shapes: (N, C, D, H, W) or (C, D, H, W) → (N, C, D_out, H_out, W_out) or (C, D_out, H_out,
    W_out), the sizes from ``output_size`` (indices of the same shape).

    Raises RuntimeError for a negative output size.
    """
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, return_indices)


def _fractional(op, d, input, kernel_size, output_size, output_ratio, return_indices, samples):
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if input._data.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{op}(): Expected {d + 1}D or {d + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    space = input._data.shape[-d:]
    if output_size is None:
        if isinstance(output_ratio, (tuple, list)) and len(output_ratio) > d:
            raise ValueError(f"{op} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
        ratio = tuple(output_ratio) * (d if len(tuple(output_ratio)) == 1 else 1) if isinstance(
            output_ratio, (tuple, list)) else (output_ratio,) * d
        out = tuple(int(n * r) for n, r in zip(space, ratio))
    else:
        out = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,)
        out = tuple(int(o) for o in (out * d if len(out) == 1 else out))
    kernel = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,)
    kernel = tuple(int(k) for k in (kernel * d if len(kernel) == 1 else kernel))
    if samples is None:  # torch's draw: rand(N, C, d) in the input's dtype
        n = 1 if input._data.ndim == d + 1 else input._data.shape[0]
        samples = rand(n, input._data.shape[-d - 1], d, dtype=input.dtype, device=input.device)
    names = ("time", "height", "width")[3 - d:]
    for a in range(d):  # torch: 2-D allows the windows to end at the input's end, 3-D not
        if out[a] + kernel[a] - 1 > space[a] - (d == 3):
            raise RuntimeError(f"{op}{'_out' if d == 3 else ''}(): pool {names[a]} "
                               f"{kernel[a]} too large relative to input {names[a]} "
                               f"{space[a]} (output {names[a]} {out[a]})")
    x, unb = (input.reshape(1, *input._data.shape), True) if input._data.ndim == d + 1 else (
        input, False)
    idx = fractional_argmax(x._data, samples._data, kernel, out)
    return _indexed_max(x, idx, d, unb, return_indices, f"FractionalMaxPool{d}DBackward0")


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples=None):
    """Fractional max pooling (Graham, 2014) of (N, C, H, W) or (C, H, W) input: kernel_size
    windows at pseudo-random offsets (one uniform draw per sample, channel and axis, drawn as
    torch draws them: ``rand(N, C, 2)``), giving ``output_size`` (or ``⌊S·output_ratio⌋``).
    Gradient: to each window's argmax.

    Shapes: (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out) or (C, H_out, W_out) from
    ``output_size`` or ⌊n·output_ratio⌋ (indices of the same shape). Raises ValueError for neither
    output_size nor output_ratio.
    """
    return _fractional("fractional_max_pool2d", 2, input, kernel_size, output_size,
                       output_ratio, return_indices, _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples=None):
    """Fractional max pooling of (N, C, D, H, W) or (C, D, H, W) input; see
    :func:`fractional_max_pool2d`.

    Shapes: (N, C, D, H, W) or (C, D, H, W) → (N, C, D_out, H_out, W_out) or (C, D_out, H_out,
    W_out) from ``output_size`` or ⌊n·output_ratio⌋ (indices of the same shape). Raises ValueError
    for neither output_size nor output_ratio.
    """
    return _fractional("fractional_max_pool3d", 3, input, kernel_size, output_size,
                       output_ratio, return_indices, _random_samples)

