"""Max, average, power-average (LP) pooling and max_unpool in 1, 2 and 3 dimensions: torch's
argument checks, output sizes (ceil_mode), divisors; the Functions live in ``ops/pool.py``.

Shapes: input (N, C, *S) or unbatched (C, *S) with d = 1, 2, 3 spatial axes; per axis the
output has ⌊(S + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1 elements (⌈·⌉ with ceil_mode,
as long as the last window starts inside the input or the left padding).
"""

from __future__ import annotations

import numpy as np

from ..._args import require_tensor
from ...backend import get_array_module
from ...ops._util import named
from ...ops.pool import AvgPoolFn, MaxPoolFn, MaxUnpoolFn
from ...tensor import Tensor
from .conv import unbatch

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d", "max_unpool2d",
           "max_unpool3d"]


def _tuple(v, d: int, name: str, op: str) -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]),) * d
        if len(v) != d:
            raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of {d} "
                               f"ints, got {tuple(v)}")
        return tuple(int(a) for a in v)
    return (int(v),) * d


def pool_input(input: Tensor, d: int, op: str) -> tuple:
    """(batched input, was it unbatched), with torch's dimension and empty-size checks."""
    shape = tuple(input._data.shape)
    if d > 1 and len(shape) not in (d + 1, d + 2):
        raise RuntimeError(f"non-empty {d + 1}D or {d + 2}D (batch mode) tensor expected for "
                           f"input ({op}: got input of size {list(shape)})")
    if len(shape) not in (d + 1, d + 2) or 0 in shape[len(shape) - d - 1:]:
        raise RuntimeError(f"{op}: Expected {d + 1}D or {d + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got:{list(shape)}")
    if len(shape) == d + 1:
        return input.reshape(1, *shape), True
    return input, False


