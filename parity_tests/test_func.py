"""``tg.func`` (grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap,
functional_call) against ``torch.func`` on the examples of torch's docs and its per-sample
gradients tutorial: each example runs with either library and the results must agree
(structure, shapes, values), as must the error types and messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _same(got, want, path="out"):
    if isinstance(want, torch.Tensor):
        assert isinstance(got, tg.Tensor), f"{path}: {type(got).__name__}"
        assert tuple(got.shape) == tuple(want.shape), path
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], path
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=path)
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), path
        for k in want:
            _same(got[k], want[k], f"{path}[{k!r}]")
    elif isinstance(want, (tuple, list)):
        assert type(got) is type(want) and len(got) == len(want), f"{path}: {got!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            _same(g, w, f"{path}[{i}]")
    else:
        assert got == want, path


def _inputs(lib):
    gen = torch.Generator().manual_seed(0)
    x0 = torch.randn((), generator=gen)
    a = torch.randn(4, generator=gen)
    b = torch.randn(4, generator=gen)
    m = torch.randn(2, 3, generator=gen)
    n = torch.randn(2, 3, generator=gen)
    vals = (x0, a, b, m, n)
    return vals if lib is torch else tuple(tg.tensor(v.numpy()) for v in vals)


EXAMPLES = {
    # torch.func.grad's docstring
    "grad sin": lambda L, x, a, b, m, n: L.func.grad(L.sin)(x),
    "grad grad sin": lambda L, x, a, b, m, n: L.func.grad(L.func.grad(L.sin))(x),
    "grad argnums": lambda L, x, a, b, m, n: L.func.grad(
        lambda p, q: (p * q.exp()).sum(), argnums=(0, 1))(a, b),
    "grad has_aux": lambda L, x, a, b, m, n: L.func.grad(
        lambda p: (p.sin().sum(), p.cos()), has_aux=True)(a),
    "grad dict": lambda L, x, a, b, m, n: L.func.grad(
        lambda d: (d["w"] * d["v"]).sum())({"w": a, "v": b}),
    "grad_and_value": lambda L, x, a, b, m, n: L.func.grad_and_value(
        lambda p: (p ** 2).sum())(a),
    "vjp": lambda L, x, a, b, m, n: L.func.vjp(L.sin, a)[1](L.ones(4)),
    "vjp two": lambda L, x, a, b, m, n: L.func.vjp(lambda p, q: (p * q, p + q), a, b)[1](
        (L.ones(4), b)),
    "jvp": lambda L, x, a, b, m, n: L.func.jvp(L.sin, (a,), (L.ones(4),)),
    "jvp two": lambda L, x, a, b, m, n: L.func.jvp(lambda p, q: p * q.tanh(), (a, b), (b, a)),
    "jacrev": lambda L, x, a, b, m, n: L.func.jacrev(L.sin)(a),
    "jacrev argnums": lambda L, x, a, b, m, n: L.func.jacrev(
        lambda p, q: p.sin() * q, argnums=(0, 1))(a, b),
    "jacrev 2-D": lambda L, x, a, b, m, n: L.func.jacrev(lambda p: p @ p.t())(m),
    "jacrev of jacrev": lambda L, x, a, b, m, n: L.func.jacrev(L.func.jacrev(
        lambda p: (p ** 3).sum()))(a),
    "jacfwd": lambda L, x, a, b, m, n: L.func.jacfwd(lambda p: p.sin() * p.sum())(a),
    "hessian": lambda L, x, a, b, m, n: L.func.hessian(lambda p: p.sin().sum())(a),
    "hessian mixed": lambda L, x, a, b, m, n: L.func.hessian(
        lambda p: (p ** 3).sum() + p.prod())(a[:3]),
    # torch.func.vmap's docstring
    "vmap dot": lambda L, x, a, b, m, n: L.func.vmap(L.dot)(m, n),
    "vmap mv in_dims": lambda L, x, a, b, m, n: L.func.vmap(L.mv, in_dims=(0, None))(
        L.stack([m, n]), a[:3]),
    "vmap nested": lambda L, x, a, b, m, n: L.func.vmap(L.func.vmap(L.dot))(
        L.stack([m, n]), L.stack([n, m])),
    "vmap in_dims 1": lambda L, x, a, b, m, n: L.func.vmap(lambda p: p.sum(), in_dims=1)(m),
    "vmap out_dims": lambda L, x, a, b, m, n: L.vmap(lambda p: (p, p * 2), out_dims=(0, 1))(m),
    "vmap kwargs": lambda L, x, a, b, m, n: L.vmap(lambda p, scale=1.0: p * scale)(m, scale=3.0),
    "vmap of grad": lambda L, x, a, b, m, n: L.vmap(L.func.grad(lambda p: (p.sin() * p).sum()))(
        m),
    "vmap of jacrev": lambda L, x, a, b, m, n: L.vmap(L.func.jacrev(L.tanh))(m),
    "grad of vmap": lambda L, x, a, b, m, n: L.func.grad(
        lambda p: L.vmap(L.dot)(p, n).sum())(m),
}


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_example_matches_torch(name):
    fn = EXAMPLES[name]
    _same(fn(tg, *_inputs(tg)), fn(torch, *_inputs(torch)))


def _per_sample(lib):
    """torch's per-sample-gradients tutorial, shrunk."""
    F = lib.nn.functional
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.ReLU(), lib.nn.Linear(4, 3))
    data = lib.randn(6, 5)
    targets = lib.tensor([0, 1, 2, 0, 1, 2])
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def compute_loss(params, buffers, sample, target):
        predictions = lib.func.functional_call(model, (params, buffers),
                                               (sample.unsqueeze(0),))
        return F.cross_entropy(predictions, target.unsqueeze(0))

    grads = lib.func.vmap(lib.func.grad(compute_loss), in_dims=(None, None, 0, 0))(
        params, buffers, data, targets)
    loops = {}
    for i in range(6):  # the plain way: one backward per sample
        model.zero_grad()
        F.cross_entropy(model(data[i:i + 1]), targets[i:i + 1]).backward()
        for k, p in model.named_parameters():
            loops.setdefault(k, []).append(p.grad.clone())
    return grads, {k: lib.stack(v) for k, v in loops.items()}


