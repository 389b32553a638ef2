"""``gradgradcheck``: second derivatives checked by finite differences — :func:`gradcheck`
applied to the first derivatives, which the engine computes with ``create_graph=True``.
:func:`first_derivatives_fn` builds that map; ``tg.autograd.gradgradcheck`` uses it too."""

from __future__ import annotations

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor
from .gradcheck import _outputs, gradcheck


def first_derivatives_fn(fn, inputs, grad_outputs=None, seed: int = 0):
    """The map ``(inputs, v) ↦ vᵀ·∂fn/∂inputs`` and its arguments ``inputs + grad_outputs``.

    ``grad_outputs`` (one per floating output of ``fn``) default to seeded random float64
    tensors that require grad, so the derivative with respect to them is checked too (as
    torch's gradgradcheck does). Returns ``(new_fn, all_inputs)``."""
    from ..autograd import enable_grad, grad

    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    n = len(inputs)
    if grad_outputs is None:
        with no_grad():
            outs = _outputs(fn(*inputs))
        rs = np.random.RandomState(seed)
        grad_outputs = tuple(
            Tensor._wrap(rs.standard_normal(o._data.shape)).requires_grad_(True) for o in outs)
    grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)

    wrt_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivatives(*args):
        # the finite-difference passes call this without a graph: differentiate fresh leaves
        xs = [x if not isinstance(x, Tensor) or i not in wrt_idx or x.requires_grad
              else x.detach().requires_grad_(True) for i, x in enumerate(args[:n])]
        with enable_grad():
            outs = _outputs(fn(*xs))
            pairs = [(o, v) for o, v in zip(outs, args[n:]) if o.requires_grad]
            gs = grad([o for o, _ in pairs], [xs[i] for i in wrt_idx], [v for _, v in pairs],
                      create_graph=True, allow_unused=True)
        return tuple(g if g is not None else xs[i] * 0 for i, g in zip(wrt_idx, gs))

    return first_derivatives, tuple(inputs) + grad_outputs


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
