"""In-place ops with torch's semantics (engine v2): writes rebase a tensor's history, writes
through views rebase the base (CopySlices), versions move in every grad mode, and torch's
errors — each case run in torch and in tinygrad_edu and compared."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _lin_then_add(L):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = L.tensor([[1.0, 2, 3], [0, 1, 0], [2, 0, 1]], requires_grad=True)
    h = x @ w
    h += x
    (h * h).sum().backward()
    return x.grad, w.grad


def _setitem_mask(L):
    x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2
    y[y < 0] = 0
    (y * y).sum().backward()
    return (x.grad,)


def _relu_inplace(L):
    x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 3
    z = L.nn.functional.relu(y, inplace=True)
    (z * z).sum().backward()
    return x.grad, L.tensor(float(z is y))


def _relu_module_inplace(L):
    x = L.tensor([[1.0, -2.0, 3.0]], requires_grad=True)
    m = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.ReLU(inplace=True), L.nn.Linear(4, 1))
    with L.no_grad():
        for p in m.parameters():
            p.copy_(L.linspace(-1, 1, p.numel()).reshape(p.shape))
    m(x).sum().backward()
    return (x.grad,) + tuple(p.grad for p in m.parameters())


def _write_through_view(L):
    x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = L.tensor([5.0, 7.0], requires_grad=True)
    y = x * 1
    v = y[1:]
    v.mul_(w)
    (y * y).sum().backward()
    return x.grad, w.grad, y.detach()


def _view_chain(L):
    x = L.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 2
    y.view(-1)[1:3].add_(x.t().reshape(-1)[:2] ** 2)
    (y ** 2).sum().backward()
    return x.grad, y.detach()


def _copy_into_buffer(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    b = L.zeros(3)
    b[1:].copy_(x * 3)
    (b * b).sum().backward()
    return x.grad, b.detach()


def _setitem_rows(L):
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = L.zeros(3, 3)
    b[0] = x
    b[:, 2] = x * 2
    (b * b).sum().backward()
    return x.grad, b.detach()


def _unary_inplace(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.sin_()
    y.exp_()
    y.sum().backward()
    return (x.grad,)


def _fill_nonleaf(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.fill_(3.0)
    (y * x).sum().backward()
    return (x.grad,)


def _data_is_not_tracked(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data.mul_(2)
    y.backward()
    return (x.grad,)


def _int_plus_float(L):
    x = L.tensor([1, 2])
    x += 0.5


def _no_grad_mul_of_saved_output(L):
    a = L.tensor([1.0, 2.0], requires_grad=True)
    c = (a * 1.0).exp()
    with L.no_grad():
        c.mul_(2)  # the version moves under no_grad too: exp's saved output is stale
    c.sum().backward()


def _saved_input_modified(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * y
    y.add_(1)
    z.sum().backward()


def _leaf(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    x.add_(1)


def _view_of_leaf(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    x[0:1].add_(1)


def _expanded(L):
    x = L.tensor([1.0, 2.0]).expand(3, 2)
    x.add_(1)


def _broadcast_shape(L):
    x = L.tensor([1.0, 2.0])
    x.add_(L.ones(3, 2))


VALUES = [_lin_then_add, _setitem_mask, _relu_inplace, _relu_module_inplace, _write_through_view,
          _view_chain, _copy_into_buffer, _setitem_rows, _unary_inplace, _fill_nonleaf,
          _data_is_not_tracked]
ERRORS = [_int_plus_float, _no_grad_mul_of_saved_output, _saved_input_modified, _leaf,
          _view_of_leaf, _expanded, _broadcast_shape]


@pytest.mark.parametrize("case", VALUES, ids=lambda f: f.__name__.strip("_"))
def test_inplace_values_and_gradients_match_torch(case):
    ref, ours = case(torch), case(tg)
    assert len(ref) == len(ours)
    for a, b in zip(ref, ours):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", ERRORS, ids=lambda f: f.__name__.strip("_"))
def test_inplace_errors_match_torch(case):
    with pytest.raises(Exception) as ref:
        case(torch)
    with pytest.raises(Exception) as ours:
        case(tg)
    assert type(ours.value) is type(ref.value), (ours.value, ref.value)


def test_version_counter_moves_in_every_grad_mode():
    x = tg.tensor([1.0, 2.0])
    for mode in (tg.enable_grad, tg.no_grad, tg.inference_mode):
        v = x._version
        with mode():
            x.mul_(2)
        assert x._version == v + 1


def test_inplace_returns_the_same_tensor_and_shares_storage_with_views():
    x = tg.zeros(2, 3)
    v = x[1]
    assert x.add_(1) is x
    v.mul_(5)
    np.testing.assert_array_equal(x.numpy(), [[1, 1, 1], [5, 5, 5]])
    assert v._version == x._version == 2
