"""Lazy modules (``nn.LazyLinear``, ``nn.LazyConv1d/2d/3d``, ``nn.LazyConvTranspose1d/2d/3d``):
layers that learn their input size from the first batch, as torch's ``LazyModuleMixin``.

Until the first forward the weight and bias are :class:`UninitializedParameter` s: no shape, no
values (``.to(dtype)``/``.to(device)`` still apply: the dtype and device are remembered). A
forward pre-hook then reads ``in_features`` (the input's last size) or ``in_channels`` (its
channel size), materializes the parameters, draws them with the regular layer's
``reset_parameters`` (the same draws, in the same order, as the regular layer: with the same
seed the weights equal torch's), removes itself and turns the module into ``cls_to_become``
(``Linear``, ``Conv2d`` ...): after one batch a LazyConv2d *is* a Conv2d.

Loading a state_dict into a lazy module materializes each uninitialized parameter to the
checkpoint's shape first (torch's ``_lazy_load_hook``).
"""

from __future__ import annotations

from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear

__all__ = ["UninitializedParameter", "UninitializedBuffer", "LazyModuleMixin", "LazyLinear",
           "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyConvTranspose3d"]


class LazyModuleMixin:
    """What every lazy module shares (torch's ``LazyModuleMixin``): a forward pre-hook that
    calls ``initialize_parameters(*input)`` once, then removes itself and turns the module
    into ``cls_to_become``. Subclasses define ``initialize_parameters``."""

    cls_to_become = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """Does any parameter (of this module or below) still lack its shape?"""
        return any(is_lazy(p) for p in self.parameters())

    def initialize_parameters(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{self.__class__.__name__}")

    def _lazy_load_hook(self, state_dict, prefix: str) -> None:
        """Before ``load_state_dict`` (of this module or one above it) copies values:
        materialize each uninitialized parameter or buffer to the shape the checkpoint gives
        it (torch's ``_lazy_load_hook``)."""
        for store in (self._parameters, self._buffers):
            for name, t in store.items():
                value = state_dict.get(prefix + name)
                if is_lazy(t) and value is not None and not is_lazy(value):
                    t.materialize(tuple(value.shape))

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """As Module's, but an uninitialized parameter or buffer is kept as it is (it has no
        values to detach; torch's ``_save_to_state_dict``)."""
        out = super().state_dict(*args, destination=destination, prefix=prefix, keep_vars=True)
        if not keep_vars:
            for k, v in out.items():
                if k.startswith(prefix) and not is_lazy(v):
                    out[k] = v.detach()
        return out


def _infer_parameters(module, args):
    """The pre-hook: infer the shapes from the first input, initialize, become the regular
    class."""
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


class LazyLinear(LazyModuleMixin, Linear):
    """``nn.Linear`` whose ``in_features`` is the last size of the first input:
    input (*, H_in) -> (*, out_features); weight (out_features, H_in) and bias drawn then as
    Linear draws them (U(±1/√H_in)). Becomes a :class:`Linear`.

    Shapes: as ``torch.nn.functional.linear``. Raises IndexError for a 0-d first input (no
    last size to read, as torch), then as ``torch.nn.functional.linear``."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, 0, False)  # torch: no bias tensor to overwrite
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()


class _LazyConvXdMixin(LazyModuleMixin):
    """The lazy convolutions: ``in_channels`` is the channel size of the first input
    ((N, C_in, *) batched or (C_in, *) unbatched)."""

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def _get_in_channels(self, input) -> int:
        d = self._d + 1  # channels + spatial dims
        if input.dim() not in (d, d + 1):
            raise RuntimeError(f"Expected {d}D (unbatched) or {d + 1}D (batched) input to "
                               f"{self.__class__.__name__}, but got input of size: "
                               f"{input.shape}")
        return input.shape[1] if input.dim() == d + 1 else input.shape[0]

    def initialize_parameters(self, input, *args, **kwargs) -> None:
        if self.has_uninitialized_params():
            self.in_channels = self._get_in_channels(input)
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            if self.transposed:
                shape = (self.in_channels, self.out_channels // self.groups)
            else:
                shape = (self.out_channels, self.in_channels // self.groups)
            self.weight.materialize(shape + tuple(self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()

    def _lazy_params(self, bias: bool, device, dtype) -> None:
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)


class _LazyConv(_LazyConvXdMixin):
    """The constructor the lazy convolutions share: the regular one with in_channels = 0 and
    no bias tensor (torch's), then uninitialized weight and bias."""

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device, dtype)
        self._lazy_params(bias, device, dtype)
        self.out_channels = out_channels


class _LazyConvTranspose(_LazyConvXdMixin):
    """As :class:`_LazyConv`, with the transposed convolutions' argument order."""

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode, device, dtype)
        self._lazy_params(bias, device, dtype)
        self.out_channels = out_channels


class LazyConv1d(_LazyConv, Conv1d):
    """``nn.Conv1d`` whose in_channels is read from the first input (N, C_in, L_in) or
    (C_in, L_in); becomes a :class:`Conv1d` (same init draws). Arguments as Conv1d's without
    in_channels.

    Shapes: as ``torch.nn.functional.conv1d``. Raises RuntimeError for an input that is not
    2-D or 3-D, ValueError when C_in is not divisible by groups."""

    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """``nn.Conv2d`` whose in_channels is read from the first input (N, C_in, H_in, W_in) or
    (C_in, H_in, W_in); becomes a :class:`Conv2d`. See :class:`LazyConv1d`.

    Shapes: as ``torch.nn.functional.conv2d``. Raises RuntimeError for an input that is not
    3-D or 4-D, ValueError when C_in is not divisible by groups."""

    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """``nn.Conv3d`` whose in_channels is read from the first input (N, C_in, D_in, H_in,
    W_in) or unbatched; becomes a :class:`Conv3d`. See :class:`LazyConv1d`.

    Shapes: as ``torch.nn.functional.conv3d``. Raises RuntimeError for an input that is not
    4-D or 5-D, ValueError when C_in is not divisible by groups."""

    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """``nn.ConvTranspose1d`` whose in_channels is read from the first input (N, C_in, L_in)
    or (C_in, L_in); becomes a :class:`ConvTranspose1d` (same init draws).

    Shapes: as ``torch.nn.functional.conv_transpose1d``. Raises RuntimeError for an input
    that is not 2-D or 3-D, ValueError when C_in is not divisible by groups."""

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """``nn.ConvTranspose2d`` whose in_channels is read from the first input (N, C_in, H_in,
    W_in) or unbatched; becomes a :class:`ConvTranspose2d`. See :class:`LazyConvTranspose1d`.

    Shapes: as ``torch.nn.functional.conv_transpose2d``. Raises RuntimeError for an input
    that is not 3-D or 4-D, ValueError when C_in is not divisible by groups."""

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """``nn.ConvTranspose3d`` whose in_channels is read from the first input (N, C_in, D_in,
    H_in, W_in) or unbatched; becomes a :class:`ConvTranspose3d`. See
    :class:`LazyConvTranspose1d`.

    Shapes: as ``torch.nn.functional.conv_transpose3d``. Raises RuntimeError for an input
    that is not 4-D or 5-D, ValueError when C_in is not divisible by groups."""

    cls_to_become = ConvTranspose3d
