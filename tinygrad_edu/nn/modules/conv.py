"""``nn.Conv2d``: torch's default init, padding modes (zeros, reflect, replicate, circular)
and repr; the computation is ``F.conv2d``."""

from __future__ import annotations

from ...ops.conv import PadModeFn
from ...ops.shape import reshape as _reshape
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.conv import _conv_pads, _pair, _unbatched
from ..parameter import Parameter, uninitialized
from .module import Module


# ---- modules -----------------------------------------------------------------------------------
class Conv2d(Module):
    """2-D convolution layer, as ``torch.nn.Conv2d`` (weight (O, C/groups, kh, kw))."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be one of ['zeros', 'reflect', 'replicate', "
                             f"'circular'], but got padding_mode='{padding_mode}'")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and _pair(stride) != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride)
        self.padding = padding if isinstance(padding, str) else _pair(padding)
        self.dilation = _pair(dilation)
        self.transposed = False
        self.output_padding = (0, 0)
        self.groups = groups
        self.padding_mode = padding_mode
        shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(uninitialized(shape, device, dtype))
        if bias:
            self.bias = Parameter(uninitialized((out_channels,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)  # torch: U(±1/√(C/groups·kh·kw))

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return F.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                          self.dilation, self.groups)
        unb = _unbatched(input, "conv2d")
        x = _reshape(input, (1,) + input._data.shape) if unb else input
        pads = _conv_pads(self.padding, self.kernel_size, self.dilation, self.stride)
        x = PadModeFn.apply(x, pads, self.padding_mode)  # then a convolution without padding
        y = F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return _reshape(y, y._data.shape[1:]) if unb else y

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)