def pool_geometry(op, space, kernel, stride, padding, dilation, ceil_mode) -> tuple:
    """torch's pooling_output_shape per axis, plus the extra right padding ceil_mode needs so
    the last window fits. Returns (pads (before₁, after₁, …), out)."""
    for name, v in (("kernel_size", kernel), ("stride", stride), ("dilation", dilation)):
        if any(a <= 0 for a in v):
            raise RuntimeError(f"{op}() {name} must be greater than zero, but got {list(v)}")
    pads, out = [], []
    for n, k, s, p, dl in zip(space, kernel, stride, padding, dilation):
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p} ({op})")
        if p > (dl * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={dl} ({op})")
        span = n + 2 * p - dl * (k - 1) - 1
        o = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:  # torch: the last window must start inside
            o -= 1
        out.append(o)
    if any(o < 1 for o in out):
        raise RuntimeError(f"{op}(): Given input size: ({'x'.join(map(str, space))}). "
                           f"Calculated output size: ({'x'.join(map(str, out))}). Output size "
                           "is too small")
    for n, k, s, p, dl, o in zip(space, kernel, stride, padding, dilation, out):
        extra = max(0, (o - 1) * s + dl * (k - 1) + 1 - (n + 2 * p))
        pads += [p, p + extra]
    return tuple(pads), tuple(out)


def _args(op, d, input, kernel_size, stride, padding, dilation):
    x, unb = pool_input(input, d, op)
    kernel = _tuple(kernel_size, d, "kernel_size", op)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel
    return x, unb, kernel, _tuple(stride, d, "stride", op), _tuple(padding, d, "padding", op), \
        _tuple(dilation, d, "dilation", op)


def _max_pool(op, d, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, unb, kernel, stride, padding, dilation = _args(op, d, input, kernel_size, stride,
                                                      padding, dilation)
    pads, out = pool_geometry(op, x._data.shape[2:], kernel, stride, padding, dilation,
                              ceil_mode)
    sink = [] if return_indices else None
    y = MaxPoolFn.apply(x, kernel, stride, pads, dilation, out, sink)
    if d == 1:  # torch pools 1-D input as 2-D and squeezes
        y = named(y, "SqueezeBackward1")
    y = unbatch(y, unb, y.grad_fn.name() if y.grad_fn is not None else "SqueezeBackward1")
    if not return_indices:
        return y
    idx = sink[0].astype(np.int64, copy=False)
    return y, Tensor._wrap(idx[0] if unb else idx)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over each window of (N, C, L) or (C, L) input; the gradient goes to the window's
    (first) argmax, a NaN wins. ``return_indices``: also the argmax as a flat index into L.
    Raises RuntimeError (bad sizes, padding > half the effective kernel) as torch does.

    Shapes: (N, C, L) or (C, L) → (N, C, L_out) or (C, L_out), per axis ⌊(n + 2·padding −
    dilation·(k − 1) − 1)/stride⌋ + 1 (⌈⌉ with ``ceil_mode``); indices of the same shape.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "max_pool1d")
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max pooling of (N, C, H, W) or (C, H, W) input (indices flat into H·W); see
    :func:`max_pool1d`. Output (N, C, Ho, Wo), per axis ⌊(n + 2·padding − dilation·(k − 1) −
    1)/stride⌋ + 1 (ceil with ``ceil_mode``). Raises RuntimeError for a padding over half the kernel
    or an output size below 1. Derivative: g goes to the position of each window's max.

    Shapes: (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out) or (C, H_out, W_out), per axis ⌊(n +
    2·padding − dilation·(k − 1) − 1)/stride⌋ + 1 (⌈⌉ with ``ceil_mode``); indices of the same
    shape. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "max_pool2d")
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max pooling of (N, C, D, H, W) or (C, D, H, W) input; see :func:`max_pool1d`.

    Shapes: (N, C, D, H, W) or (C, D, H, W) → (N, C, D_out, H_out, W_out) or (C, D_out, H_out,
    W_out), per axis ⌊(n + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1 (⌈⌉ with ``ceil_mode``);
    indices of the same shape. Raises RuntimeError for an input that is not 4-D or 5-D or a window
    larger than the (padded) input. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "max_pool3d")
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def _avg_pool(op, d, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    x, unb, kernel, stride, padding, _ = _args(op, d, input, kernel_size, stride, padding, 1)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"divisor must be not zero ({op})")
    space = x._data.shape[2:]
    pads, out = pool_geometry(op, space, kernel, stride, padding, (1,) * d, ceil_mode)
    xp = get_array_module(x._data)  # the divisor is built on x's device (no transfer)
    counts = []  # per axis: the window length clipped as torch clips it
    for n, k, s, p, o in zip(space, kernel, stride, padding, out):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)
        counts.append(end - start if count_include_pad
                      else xp.minimum(end, n) - xp.maximum(start, 0))
    if divisor_override is not None:
        div = xp.full(out, float(divisor_override))
    else:
        div = xp.ones(out)
        for a, c in enumerate(counts):
            div = div * c.reshape((1,) * a + (-1,) + (1,) * (d - a - 1))
    div = div.astype(x._data.dtype)
    y = AvgPoolFn.apply(x, kernel, stride, pads, out, div)
    if d == 1:
        y = named(y, "SqueezeBackward1")
    return unbatch(y, unb, y.grad_fn.name() if y.grad_fn is not None else "SqueezeBackward1")


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over each window of (N, C, L) or (C, L) input, with torch's divisor: the window
    clipped to the padded input (``count_include_pad``) or to the real input. Derivative:
    1/divisor at each element of the window.

    Shapes: (N, C, L) or (C, L) → (N, C, L_out) or (C, L_out), per axis ⌊(n + 2·padding − k)/stride⌋
    + 1 (⌈⌉ with ``ceil_mode``). Raises RuntimeError for an input that is not 2-D or 3-D or a window
    larger than the (padded) input. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "avg_pool1d")
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """Average pooling of (N, C, H, W) or (C, H, W) input; ``divisor_override`` replaces the
    divisor. See :func:`avg_pool1d`. Output (N, C, Ho, Wo), per axis ⌊(n + 2·padding − k)/stride⌋ +
    1. Raises RuntimeError for a padding over half the kernel. Derivative: g/divisor to every
    element of its window.

    Shapes: (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out) or (C, H_out, W_out), per axis ⌊(n +
    2·padding − k)/stride⌋ + 1 (⌈⌉ with ``ceil_mode``).
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "avg_pool2d")
    if input._data.ndim < 3:  # torch's avg_pool2d reads size(-3) before its rank check
        nd = input._data.ndim
        raise IndexError("Dimension specified as -3 but tensor has no dimensions" if nd == 0
                         else f"Dimension out of range (expected to be in range of [{-nd}, "
                         f"{nd - 1}], but got -3) (avg_pool2d: input of size "
                         f"{list(input.shape)})")
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) input; see :func:`avg_pool2d`.

    Shapes: (N, C, D, H, W) or (C, D, H, W) → (N, C, D_out, H_out, W_out) or (C, D_out, H_out,
    W_out), per axis ⌊(n + 2·padding − k)/stride⌋ + 1 (⌈⌉ with ``ceil_mode``). Raises RuntimeError
    for an input that is not 4-D or 5-D or a window larger than the (padded) input.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "avg_pool3d")
    if input._data.ndim not in (4, 5) or input._data.size == 0 and input._data.ndim != 5:
        raise RuntimeError(f"non-empty 4D or 5D (batch mode) tensor expected for input "
                           f"(avg_pool3d: got size {list(input.shape)})")
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _lp_pool(avg, d, input, norm_type, kernel_size, stride, ceil_mode):
    """torch's composition: (sign(a)·relu(|a|)·∏k)^(1/p) with a = avg_pool(xᵖ); at p = ±∞ the
    limit, max |x| (p = +∞) or min |x| (p = −∞) over each window, as torch computes it."""
    from ...ops.activation import relu

    if isinstance(norm_type, (int, float)) and abs(norm_type) == float("inf"):
        mp = (max_pool1d, max_pool2d, max_pool3d)[d - 1]
        if norm_type > 0:
            return mp(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -mp(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    kernel = _tuple(kernel_size, d, "kernel_size", f"lp_pool{d}d")
    out = avg(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    size = int(np.prod(kernel))
    return (out.sign() * relu(out.abs())).mul(size).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling (Σ_window xᵖ)^(1/p) of (N, C, L) input, as torch composes it:
    avg_pool1d(xᵖ)·k, a sign·relu guard, then ^(1/p); gradients follow the composition.

    Shapes: (N, C, L) or (C, L) → (N, C, L_out) or (C, L_out), per axis ⌊(n − k)/stride⌋ + 1 (⌈⌉
    with ``ceil_mode``). Raises RuntimeError for an input that is not 2-D or 3-D or a window larger
    than the (padded) input.
    """
    return _lp_pool(avg_pool1d, 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling of (N, C, H, W) input; see :func:`lp_pool1d`.

    Shapes: (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out) or (C, H_out, W_out), per axis ⌊(n −
    k)/stride⌋ + 1 (⌈⌉ with ``ceil_mode``). Raises RuntimeError for a window larger than the
    (padded) input.
    """
    return _lp_pool(avg_pool2d, 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling of (N, C, D, H, W) input; see :func:`lp_pool1d`.

    Shapes: (N, C, D, H, W) or (C, D, H, W) → (N, C, D_out, H_out, W_out) or (C, D_out, H_out,
    W_out), per axis ⌊(n − k)/stride⌋ + 1 (⌈⌉ with ``ceil_mode``). Raises RuntimeError for an input
    that is not 4-D or 5-D or a window larger than the (padded) input.
    """
    return _lp_pool(avg_pool3d, 3, input, norm_type, kernel_size, stride, ceil_mode)


def _max_unpool(op, d, input, indices, kernel_size, stride, padding, output_size):
    kernel = _tuple(kernel_size, d, "kernel_size", op)
    stride = kernel if stride is None else _tuple(stride, d, "stride", op)
    padding = _tuple(padding, d, "padding", op)
    x = input
    unb = x._data.ndim == d + 1
    if x._data.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{op}: Expected {d + 1}D or {d + 2}D input, but got input of size "
                           f"{list(input.shape)}")
    space = x._data.shape[-d:]
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(space, stride, padding,
                                                                    kernel))
    if output_size is None:
        out = default
    else:
        out = tuple(int(v) for v in output_size)
        if len(out) == d + 2 or (unb and len(out) == d + 1):
            out = out[-d:]
        if len(out) != d:
            raise ValueError(f"output_size should be a sequence containing {d} or {d + 2} "
                             f"elements, but it has a length of '{len(out)}' ({op})")
        for o, dflt, s in zip(out, default, stride):
            if not dflt - s < o < dflt + s:
                raise ValueError(f"invalid output_size \"{list(out)}\" (dim {d} must be between "
                                 f"{[a - s for a in default]} and {[a + s for a in default]}) "
                                 f"({op})")
    idx_t = indices
    if tuple(idx_t.shape) != tuple(x.shape):
        extra = [1] if d == 1 and not unb else []
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(x.shape) + extra}) but got indices tensor with shape: "
                           f"{list(idx_t.shape) + extra} ({op})")
    if unb:
        x = x.reshape(1, *x._data.shape)
    idx = idx_t._data.reshape(x._data.shape)
    total = int(np.prod(out))
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= total):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, out))}) ({op})")
    y = MaxUnpoolFn.apply(x, idx.astype(np.int64, copy=False), out)
    if d == 1:
        y = named(y, "SqueezeBackward1")
    return unbatch(y, unb, y.grad_fn.name() if y.grad_fn is not None else "SqueezeBackward1")


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of max_pool1d: each value of (N, C, L) input put at its flat index
    (from ``return_indices``) of a zero (N, C, L_out) output, L_out = (L − 1)·stride −
    2·padding + kernel_size unless ``output_size`` is given. Derivative: g read back at the
    indices.

    Shapes: input and indices (N, C, L) or (C, L) → (N, C, L_out) or (C, L_out), per axis (n −
    1)·stride − 2·padding + kernel_size unless ``output_size`` is given. Raises RuntimeError for
    indices of another shape than the input.
    """
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of max_pool2d; see :func:`max_unpool1d`.

    Shapes: input and indices (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out) or (C, H_out, W_out),
    per axis (n − 1)·stride − 2·padding + kernel_size unless ``output_size`` is given. Raises
    RuntimeError for indices of another shape than the input.
    """
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of max_pool3d; see :func:`max_unpool1d`.

    Shapes: input and indices (N, C, D, H, W) or (C, D, H, W) → (N, C, D_out, H_out, W_out) or (C,
    D_out, H_out, W_out), per axis (n − 1)·stride − 2·padding + kernel_size unless ``output_size``
    is given. Raises RuntimeError for indices of another shape than the input.
    """
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding,
                       output_size)
