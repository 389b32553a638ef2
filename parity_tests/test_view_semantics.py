"""Views and in-place ops as torch has them: a view shares its base's memory and version
counter, so writes through it land in the base (and their gradients flow), and a value saved
for backward that an in-place op changed is an error, never a silently stale gradient.

Found by a new-user trial (newuser8): ``a[1]`` on a 1-d tensor was a copy (NumPy returns a
scalar when every dim is indexed by an int), so ``a[1].add_(10)`` was lost, silently."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg

SINGLE_ELEMENT_WRITES = {
    "a[1].add_(10)": lambda L: (lambda a: (a[1].add_(10), a)[1])(L.arange(3.0)),
    "zeros(2,2)[0,1].fill_(3)": lambda L: (lambda b: (b[0, 1].fill_(3), b)[1])(L.zeros(2, 2)),
    "t[i].add_(i) in a loop": lambda L: (lambda t: ([t[i].add_(i) for i in range(3)], t)[1])(
        L.zeros(3)),
    "select(0, 1).add_(5)": lambda L: (lambda c: (c.select(0, 1).add_(5), c)[1])(L.arange(3.0)),
    "a[..., 2].mul_(7)": lambda L: (lambda d: (d[..., 2].mul_(7), d)[1])(L.arange(3.0)),
    "a[-1] view sees a later write": lambda L: (lambda a, v: (a.add_(1), v)[1])(
        *(lambda a: (a, a[-1]))(L.arange(3.0))),
}


@pytest.mark.parametrize("name", sorted(SINGLE_ELEMENT_WRITES))
def test_a_single_element_is_a_view(name):
    got, want = (SINGLE_ELEMENT_WRITES[name](L).tolist() for L in (tg, torch))
    assert got == want


def test_a_write_through_a_single_element_view_keeps_its_gradient():
    res = []
    for L in (torch, tg):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y[0].mul_(3)
        y.sum().backward()
        res.append((y.tolist(), x.grad.tolist()))
    assert res[1] == res[0] == ([3.0, 2.0], [3.0, 1.0])


def test_a_saved_single_element_view_is_checked_by_the_version_counter():
    for L in (torch, tg):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x.clone()
        z = y[0] * y[0]
        y.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.backward()


@pytest.mark.parametrize("expr", ["x[::-1]", "x[:, ::-2]", "x[::0]", "x[1:5:2]", "x[5:1]"])
def test_slice_steps_as_torch(expr):
    """torch has no negative strides: a negative step is a ValueError (use flip)."""
    def run(L):
        try:
            return eval(expr, {"x": L.arange(12.0).reshape(6, 2)}).tolist()
        except ValueError as e:
            return f"ValueError: {e}"
    assert run(tg) == run(torch)


def _stale_view_cases(L):
    """Views made before an in-place op on their base (or on another view of it): torch
    regenerates their history, so the gradient flows through the in-place op."""
    out = {}
    x = L.tensor([1.0, 2, 3, 4], requires_grad=True)
    a = x.clone()
    v = a[:2]
    a.mul_(3)
    v.sum().backward()
    out["v = a[:2]; a.mul_(3)"] = x.grad.tolist()
    x, y = L.tensor([1.0, 2, 3, 4], requires_grad=True), L.tensor(2.0, requires_grad=True)
    a = x.clone().view(2, 2)
    b = a.view(-1)
    b[0] += y
    a.sum().backward()
    out["b = a.view(-1); b[0] += y"] = (x.grad.tolist(), y.grad.tolist())
    x, w = L.tensor([[1.0, 2], [3, 4]], requires_grad=True), L.tensor(5.0, requires_grad=True)
    y = x * 1
    z = y[:, 1]
    y[0, 1] = w
    (z * 2).sum().backward()
    out["z = y[:, 1]; y[0, 1] = w"] = (x.grad.tolist(), w.grad.tolist())
    x = L.tensor([1.0, 2, 3], requires_grad=True)
    y = x * 1
    v = y.view(3)
    y.add_(x)
    (v * v).sum().backward()
    out["v = y.view(3); y.add_(x)"] = x.grad.tolist()
    x = L.tensor([1.0, 2, 3], requires_grad=True)
    a = L.zeros(3)
    v = a[1:]
    a.add_(x)  # a did not require grad: its view does now
    (v * 2).sum().backward()
    out["a = zeros(3); v = a[1:]; a.add_(x)"] = (v.requires_grad, x.grad.tolist())
    return out


def test_a_view_made_before_an_in_place_op_on_its_base_follows_it():
    got, want = _stale_view_cases(tg), _stale_view_cases(torch)
    assert got == want


@pytest.mark.parametrize("make", [
    lambda y: y.split(2)[0], lambda y: y.chunk(2)[1], lambda y: y.view(2, 2).unbind()[0],
    lambda y: y.split([1, 3])[1]], ids=["split", "chunk", "unbind", "split_with_sizes"])
def test_in_place_on_a_multi_output_view_is_refused_while_recording(make):
    for L in (torch, tg):
        x = L.arange(4.0, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"Output \d of \w+ is a view and is being modified"):
            make(x.clone()).mul_(2)
        with L.no_grad():  # not recorded: allowed
            make(x.clone()).mul_(2)
        make(L.arange(4.0)).mul_(2)  # nothing requires grad: allowed


def test_in_place_on_the_pieces_torch_allows():
    """tensor_split's pieces are ordinary views: writes flow into the base's gradient. (The
    unsafe_* twins are allowed too; torch then leaves the base's history as it was, by design
    "unsafe", where tinygrad_edu keeps tracking the write.)"""
    res = []
    for L in (torch, tg):
        x = L.arange(4.0, requires_grad=True)
        y = x.clone()
        y.tensor_split(2)[0].mul_(2)
        L.unsafe_split(y, 2)[1].add_(1)  # no error
        y.sum().backward()
        res.append(x.grad.tolist()[:2])
    assert res[1] == res[0] == [2.0, 2.0]
