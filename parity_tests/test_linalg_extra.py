"""Linear-algebra checks beyond torch's OpInfo samples.

LDLᵀ (Bunch–Kaufman) against torch: indefinite matrices that need 2×2 pivots and row swaps,
exact zero columns (info), and solves with every pivot kind; the pivots must be torch's
(LAPACK's) exactly, LD and the solution equal to rounding. nn.Bilinear: torch's init draws
under one seed, and the layer equal to F.bilinear."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _cases():
    r = np.random.RandomState(0)
    out = [np.array([[0.0, 1.0], [1.0, 0.0]]),  # one 2×2 pivot
           np.array([[1.0, 2.0], [2.0, 4.0]]),  # singular: info = 2
           np.zeros((3, 3)),  # zero columns: info = 1, pivots 1 2 3
           np.array([[1e-3, 5.0, 0.1], [5.0, 2.0, 3.0], [0.1, 3.0, 1e-3]])]  # a swap
    for n in (4, 6, 9):
        for _ in range(4):
            a = r.randn(n, n)
            out.append(a + a.T)
    a = r.randn(7, 7)
    a[[0, 2, 3], [0, 2, 3]] = 0.0  # zero diagonals force 2×2 pivots
    out.append(a)  # not symmetric: only the lower triangle is read
    return out


@pytest.mark.parametrize("k", range(len(_cases())))
def test_ldl_factor_and_solve_match_torch(k):
    a = _cases()[k]
    LD, piv, info = torch.linalg.ldl_factor_ex(torch.tensor(a))
    r = tg.linalg.ldl_factor_ex(tg.tensor(a))
    assert r.pivots.dtype == tg.int32 and r.info.dtype == tg.int32
    assert r.pivots.tolist() == piv.tolist() and int(r.info) == int(info)
    np.testing.assert_allclose(r.LD.numpy(), LD.numpy(), rtol=1e-10, atol=1e-12)
    if int(info) == 0:
        b = np.random.RandomState(k).randn(a.shape[0], 3)
        x = tg.linalg.ldl_solve(r.LD, r.pivots, tg.tensor(b))
        want = torch.linalg.ldl_solve(LD, piv, torch.tensor(b))
        np.testing.assert_allclose(x.numpy(), want.numpy(), rtol=1e-9, atol=1e-10)


def test_ldl_kinds_covered():
    """The cases above really exercise 2×2 pivots, swaps and zero columns."""
    pivs = [tg.linalg.ldl_factor_ex(tg.tensor(a)).pivots.tolist() for a in _cases()]
    assert any(p < 0 for ps in pivs for p in ps)
    assert any(p > 0 and p != i + 1 for ps in pivs for i, p in enumerate(ps))


def test_ldl_errors():
    with pytest.raises(RuntimeError, match="ldl_factor"):
        tg.linalg.ldl_factor(tg.zeros(3, 3))  # singular (torch raises a RuntimeError too)
    with pytest.raises(RuntimeError, match="square"):
        tg.linalg.ldl_factor(tg.zeros(2, 3))
    LD, piv = tg.linalg.ldl_factor(tg.eye(3))
    with pytest.raises(RuntimeError, match="Incompatible matrix sizes"):
        tg.linalg.ldl_solve(LD, piv, tg.zeros(4, 2))
    with pytest.raises(RuntimeError, match="pivots"):
        tg.linalg.ldl_solve(LD, piv[:2], tg.zeros(3, 2))


def test_bilinear_layer_init_and_forward_match_torch():
    tg.manual_seed(3)
    torch.manual_seed(3)
    ours, ref = tg.nn.Bilinear(3, 4, 5), torch.nn.Bilinear(3, 4, 5)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), ref.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.detach().numpy(), ref.bias.detach().numpy())
    x1, x2 = np.random.RandomState(1).randn(2, 6, 3), np.random.RandomState(2).randn(2, 6, 4)
    got = ours(tg.tensor(x1, dtype=tg.float32), tg.tensor(x2, dtype=tg.float32))
    want = ref(torch.tensor(x1, dtype=torch.float32), torch.tensor(x2, dtype=torch.float32))
    assert tuple(got.shape) == (2, 6, 5)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert repr(ours) == repr(ref)
