"""``tg.utils.checkpoint.checkpoint`` / ``checkpoint_sequential``: gradients equal to the
uncheckpointed ones and to torch's (same seed: same weights, same dropout masks), both
variants; the region really reruns during backward and keeps no activations; dropout inside
gets the forward's mask back; autograd.grad, keyword arguments, retain_graph; torch's warning
and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.utils.checkpoint as tcp

import tinygrad_edu as tg
import tinygrad_edu.utils.checkpoint as gcp


def _model(lib):
    nn = lib.nn
    lib.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.5), nn.Linear(8, 8),
                         nn.ReLU(), nn.Linear(8, 2))


def _grads(lib, cp, mode, reentrant, preserve=True):
    model = _model(lib)
    x = lib.randn(3, 4, requires_grad=True)
    lib.manual_seed(1)
    if mode == "plain":
        y = model(x)
    elif mode == "checkpoint":
        y = cp.checkpoint(model, x, use_reentrant=reentrant, preserve_rng_state=preserve)
    else:
        y = cp.checkpoint_sequential(model, 3, x, use_reentrant=reentrant,
                                     preserve_rng_state=preserve)
    y.pow(2).sum().backward()
    after = lib.randn(2)  # the generator is where the uncheckpointed run leaves it
    return [np.asarray(t.detach().numpy()) for t in
            [y, x.grad, *(p.grad for p in model.parameters()), after]]


@pytest.mark.parametrize("reentrant", [False, True], ids=["non-reentrant", "reentrant"])
@pytest.mark.parametrize("mode", ["checkpoint", "sequential"])
def test_gradients_equal_uncheckpointed_and_torch(mode, reentrant):
    plain = _grads(tg, gcp, "plain", reentrant)
    got = _grads(tg, gcp, mode, reentrant)
    want = _grads(torch, tcp, mode, reentrant)
    for g, p, w in zip(got, plain, want):
        np.testing.assert_allclose(g, p, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reentrant", [False, True], ids=["non-reentrant", "reentrant"])
def test_without_preserved_rng_state_as_torch(reentrant):
    """Dropout then draws a new mask on recompute: wrong gradients, the same as torch's."""
    got = _grads(tg, gcp, "checkpoint", reentrant, preserve=False)
    want = _grads(torch, tcp, "checkpoint", reentrant, preserve=False)
    plain = _grads(tg, gcp, "plain", reentrant)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    assert not np.allclose(got[1], plain[1])


def test_region_reruns_and_keeps_no_activation():
    calls = []

    def f(a):
        calls.append(1)
        return a.exp().sin().tanh()

    x = tg.linspace(-1, 1, 6, requires_grad=True)
    y = gcp.checkpoint(f, x, use_reentrant=False)
    node = y.grad_fn
    holders = [v for v, packed in node._saved.items if packed]
    assert holders and all(type(v).__name__ == "_Holder" and v.value is None for v in holders)
    assert len(calls) == 1
    y.sum().backward()
    assert len(calls) == 2
    np.testing.assert_allclose(x.grad.numpy(), torch.func.grad(
        lambda t: t.exp().sin().tanh().sum())(torch.linspace(-1, 1, 6)).numpy(), rtol=1e-6)


def _kw_case(lib, cp):
    def f(a, b, scale=1.0):
        return (a.sin() * b).exp() * scale

    a = lib.linspace(-1, 1, 5, requires_grad=True)
    b = lib.linspace(0, 1, 5, requires_grad=True)
    out = cp.checkpoint(f, a, b, scale=2.0, use_reentrant=False).sum()
    ga, gb = lib.autograd.grad(out, (a, b))
    out = cp.checkpoint(f, a, b, use_reentrant=False).sum()
    out.backward(retain_graph=True)
    out.backward()  # a kept graph: the region reruns for the second pass
    return [t.detach().numpy() for t in (ga, gb, a.grad, b.grad)]


def test_autograd_grad_kwargs_and_retain_graph():
    for g, w in zip(_kw_case(tg, gcp), _kw_case(torch, tcp)):
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_warning_and_errors():
    x = tg.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        gcp.checkpoint(lambda t: t * 2, x)
    assert any("use_reentrant parameter should be passed explicitly" in str(m.message)
               for m in w)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: k"):
        gcp.checkpoint(lambda t, k: t * k, x, k=2, use_reentrant=True)
    flip = []

    def changes(t):  # saves a different shape the second time
        flip.append(1)
        return (t[:1] if len(flip) > 1 else t).exp().sum()

    y = gcp.checkpoint(changes, x, use_reentrant=False)
    with pytest.raises(gcp.CheckpointError, match="different metadata"):
        y.backward()
