"""ASGD: stochastic gradient descent with Polyak-Ruppert iterate averaging."""

from __future__ import annotations

import numpy as np

from ..dtype import default_float
from ._single import SingleTensorOptimizer, data
from .optimizer import _check, _check_lr, scalar_dtype


class ASGD(SingleTensorOptimizer):
    r"""``torch.optim.ASGD`` (Polyak & Juditsky, "Acceleration of Stochastic Approximation by
    Averaging", SIAM J. Control Optim. 1992; step-size schedule of Bottou, "Large-Scale Machine
    Learning with Stochastic Gradient Descent", 2010).

    With ``d = ±g + wd·p``, t the step count, η and μ read from the state before the update::

        p   = p · (1 - λ·η) - η·d
        ax  = p if μ == 1 else ax + μ·(p - ax)            # the averaged iterate, state "ax"
        η   = lr / (1 + λ·lr·t)^α                          # state "eta" (float32 0-d)
        μ   = 1 / max(1, t - t0)                           # state "mu"  (float32 0-d)

    State per parameter: ``step``, ``eta``, ``mu``, ``ax``. Raises ValueError for lr < 0 or
    weight_decay < 0.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
        )
        super().__init__(params, defaults)

    def _new_state(self, xp, p, group):
        return {"eta": np.array(float(group["lr"]), dtype=scalar_dtype()),
                "mu": np.ones((), dtype=scalar_dtype()), "ax": xp.zeros_like(p)}

    def _update(self, xp, p, g, s, group, step):
        lr, lambd, wd = float(group["lr"]), group["lambd"], group["weight_decay"]
        if wd != 0:
            g = g + wd * p
        eta, mu = data(s["eta"]), data(s["mu"])
        p = p * (1 - lambd * float(eta))
        p = p + (-float(eta)) * g
        s["ax"] = s["ax"] + (p - s["ax"]) * float(mu) if float(mu) != 1 else p
        # torch copies the new values, made by as_tensor (so rounded to the default dtype),
        # into the existing 0-d tensors: their dtype is kept
        f = default_float().np
        s["eta"] = np.asarray(lr / ((1 + lambd * lr * step) ** group["alpha"]), f).astype(
            eta.dtype)
        s["mu"] = np.asarray(1 / max(1, step - group["t0"]), f).astype(mu.dtype)
        return p
