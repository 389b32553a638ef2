"""``F.unfold`` (im2col: every sliding block of an image as a column) and ``F.fold`` (col2im:
columns summed back into an image) — the adjoint pair of ``ops/im2col.py`` that convolution
is built on, exposed as torch exposes it.

unfold: (N, C, H, W) -> (N, C·kh·kw, L), L = the number of blocks Ho·Wo (torch's layout:
rows (c, p, q), columns (i, j)). fold: (N, C·kh·kw, L) -> (N, C, H, W) with ``output_size``
(H, W); overlapping blocks add up, so fold(unfold(x)) multiplies each element by the number of
blocks that contain it. Unbatched (C, H, W) / (C·kh·kw, L) inputs are accepted as torch does.
"""

from __future__ import annotations

from ...ops._util import named
from ...ops.im2col import Col2ImFn, ConstantPadFn, Im2ColFn, out_size
from ...tensor import Tensor

__all__ = ["unfold", "fold"]


def _pair(v, name: str, op: str) -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)} ({op})")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _geometry(op, kernel_size, dilation, padding, stride) -> tuple:
    k, d = _pair(kernel_size, "kernel_size", op), _pair(dilation, "dilation", op)
    p, s = _pair(padding, "padding", op), _pair(stride, "stride", op)
    for v, name, lo in ((k, "kernel size", 1), (d, "dilation", 1), (p, "padding", 0),
                        (s, "stride", 1)):
        if min(v) < lo:
            what = "greater than zero" if lo else "non-negative"
            short = {"kernel size": "kernel", "padding": "pad"}.get(name, name)
            raise RuntimeError(f"{name} should be {what}, but got {short}_height: {v[0]} "
                               f"{short}_width: {v[1]} ({op})")
    return k, d, p, s


def _blocks(op, space, k, d, p, s) -> tuple:
    out = tuple(out_size(n + 2 * pp, kk, ss, dd) for n, kk, ss, dd, pp in zip(space, k, s, d, p))
    if min(out) < 1:
        raise RuntimeError(f"Given input with spatial size {tuple(space)}, kernel_size={k}, "
                           f"dilation={d}, padding={p}, calculated shape of the array of sliding "
                           f"blocks as {out}, but its components must be at least one. ({op})")
    return out


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding blocks: y[n, (c, p, q), (i, j)] = x_pad[n, c, i·s + p·δ, j·s + q·δ].
    Derivative: fold (col2im) of the gradient. Raises RuntimeError on bad sizes.

    Shapes: (N, C, H, W) or (C, H, W) → (N, C·Π kernel_size, L) or (C·Π kernel_size, L), L = Π over
    the two axes of ⌊(n + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1.
    """
    op = "unfold"
    if input._data.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                           f"{input._data.ndim}D) ({op})")
    k, d, p, s = _geometry(op, kernel_size, dilation, padding, stride)
    unb = input._data.ndim == 3
    x = input.reshape(1, *input.shape) if unb else input
    N, C, H, W = x.shape
    out = _blocks(op, (H, W), k, d, p, s)
    if any(p):
        x = ConstantPadFn.apply(x, (p[0], p[0], p[1], p[1]), 0.0)
    cols = Im2ColFn.apply(x, k, s, d, out)  # (N, C, kh, kw, Ho, Wo)
    y = cols.reshape(N, C * k[0] * k[1], out[0] * out[1])
    return named(y.reshape(*y.shape[1:]) if unb else y, "Im2ColBackward0")


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding blocks back into an (N, C, H, W) image of ``output_size``: the adjoint of
    :func:`unfold` (derivative: unfold of the gradient). Raises RuntimeError on bad sizes.

    Shapes: (N, C·Π kernel_size, L) or (C·Π kernel_size, L) → (N, C, H, W) or (C, H, W) with (H, W)
    = ``output_size``, L the number of blocks.
    """
    op = "fold"
    if input._data.ndim not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                           f"supported (got {input._data.ndim}D) ({op})")
    size = _pair(output_size, "output_size", op)
    k, d, p, s = _geometry(op, kernel_size, dilation, padding, stride)
    unb = input._data.ndim == 2
    x = input.reshape(1, *input.shape) if unb else input
    N, CK, L = x.shape
    if CK % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={CK} and kernel_size={k} "
                           f"({op})")
    out = _blocks(op, size, k, d, p, s)
    if out[0] * out[1] != L:
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {out[0]} * {out[1]} = "
                           f"{out[0] * out[1]}, but got input.size(2)={L}. ({op})")
    C = CK // (k[0] * k[1])
    cols = x.reshape(N, C, k[0], k[1], out[0], out[1])
    padded = (N, C, size[0] + 2 * p[0], size[1] + 2 * p[1])
    y = Col2ImFn.apply(cols, padded, k, s, d)
    if any(p):
        y = y[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]]
    return named(y.reshape(*y.shape[1:]) if unb else y, "Col2ImBackward0")
