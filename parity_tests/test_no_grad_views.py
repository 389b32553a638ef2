"""A view made under ``no_grad`` written in place in grad mode: torch refuses when the write
would be recorded (its base or an operand requires grad), with one of two messages; each case
of torch's rule runs with either library and must end the same way (the same message, or no
error and the same values and gradients)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _x(lib):
    return lib.tensor([1.0, -2.0, 3.0, 0.5], requires_grad=True)


CASES = {
    "view of a non-leaf": lambda L, x: _nograd(L, lambda: x.clone()[:2]).mul_(2),
    "view of a leaf": lambda L, x: _nograd(L, lambda: x[:2]).mul_(2),
    "view() then add_": lambda L, x: _nograd(L, lambda: x.clone().view(2, 2)).add_(1),
    "unsqueeze then zero_": lambda L, x: _nograd(L, lambda: x.clone().unsqueeze(0)).zero_(),
    "no_grad view of a no_grad view": lambda L, x: _nograd(
        L, lambda: _nograd(L, lambda: x.clone()[:3])[1:]).mul_(2),
    "grad-mode select of a no_grad view": lambda L, x: _nograd(
        L, lambda: x.clone()[:3]).select(0, 0).mul_(2),
    "grad-mode slice of a no_grad view": lambda L, x: _nograd(
        L, lambda: x.clone()[:3])[:1].mul_(2),
    "setitem int": lambda L, x: _nograd(L, lambda: x.clone()[:3]).__setitem__(0, 1.0),
    "setitem slice": lambda L, x: _nograd(L, lambda: x.clone()[:3]).__setitem__(
        slice(1, None), 1.0),
    "plain base, operand requires grad": lambda L, x: _nograd(
        L, lambda: L.ones(4)[:2]).add_(x[:2]),
    "grad-mode view of a plain no_grad view": lambda L, x: _nograd(
        L, lambda: L.ones(4)[:2])[:1].add_(x[:1]),
    # allowed: nothing requires grad, or both steps on the same side of no_grad
    "plain base, number": lambda L, x: _nograd(L, lambda: L.ones(4)[:2]).add_(1),
    "detach is not such a view": lambda L, x: _nograd(L, lambda: x.clone().detach()).mul_(2),
    "both under no_grad": lambda L, x: _both_nograd(L, x),
    "both in grad mode": lambda L, x: _both_grad(x),
}


def _nograd(lib, make):
    with lib.no_grad():
        return make()


def _both_nograd(lib, x):
    a = x.clone()
    with lib.no_grad():
        v = a[:2]
        v.mul_(2)
    a.sum().backward()
    return x.grad


def _both_grad(x):
    a = x.clone()
    a[:2].mul_(3)
    (a * a).sum().backward()
    return x.grad


def _outcome(lib, name):
    try:
        out = CASES[name](lib, _x(lib))
    except RuntimeError as e:
        return "raised", str(e)
    return "ok", None if out is None else np.asarray(out.detach().numpy())


@pytest.mark.parametrize("name", list(CASES))
def test_as_torch(name):
    got, want = _outcome(tg, name), _outcome(torch, name)
    assert got[0] == want[0], f"{name}: tg {got}, torch {want}"
    if want[0] == "raised":
        assert got[1] == want[1]
    elif want[1] is not None:
        np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
