"""Adafactor: Adam-like steps with a factored (row × column) second-moment estimate."""

from __future__ import annotations

from ..dtype import finfo
from ._single import SingleTensorOptimizer, lerp
from .optimizer import _check, _check_lr


class Adafactor(SingleTensorOptimizer):
    r"""``torch.optim.Adafactor`` (Shazeer & Stern, "Adafactor: Adaptive Learning Rates with
    Sublinear Memory Cost", ICML 2018, Algorithms 4 and 5, with torch's deviations: lr caps the
    relative step size and scales decoupled weight decay; eps1 guards the variance estimate).

    With ``G = ±g``, t the step count, τ = beta2_decay, (ε1, ε2) = eps (ε1 None: the dtype's
    machine epsilon), for a parameter of n elements::

        β̂ = 1 - t^τ;   ρ = min(lr, 1/sqrt(t));   α = max(ε2, ||p||₂ / sqrt(n)) · ρ
        p = p · (1 - lr·wd)
        if G has ≥ 2 dims (factored over its last two dims, shapes (..., R, C)):
            r = lerp(r, mean_C(G²), 1 - β̂)          # state "row_var", shape (..., R, 1)
            c = lerp(c, mean_R(G²), 1 - β̂)          # state "col_var", shape (..., 1, C)
            V = (r @ c) / max(mean_R(r), ε1)
        else:
            V = lerp(v, G², 1 - β̂)                   # state "variance"
        U = G / sqrt(max(V, ε1²));   p = p - α / max(1, RMS(U)/d) · U

    State per parameter: ``step`` (float32 0-d) and ``row_var`` + ``col_var`` or ``variance``.
    Raises ValueError for lr < 0, beta2_decay > 0, eps < 0, d < 1, weight_decay < 0.
    """

    _free_shape_state = ("step", "row_var", "col_var")

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(lr >= 0.0, f"Learning rate should be >= 0 but is: {lr}")
        _check(beta2_decay <= 0.0, f"beta2_decay should be <= 0 but is: {beta2_decay}")
        _check(eps[0] is None or eps[0] >= 0.0, f"epsilon1 should be >= 0 but is: {eps[0]}")
        _check(eps[1] >= 0.0, f"epsilon2 should be >= 0 but is: {eps[1]}")
        _check(d >= 1.0, f"Clipping threshold d should be >= 1 but is: {d}")
        _check(weight_decay >= 0.0, f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(
            lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
            foreach=foreach, maximize=maximize,
        )
        super().__init__(params, defaults)

    def _new_state(self, xp, p, group):
        if p.ndim > 1:
            return {"row_var": xp.zeros(p.shape[:-1] + (1,), p.dtype),
                    "col_var": xp.zeros(p.shape[:-2] + (1,) + p.shape[-1:], p.dtype)}
        return {"variance": xp.zeros_like(p)}

    def _update(self, xp, p, g, s, group, step):
        lr, wd, d = float(group["lr"]), group["weight_decay"], group["d"]
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(finfo(p.dtype).eps)
        one_minus_beta2_t = step ** group["beta2_decay"]
        rho_t = min(lr, 1 / (step**0.5))
        alpha = max(eps2, float(xp.sqrt((p * p).sum())) / (p.size**0.5)) * rho_t
        if wd != 0:
            p = p * (1 - lr * wd)
        if g.ndim > 1:
            # torch: norm(G, dim).square() / size — the mean of G² via its 2-norm
            row_mean = xp.sqrt((g * g).sum(axis=-1, keepdims=True)) ** 2 / g.shape[-1]
            s["row_var"] = lerp(s["row_var"], row_mean, one_minus_beta2_t)
            col_mean = xp.sqrt((g * g).sum(axis=-2, keepdims=True)) ** 2 / g.shape[-2]
            s["col_var"] = lerp(s["col_var"], col_mean, one_minus_beta2_t)
            var_estimate = s["row_var"] @ s["col_var"]
            var_estimate = var_estimate / xp.maximum(
                s["row_var"].mean(axis=-2, keepdims=True), eps1)
        else:
            s["variance"] = lerp(s["variance"], g * g, one_minus_beta2_t)
            var_estimate = s["variance"]
        update = 1 / xp.sqrt(xp.maximum(var_estimate, eps1 * eps1)) * g
        denom = max(1.0, float(xp.sqrt((update * update).sum())) / ((update.size**0.5) * d))
        return p + (-alpha / denom) * update
