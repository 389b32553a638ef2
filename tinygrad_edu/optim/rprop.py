"""Rprop: resilient backpropagation, steps that follow only the sign of the gradient."""

from __future__ import annotations

from ..backend import get_array_module
from ._single import SingleTensorOptimizer, data
from .optimizer import _check, _check_lr


class Rprop(SingleTensorOptimizer):
    r"""``torch.optim.Rprop`` (Riedmiller & Braun, "A Direct Adaptive Method for Faster
    Backpropagation Learning: The RPROP Algorithm", ICNN 1993; torch's variant without
    weight backtracking).

    With ``d = ±g``, per coordinate, ``(η-, η+) = etas`` and ``(Δmin, Δmax) = step_sizes``::

        s  = sign(d · d_prev)
        Δ  = clamp(Δ · (η+ if s > 0 else η- if s < 0 else 1), Δmin, Δmax)   # state "step_size"
        d  = 0 where s < 0                                # a sign flip: skip this coordinate once
        p  = p - sign(d) · Δ;   d_prev = d                # state "prev"

    ``step_size`` starts at ``lr``. State per parameter: ``step`` (float32 0-d), ``prev``,
    ``step_size``. Raises ValueError for lr < 0 or etas not 0 < η- < 1 < η+. The sign factor
    is a constant under ``differentiable=True`` (sign has zero derivative), as in torch.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(
            lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
            differentiable=differentiable, capturable=capturable,
        )
        super().__init__(params, defaults)

    def _new_state(self, xp, p, group):
        return {"prev": xp.zeros_like(p), "step_size": xp.full_like(p, float(group["lr"]))}

    def _update(self, xp, p, g, s, group, step):
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        raw = get_array_module(data(p))
        sign = raw.sign(data(g) * data(s["prev"]))
        factor = raw.where(sign > 0, etaplus, raw.where(sign < 0, etaminus, 1.0))
        factor = factor.astype(data(p).dtype)
        s["step_size"] = xp.minimum(xp.maximum(s["step_size"] * factor, lo), hi)
        g = xp.where(sign < 0, 0.0, g)
        s["prev"] = g
        return p - xp.sign(g) * s["step_size"]
