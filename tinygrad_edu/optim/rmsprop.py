"""RMSprop (optionally centered, with momentum), in torch's order of operations."""

from __future__ import annotations

from ..backend import get_array_module
from ..tensor import Tensor
from ._single import SingleTensorOptimizer, lerp
from .adam import _lerp_
from .optimizer import _check, _check_lr


class RMSprop(SingleTensorOptimizer):
    r"""``torch.optim.RMSprop``.

    With ``d = ±g + wd·p``::

        s   = α·s + (1 - α)·d²
        ḡ   = lerp(ḡ, d, 1 - α)                    # centered only
        avg = sqrt(s - ḡ²) if centered else sqrt(s);   avg = avg + eps
        b   = momentum·b + d / avg;   p = p - lr·b   # momentum > 0
        p   = p - lr · d / avg                     # otherwise

    ``differentiable=True`` runs the rule out of place on Tensors (:meth:`_update`), so
    autograd records the step.

    Raises ValueError for a negative learning rate or an empty parameter list.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(alpha >= 0.0, f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, capturable=capturable, foreach=foreach,
            maximize=maximize, differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one optimization step (``closure`` re-evaluates the loss, as torch)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._step_group(group)
                continue
            lr, alpha, eps = float(group["lr"]), group["alpha"], group["eps"]
            momentum = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = get_array_module(p._data)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = self._new_step()
                    state["square_avg"] = Tensor._wrap(xp.zeros_like(p._data))
                    if momentum > 0:
                        state["momentum_buffer"] = Tensor._wrap(xp.zeros_like(p._data))
                    if group["centered"]:
                        state["grad_avg"] = Tensor._wrap(xp.zeros_like(p._data))
                state["step"]._data += 1
                d = self._grad(p, group, group["weight_decay"])
                s = state["square_avg"]._data
                t = self._scratch(p._data, 1)
                avg = self._scratch(p._data, 2)
                # s = α·s + (1 - α)·d·d   (torch: s.mul_(α).addcmul_(d, d, value=1 - α))
                xp.multiply(s, alpha, out=s)
                xp.multiply(d, 1 - alpha, out=t)
                xp.multiply(t, d, out=t)
                xp.add(s, t, out=s)
                if group["centered"]:
                    ga = state["grad_avg"]._data
                    _lerp_(xp, ga, d, 1 - alpha, t)  # ḡ = lerp(ḡ, d, 1 - α)
                    # avg = sqrt(s + (-1·ḡ)·ḡ)   (torch: s.addcmul(ḡ, ḡ, value=-1).sqrt_())
                    xp.negative(ga, out=t)
                    xp.multiply(t, ga, out=t)
                    xp.add(s, t, out=avg)
                    xp.sqrt(avg, out=avg)
                else:
                    xp.sqrt(s, out=avg)
                xp.add(avg, eps, out=avg)
                if momentum > 0:
                    # b = momentum·b + d / avg;  p = p - lr·b
                    b = state["momentum_buffer"]._data
                    xp.multiply(b, momentum, out=b)
                    xp.divide(d, avg, out=t)
                    xp.add(b, t, out=b)
                    xp.multiply(b, -lr, out=t)
                    xp.add(p._data, t, out=p._data)
                else:
                    # p = p + (-lr·d) / avg   (torch: p.addcdiv_(d, avg, value=-lr))
                    xp.multiply(d, -lr, out=t)
                    xp.divide(t, avg, out=t)
                    xp.add(p._data, t, out=p._data)
                self._bump(p)
        return loss

    def _new_state(self, xp, p, group):
        state = {"square_avg": xp.zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = xp.zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = xp.zeros_like(p)
        return state

    def _update(self, xp, p, g, s, group, step):
        """The rule out of place (the ``differentiable=True`` path), torch's order."""
        lr, alpha, momentum = float(group["lr"]), group["alpha"], group["momentum"]
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p
        s["square_avg"] = s["square_avg"] * alpha + (1 - alpha) * g * g
        if group["centered"]:
            ga = s["grad_avg"] = lerp(s["grad_avg"], g, 1 - alpha)
            avg = xp.sqrt(s["square_avg"] + (-ga) * ga)
        else:
            avg = xp.sqrt(s["square_avg"])
        avg = avg + group["eps"]
        if momentum > 0:
            s["momentum_buffer"] = s["momentum_buffer"] * momentum + g / avg
            return p + (-lr) * s["momentum_buffer"]
        return p + (-lr) * g / avg
