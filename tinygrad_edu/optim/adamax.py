"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from ._single import SingleTensorOptimizer, lerp
from .optimizer import _check, _check_lr


class Adamax(SingleTensorOptimizer):
    r"""``torch.optim.Adamax`` (Kingma & Ba, "Adam: A Method for Stochastic Optimization",
    ICLR 2015, Algorithm 2).

    With ``d = ±g + wd·p`` and t the step count::

        m = lerp(m, d, 1 - β1)                    # = β1·m + (1 - β1)·d      (state "exp_avg")
        u = max(β2·u, |d| + eps)                  # infinity norm            (state "exp_inf")
        p = p - (lr / (1 - β1^t)) · m / u

    State per parameter: ``step`` (float32 0-d), ``exp_avg``, ``exp_inf``. Raises ValueError for
    lr < 0, eps < 0, betas outside [0, 1), weight_decay < 0, a Tensor lr of more than one element.
    """

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
        )
        super().__init__(params, defaults)

    def _new_state(self, xp, p, group):
        return {"exp_avg": xp.zeros_like(p), "exp_inf": xp.zeros_like(p)}

    def _update(self, xp, p, g, s, group, step):
        beta1, beta2 = group["betas"]
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p
        s["exp_avg"] = lerp(s["exp_avg"], g, 1 - beta1)
        s["exp_inf"] = xp.maximum(s["exp_inf"] * beta2, xp.abs(g) + group["eps"])
        clr = float(group["lr"]) / (1 - beta1**step)
        return p + (-clr) * s["exp_avg"] / s["exp_inf"]
