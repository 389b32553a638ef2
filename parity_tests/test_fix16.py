"""fix16: xlogy's float32 logarithm and the 0-d operand beside a half type, against torch.

* float32 ``xlogy``: torch's kernel is a scalar loop calling the C library's ``logf`` (not
  NumPy's SIMD log, which differs from it in the last bit for ~5 % of inputs); the results must
  be torch's bit for bit over a dense sweep of float32 (both tails, subnormals, ±0, ±inf, nan),
  on the compiled path (numba) and the ctypes path.
* ``xlogy(0-d float64, float16/bfloat16 y)``: torch's backward ``grad * self / other`` reads the
  0-d ``self`` as a float32 CPU scalar, not rounded to the half type.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.ops import xlogy as xlogy_mod


def _sweep() -> np.ndarray:
    """Every 4099th float32 bit pattern (both signs: normals, subnormals, inf, nan) and the
    special values themselves."""
    bits = np.arange(0, 1 << 32, 4099, dtype=np.uint64).astype(np.uint32)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e-45, -1e-45,
                        np.finfo(np.float32).tiny, np.finfo(np.float32).max], np.float32)
    return np.concatenate([bits.view(np.float32), special])


def _same_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a.view(np.uint32) == b.view(np.uint32)) | (np.isnan(a) & np.isnan(b))


@pytest.mark.parametrize("compiled", [True, False], ids=["numba-or-ctypes", "ctypes"])
def test_xlogy_float32_is_torch_bit_for_bit(monkeypatch, compiled):
    y = _sweep()
    if not compiled:  # the ctypes path (one call per element): a shorter sweep
        monkeypatch.setattr(xlogy_mod, "ENABLED", False)
        y = y[::16].copy()
    rng = np.random.default_rng(16)
    x = (rng.standard_normal(y.size) * 20).astype(np.float32)
    x[::7] = 1.0  # x = 1: ln y itself
    x[::11] = 0.0  # 0 unless y is nan
    x[::13] = -0.0
    want = torch.xlogy(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    got = tg.xlogy(tg.tensor(x), tg.tensor(y)).numpy()
    assert got.dtype == np.float32
    bad = ~_same_bits(got, want)
    assert not bad.any(), (int(bad.sum()), x[bad][:5], y[bad][:5], got[bad][:5], want[bad][:5])


def test_xlogy_float32_grad_is_torch():
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(5000) * 20).astype(np.float32)
    y = np.abs(rng.standard_normal(5000) * np.exp(rng.uniform(-30, 30, 5000))).astype(np.float32)
    g = rng.standard_normal(5000).astype(np.float32)
    tx, ty = (torch.tensor(v, requires_grad=True) for v in (x, y))
    mx, my = (tg.tensor(v, requires_grad=True) for v in (x, y))
    torch.xlogy(tx, ty).backward(torch.from_numpy(g))
    tg.xlogy(mx, my).backward(tg.tensor(g))
    assert _same_bits(mx.grad.numpy(), tx.grad.numpy()).all()  # ∂/∂x = ln y: logf too
    assert _same_bits(my.grad.numpy(), ty.grad.numpy()).all()


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("x_grad", [False, True])
@pytest.mark.parametrize("xv", [1.2345678901234, -0.3333333333, 7.77777777, 1e-6, 0.0])
def test_xlogy_zero_d_float64_beside_half(dtype, x_grad, xv):
    rng = np.random.default_rng(5)
    y = rng.uniform(0.01, 30, 2000).astype(np.float32)
    g = rng.uniform(-2, 2, 2000).astype(np.float32)
    td, md = getattr(torch, dtype), getattr(tg, dtype)
    ty = torch.tensor(y, dtype=td, requires_grad=True)
    tx = torch.tensor(xv, dtype=torch.float64, requires_grad=x_grad)
    my = tg.tensor(y, dtype=md, requires_grad=True)
    mx = tg.tensor(xv, dtype=tg.float64, requires_grad=x_grad)
    tz, mz = torch.xlogy(tx, ty), tg.xlogy(mx, my)
    assert str(mz.dtype) == str(tz.dtype)
    assert np.array_equal(mz.detach().float().numpy(), tz.detach().float().numpy())
    tz.backward(torch.tensor(g, dtype=td))
    mz.backward(tg.tensor(g, dtype=md))
    assert str(my.grad.dtype) == str(ty.grad.dtype)
    assert np.array_equal(my.grad.float().numpy(), ty.grad.float().numpy())  # g·x read in f32
    if x_grad:
        assert str(mx.grad.dtype) == str(tx.grad.dtype) == "torch.float64"
        assert mx.grad.item() == tx.grad.item()
