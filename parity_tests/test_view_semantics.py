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
