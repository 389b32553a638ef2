"""Muon: momentum, then the update orthogonalized by a Newton–Schulz iteration (2-D only)."""

from __future__ import annotations

import math

import numpy as np

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, _check, _check_lr

# Keller Jordan's quintic coefficients (torch's DEFAULT_A, DEFAULT_B, DEFAULT_C) and defaults
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5
EPS = 1e-7


def bfloat16_round(x):
    """``x`` rounded to bfloat16 precision, returned as float32 (torch's ``x.bfloat16().float()``).

    bfloat16 is the upper half of a float32: 1 sign, 8 exponent, 7 mantissa bits. Tensors store
    it as ml_dtypes' type (``x.astype(bfloat16).astype(float32)`` is the plain reference, and
    ``test_bfloat16.py`` checks this against it), but CuPy has no bfloat16, so the rounding is
    done on the float32 bit pattern ``u`` exactly as c10 does it (to nearest, ties to even)::

        u' = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000        NaN -> NaN

    A float64 input is first rounded to float32, then to bfloat16 (torch converts a double to
    bfloat16 through float, so this double rounding is torch's result). Overflow rounds to ±inf.
    """
    xp = get_array_module(x)
    f = xp.asarray(x, dtype=xp.float32)
    u = f.view(xp.uint32)
    r = (u + (((u >> 16) & 1) + xp.uint32(0x7FFF))) & xp.uint32(0xFFFF0000)
    return xp.where(xp.isnan(f), f, r.view(xp.float32))


def _fma(a, b, c):
    """a·b + c rounded once, as torch's CPU kernels (``lerp``, ``add(alpha=)``) compute it.

    float32: the product is exact in float64 and the sum rounded to float32 (double rounding
    here differs from a true fma only when the float64 sum itself is inexact: a ~2^-29 event).
    float64: a·b + c in two roundings (torch's fused result can differ in the last bit)."""
    xp = get_array_module(c)
    if c.dtype == xp.float32:
        return (xp.float64(a) * b.astype(xp.float64) + c).astype(xp.float32)
    return a * b + c


def _lerp(start, end, w: float):
    """torch.lerp(start, end, w) for a Python weight, rounded as torch's kernel (one fma):
    start + w·(end - start) if |w| < 0.5 else end + (w - 1)·(end - start)."""
    w = start.dtype.type(w)
    if abs(w) < 0.5:
        return _fma(w, end - start, start)
    return _fma(w - start.dtype.type(1), end - start, end)


def zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps: int, eps: float):
    r"""The Newton–Schulz orthogonalization of a (R, C) array, as torch (in bfloat16).

    With (a, b, c) the coefficients::

        X = G in bfloat16, transposed when R > C       # (min(R, C), max(R, C))
        X = X / max(||X||_F, eps)                       # spectral norm <= 1
        ns_steps times:   A = X Xᵀ;   B = b·A + c·A A;   X = a·X + B X

    which pushes every singular value of X towards [0.7, 1.2] (about U Vᵀ of the SVD U S Vᵀ).
    dtype rule: torch runs it in bfloat16: every stored result (the cast, the norm, the division,
    each matmul/addmm) is rounded to bfloat16 from a float32 computation; here the same roundings
    are applied with :func:`bfloat16_round` to float32 arrays. The float32 dot products follow
    NumPy's BLAS, not torch's kernels (a 4-way split sum for small matrices, oneDNN blocks above
    16³ multiply-adds), so now and then one bfloat16 rounding lands on the other side: none in
    ~4·10^5 elements measured for small matrices, ~1 in 10^5 for 64x128, and the iteration
    amplifies such a one-ulp flip (about ×3 per remaining step). Returns float32 holding
    bfloat16 values, shape (R, C).

    Raises ValueError (torch's messages) for ns_steps >= 100, a non-2-D ``grad``, or
    ``ns_coefficients`` that are not 3 values.
    """
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    xp = get_array_module(grad)
    f32 = xp.float32
    a, b, c = (f32(v) for v in ns_coefficients)  # addmm's alpha/beta: float32 (opmath)
    x = bfloat16_round(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = bfloat16_round(xp.sqrt((x * x).sum(dtype=f32)))  # float32 sum, bf16 result
    eps = float(bfloat16_round(np.float32(eps)))  # clamp(min=eps): eps cast to bfloat16
    x = bfloat16_round(x / xp.maximum(norm, f32(eps)))
    for _ in range(ns_steps):
        # torch's CPU gemm stores beta·C + alpha·(A@B) from float32 as fma(beta, C, alpha·dot)
        gram = bfloat16_round(x @ x.T)                                 # A = X Xᵀ
        update = bfloat16_round(_fma(b, gram, c * (gram @ gram)))      # B = b·A + c·A A
        x = bfloat16_round(_fma(a, x, update @ x))                     # X = a·X + B X
    return x.T if tall else x


def _lr_scale(adjust_lr_fn: str | None, shape) -> float:
    """The learning-rate scale s for a (A, B) parameter: sqrt(max(1, A/B)) ("original", Keller
    Jordan) or 0.2·sqrt(max(A, B)) ("match_rms_adamw", Moonshot: the update RMS of AdamW)."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return ratio


class Muon(Optimizer):
    r"""``torch.optim.Muon`` (Keller Jordan, "Muon: An optimizer for hidden layers in neural
    networks", 2024; "match_rms_adamw" from Liu et al., "Muon is Scalable for LLM Training",
    2025), for 2-D parameters only (use AdamW for biases and embeddings).

    With g the gradient, μ = momentum, (a, b, c) = ns_coefficients, k = ns_steps, for a
    parameter of shape (A, B)::

        m = lerp(m, g, 1 - μ) = μ·m + (1 - μ)·g     # state "momentum_buffer"
        u = lerp(g, m, μ)   if nesterov else m
        O = NS_k^(a,b,c)(u; eps)                     # zeropower_via_newtonschulz (bfloat16)
        p = p · (1 - lr·wd)                          # decoupled weight decay
        p = p - lr·s · O,   s = sqrt(max(1, A/B))            ("original", the default)
                            s = 0.2·sqrt(max(A, B))          ("match_rms_adamw")

    dtype rule: m and p keep the parameter's dtype; O is computed in bfloat16 (as torch, on
    every device), so the update is bfloat16-accurate even for float64 parameters. A Tensor lr
    is used as a float32 0-d tensor, as torch: 1 - lr·wd and lr·s are rounded to float32.

    State per parameter: ``momentum_buffer`` (no ``step``). Raises ValueError for a multi-element
    Tensor lr, lr, momentum or weight_decay < 0, an unknown adjust_lr_fn, a parameter that is
    not 2-D (torch's messages); at ``step()`` as :func:`zeropower_via_newtonschulz`.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B, DEFAULT_C),
        eps: float = EPS,
        ns_steps: int = DEFAULT_NS_STEPS,
        adjust_lr_fn: str | None = None,
    ) -> None:
        _check_lr(lr)
        _check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _check(0.0 <= momentum, f"momentum should be >= 0 but is: {momentum}")
        _check(0.0 <= weight_decay, f"weight decay should be >= 0 but is: {weight_decay}")
        _check(
            adjust_lr_fn is None or adjust_lr_fn in ("original", "match_rms_adamw"),
            f"Adjust learning rate function {adjust_lr_fn} is not supported",
        )
        defaults = dict(
            lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
            ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps,
            adjust_lr_fn=adjust_lr_fn,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                _check(
                    p.ndim == 2,
                    "Muon only supports 2D parameters whereas we found a parameter with size: "
                    f"{p.size()}",
                )

    def step(self, closure=None):
        """Perform one optimization step (``closure`` re-evaluates the loss, as torch)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            for p in params:  # as torch's _init_group: every buffer first, then the updates
                if "momentum_buffer" not in self.state[p]:
                    self.state[p]["momentum_buffer"] = Tensor._wrap(
                        get_array_module(p.grad._data).zeros_like(p.grad._data)
                    )
            for p in params:
                self._update(p, self.state[p], group)
        return loss

    @staticmethod
    def _update(p: Tensor, state: dict, group: dict) -> None:
        """One parameter's step, in torch's order of operations and roundings."""
        g = p.grad._data
        if g.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        momentum = group["momentum"]
        buf = state["momentum_buffer"]._data
        buf[...] = _lerp(buf, g, 1 - momentum)  # buf.lerp_(grad, 1 - momentum)
        update = _lerp(g, buf, momentum) if group["nesterov"] else buf
        ortho = zeropower_via_newtonschulz(
            update, group["ns_coefficients"], group["ns_steps"], group["eps"]
        )
        lr, wd = group["lr"], group["weight_decay"]
        scale = _lr_scale(group["adjust_lr_fn"], p.shape)
        if isinstance(lr, Tensor):  # torch keeps a 0-d tensor: arithmetic in its dtype
            dt = lr._data.dtype.type
            lr, wd, scale, one = dt(lr.item()), dt(wd), dt(scale), dt(1)
        else:
            one = 1.0
        decay, step_size = one - lr * wd, lr * scale
        data = p._data
        data *= data.dtype.type(decay)                     # param.mul_(1 - lr·wd)
        data[...] = _fma(data.dtype.type(-step_size), ortho.astype(data.dtype), data)
        Optimizer._bump(p)
