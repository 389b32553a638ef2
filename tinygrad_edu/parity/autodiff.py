"""Gradient and second-derivative comparisons for one sample.

First order (``grad``): the differentiable outputs (floating tensors that require grad, after
the sample's ``output_process_fn_grad``) get a seeded random upstream gradient ``u``; torch's
``torch.autograd.grad(outs, inputs, u, allow_unused=True)`` is compared with tinygrad_edu's
``tg.autograd.grad`` for every input tensor that requires grad. An unused input's gradient
(None) counts as zeros on either side. With several outputs, tinygrad_edu differentiates the
scalar ``sum_i (out_i * u_i).sum()``, which has exactly the same gradient.

Second order (``gradgrad``): the first-order gradients ``g`` are taken with ``create_graph=True``
and with ``u`` itself requiring grad (as torch's gradgradcheck does); a second upstream ``v``
is pulled back through ``g`` to the inputs and to ``u``. While tinygrad_edu's engine cannot
build a graph of its backward (:func:`engine_has_create_graph`), the check reports "not yet
supported" instead of running.
"""

from __future__ import annotations

import functools

import torch

import tinygrad_edu as tg

from .calls import call, first_line, raised, seeded
from .compare import Mismatch, assert_same
from .convert import leaves, to_numpy
from .resolve import from_test_module, rebind


@functools.lru_cache(maxsize=1)
def engine_has_create_graph() -> str | None:
    """None when ``tg.autograd.grad(..., create_graph=True)`` works, else why not."""
    x = tg.tensor([1.5, -2.0], dtype=tg.float64, requires_grad=True)
    try:
        (g,) = tg.autograd.grad((x * x * x).sum(), x, create_graph=True)
        (h,) = tg.autograd.grad(g.sum(), x)
    except NotImplementedError as e:
        return f"not yet supported: {first_line(e)}"
    if h is None or abs(float(h.sum()) - 6 * (1.5 - 2.0)) > 1e-12:
        return "not yet supported: create_graph=True gives no or a wrong second derivative"
    return None


def grad_inputs(s) -> list:
    """The tensors of a sample that require grad, in order, each once."""
    seen, out = set(), []
    for leaf in leaves((s.input, tuple(s.args), dict(s.kwargs))):
        if isinstance(leaf, torch.Tensor) and leaf.requires_grad and id(leaf) not in seen:
            seen.add(id(leaf))
            out.append(leaf)
    return out


def flat(obj) -> list:
    return list(leaves(obj)) if isinstance(obj, (list, tuple)) else [obj]


def process_tg(fn, out):
    """The sample's ``output_process_fn_grad`` on a tg result; a function of torch's test module
    that calls ``torch.*`` is retried rebound to tinygrad_edu."""
    try:
        return fn(out)
    except Exception:
        alt = rebind(fn) if from_test_module(fn) else None
        if alt is None:
            raise
        return alt(out)


def differentiable(outs) -> list:
    """Positions of the outputs torch can differentiate."""
    return [
        k
        for k, o in enumerate(outs)
        if isinstance(o, torch.Tensor) and o.requires_grad and o.dtype.is_floating_point
    ]


def upstream(outs, positions, seed: int, requires_grad: bool = False) -> list:
    gen = torch.Generator().manual_seed(seed)
    return [
        torch.randn(outs[k].shape, dtype=outs[k].dtype, generator=gen).requires_grad_(requires_grad)
        for k in positions
    ]


def tg_vjp(outs, inputs, ups, create_graph: bool = False):
    """``tg.autograd.grad`` of ``outs`` under upstream ``ups`` (one output: passed directly)."""
    if len(outs) == 1:
        return tg.autograd.grad(
            outs[0], inputs, grad_outputs=ups[0], allow_unused=True, create_graph=create_graph
        )
    total = None
    for o, u in zip(outs, ups):
        term = (o * u).sum()
        total = term if total is None else total + term
    return tg.autograd.grad(total, inputs, allow_unused=True, create_graph=create_graph)


def _compare_grads(got, expected, tg_inputs, torch_inputs, tols, labels) -> None:
    if len(got) != len(expected):
        raise Mismatch("grad count", f"{len(got)} gradients for {len(expected)} inputs")
    for j, (g, e) in enumerate(zip(got, expected)):
        if e is None:
            e = torch.zeros_like(torch_inputs[j])
        if g is None:
            g = tg.zeros_like(tg_inputs[j])
        assert_same(g, e, tols, labels[j])


