"""``torch.nn.utils.parametrizations``: ready-made parametrizations (weight_norm), registered
with :mod:`.parametrize`."""

from __future__ import annotations

from ..modules.module import Module
from . import parametrize
from .weight_norm import norm_except_dim, weight_norm_fn


class _WeightNorm(Module):
    """``w = g · v / ‖v‖`` as a parametrization: ``forward(g, v)``; ``right_inverse(w)`` gives
    ``(‖w‖ over all dims but dim, w)``."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_norm_fn(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name: str = "weight", dim: int = 0):
    """``torch.nn.utils.parametrizations.weight_norm``: ``module.<name>`` becomes
    ``g · v / ‖v‖`` (norm over all dims except ``dim``; the whole tensor for ``dim=None``),
    recomputed on every access, with ``g = parametrizations.<name>.original0`` (shape
    ``(1, .., size of dim, .., 1)``) and ``v = parametrizations.<name>.original1`` (the weight's
    shape), both Parameters initialised so that the weight is unchanged.

    Gradients reach ``g`` and ``v`` through the ops of the formula. Returns the module. Raises
    ValueError when the module has no parameter or buffer ``name``.
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


__all__ = ["weight_norm"]
