"""Each speed fast path equals its plain reference (issues 14 and 17): the fused Adam step vs
``optim.adam.reference``, the fused LSTM cell vs the composed cell, the one-node split of the
RNN input projection vs ``unbind``/``chunk``. No timing here: speed lives in the benchmark."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn.modules import rnn
from tinygrad_edu.nn.modules._lstm_cell import LSTMCellFn, LSTMLayerFn
from tinygrad_edu.optim import adam as adam_mod

# ---- Adam -------------------------------------------------------------------------------------
ADAM_CASES = [
    {},
    {"weight_decay": 0.1},
    {"weight_decay": 0.1, "maximize": True},
    {"amsgrad": True},
    {"weight_decay": 0.05, "decoupled_weight_decay": True, "amsgrad": True},
    {"betas": (0.3, 0.9)},  # 1 − β1 ≥ 0.5: torch's other lerp branch
]


@pytest.mark.parametrize("kw", ADAM_CASES, ids=[str(k) for k in ADAM_CASES])
def test_adam_fused_step_equals_reference_bitwise(kw):
    r = np.random.RandomState(0)
    shapes = [(7, 5), (5,), (3, 4, 2)]
    p0 = [r.randn(*s).astype(np.float32) for s in shapes]
    grads = [[r.randn(*s).astype(np.float32) for s in shapes] for _ in range(4)]
    params = [tg.tensor(x.copy(), requires_grad=True) for x in p0]
    opt = tg.optim.Adam(params, lr=0.01, **kw)
    ref = [[x.copy(), np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)] for x in p0]
    for step, gs in enumerate(grads, 1):
        for p, g in zip(params, gs):
            p.grad = tg.tensor(g)
        opt.step()
        for st, g in zip(ref, gs):
            st[:] = adam_mod.reference(
                st[0], g, st[1], st[2], st[3], step, 0.01, kw.get("betas", (0.9, 0.999)), 1e-8,
                kw.get("weight_decay", 0), kw.get("amsgrad", False), kw.get("maximize", False),
                kw.get("decoupled_weight_decay", False))
        for p, st in zip(params, ref):
            np.testing.assert_array_equal(p.detach().numpy(), st[0])
            np.testing.assert_array_equal(opt.state[p]["exp_avg"].numpy(), st[1])
            np.testing.assert_array_equal(opt.state[p]["exp_avg_sq"].numpy(), st[2])


# ---- the fused LSTM cell ----------------------------------------------------------------------
def _cell_inputs(dtype, B, H, bias, seed=0):
    r = np.random.default_rng(seed)
    shapes = [(B, 4 * H), (B, H), (B, H), (4 * H, H)] + ([(4 * H,)] if bias else [])
    ts = [tg.tensor(r.normal(size=s).astype(dtype), requires_grad=True) for s in shapes]
    return ts + ([] if bias else [None])


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("B,H", [(2, 1), (5, 3), (4, 8)])
def test_lstm_cell_fused_equals_reference(B, H, bias):
    # forward: the very same float32 operations, so bitwise equal
    ins = _cell_inputs(np.float32, B, H, bias)
    fast, ref = LSTMCellFn.apply(*ins), LSTMCellFn.reference(*ins)
    for a, b in zip(fast, ref):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    # backward: the analytic gate gradients vs autograd through the composed cell (float64)
    ins = _cell_inputs(np.float64, B, H, bias, seed=1)
    r = np.random.default_rng(2)
    wh, wc = (tg.tensor(r.normal(size=(B, H))) for _ in range(2))
    grads = []
    for f in (LSTMCellFn.apply, LSTMCellFn.reference):
        h, c = f(*ins)
        live = [t for t in ins if t is not None]
        grads.append(tg.autograd.grad((h * wh).sum() + (c * wc).sum(), live))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)


def test_lstm_cell_double_backward_goes_through_reference():
    ins = _cell_inputs(np.float64, 3, 2, True)
    outs = []
    for f in (LSTMCellFn.apply, LSTMCellFn.reference):
        h, c = f(*ins)
        (gx,) = tg.autograd.grad((h * h).sum() + c.sum(), [ins[0]], create_graph=True)
        outs.append(tg.autograd.grad((gx * gx).sum(), [ins[1], ins[3]]))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)


def _lstm_grads(monkeypatch, mode: str):
    if mode != "layer":  # the loop of cells
        monkeypatch.setattr(rnn, "_FUSED_LSTM_LAYER", False)
    if mode == "reference":  # the composed cell and the ordinary unbind/chunk nodes
        monkeypatch.setattr(rnn, "_lstm_cell", rnn._lstm_cell_reference)
        monkeypatch.setattr(rnn, "_unbind", lambda x, axis: x.unbind(axis))
        monkeypatch.setattr(rnn, "_chunk", lambda x, n, axis: x.chunk(n, axis))
    tg.manual_seed(0)
    m = tg.nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    r = np.random.default_rng(0)
    x = tg.tensor(r.normal(size=(5, 2, 3)), requires_grad=True)
    h0, c0 = (tg.tensor(r.normal(size=(4, 2, 4)), requires_grad=True) for _ in range(2))
    out, (hn, cn) = m(x, (h0, c0))
    w = tg.tensor(r.normal(size=out.shape))
    loss = (out * w).sum() + (hn * hn).sum() + cn.sum()
    live = [x, h0, c0, *m.parameters()]
    return [out, hn, cn], tg.autograd.grad(loss, live)
    # (monkeypatch restores the module functions after the test)


@pytest.mark.parametrize("mode", ["layer", "cell"])
def test_lstm_module_fast_path_equals_reference(monkeypatch, mode):
    outs_fast, grads_fast = _lstm_grads(monkeypatch, mode)
    outs_ref, grads_ref = _lstm_grads(monkeypatch, "reference")
    for a, b in zip(outs_fast, outs_ref):  # h W_hhᵀ runs on a copy of W_hhᵀ: equal to rounding
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-14, atol=1e-15)
    for a, b in zip(grads_fast, grads_ref):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_layer_fused_equals_reference(reverse):
    r = np.random.default_rng(0)
    T, B, F, H = 6, 3, 5, 2
    for dtype in (np.float32, np.float64):  # x, h0, c0, w_ih, w_hh, b_ih, b_hh
        shapes = [(T, B, F), (B, H), (B, H), (4 * H, F), (4 * H, H), (4 * H,), (4 * H,)]
        ins = [tg.tensor(r.normal(size=s).astype(dtype), requires_grad=True) for s in shapes]
        fast = LSTMLayerFn.apply(*ins, reverse=reverse)
        ref = LSTMLayerFn.reference(*ins, reverse=reverse)
        tol = dict(rtol=1e-6, atol=1e-7) if dtype is np.float32 else dict(rtol=1e-14, atol=1e-15)
        for a, b in zip(fast, ref):  # the cell's float operations (BLAS may sum h W_hhᵀ in
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **tol)  # any order)
        if dtype is np.float64:
            w = tg.tensor(r.normal(size=(T, B, H)))
            ga, gb = (tg.autograd.grad((o * w).sum() + (hn * hn).sum() + cn.sum(), ins)
                      for o, hn, cn in (fast, ref))
            for a, b in zip(ga, gb):
                np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
    # double backward goes through the reference
    outs = []
    for f in (LSTMLayerFn.apply, LSTMLayerFn.reference):
        o, hn, cn = f(*ins, reverse=reverse)
        (gp,) = tg.autograd.grad((o * o).sum() + cn.sum(), [ins[0]], create_graph=True)
        outs.append(tg.autograd.grad((gp * gp).sum(), [ins[1], ins[3]]))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)


def test_gru_split_equals_chunk(monkeypatch):
    def run():
        tg.manual_seed(0)
        m = tg.nn.GRU(3, 4).double()
        x = tg.tensor(np.random.default_rng(0).normal(size=(6, 2, 3)), requires_grad=True)
        out, hn = m(x)
        return tg.autograd.grad(out.sum() + hn.sum(), [x, *m.parameters()])

    fast = run()
    monkeypatch.setattr(rnn, "_chunk", lambda x, n, axis: x.chunk(n, axis))
    monkeypatch.setattr(rnn, "_unbind", lambda x, axis: x.unbind(axis))
    for a, b in zip(fast, run()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)


def test_lstm_backward_does_no_full_size_scatter_per_step(monkeypatch):
    # unbind/chunk pieces are getitem nodes whose backward scatters into a FULL-size zero
    # array: T of them over the (T, N, 4H) projection made the backward O(T²)
    from tinygrad_edu.ops.index import IndexAccumulateFn

    calls = []
    real = IndexAccumulateFn.forward

    def spy(ctx, g, shape, *a):
        calls.append(shape)
        return real(ctx, g, shape, *a)

    monkeypatch.setattr(IndexAccumulateFn, "forward", staticmethod(spy))
    tg.manual_seed(0)
    m = tg.nn.LSTM(3, 4)
    x = tg.tensor(np.random.default_rng(0).normal(size=(16, 2, 3)).astype(np.float32))
    out, _ = m(x)
    out.sum().backward()
    assert calls == [], f"{len(calls)} full-size scatters in the LSTM backward: {calls[:3]}"


# ---- BatchNorm and convolution (the CNN step) -------------------------------------------------
def _close_grads(fast_out, ref_out, ins, seed=3):
    w = tg.tensor(np.random.default_rng(seed).normal(size=fast_out.shape))
    ga = tg.autograd.grad((fast_out * w).sum(), ins)
    gb = tg.autograd.grad((ref_out * w).sum(), ins)
    np.testing.assert_allclose(fast_out.detach().numpy(), ref_out.detach().numpy(), rtol=1e-12,
                               atol=1e-13)
    for a, b in zip(ga, gb):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5, 5)])
def test_batch_norm_fused_equals_reference(shape, affine, training):
    from tinygrad_edu.ops.normalization import BatchNormFn

    r = np.random.default_rng(0)
    C = shape[1]
    x = tg.tensor(r.normal(size=shape) * 3 + 1, requires_grad=True)
    wb = [tg.tensor(r.normal(size=C), requires_grad=True) for _ in range(2)] if affine else [
        None, None]
    rm, rv = r.normal(size=C), r.uniform(0.5, 2, size=C)
    args = (rm.copy(), rv.copy(), training, 0.1, 1e-5)
    fast = BatchNormFn.apply(x, *wb, *args)
    ref = BatchNormFn.reference(x, *wb, *args)
    _close_grads(fast, ref, [x] + [t for t in wb if t is not None])


@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_fused_bias_equals_reference(bias):
    from tinygrad_edu.ops.conv import ConvolutionFn

    r = np.random.default_rng(0)
    x = tg.tensor(r.normal(size=(2, 3, 7, 6)), requires_grad=True)
    w = tg.tensor(r.normal(size=(4, 3, 3, 3)), requires_grad=True)
    b = tg.tensor(r.normal(size=4), requires_grad=True) if bias else None
    args = ((1, 2), (1, 0), (1, 1), 1, False, None)
    fast = ConvolutionFn.apply(x, w, b, *args)
    ref = ConvolutionFn.reference(x, w, b, *args)
    assert fast.detach().numpy().flags.c_contiguous
    _close_grads(fast, ref, [x, w] + ([b] if bias else []))


def test_lstm_layer_backward_without_its_state_buffer(monkeypatch):
    # LSTMLayerFn's backward finds h_{t−1} in the forward's (T + 1, N, H) buffer that `out` is
    # a view of; a saved-tensor hook that copies `out` takes that away, and the backward
    # rebuilds the states from out and h0: the gradients must not change
    tg.manual_seed(0)
    m = tg.nn.LSTM(3, 4, bidirectional=True).double()
    x = tg.randn(5, 2, 3, dtype=tg.float64, requires_grad=True)

    def grads(copying_hook):
        if copying_hook:
            with tg.autograd.graph.saved_tensors_hooks(lambda a: a.clone(), lambda a: a):
                out, (hn, cn) = m(x)
        else:
            out, (hn, cn) = m(x)
        loss = (out * out).sum() + (hn * cn).sum()
        return tg.autograd.grad(loss, [x, *m.parameters()])

    for a, b in zip(grads(False), grads(True)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_lstm_layer_output_modified_in_place_refuses_backward():
    m = tg.nn.LSTM(3, 4)
    out, _ = m(tg.randn(5, 2, 3, requires_grad=True))
    with tg.no_grad():
        out.add_(1)  # `out` is saved (it holds every h_{t−1} the weight gradient needs)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()
