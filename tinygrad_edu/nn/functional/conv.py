"""``F.conv1d/2d/3d`` and ``F.conv_transpose1d/2d/3d``: torch's argument checks (same exception
types and messages, naming the op and the shapes), padding and output sizes. One convolution
serves every dimension; the Function with the hand-written backward is ``ops/conv.py``'s
:class:`~tinygrad_edu.ops.conv.ConvolutionFn`."""

from __future__ import annotations

from ..._args import require_tensor
from ...dtype import cpp_type_name, torch_type_name
from ...ops._util import named
from ...ops.conv import ConvolutionFn
from ...ops.shape import reshape as _reshape
from ...tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]



def ntuple(v, d: int, name: str, op: str | None = None) -> tuple:
    """``v`` (an int or a list of 1 or d ints) as a d-tuple of ints, as torch expands it."""
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]),) * d
        if len(v) != d:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {d} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(v)}" + (f" ({op})" if op else ""))
        return tuple(int(a) for a in v)
    return (int(v),) * d


def batchify(input: Tensor, d: int, op: str) -> tuple:
    """(batched input, was it unbatched): torch accepts (C, *S) as a batch of one."""
    nd = input._data.ndim
    if nd not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {op}, "
                           f"but got input of size: {list(input.shape)}")
    if nd == d + 1:
        return _reshape(input, (1,) + tuple(input._data.shape)), True
    return input, False


def unbatch(y: Tensor, unb: bool, name: str = "SqueezeBackward1") -> Tensor:
    """Drop the batch axis :func:`batchify` added (torch's node: a squeeze)."""
    return named(_reshape(y, y._data.shape[1:]), name) if unb else y


def conv_pads(padding, kernel, dilation, stride, op: str) -> tuple:
    """(before₁, after₁, before₂, after₂, …) zero padding from torch's ``padding`` argument."""
    d = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * (2 * d)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}' ({op})")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for k, dl in zip(kernel, dilation):  # torch: the odd extra element goes at the end
            total = dl * (k - 1)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    p = ntuple(padding, d, "padding", op)
    return tuple(v for a in p for v in (a, a))


def _type(t: Tensor) -> str:
    return cpp_type_name(t._data.dtype)


def _check(op, x, weight, bias, stride, pads, dilation, groups, transposed, output_padding):
    """torch's check_shape_forward, in torch's order."""
    k = weight._data.ndim
    if groups <= 0:
        raise RuntimeError(f"non-positive groups is not supported ({op}: groups={groups})")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and t._data.dtype != x._data.dtype:
            if name == "weight":
                raise RuntimeError(f"expected scalar type {torch_type_name(x.dtype)} but found "
                                   f"{torch_type_name(t.dtype)} ({op}: Input type ({_type(x)}) and "
                                   f"weight type ({_type(t)}) should be the same)")
            raise RuntimeError(f"Input type ({_type(x)}) and {name} type ({_type(t)}) should be "
                               f"the same ({op})")
    if any(p < 0 for p in pads):
        raise RuntimeError(f"negative padding is not supported ({op}: padding {list(pads)})")
    if any(p < 0 for p in output_padding):
        raise RuntimeError(f"negative output_padding is not supported ({op})")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"non-positive stride is not supported ({op}: stride {list(stride)})")
    if any(dl <= 0 for dl in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)} "
                           f"({op})")
    ws, xs = list(weight.shape), list(x.shape)
    if x._data.ndim != k:
        raise RuntimeError(f"Expected {k}-dimensional input for {k}-dimensional weight{ws}, but "
                           f"got {x._data.ndim}-dimensional input of size {xs} instead")
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {ws} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {ws} instead")
    space, kernel = xs[2:], ws[2:]
    if not transposed:
        if xs[1] != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {ws}, expected input{xs} "
                               f"to have {ws[1] * groups} channels, but got {xs[1]} channels "
                               "instead")
        if bias is not None and list(bias.shape) != [ws[0]]:
            raise RuntimeError(f"Given weight of size {ws}, expected bias to be 1-dimensional "
                               f"with {ws[0]} elements, but got bias of size {list(bias.shape)} "
                               "instead")
        padded = [n + pads[2 * a] + pads[2 * a + 1] for a, n in enumerate(space)]
        eff = [dl * (kk - 1) + 1 for kk, dl in zip(kernel, dilation)]
        if any(p < e for p, e in zip(padded, eff)):
            raise RuntimeError(f"Calculated padded input size per channel: "
                               f"({' x '.join(map(str, padded))}). Kernel size: "
                               f"({' x '.join(map(str, eff))}). Kernel size can't be greater "
                               "than actual input size")
        return
    if xs[1] != ws[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected input{xs} to "
                           f"have {ws[0]} channels, but got {xs[1]} channels instead")
    if bias is not None and list(bias.shape) != [ws[1] * groups]:
        raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected bias to be "
                           f"1-dimensional with {ws[1] * groups} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    if any(op_ >= s and op_ >= dl for op_, s, dl in zip(output_padding, stride, dilation)):
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but "
                           f"got output_padding={list(output_padding)} stride={list(stride)} "
                           f"dilation={list(dilation)} ({op})")
    out = [(n - 1) * s - 2 * pads[2 * a] + dl * (kk - 1) + op_ + 1 for a, (n, kk, s, dl, op_)
           in enumerate(zip(space, kernel, stride, dilation, output_padding))]
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, space))}). "
                           f"Calculated output size per channel: ({' x '.join(map(str, out))}). "
                           "Output size is too small")


