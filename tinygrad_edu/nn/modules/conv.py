"""``nn.Conv1d/2d/3d`` and ``nn.ConvTranspose1d/2d/3d``: torch's constructor checks, default
init (kaiming_uniform(a=√5) weight, U(±1/√fan_in) bias, drawn in torch's order), padding modes
(zeros, reflect, replicate, circular) and reprs; the computation is ``F.conv*``."""

from __future__ import annotations

from ...ops.im2col import PadModeFn
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.conv import batchify, conv_pads, unbatch
from ..parameter import Parameter, uninitialized
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]


def _ntuple(v, d: int) -> tuple:
    if isinstance(v, (tuple, list)):
        return tuple(v) if len(v) != 1 or d == 1 else tuple(v) * d
    return (v,) * d


class _ConvNd(Module):
    """What every convolution layer shares: hyper-parameters, weight and bias, init, repr."""

    _d = 0
    _op = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding,
                 dilation, transposed: bool, output_padding, groups: int, bias: bool,
                 padding_mode: str, device=None, dtype=None) -> None:
        super().__init__()
        d = self._d
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        stride = _ntuple(stride, d)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'same', 'valid'}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be one of {{'zeros', 'reflect', 'replicate', "
                             f"'circular'}}, but got padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, d)
        self.stride = stride
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, d)
        self.dilation = _ntuple(dilation, d)
        self.transposed = transposed
        self.output_padding = _ntuple(output_padding, d)
        self.groups = groups
        self.padding_mode = padding_mode
        # torch keeps the padding F.pad needs for the non-zero modes (last axis first)
        pads = conv_pads(self.padding, self.kernel_size, self.dilation, (1,) * d, "conv")
        self._reversed_padding_repeated_twice = [
            v for a in reversed(range(d)) for v in (pads[2 * a], pads[2 * a + 1])]
        if transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(uninitialized(shape, device, dtype))
        if bias:
            self.bias = Parameter(uninitialized((out_channels,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)  # torch: U(±1/√fan_in) for both

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = getattr(F, self._op)
        if self.padding_mode == "zeros":
            return conv(input, weight, bias, self.stride, self.padding, self.dilation,
                        self.groups)
        # the other modes pad first (by copying input elements), then convolve unpadded
        x, unb = batchify(input, self._d, self._op)
        r = self._reversed_padding_repeated_twice
        pads = tuple(v for a in reversed(range(self._d)) for v in (r[2 * a], r[2 * a + 1]))
        x = PadModeFn.apply(x, pads, self.padding_mode)
        y = conv(x, weight, bias, self.stride, 0, self.dilation, self.groups)
        return unbatch(y, unb)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_ConvNd):
    """1-D convolution layer, as ``torch.nn.Conv1d``: weight (O, C/groups, k), input (N, C, L)
    or (C, L).

    Shapes: as ``torch.nn.functional.conv1d``. Raises as ``torch.nn.functional.conv1d``.
    """

    _d, _op = 1, "conv1d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, device, dtype)


class Conv2d(_ConvNd):
    """2-D convolution layer, as ``torch.nn.Conv2d``: weight (O, C/groups, kh, kw), input
    (N, C, H, W) or (C, H, W).

    Shapes: as ``torch.nn.functional.conv2d``. Raises as ``torch.nn.functional.conv2d``.
    """

    _d, _op = 2, "conv2d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, device, dtype)


class Conv3d(_ConvNd):
    """3-D convolution layer, as ``torch.nn.Conv3d``: weight (O, C/groups, kd, kh, kw), input
    (N, C, D, H, W) or (C, D, H, W).

    Shapes: as ``torch.nn.functional.conv3d``. Raises as ``torch.nn.functional.conv3d``.
    """

    _d, _op = 3, "conv3d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, device, dtype)


class _ConvTransposeNd(_ConvNd):
    """Transposed convolution: the adjoint of the convolution with the same hyper-parameters
    (its forward is Conv's input gradient); weight (C_in, C_out/groups, *k)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, output_padding,
                 groups, bias, dilation, padding_mode, device, dtype) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size, stride, padding, kernel_size,
                        num_spatial_dims, dilation=None) -> list:
        """The output_padding that makes the output ``output_size`` (torch's rule)."""
        if output_size is None:
            return list(self.output_padding)
        d = num_spatial_dims
        lead = 2 if input.dim() == d + 2 else 1
        output_size = list(output_size)
        if len(output_size) == lead + d:
            output_size = output_size[lead:]
        if len(output_size) != d:
            raise ValueError(f"ConvTranspose{d}D: for {input.dim()}D input, output_size must "
                             f"have {d} or {lead + d} elements (got {len(output_size)})")
        space = list(input.shape)[lead:]
        mins = [(space[a] - 1) * stride[a] - 2 * padding[a]
                + (dilation[a] if dilation is not None else 1) * (kernel_size[a] - 1) + 1
                for a in range(d)]
        maxs = [mins[a] + stride[a] - 1 for a in range(d)]
        for size, lo, hi in zip(output_size, mins, maxs):
            if size < lo or size > hi:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {mins} to {maxs} (for an input of {space})")
        return [output_size[a] - mins[a] for a in range(d)]

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        op = self._output_padding(input, output_size, self.stride, self.padding,
                                  self.kernel_size, self._d, self.dilation)
        return getattr(F, self._op)(input, self.weight, self.bias, self.stride, self.padding,
                                    op, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution, as ``torch.nn.ConvTranspose1d``: the adjoint of Conv1d
    (its forward is Conv1d's input gradient); weight (C_in, C_out/groups, k); forward(input,
    output_size=None).

    Shapes: as ``torch.nn.functional.conv_transpose1d``. Raises as
    ``torch.nn.functional.conv_transpose1d``.
    """

    _d, _op = 1, "conv_transpose1d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, device, dtype)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution, as ``torch.nn.ConvTranspose2d``; weight
    (C_in, C_out/groups, kh, kw); see :class:`ConvTranspose1d`.

    Shapes: as ``torch.nn.functional.conv_transpose2d``. Raises as
    ``torch.nn.functional.conv_transpose2d``.
    """

    _d, _op = 2, "conv_transpose2d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, device, dtype)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution, as ``torch.nn.ConvTranspose3d``; weight
    (C_in, C_out/groups, kd, kh, kw); see :class:`ConvTranspose1d`.

    Shapes: as ``torch.nn.functional.conv_transpose3d``. Raises as
    ``torch.nn.functional.conv_transpose3d``.
    """

    _d, _op = 3, "conv_transpose3d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, device, dtype)
