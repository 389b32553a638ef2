"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, _check, _check_lr


class SGD(Optimizer):
    r"""``torch.optim.SGD``.

    With ``d = ±g + wd·p`` (``-g`` when ``maximize``; torch: weight decay before momentum)::

        b_1 = d                                  # torch: first buffer is a copy of g
        b_t = momentum · b_{t-1} + (1 - dampening) · d
        d   = d + momentum · b_t   if nesterov else   b_t
        p   = p - lr · d

    ``fused=True`` is accepted and runs the same code (a fused kernel is a speed choice, not a
    different rule); ``differentiable=True`` runs the rule out of place on Tensors
    (:meth:`_update`), so autograd records the step.

    Raises ValueError for a negative learning rate or an empty parameter list.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize, foreach=foreach,
            differentiable=differentiable, fused=fused,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one optimization step (``closure`` re-evaluates the loss, as torch)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._differentiable_step(group)
                continue
            lr = float(group["lr"])
            momentum, dampening = group["momentum"], group["dampening"]
            for p in group["params"]:
                if p.grad is None:
                    continue  # torch: a parameter without a gradient is skipped entirely
                xp = get_array_module(p._data)
                d = self._grad(p, group, group["weight_decay"])
                t = self._scratch(p._data, 1)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:  # b = clone(d)
                        buf = state["momentum_buffer"] = Tensor._wrap(d.copy())
                    else:  # b = momentum·b + (1 - dampening)·d
                        b = buf._data
                        xp.multiply(b, momentum, out=b)
                        if dampening == 0:
                            xp.add(b, d, out=b)
                        else:
                            xp.multiply(d, 1 - dampening, out=t)
                            xp.add(b, t, out=b)
                    if group["nesterov"]:  # d = d + momentum·b
                        xp.multiply(buf._data, momentum, out=t)
                        xp.add(d, t, out=t)
                        d = t
                    else:
                        d = buf._data
                # p = p - lr·d   (torch: param.add_(d, alpha=-lr))
                xp.multiply(d, -lr, out=t)
                xp.add(p._data, t, out=p._data)
                self._bump(p)
        return loss

    def _differentiable_step(self, group: dict) -> None:
        """The rule out of place on Tensors (recorded by autograd), in torch's order."""
        lr, wd, momentum = float(group["lr"]), group["weight_decay"], group["momentum"]
        for p in group["params"]:
            if p.grad is None:
                continue
            d = -p.grad if group["maximize"] else p.grad
            if wd != 0:
                d = d + wd * p
            if momentum != 0:
                buf = self.state[p].get("momentum_buffer")
                if buf is None:
                    buf = d.detach().clone()
                else:
                    buf = buf * momentum + (1 - group["dampening"]) * d
                self.state[p]["momentum_buffer"] = buf
                d = d + momentum * buf if group["nesterov"] else buf
            p.copy_(p + (-lr) * d)