def _conv(op, d, input, weight, bias, stride, padding, dilation, groups, transposed=False,
          output_padding=0):
    if weight._data.ndim < 3:
        raise RuntimeError(f"weight should have at least three dimensions ({op}: weight of "
                           f"size {list(weight.shape)})")
    x, unb = batchify(input, d, op)
    groups = int(groups)
    stride, dilation = ntuple(stride, d, "stride", op), ntuple(dilation, d, "dilation", op)
    kernel = tuple(weight._data.shape[2:])
    if transposed:
        if isinstance(padding, str):
            raise TypeError(f"{op}(): argument 'padding' must be tuple of ints, not str")
        pads = conv_pads(padding, kernel, dilation, stride, op)
        output_padding = ntuple(output_padding, d, "output_padding", op)
    else:
        if groups > 0 and isinstance(padding, str) and padding == "same" and any(
                s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = conv_pads(padding, kernel if len(kernel) == d else (1,) * d, dilation, stride,
                         op)
        output_padding = (0,) * d
    _check(op, x, weight, bias, stride, pads, dilation, groups, transposed, output_padding)
    y = ConvolutionFn.apply(x, weight, bias, stride, pads, dilation, groups, transposed,
                            output_padding)
    return unbatch(y, unb)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D cross-correlation: (N, C, L) input, (O, C/groups, k) weight -> (N, O, L_out) with
    L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1. ``padding`` may be 'same' or
    'valid'. dtype: input, weight and bias must agree. Raises RuntimeError as torch does.
    Derivative: see ``ops/conv.py``.

    Shapes: input (N, C_in, L) or (C_in, L), weight (C_out, C_in/groups, k), bias (C_out,) → (N,
    C_out, L_out) or (C_out, L_out), per axis ⌊(n + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "conv1d")
    require_tensor(weight, "conv1d", "weight", 2)
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation: (N, C, H, W) input, (O, C/groups, kh, kw) weight -> (N, O, Ho, Wo),
    per axis ⌊(n + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1; see :func:`conv1d`. Raises
    RuntimeError for an input that is not 3-D/4-D, a channel count that does not match the weight,
    or a kernel larger than the padded input. Derivatives: ∂L/∂x a transposed convolution of G with
    W, ∂L/∂W the correlation of x with G.

    Shapes: input (N, C_in, H, W) or (C_in, H, W), weight (C_out, C_in/groups, kh, kw), bias
    (C_out,) → (N, C_out, H_out, W_out) or (C_out, H_out, W_out), per axis ⌊(n + 2·padding −
    dilation·(k − 1) − 1)/stride⌋ + 1. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "conv2d")
    require_tensor(weight, "conv2d", "weight", 2)
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-D cross-correlation: (N, C, D, H, W) input, (O, C/groups, kd, kh, kw) weight; see
    :func:`conv1d`.

    Shapes: input (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_out, C_in/groups, kd, kh, kw),
    bias (C_out,) → (N, C_out, D_out, H_out, W_out) or (C_out, D_out, H_out, W_out), per axis ⌊(n +
    2·padding − dilation·(k − 1) − 1)/stride⌋ + 1. Raises RuntimeError for a channel count that does
    not match the weight. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "conv3d")
    require_tensor(weight, "conv3d", "weight", 2)
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution (the adjoint of conv1d, see ``ops/conv.py``): (N, C_in, L)
    input, (C_in, C_out/groups, k) weight -> (N, C_out, L_out) with L_out = (L − 1)·stride −
    2·padding + dilation·(k − 1) + output_padding + 1. output_padding must be smaller than
    stride or dilation. Raises RuntimeError as torch does.

    Shapes: input (N, C_in, L) or (C_in, L), weight (C_in, C_out/groups, k) → (N, C_out, L_out) or
    (C_out, L_out), per axis (n − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "conv_transpose1d")
    require_tensor(weight, "conv_transpose1d", "weight", 2)
    return _conv("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation, groups,
                 True, output_padding)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution: (N, C_in, H, W) input, (C_in, C_out/groups, kh, kw) weight;
    see :func:`conv_transpose1d`.

    Shapes: input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out/groups, kh, kw) → (N, C_out,
    H_out, W_out) or (C_out, H_out, W_out), per axis (n − 1)·stride − 2·padding + dilation·(k − 1) +
    output_padding + 1. Raises RuntimeError for a channel count that does not match the weight.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "conv_transpose2d")
    require_tensor(weight, "conv_transpose2d", "weight", 2)
    return _conv("conv_transpose2d", 2, input, weight, bias, stride, padding, dilation, groups,
                 True, output_padding)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """3-D transposed convolution: (N, C_in, D, H, W) input, (C_in, C_out/groups, kd, kh, kw)
    weight; see :func:`conv_transpose1d`.

    Shapes: input (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_in, C_out/groups, kd, kh, kw) →
    (N, C_out, D_out, H_out, W_out) or (C_out, D_out, H_out, W_out), per axis (n − 1)·stride −
    2·padding + dilation·(k − 1) + output_padding + 1. Raises RuntimeError for a channel count that
    does not match the weight. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "conv_transpose3d")
    require_tensor(weight, "conv_transpose3d", "weight", 2)
    return _conv("conv_transpose3d", 3, input, weight, bias, stride, padding, dilation, groups,
                 True, output_padding)