def test_per_sample_gradients():
    got, loop = _per_sample(tg)
    want, _ = _per_sample(torch)
    _same(got, want)
    _same(got, {k: torch.from_numpy(v.numpy()) for k, v in loop.items()})


def test_functional_call_leaves_the_module_alone():
    def run(lib):
        lib.manual_seed(0)
        model = lib.nn.Linear(3, 2)
        x = lib.ones(1, 3)
        before = model(x)
        zero = {k: v * 0 for k, v in model.named_parameters()}
        out = lib.func.functional_call(model, zero, (x,))
        jac = lib.func.jacrev(lambda p: lib.func.functional_call(model, p, (x,)))(
            dict(model.named_parameters()))
        return out, before, model(x), jac

    _same(run(tg), run(torch))


def test_composes_with_autograd():
    """A gradient of an input that requires grad stays differentiable (as torch's)."""

    def run(lib):
        w = lib.linspace(0.5, 1.5, 3).requires_grad_()
        g = lib.func.grad(lambda t: t.sin().sum())(w)
        g.sum().backward()
        inner = lib.func.grad(lambda q: lib.func.grad(
            lambda p, r: (p * r ** 2).sum())(lib.ones(3), q).sum())(lib.linspace(1, 2, 3))
        return g.requires_grad, w.grad, inner

    _same(run(tg), run(torch))


ERRORS = {
    "grad of non-scalar": lambda L, a, m: L.func.grad(lambda p: p * 2)(a),
    "grad argnum": lambda L, a, m: L.func.grad(lambda p: p.sum(), argnums=2)(a),
    "vmap sizes": lambda L, a, m: L.vmap(lambda p, q: p + q)(m, L.ones(3, 3)),
    "vmap in_dim": lambda L, a, m: L.vmap(lambda p: p, in_dims=2)(m),
    "vmap non-tensor out": lambda L, a, m: L.vmap(lambda p: 3)(m),
    "vmap non-tensor in": lambda L, a, m: L.vmap(lambda p: p)(3),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    fn = ERRORS[name]
    with pytest.raises(Exception) as want:
        fn(torch, torch.ones(4), torch.ones(2, 3))
    with pytest.raises(type(want.value)) as got:
        fn(tg, tg.ones(4), tg.ones(2, 3))
    assert str(got.value) == str(want.value)
