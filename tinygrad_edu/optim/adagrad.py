"""Adagrad, in torch's order of operations."""

from __future__ import annotations

from ..backend import get_array_module
from ..tensor import Tensor
from ._single import SingleTensorOptimizer
from .optimizer import _check, _check_lr


class Adagrad(SingleTensorOptimizer):
    r"""``torch.optim.Adagrad``.

    With ``d = ±g + wd·p`` and t the step count::

        clr = lr / (1 + (t - 1)·lr_decay)
        S   = S + d²                              # S starts at initial_accumulator_value
        p   = p - clr · d / (sqrt(S) + eps)

    ``fused=True`` is accepted and runs the same code (a fused kernel is a speed choice, not a
    different rule); ``differentiable=True`` runs the rule out of place on Tensors
    (:meth:`_update`), so autograd records the step.

    Raises ValueError for a negative learning rate or an empty parameter list.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(lr_decay >= 0.0, f"Invalid lr_decay value: {lr_decay}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(
            initial_accumulator_value >= 0.0,
            f"Invalid initial_accumulator_value value: {initial_accumulator_value}",
        )
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        defaults = dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize, differentiable=differentiable, fused=fused,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch creates Adagrad's state eagerly
            for p in group["params"]:
                state = self.state[p]
                state["step"] = self._new_step()
                xp = get_array_module(p._data)
                state["sum"] = Tensor._wrap(
                    xp.full_like(p._data, group["initial_accumulator_value"])
                )

    def step(self, closure=None):
        """Perform one optimization step (``closure`` re-evaluates the loss, as torch)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._step_group(group)
                continue
            lr, lr_decay, eps = float(group["lr"]), group["lr_decay"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = get_array_module(p._data)
                state = self.state[p]
                state["step"]._data += 1
                step = float(state["step"]._data)
                d = self._grad(p, group, group["weight_decay"])
                clr = lr / (1 + (step - 1) * lr_decay)
                S = state["sum"]._data
                t = self._scratch(p._data, 1)
                std = self._scratch(p._data, 2)
                xp.multiply(d, d, out=t)  # S = S + d·d   (torch: S.addcmul_(d, d, value=1))
                xp.add(S, t, out=S)
                xp.sqrt(S, out=std)  # std = sqrt(S) + eps
                xp.add(std, eps, out=std)
                # p = p + (-clr·d) / std   (torch: p.addcdiv_(d, std, value=-clr))
                xp.multiply(d, -clr, out=t)
                xp.divide(t, std, out=t)
                xp.add(p._data, t, out=p._data)
                self._bump(p)
        return loss

    def _update(self, xp, p, g, s, group, step):
        """The rule out of place (the ``differentiable=True`` path)."""
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p
        clr = float(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        s["sum"] = s["sum"] + g * g
        std = xp.sqrt(s["sum"]) + group["eps"]
        return p + (-clr) * g / std
