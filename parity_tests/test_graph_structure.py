"""The graph as a learner walks it by hand: ``grad_fn.name()`` and ``grad_fn.next_functions``
(one entry per Tensor input of the node: ``(None, 0)`` for one that does not require grad, no
entry for ``dim``/``keepdim``/an index), compared with torch's node by node down to the leaves.

A representative set from the OpInfo sweep (parity_tests/scripts/sweep_graph_structure.py),
which compares every sample's first node."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.autograd import function as _function


def walk(node, depth: int = 6):
    """The graph below ``node`` as nested (name, (child, ...)) tuples, None for (None, 0)."""
    if node is None:
        return None
    kids = () if depth == 0 else tuple(walk(n, depth - 1) for n, _ in node.next_functions)
    return (node.name(), kids)


CASES = [
    "(x * 3).sum()",  # the learner's example: no entries for dim, keepdim
    "(3 * x).sum(0)",  # a number on the left: torch's mul(x, 3)
    "((x * w) + b).tanh().sum()",
    "((x * w) + c).tanh().sum()",  # c needs no grad: (None, 0)
    "x - 2",
    "3 + x",
    "x / 2",
    "x.div(2, rounding_mode='floor')",
    "x ** 2",
    "2 ** x",
    "3 - x",
    "x.pow(w)",
    "x.sum(0, keepdim=True)",
    "x.mean((0, 1))",
    "x.exp().log()",
    "torch.where(x > 0, x, 0.0)",
    "torch.where(x > 0, 1.0, x)",
    "torch.where(x > 0, x, w)",
    "x.gather(1, torch.tensor([[0], [1]]))",
    "x[torch.tensor([0, 1])]",
    "x[x > 0]",
    "x.index_select(0, torch.tensor([1]))",
    "x.masked_fill(x > 0, 2.0)",
    "x.clamp(0, 1)",
    "x.clamp(min=c)",
    "x.view(3, 2).t()",
    "x.reshape(-1).expand(2, 6)",
    "x.permute(1, 0).contiguous()",
    "x @ w.t()",
    "torch.mm(x, w.t())",
    "torch.cat([x, w, c])",
    "torch.stack([x, c], 1)",
    "torch.nn.functional.relu(x)",
    "torch.nn.functional.softmax(x, 1)",
    "torch.nn.functional.log_softmax(x, -1)",
    "torch.nn.functional.mse_loss(x, c)",
    "torch.nn.functional.nll_loss(x, torch.tensor([0, 1]))",
    "torch.nn.functional.binary_cross_entropy_with_logits(x, c)",
    "torch.nn.functional.layer_norm(x, (3,))",
    "torch.nn.functional.layer_norm(x, (3,), b[0], b[0])",
    "torch.nn.functional.conv1d(x[None], w.t()[:, :, None])",
    "torch.nn.functional.conv1d(x[None], w.t()[:, :, None], b[0])",
    "torch.nn.functional.dropout(x, 0.5)",
    "torch.nn.functional.embedding(torch.tensor([0, 1]), x)",
    "x.max()",
    "x.sort(1)[0]",
    "x.split(1)[1]",
    "x.unsqueeze(0).squeeze(0)",
    "x.float()",
    "x.double()",
]


def _run(lib, expr):
    gen = torch.Generator().manual_seed(0)
    vals = [torch.randn(2, 3, generator=gen) for _ in range(4)]
    to = (lambda v: v.clone()) if lib is torch else (lambda v: tg.tensor(v.numpy()))
    x, w, b, c = (to(v) for v in vals)
    for t in (x, w, b):
        t.requires_grad_(True)
    if lib is torch:
        torch.manual_seed(0)
    else:
        tg.manual_seed(0)
    out = eval(expr, {"torch": lib, "x": x, "w": w, "b": b, "c": c})
    return walk(out.grad_fn)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "general"])
@pytest.mark.parametrize("expr", CASES)
def test_graph_matches_torch(expr, fast, monkeypatch):
    monkeypatch.setattr(_function, "FAST", fast)
    assert _run(tg, expr) == _run(torch, expr)


def test_next_functions_entries():
    """The report's example, literally: ``((MulBackward0, 0),)``."""
    x = tg.ones(3, requires_grad=True)
    (entry,) = (x * 3).sum().grad_fn.next_functions
    assert entry[0].name() == "MulBackward0" and entry[1] == 0
    mul = entry[0]
    assert mul.next_functions[0][0].variable is x
    assert mul.next_functions[1] == (None, 0)


def test_user_function_lists_tensors_only():
    """A user Function's node: one entry per Tensor argument, as torch's."""

    def make(lib):
        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, y):
                ctx.k = k
                return x * k + y

            @staticmethod
            def backward(ctx, g):
                return g * ctx.k, None, g

        x = lib.ones(3, requires_grad=True)
        y = lib.ones(3)
        return walk(Scale.apply(x, 2.0, y).grad_fn)

    got, want = make(tg), make(torch)
    assert got[1] == want[1]
    assert got[0] == "ScaleBackward" and want[0] == "ScaleBackward"
