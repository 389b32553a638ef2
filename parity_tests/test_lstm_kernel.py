"""The LSTM layer's compiled backward step (nn/modules/_lstm_kernel.py) gives the NumPy passes'
floats, bit for bit, and the layer takes the NumPy path whenever the kernel cannot be used."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn.modules import _lstm_cell, _lstm_kernel
from tinygrad_edu.nn.modules._lstm_cell import LSTMLayerFn


def _saved(dtype, T, N, H, seed, rev=False):
    """Saved forward values of a real layer run (so σ, tanh and c are consistent), as the
    backward hands them to the gate-gradient loops: S, gs, tcs, c_{t−1}, dout, dh, dc, W_hh."""
    r = np.random.default_rng(seed)
    F = 3
    x, h0, c0, w_ih, w = (r.normal(size=s).astype(dtype)
                          for s in [(T, N, F), (N, H), (N, H), (4 * H, F), (4 * H, H)])
    b = r.normal(size=4 * H).astype(dtype)
    ctx = _Ctx()
    LSTMLayerFn.forward(ctx, x, h0, c0, w_ih, w, b, b, reverse=rev)
    _x, S, gs, tcs, cb, _out, _h0, _w_ih, w = ctx.saved
    grads = [r.normal(size=s).astype(dtype) for s in [(T, N, H), (N, H), (N, H)]]
    return S, gs, tcs, cb[1:] if rev else cb[:-1], *grads, w


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rev", [False, True])
@pytest.mark.parametrize("T,N,H", [(1, 1, 1), (3, 2, 5), (7, 4, 3), (4, 16, 32)])
def test_python_kernel_equals_numpy_passes_bitwise(dtype, rev, T, N, H):
    # the uncompiled kernel (plain Python loops): what numba compiles, checked without numba
    args = _saved(dtype, T, N, H, seed=T * 100 + H, rev=rev)
    want = _lstm_cell._gate_grads_numpy(np, *args, rev)
    got = _lstm_cell._gate_grads_fused(_lstm_kernel.lstm_gate_grads, *args, rev)
    for a, b in zip(got, want):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rev", [False, True])
def test_compiled_kernel_equals_numpy_passes_bitwise(dtype, rev):
    fn = _lstm_kernel.kernel()
    if fn is None:
        pytest.skip("numba is not installed: the NumPy passes are the only path")
    for T, N, H in [(1, 1, 1), (5, 3, 7), (32, 64, 128)]:
        args = list(_saved(dtype, T, N, H, seed=H, rev=rev))
        args[4] = np.broadcast_to(args[4][:1], args[4].shape)  # dout as a broadcast (strides 0)
        args[5] = args[5].T.copy().T  # dh_last in Fortran order
        want = _lstm_cell._gate_grads_numpy(np, *args, rev)
        dc_before = args[6].copy()
        got = _lstm_cell._gate_grads_fused(fn, *args, rev)
        np.testing.assert_array_equal(args[6], dc_before)  # the incoming dc is not written
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)


def test_kernel_is_used_and_can_be_switched_off(monkeypatch):
    if _lstm_kernel.kernel() is None:
        pytest.skip("numba is not installed")
    calls = []
    for name in ("_gate_grads_numpy", "_gate_grads_fused"):
        real = getattr(_lstm_cell, name)
        monkeypatch.setattr(_lstm_cell, name,
                            lambda *a, _n=name, _r=real: calls.append(_n) or _r(*a))

    def run():
        tg.manual_seed(0)
        m = tg.nn.LSTM(3, 4)
        x = tg.randn(5, 2, 3, requires_grad=True)
        out, _ = m(x)
        out.sum().backward()
        return [x.grad.numpy(), *(p.grad.numpy() for p in m.parameters())]

    fast = run()
    monkeypatch.setattr(_lstm_kernel, "ENABLED", False)
    plain = run()
    assert calls == ["_gate_grads_fused", "_gate_grads_numpy"]
    for a, b in zip(fast, plain):
        np.testing.assert_array_equal(a, b)


def test_other_dtypes_take_the_numpy_path():
    assert not _lstm_kernel.takes(np.ones((2, 2), np.float16))
    assert not _lstm_kernel.takes(np.ones((2, 2)), np.ones((2, 2), np.float32))
    assert not _lstm_kernel.takes(np.ones((2, 3)).T)
    assert _lstm_kernel.takes(np.ones((2, 2), np.float32), np.ones(3, np.float32))
    m = tg.nn.LSTM(2, 3).half()  # float16 runs the NumPy passes
    x = tg.randn(4, 1, 2, dtype=tg.float16, requires_grad=True)
    m(x)[0].sum().backward()
    assert x.grad.dtype == tg.float16 and np.isfinite(x.grad.numpy()).all()


class _Ctx:
    def save_for_backward(self, *a):
        self.saved = a


def _forward(dtype, T, N, H, bias, special, seed, rev):
    r = np.random.default_rng(seed)
    x, h0, c0, w_ih, w = (r.normal(size=s).astype(dtype)
                          for s in [(T, N, 3), (N, H), (N, H), (4 * H, 3), (4 * H, H)])
    if special:  # saturated gates, overflowing exp, nan and inf in the pre-activations
        x.reshape(-1)[::5] = 1e4
        x.reshape(-1)[1::7] = -1e4
        x.reshape(-1)[-1] = np.nan
        x.reshape(-1)[0] = np.inf
    b_ih, b_hh = (r.normal(size=4 * H).astype(dtype) if bias else None for _ in range(2))
    ctx = _Ctx()
    out = LSTMLayerFn.forward(ctx, x, h0, c0, w_ih, w, b_ih, b_hh, reverse=rev)
    return out + ctx.saved


@pytest.mark.parametrize("way", ["compiled", "python"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("special", [False, True])
def test_forward_kernels_equal_numpy_passes_bitwise(way, dtype, bias, special, monkeypatch):
    if way == "compiled" and _lstm_kernel.kernel(_lstm_kernel.lstm_gates_in) is None:
        pytest.skip("numba is not installed: the NumPy passes are the only path")
    if way == "python":  # the plain Python loops, what numba compiles
        monkeypatch.setattr(_lstm_kernel, "kernel",
                            lambda fn=None: fn or _lstm_kernel.lstm_gate_grads)
    for T, N, H, rev in [(1, 1, 1, False), (3, 2, 5, True), (6, 16, 32, False)]:
        with np.errstate(all="ignore"):
            got = _forward(dtype, T, N, H, bias, special, seed=H, rev=rev)
            monkeypatch.setattr(_lstm_kernel, "ENABLED", False)
            want = _forward(dtype, T, N, H, bias, special, seed=H, rev=rev)
            monkeypatch.setattr(_lstm_kernel, "ENABLED", True)
        for a, b in zip(got, want):
            assert a.dtype == dtype
            np.testing.assert_array_equal(a, b)
