"""RAdam: Adam with a rectified (variance-corrected) adaptive learning rate."""

from __future__ import annotations

from ._single import SingleTensorOptimizer, lerp
from .optimizer import _check, _check_lr


class RAdam(SingleTensorOptimizer):
    r"""``torch.optim.RAdam`` (Liu et al., "On the Variance of the Adaptive Learning Rate and
    Beyond", ICLR 2020; ``decoupled_weight_decay`` as in AdamW).

    With ``d = ±g (+ wd·p unless decoupled)`` and t the step count::

        p     = p · (1 - lr·wd)                          # decoupled_weight_decay only
        m     = lerp(m, d, 1 - β1);   v = β2·v + (1 - β2)·d²
        m̂     = m / (1 - β1^t)
        ρ∞    = 2/(1 - β2) - 1;   ρ_t = ρ∞ - 2t·β2^t / (1 - β2^t)
        if ρ_t > 5:   r = sqrt((ρ_t - 4)(ρ_t - 2)ρ∞ / ((ρ∞ - 4)(ρ∞ - 2)ρ_t))
                      p = p - m̂ · lr · sqrt(1 - β2^t) / (sqrt(v) + eps) · r
        else:         p = p - m̂ · lr                     # variance not yet tractable: SGD+momentum

    State per parameter: ``step`` (float32 0-d), ``exp_avg``, ``exp_avg_sq``. Raises ValueError
    for lr, eps or weight_decay < 0 and betas outside [0, 1).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _new_state(self, xp, p, group):
        return {"exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}

    def _update(self, xp, p, g, s, group, step):
        lr, (beta1, beta2), wd = float(group["lr"]), group["betas"], group["weight_decay"]
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p = p * (1 - lr * wd)
            else:
                g = g + wd * p
        s["exp_avg"] = lerp(s["exp_avg"], g, 1 - beta1)
        s["exp_avg_sq"] = s["exp_avg_sq"] * beta2 + (1 - beta2) * g * g
        bias_correction2 = 1 - beta2**step
        m_hat = s["exp_avg"] / (1 - beta1**step)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t <= 5.0:
            return p - m_hat * lr
        rect = (
            (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        ) ** 0.5
        adaptive_lr = (bias_correction2**0.5) / (xp.sqrt(s["exp_avg_sq"]) + group["eps"])
        return p - m_hat * lr * adaptive_lr * rect
