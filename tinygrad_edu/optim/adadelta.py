"""Adadelta: per-coordinate step sizes from running averages of squared gradients and updates."""

from __future__ import annotations

from ._single import SingleTensorOptimizer
from .optimizer import _check, _check_lr


class Adadelta(SingleTensorOptimizer):
    r"""``torch.optim.Adadelta`` (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012,
    Algorithm 1; ``lr`` scales the update as in torch).

    With ``d = ±g + wd·p``::

        v  = ρ·v + (1 - ρ)·d²                            # state "square_avg"
        Δ  = sqrt(u + eps) / sqrt(v + eps) · d
        u  = ρ·u + (1 - ρ)·Δ²                            # state "acc_delta"
        p  = p - lr·Δ

    State per parameter: ``step`` (float32 0-d), ``square_avg``, ``acc_delta``. Raises ValueError
    for lr, eps or weight_decay < 0 and rho outside [0, 1].
    """

    def __init__(
        self,
        params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
            capturable=capturable, foreach=foreach, differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _new_state(self, xp, p, group):
        return {"square_avg": xp.zeros_like(p), "acc_delta": xp.zeros_like(p)}

    def _update(self, xp, p, g, s, group, step):
        rho, eps, wd = group["rho"], group["eps"], group["weight_decay"]
        if wd != 0:
            g = g + wd * p
        s["square_avg"] = s["square_avg"] * rho + (1 - rho) * g * g
        std = xp.sqrt(s["square_avg"] + eps)
        delta = xp.sqrt(s["acc_delta"] + eps) / std * g
        s["acc_delta"] = s["acc_delta"] * rho + (1 - rho) * delta * delta
        return p + (-float(group["lr"])) * delta
