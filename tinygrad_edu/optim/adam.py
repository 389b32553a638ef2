"""Adam and AdamW, in torch's exact order of operations."""

from __future__ import annotations

import numpy as np

from ..backend import get_array_module
from ..tensor import Tensor
from . import _adam_kernel
from ._single import SingleTensorOptimizer, lerp
from .optimizer import _check, _check_lr, scalar_dtype


def _lerp_(xp, m, d, w, t) -> None:
    """m = lerp(m, d, w) in place, with torch's two branches (t is a temporary)."""
    xp.subtract(d, m, out=t)
    if abs(w) < 0.5:  # m = m + w·(d - m)
        xp.multiply(t, w, out=t)
        xp.add(m, t, out=m)
    else:  # m = d - (d - m)·(1 - w)
        xp.multiply(t, 1 - w, out=t)
        xp.subtract(d, t, out=m)


def reference(p, g, m, v, vmax, step: int, lr: float, betas: tuple, eps: float,
              weight_decay: float = 0, amsgrad: bool = False, maximize: bool = False,
              decoupled: bool = False):
    """One Adam(W) update written plainly, as readable array expressions (new arrays each line).

    The readable twin of :meth:`Adam.step`, which computes exactly the same floats in place
    with ``out=`` buffers (no new arrays per step). ``p, g, m, v, vmax`` are one parameter's
    arrays (``vmax`` None unless amsgrad), ``step`` the step count after this update (1, 2, ...).
    Returns the new ``(p, m, v, vmax)``; the tests check the fused step against it bit for bit.
    """
    beta1, beta2 = betas
    d = -g if maximize else g
    if weight_decay != 0 and decoupled:
        p = p * (1 - lr * weight_decay)  # AdamW: decay the weights themselves
    elif weight_decay != 0:
        d = d + p * weight_decay  # Adam: L2 penalty folded into the gradient
    w = 1 - beta1
    m = m + (d - m) * w if abs(w) < 0.5 else d - (d - m) * (1 - w)  # torch's lerp
    v = v * beta2 + d * (1 - beta2) * d
    if amsgrad:
        vmax = np.maximum(vmax, v)
    den = np.sqrt(vmax if amsgrad else v) / (1 - beta2**step) ** 0.5 + eps
    p = p + m * (-lr / (1 - beta1**step)) / den
    return p, m, v, vmax


