"""Similarities and distances: cosine_similarity.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import get_array_module
from ._util import half_opmath


class CosineSimilarityFn(Function):
    """y = Σ x₁x₂ / (max(‖x₁‖, ε)·max(‖x₂‖, ε)) along ``dim`` (torch 2's formula)

    torch clamps the norms without recording the clamp, so the derivative treats nᵢ as ‖xᵢ‖:
        ∂y/∂x₁ = x₂/(n₁n₂) − y·x₁/(‖x₁‖·n₁) = (u₂ − y·e₁)/n₁
    with uᵢ = xᵢ/nᵢ and the unit vector eᵢ = xᵢ/‖xᵢ‖ (0 when ‖xᵢ‖ = 0); the second form keeps
    both terms O(1), so nearly parallel inputs do not cancel large numbers.
    """

    node_name = "SumBackward1"  # torch's name for this node

    array_io = True

    @staticmethod
    def reference(x1, x2, dim, eps):
        """The plain twin, as torch computes it: the norms are clamped at ε without the clamp
        being differentiated (the value is clamped, the gradient is the norm's)."""
        x1, x2 = x1 * 1.0 + x2 * 0.0, x2 * 1.0 + x1 * 0.0  # broadcast both to one shape
        n1 = x1.norm(dim=dim, keepdim=True)
        n2 = x2.norm(dim=dim, keepdim=True)
        n1 = n1 + (n1.clamp(min=eps) - n1).detach()
        n2 = n2 + (n2.clamp(min=eps) - n2).detach()
        return ((x1 / n1) * (x2 / n2)).sum(dim)

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x1, x2, dim, eps):
        xp = get_array_module(x1)
        x1, x2 = xp.broadcast_arrays(x1, x2)
        r1 = xp.sqrt((x1 * x1).sum(axis=dim, keepdims=True))
        r2 = xp.sqrt((x2 * x2).sum(axis=dim, keepdims=True))
        n1, n2 = xp.maximum(r1, eps), xp.maximum(r2, eps)
        y = ((x1 / n1) * (x2 / n2)).sum(axis=dim, keepdims=True)
        ctx.save_for_backward(x1, x2, r1, r2, n1, n2, y)
        ctx.dim = dim
        return y.squeeze(dim)

    @staticmethod
    def backward(ctx, g):
        x1, x2, r1, r2, n1, n2, y = ctx.saved_tensors
        xp = get_array_module(x1)
        g = xp.expand_dims(g, ctx.dim)
        u1, u2 = x1 / n1, x2 / n2
        g1 = g2 = None
        if ctx.needs_input_grad[0]:
            e1 = xp.where(r1 > 0, x1 / xp.where(r1 > 0, r1, 1), 0)
            g1 = g * (u2 - y * e1) / n1
        if ctx.needs_input_grad[1]:
            e2 = xp.where(r2 > 0, x2 / xp.where(r2 > 0, r2, 1), 0)
            g2 = g * (u1 - y * e2) / n2
        return g1, g2, None, None
