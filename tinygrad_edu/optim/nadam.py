"""NAdam: Adam with Nesterov momentum."""

from __future__ import annotations

import numpy as np

from ._single import SingleTensorOptimizer, data, lerp
from .optimizer import _check, _check_lr, scalar_dtype


class NAdam(SingleTensorOptimizer):
    r"""``torch.optim.NAdam`` (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016
    workshop; ``decoupled_weight_decay`` as in Loshchilov & Hutter, "Decoupled Weight Decay
    Regularization", ICLR 2019: NAdamW).

    With ``d = ±g (+ wd·p unless decoupled)``, t the step count, ψ = momentum_decay::

        p    = p · (1 - lr·wd)                           # decoupled_weight_decay only
        μ_t  = β1·(1 - ½·0.96^(t·ψ));   μ_{t+1} = β1·(1 - ½·0.96^((t+1)·ψ))
        Π    = Π · μ_t                                   # state "mu_product" (float32 0-d)
        m    = lerp(m, d, 1 - β1);   v = β2·v + (1 - β2)·d²
        den  = sqrt(v / (1 - β2^t)) + eps
        p    = p - lr·(1 - μ_t)/(1 - Π) · d / den - lr·μ_{t+1}/(1 - Π·μ_{t+1}) · m / den

    State per parameter: ``step``, ``mu_product`` (both float32 0-d), ``exp_avg``,
    ``exp_avg_sq``. Raises ValueError for lr, eps, weight_decay or momentum_decay < 0 and betas
    outside [0, 1).
    """

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        _check(momentum_decay >= 0.0, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _new_state(self, xp, p, group):
        # mu_product lives on the CPU as float32, like step (torch, capturable=False)
        return {"mu_product": np.ones((), dtype=scalar_dtype()),
                "exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}

    def _update(self, xp, p, g, s, group, step):
        lr, (beta1, beta2), wd = float(group["lr"]), group["betas"], group["weight_decay"]
        psi = group["momentum_decay"]
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p = p * (1 - lr * wd)
            else:
                g = g + wd * p
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        s["mu_product"] = s["mu_product"] * mu  # float32 arithmetic, as torch's 0-d tensor
        s["exp_avg"] = lerp(s["exp_avg"], g, 1 - beta1)
        s["exp_avg_sq"] = s["exp_avg_sq"] * beta2 + (1 - beta2) * g * g
        den = xp.sqrt(s["exp_avg_sq"] / (1 - beta2**step)) + group["eps"]
        if group["differentiable"]:  # torch keeps mu_product a tensor in the coefficients:
            prod = data(s["mu_product"])  # float32 arithmetic (a constant: no gradient)
            c1 = (-lr * (1.0 - mu)) / (1.0 - prod)
            c2 = (-lr * mu_next) / (1.0 - prod * mu_next)
            p = p + (g * c1) / den
            return p + (s["exp_avg"] * c2) / den
        prod = float(s["mu_product"])
        p = p + (-lr * (1.0 - mu) / (1.0 - prod)) * g / den
        return p + ((-lr * mu_next) / (1.0 - prod * mu_next)) * s["exp_avg"] / den
