"""``gradgradcheck``: second derivatives checked by finite differences — :func:`gradcheck`
applied to the first derivatives, which the engine computes with ``create_graph=True``.
:func:`~tinygrad_edu.autograd._slow_gradcheck.first_derivatives_fn` builds that map (shared with
``tg.autograd.gradgradcheck``)."""

from __future__ import annotations

from ..autograd._slow_gradcheck import first_derivatives_fn
from .gradcheck import gradcheck


def gradgradcheck(fn, inputs, grad_outputs=None, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, seed: int = 0,
                  **kwargs) -> bool:
    """Check second derivatives: :func:`gradcheck` (kink-aware) of the map
    (inputs, v) ↦ vᵀ·∂fn/∂inputs built by :func:`first_derivatives_fn`, whose backward is the
    engine's double backward (``create_graph=True``). Returns True, or raises
    :class:`GradcheckError` (False with ``raise_exception=False``)."""
    new_fn, all_inputs = first_derivatives_fn(fn, inputs, grad_outputs, seed)
    return gradcheck(new_fn, all_inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, **kwargs)