class Adam(SingleTensorOptimizer):
    r"""``torch.optim.Adam`` (and, with ``decoupled_weight_decay=True``, AdamW).

    With ``d = ±g (+ wd·p unless decoupled)`` and t the step count::

        p   = p · (1 - lr·wd)                     # AdamW only (decoupled decay)
        m   = lerp(m, d, 1 - β1)                  # = β1·m + (1 - β1)·d
        v   = β2·v + (1 - β2)·d²
        v̂max = max(v̂max, v)                       # amsgrad: use v̂max instead of v below
        p   = p - (lr / (1 - β1^t)) · m / (sqrt(v) / sqrt(1 - β2^t) + eps)

    torch's order matters in the last line: eps is added *after* the bias-corrected sqrt.
    ``step`` is the fast path: every line runs in place into the state and two reusable
    scratch buffers (``out=``); :func:`reference` is the same update as plain expressions.
    With numba installed, the same floats come from one compiled pass per parameter
    (:mod:`~tinygrad_edu.optim._adam_kernel`; ``TINYGRAD_EDU_NUMBA=0`` turns it off).

    ``fused=True`` is accepted and runs the same code (a fused kernel is a speed choice, not a
    different rule). ``differentiable=True`` runs :meth:`_update`, the same rule out of place
    on Tensors so autograd records it, with torch's differentiable arithmetic (the bias
    corrections as float32 0-d values, ``p + m / (sqrt(v)/(√bc2·(-lr/bc1)) + eps/(-lr/bc1))``).

    Raises ValueError for a negative learning rate or an empty parameter list.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor):
            _check(not foreach or capturable,
                   "lr as a Tensor is not supported for capturable=False and foreach=True")
        _check_lr(lr)
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(all(isinstance(b, float) for b in betas)
               or all(isinstance(b, Tensor) for b in betas),
               "betas must be either both floats or both Tensors")
        for i, beta in enumerate(betas):
            if isinstance(beta, Tensor):
                _check(not foreach or capturable, f"betas[{i}] as a Tensor is not supported "
                       "for capturable=False and foreach=True")
                _check(beta.numel() == 1, f"Tensor betas[{i}] must be 1-element")
        defaults = dict(
            lr=lr, betas=(float(betas[0]), float(betas[1])), eps=eps, weight_decay=weight_decay,
            amsgrad=amsgrad, maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)
        _adam_kernel.kernel()  # with numba: import and compile now, once, not in a step

    def _init_state(self, p: Tensor, group: dict) -> dict:
        state = self.state[p]
        if len(state) == 0:
            xp = get_array_module(p._data)
            state["step"] = self._new_step()
            state["exp_avg"] = Tensor._wrap(xp.zeros_like(p._data))
            state["exp_avg_sq"] = Tensor._wrap(xp.zeros_like(p._data))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = Tensor._wrap(xp.zeros_like(p._data))
        return state

    def step(self, closure=None):
        """Perform one optimization step (``closure`` re-evaluates the loss, as torch)."""
        loss = self._closure_loss(closure)
        fused = _adam_kernel.kernel()  # None without numba: the NumPy passes below
        for group in self.param_groups:
            if group["differentiable"]:
                self._step_group(group)
                continue
            lr = float(group["lr"])
            beta1, beta2 = group["betas"]
            eps, wd, amsgrad = group["eps"], group["weight_decay"], group["amsgrad"]
            decoupled = group["decoupled_weight_decay"]
            w = 1 - beta1  # torch: exp_avg.lerp_(grad, 1 - beta1)
            small = abs(w) < 0.5
            for p in group["params"]:
                if p.grad is None:
                    continue
                xp = get_array_module(p._data)
                state = self._init_state(p, group)
                step_t = state["step"]
                step_t._data += 1
                step = float(step_t._data)
                if wd != 0 and decoupled:  # p = p·(1 - lr·wd)   (AdamW)
                    xp.multiply(p._data, 1 - lr * wd, out=p._data)
                d = self._grad(p, group, 0 if decoupled else wd)
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                vmax = state["max_exp_avg_sq"]._data if amsgrad else v
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2**0.5
                flat = fused and _adam_kernel.flat_views(p._data, d, m, v, vmax)
                if flat:  # the same floats in one compiled pass (see _adam_kernel)
                    f = p._data.dtype.type  # each scalar rounded to the dtype, as NumPy does
                    fused(*flat, amsgrad, small, f(w if small else 1 - w), f(beta2),
                          f(1 - beta2), f(-step_size), f(bias_correction2_sqrt), f(eps))
                    self._bump(p)
                    continue
                t = self._scratch(p._data, 1)
                den = self._scratch(p._data, 2)
                _lerp_(xp, m, d, w, t)  # m = lerp(m, d, 1 - β1)
                # v = β2·v + (1 - β2)·d·d   (torch: v.mul_(β2).addcmul_(d, d, value=1 - β2))
                xp.multiply(v, beta2, out=v)
                xp.multiply(d, 1 - beta2, out=t)
                xp.multiply(t, d, out=t)
                xp.add(v, t, out=v)
                if amsgrad:  # v̂max = max(v̂max, v)
                    xp.maximum(vmax, v, out=vmax)
                    v = vmax
                # den = sqrt(v) / sqrt(1 - β2^t) + eps
                xp.sqrt(v, out=den)
                xp.divide(den, bias_correction2_sqrt, out=den)
                xp.add(den, eps, out=den)
                # p = p + (-step_size·m) / den   (torch: p.addcdiv_(m, den, value=-step_size))
                xp.multiply(m, -step_size, out=t)
                xp.divide(t, den, out=t)
                xp.add(p._data, t, out=p._data)
                self._bump(p)
        return loss

    def _new_state(self, xp, p, group):
        state = {"exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = xp.zeros_like(p)
        return state

    def _update(self, xp, p, g, s, group, step):
        """The rule out of place (the ``differentiable=True`` path), torch's arithmetic."""
        lr, (beta1, beta2), wd = float(group["lr"]), group["betas"], group["weight_decay"]
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p = p * (1 - lr * wd)
            else:
                g = g + wd * p
        s["exp_avg"] = lerp(s["exp_avg"], g, 1 - beta1)
        s["exp_avg_sq"] = s["exp_avg_sq"] * beta2 + (1 - beta2) * g * g
        t = np.asarray(step, dtype=scalar_dtype())  # torch uses the step tensor here
        step_size_neg = -(lr / (1 - beta1**t))
        bias_correction2_sqrt = np.sqrt(1 - beta2**t)
        v = s["exp_avg_sq"]
        if group["amsgrad"]:
            v = s["max_exp_avg_sq"] = xp.maximum(s["max_exp_avg_sq"], v)
        denom = xp.sqrt(v) / (bias_correction2_sqrt * step_size_neg) + group["eps"] / step_size_neg
        return p + s["exp_avg"] / denom


class AdamW(Adam):
    r"""``torch.optim.AdamW``: Adam with decoupled weight decay ``p ← p·(1 - lr·wd)``
    applied before the moment updates (default ``weight_decay=1e-2``).

    Raises ValueError for a negative learning rate or an empty parameter list.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
            capturable=capturable, differentiable=differentiable, fused=fused,
            decoupled_weight_decay=True,
        )
