"""Mask-only backwards under ``create_graph=True``: the gradient must depend on the input.

The backward of a piecewise-linear op (relu, leaky_relu, hardtanh, threshold, the shrinks,
prelu, max pooling) is ``g`` masked (or scaled) by where ``x`` lies: ``mask(x) · g``. Its
derivative in ``x`` is zero almost everywhere, yet torch records that backward as a function of
``x`` (``threshold_backward(grad, self, threshold)`` in derivatives.yaml, whose own derivative
in ``self`` is ``zeros_like(grad)``). So under ``create_graph=True`` torch's gradient requires
grad whenever ``x`` does, and a further backward through it gives ``x`` a zero gradient (a
tensor of zeros, not None; not the "does not require grad" error). Computed from a bool mask
alone, ours would be a constant.

:func:`depends_on` adds that dependence: in Tensor mode (``ctx`` is the engine's ``GraphCtx``)
it returns ``g`` recorded as ``z = g`` with ∂z/∂g = 1 and ∂z/∂x = 0 (:class:`ZeroDerivFn`);
on arrays (every first-order backward) it returns ``g`` untouched, so the everyday backward does
exactly the NumPy work it did before. :class:`LinkFn` does the same for an op whose double
backward differentiates its ``reference`` (max pooling): it sits on the reference's output and
makes the gradient passing through it depend on the input.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..autograd.node import input_tensor
from ..backend import get_array_module
from ..tensor import Tensor


class ZeroDerivFn(Function):
    """z = g, a function of (g, x) with ∂z/∂g = 1 and ∂z/∂x = 0 (x's value is not read).

    ``missing``: torch has no derivative for this backward (hardsigmoid's): a further backward
    through it raises RuntimeError, as torch."""

    array_io = True

    @staticmethod
    def forward(ctx, g, x, missing=None):
        ctx.x_meta = (x.shape, x.dtype, missing)
        return g.view()  # (a distinct array object over g's memory)

    @staticmethod
    def backward(ctx, gz):
        shape, dtype, missing = ctx.x_meta
        if missing is not None:
            raise RuntimeError(f"derivative for {missing} is not implemented")
        data = gz._data if isinstance(gz, Tensor) else gz
        zeros = get_array_module(data).zeros(shape, dtype)
        return gz, (Tensor._wrap(zeros) if isinstance(gz, Tensor) else zeros), None


def depends_on(ctx, g, i: int = 0, missing: str | None = None):
    """``g`` (a backward's result for input ``i``), recorded under ``create_graph`` as a function
    of input ``i`` of ``ctx``'s node with a zero derivative; ``g`` itself otherwise (arrays, or
    an input that does not require grad)."""
    if not isinstance(g, Tensor):
        return g
    edge = ctx.next[i] if i < len(ctx.next) else None
    if edge is None:
        return g
    shape, dtype = edge[2], edge[3]
    x = input_tensor(ctx._node, i, np.broadcast_to(np.zeros((), dtype), shape))
    return ZeroDerivFn.apply(g, x, missing)


class LinkFn(Function):
    """y = out on the way forward; on the way back under ``create_graph`` the gradient is made a
    function of ``x`` (zero derivative): for an op whose double backward differentiates its
    ``reference``, which would otherwise give a constant gradient. ∂y/∂out = 1, ∂y/∂x = 0."""

    array_io = True

    @staticmethod
    def forward(ctx, out, x):
        return out.view()

    @staticmethod
    def backward(ctx, g):
        return depends_on(ctx, g, 1), None


def link(out: Tensor, x: Tensor) -> Tensor:
    """``out`` (computed from ``x`` by a reference) passed through :class:`LinkFn`."""
    return LinkFn.apply(out, x) if x.requires_grad else out
