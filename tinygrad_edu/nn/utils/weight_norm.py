"""Weight normalization (Salimans & Kingma 2016): ``w = g · v / ‖v‖``, the magnitude ``g`` and
the direction ``v`` trained as separate parameters.

This file holds the formula (:func:`norm_except_dim`, :func:`weight_norm_fn`, written with the
engine's ops, so their gradient is the graph's) and torch's older hook form,
``nn.utils.weight_norm`` (parameters ``weight_g`` and ``weight_v``, the weight recomputed before
each forward). The modern form is ``nn.utils.parametrizations.weight_norm``.
"""

from __future__ import annotations

import warnings

from ...autograd import no_grad
from ...tensor import Tensor
from ..parameter import Parameter


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """``torch.norm_except_dim``: the ``pow``-norm of ``v`` over every dim but ``dim``, kept as
    size-1 dims (shape ``(1, .., v.shape[dim], .., 1)``); ``dim=-1``: the norm of the whole
    tensor, 0-d. dtype: v's (floating)."""
    if dim == -1:
        return v.abs().pow(pow).sum().pow(1.0 / pow) if pow != 2 else (v * v).sum().sqrt()
    dim = dim + v.ndim if dim < 0 else dim
    axes = tuple(a for a in range(v.ndim) if a != dim)
    if not axes:
        return v.abs()
    if pow == 2:
        return (v * v).sum(dim=axes, keepdim=True).sqrt()
    return v.abs().pow(pow).sum(dim=axes, keepdim=True).pow(1.0 / pow)


def weight_norm_fn(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``torch._weight_norm``: ``v · (g / ‖v‖)``, the norm over all dims except ``dim`` (the
    whole tensor for ``dim=-1``). Shapes: v (*), g broadcastable to the norm's shape → v's."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook of :func:`weight_norm`: sets ``module.<name>`` from ``<name>_g``
    and ``<name>_v`` before every forward."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module) -> Tensor:
        return weight_norm_fn(getattr(module, self.name + "_v"),
                              getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name: str, dim: int) -> "WeightNorm":
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        with no_grad():
            g = norm_except_dim(weight, 2, fn.dim)
        module.register_parameter(name + "_g", Parameter(g.detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module) -> None:
        with no_grad():
            weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim: int = 0):
    """``torch.nn.utils.weight_norm`` (deprecated in torch, with its FutureWarning): replace
    parameter ``name`` by ``name_g`` (magnitude, shape ``(1, .., size of dim, .., 1)``, or 0-d for
    ``dim=None``) and ``name_v`` (direction, the weight's shape); before each forward
    ``name = name_g · name_v / ‖name_v‖`` with the norm over all dims except ``dim``.

    Returns the module. Raises RuntimeError when ``name`` already has a weight norm, and
    AttributeError/KeyError when the module has no such parameter.
    """
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Undo :func:`weight_norm`: ``name`` becomes a Parameter again, holding
    ``name_g · name_v / ‖name_v‖``. Returns the module; raises ValueError when ``name`` has no
    weight norm."""
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
