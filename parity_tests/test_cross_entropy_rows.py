"""cross_entropy's long-row speed path (ops/cross_entropy._row_loops, rows of C >= 512) gives the
plain NumPy broadcast's floats bit for bit, forward and gradient, and torch's within float
rounding. No timing here: speed lives in the benchmark."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.ops import cross_entropy as ce

KW = [{}, {"reduction": "sum"}, {"reduction": "none"}, {"label_smoothing": 0.1},
      {"ignore_index": 3}, {"weight": True}]


def _case(dtype, n=24, c=1000):
    r = np.random.RandomState(5)
    x = (r.randn(n, c) * 4).astype(dtype)
    y = r.randint(0, c, size=n).astype(np.int64)
    y[:2] = 3  # ignore_index=3 hits two rows
    w = r.uniform(0.5, 2, c).astype(dtype)
    return x, y, w


def _run(x, y, kw, w):
    a = tg.tensor(x, requires_grad=True)
    kw = dict(kw, weight=tg.tensor(w)) if kw.get("weight") else kw
    loss = tg.nn.functional.cross_entropy(a, tg.tensor(y), **kw)
    loss.backward(tg.ones_like(loss) if loss.ndim else None)
    return loss._data, a.grad._data


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", KW, ids=[str(k) for k in KW])
def test_long_rows_equal_plain_broadcast_bitwise(kw, dtype, monkeypatch):
    x, y, w = _case(dtype)
    sizes = []
    setbufsize = np.setbufsize

    def spy(size):
        sizes.append(size)
        return setbufsize(size)

    monkeypatch.setattr(np, "setbufsize", spy)
    fast = _run(x, y, kw, w)
    assert sizes[::2] == [1008, 1008], "the forward's x − max and the backward's product"
    monkeypatch.setattr(np, "setbufsize", setbufsize)
    monkeypatch.setattr(ce, "_ROW_MIN", 10**9)  # every row length takes the plain broadcast
    plain = _run(x, y, kw, w)
    for what, f, p in zip(("loss", "grad"), fast, plain):
        assert f.dtype == p.dtype == dtype
        np.testing.assert_array_equal(f, p, err_msg=f"cross_entropy {what} ({kw}, {dtype})")


@pytest.mark.parametrize("kw", KW, ids=[str(k) for k in KW])
def test_long_rows_match_torch(kw):
    x, y, w = _case(np.float32)
    loss, grad = _run(x, y, kw, w)
    t = torch.tensor(x, requires_grad=True)
    tkw = dict(kw, weight=torch.tensor(w)) if kw.get("weight") else kw
    tl = torch.nn.functional.cross_entropy(t, torch.tensor(y), **tkw)
    tl.backward(torch.ones_like(tl) if tl.ndim else None)
    scale = max(1.0, float(np.abs(tl.detach().numpy()).max()))
    np.testing.assert_allclose(loss, tl.detach().numpy(), rtol=1.3e-6, atol=1e-5 * scale)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1.3e-5, atol=1e-6)


def test_row_loops_restores_numpy_buffer_size():
    before = np.getbufsize()
    with pytest.raises(ValueError, match="inside"):
        with ce._row_loops(np.ones((3, 600), np.float32)):
            assert np.getbufsize() == 608
            raise ValueError("inside")
    assert np.getbufsize() == before
    with ce._row_loops(np.ones((3, 500), np.float32)):  # short rows: the default buffer
        assert np.getbufsize() == before