def pick_graph_outputs(outs, positions, what: str) -> list:
    """The tg outputs at torch's differentiable ``positions``, each a tensor with a graph."""
    picked = []
    for k in positions:
        o = outs[k] if k < len(outs) else None
        if not isinstance(o, tg.Tensor) or not o.requires_grad:
            raise Mismatch(
                "no graph",
                f"{what} {k} does not require grad (torch's does): "
                "the gradient would be silently dropped",
            )
        picked.append(o)
    return picked


def compare_vjp(t_outs, g_outs, t_inputs, g_inputs, tols, seed: int, labels=None):
    """First-order gradients of flat output lists w.r.t. matching input lists. Returns False
    when there is nothing to differentiate, None when they match, else (kind, message)."""
    pos = differentiable(t_outs)
    if not t_inputs or not pos:
        return False
    labels = labels or [f"grad of input {j}" for j in range(len(t_inputs))]
    ups = upstream(t_outs, pos, seed)
    want = call(torch.autograd.grad, [t_outs[k] for k in pos], t_inputs, ups, allow_unused=True)
    try:
        outs = pick_graph_outputs(g_outs, pos, "output")
    except Mismatch as m:
        return m.kind, str(m)
    got = call(tg_vjp, outs, g_inputs, [tg.tensor(to_numpy(u)) for u in ups])
    return _judge(got, want, g_inputs, t_inputs, tols, labels)


def check_grad(s, t_out, g_out, memo, tols, seed: int) -> tuple[str, str] | None | bool:
    """First-order gradients of one OpInfo sample (see :func:`compare_vjp`)."""
    t_inputs = grad_inputs(s)
    t_outs = flat(s.output_process_fn_grad(t_out))
    if not t_inputs or not differentiable(t_outs):
        return False
    try:
        g_outs = flat(process_tg(s.output_process_fn_grad, g_out))
    except Exception as e:
        return raised(e), f"output_process_fn_grad on tg's result: {first_line(e)}"
    return compare_vjp(t_outs, g_outs, t_inputs, [memo[id(t)] for t in t_inputs], tols, seed)


def check_gradgrad(s, torch_fn, tg_fn, tols, seed: int) -> tuple[str, str] | None | bool:
    """Compare second derivatives of one sample (fresh forward passes on both sides)."""
    from .convert import ToTg

    t_inputs = grad_inputs(s)
    t_outs = flat(s.output_process_fn_grad(seeded(torch_fn, torch)(s.input, *s.args, **s.kwargs)))
    pos = differentiable(t_outs)
    if not t_inputs or not pos:
        return False
    u1 = upstream(t_outs, pos, seed, requires_grad=True)
    g1 = torch.autograd.grad(
        [t_outs[k] for k in pos], t_inputs, u1, create_graph=True, allow_unused=True
    )
    second = [k for k, g in enumerate(g1) if g is not None and g.requires_grad]
    if not second:
        return False
    u2 = upstream(list(g1), second, seed + 1)
    want = call(torch.autograd.grad, [g1[k] for k in second], t_inputs + u1, u2, allow_unused=True)

    conv = ToTg()
    inp, args, kwargs = conv.sample(s)
    g_inputs = [conv.memo[id(t)] for t in t_inputs]
    g_u1 = [tg.tensor(to_numpy(u.detach()), requires_grad=True) for u in u1]
    try:
        g_outs = flat(process_tg(s.output_process_fn_grad, seeded(tg_fn, tg)(inp, *args, **kwargs)))
        first = tg_vjp(pick_graph_outputs(g_outs, pos, "output"), g_inputs, g_u1, create_graph=True)
        picked = pick_graph_outputs(list(first), second, "first-order gradient")
    except Mismatch as m:
        return m.kind, str(m)
    except Exception as e:
        return raised(e), first_line(e)
    got = call(tg_vjp, picked, g_inputs + g_u1, [tg.tensor(to_numpy(v)) for v in u2])
    labels = [f"gradgrad of input {j}" for j in range(len(t_inputs))] + [
        f"gradgrad of upstream {j}" for j in range(len(u1))
    ]
    return _judge(got, want, g_inputs + g_u1, t_inputs + u1, tols, labels)


def _judge(got, want, g_inputs, t_inputs, tols, labels) -> tuple[str, str] | None:
    if not want.ok:
        if not got.ok and isinstance(got.error, type(want.error)):
            return None
        return "torch raises", f"torch's backward raises {first_line(want.error)}"
    if not got.ok:
        return raised(got.error), first_line(got.error)
    try:
        _compare_grads(got.value, want.value, g_inputs, t_inputs, tols, labels)
    except Mismatch as m:
        return m.kind, str(m)
    return None
