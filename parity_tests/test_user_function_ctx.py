"""A user ``autograd.Function`` as torch's "Extending PyTorch" page writes it: the torch 2
split form (``forward`` without ctx plus ``setup_context``), ``ctx.mark_non_differentiable``,
``ctx.set_materialize_grads(False)`` and ``ctx.mark_dirty`` (autograd/user_function.py).
Each case runs on torch and on tinygrad_edu
the results must be equal (found by newuser8:
the split form raised TypeError, the ctx methods AttributeError)."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg


def _run(L):
    out = {}
    class MulConst(L.autograd.Function):  # the split form (Extending PyTorch)
        @staticmethod
        def forward(x, c):
            return x * c
        @staticmethod
        def setup_context(ctx, inputs, output):
            x, c = inputs
            ctx.c = c
            ctx.save_for_backward(x)
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * ctx.c, None
    x = L.tensor([1., 2., 3.], requires_grad=True)
    MulConst.apply(x, 3.0).sum().backward()
    out["split"] = x.grad.tolist()
    class SortWithIdx(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            v, i = x.sort()
            ctx.mark_non_differentiable(i)
            ctx.save_for_backward(i)
            return v, i
        @staticmethod
        def backward(ctx, gv, gi):
            (i,) = ctx.saved_tensors
            g = L.zeros_like(gv)
            g[i] = gv
            return g
    x = L.tensor([3., 1., 2.], requires_grad=True)
    v, i = SortWithIdx.apply(x)
    out["nondiff"] = (v.requires_grad, i.requires_grad, i.grad_fn is None)
    (v * L.tensor([1., 2., 3.])).sum().backward()
    out["nondiff_grad"] = x.grad.tolist()
    class Two(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3
        @staticmethod
        def backward(ctx, g1, g2):
            out["got_none"] = (g1 is None, g2 is None)
            return (g1 * 2 if g1 is not None else 0) + (g2 * 3 if g2 is not None else 0)
    x = L.tensor([1., 2.], requires_grad=True)
    a, b = Two.apply(x)
    a.sum().backward()
    out["materialize"] = x.grad.tolist()
    class AddOneInplace(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x
        @staticmethod
        def backward(ctx, g):
            return g
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * 2
    v0 = y._version
    z = AddOneInplace.apply(y)
    out["dirty"] = (z is y, y._version > v0, type(y.grad_fn).__name__, y.tolist())
    (y * y).sum().backward()
    out["dirty_grad"] = x.grad.tolist()
    try:
        AddOneInplace.apply(L.tensor([1.0], requires_grad=True))
        out["leaf"] = "ok"
    except RuntimeError as e:
        out["leaf"] = "RuntimeError" if "leaf Variable" in str(e) else str(e)
    return out


@pytest.fixture(scope="module")
def results():
    return _run(torch), _run(tg)


@pytest.mark.parametrize("case", ["split", "nondiff", "nondiff_grad", "got_none", "materialize",
                                  "dirty", "dirty_grad", "leaf"])
def test_as_torch(results, case):
    want, got = results
    assert got[case] == want[case]


def test_once_differentiable_gives_a_gradient_without_history():
    """torch: under create_graph the gradient of a once_differentiable backward has no
    grad_fn, and differentiating it again raises RuntimeError."""
    res = []
    for L in (torch, tg):
        from_mod = torch.autograd.function if L is torch else tg.autograd

        class Sq(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @from_mod.once_differentiable
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        x = L.tensor([1.0, 2.0], requires_grad=True)
        (g,) = L.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
        with pytest.raises(RuntimeError, match="does not require grad"):
            L.autograd.grad(g.sum(), x)
        res.append((g.tolist(), g.requires_grad))
    assert res[1] == res[0] == ([2.0, 4.0], False)
