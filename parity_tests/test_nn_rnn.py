"""RNN (tanh/relu), LSTM, GRU vs torch with identical weights: output, h_n (c_n), gradients of
the input, of h_0 (c_0) and of every weight, float32 and float64, multi-layer, batch_first both
ways, bidirectional, unbatched input; parameter names/shapes, reprs, init, dropout between
layers, errors, and the seed-001 Embedding + RNN classifier listing."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import assert_close, tg_np, th_np
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg

DTYPES = ("float32", "float64")
FEW = settings(max_examples=max(8, settings.default.max_examples // 3))
KINDS = ("RNN", "RNN_relu", "LSTM", "GRU")


def _build(lib, kind, *args, **kw):
    if kind == "RNN_relu":
        return lib.nn.RNN(*args, nonlinearity="relu", **kw)
    return getattr(lib.nn, kind)(*args, **kw)


def _pair(kind, dtype, *args, **kw):
    ours, ref = _build(tg, kind, *args, **kw), _build(torch, kind, *args, **kw)
    ours.to(getattr(tg, dtype))
    ref.to(getattr(torch, dtype))
    ref.load_state_dict({k: torch.from_numpy(np.array(tg_np(v), copy=True))
                         for k, v in ours.state_dict().items()})
    return ours, ref


def _flat(out):
    o, h = out
    return [o, *h] if isinstance(h, tuple) else [o, h]


def _run_and_compare(op, ours, ref, x, hx, dtype, seed=0):
    """Run both; compare every output, then gradients for a random upstream gradient on each
    output (so h_n and c_n gradients flow too)."""
    tx = tg.tensor(x.copy(), requires_grad=True)
    rx = torch.from_numpy(x.copy()).requires_grad_(True)
    th = tr = None
    if hx is not None:
        th = [tg.tensor(h.copy(), requires_grad=True) for h in hx]
        tr = [torch.from_numpy(h.copy()).requires_grad_(True) for h in hx]
    ta = None if th is None else (tuple(th) if len(th) == 2 else th[0])
    ra = None if tr is None else (tuple(tr) if len(tr) == 2 else tr[0])
    outs, routs = _flat(ours(tx, ta)), _flat(ref(rx, ra))
    rng = np.random.default_rng(seed)
    loss = rloss = 0
    for k, (o, r) in enumerate(zip(outs, routs)):
        assert_close(tg_np(o), th_np(r), op=op, what=f"output {k}", dtype=dtype, backend="numpy")
        g = rng.uniform(-1, 1, tuple(r.shape)).astype(dtype)
        loss = loss + (o * tg.tensor(g)).sum()
        rloss = rloss + (r * torch.from_numpy(g)).sum()
    loss.backward()
    rloss.backward()
    pairs = [("input", tx, rx)] + ([(f"h0[{i}]", a, b) for i, (a, b) in enumerate(zip(th, tr))]
                                   if th else [])
    rp = dict(ref.named_parameters())
    pairs += [(n, p, rp[n]) for n, p in ours.named_parameters()]
    for what, a, b in pairs:
        assert_close(tg_np(a.grad), th_np(b.grad), op=op, what=f"grad of {what}", dtype=dtype,
                     backend="numpy", check="grad", factor=10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", KINDS)
@FEW
@given(data=st.data())
def test_rnn_parity(kind, dtype, data):
    d = data.draw
    I, H = d(st.integers(1, 4)), d(st.integers(1, 4))
    kw = dict(num_layers=d(st.integers(1, 3)), bias=d(st.booleans()),
              batch_first=d(st.booleans()), bidirectional=d(st.booleans()))
    ours, ref = _pair(kind, dtype, I, H, **kw)
    T, B = d(st.integers(1, 5)), d(st.integers(1, 3))
    unbatched = d(st.integers(0, 5)) == 0
    rng = np.random.default_rng(d(st.integers(0, 999)))
    shape = (T, I) if unbatched else ((B, T, I) if kw["batch_first"] else (T, B, I))
    x = rng.uniform(-2, 2, shape).astype(dtype)
    hx = None
    if d(st.booleans()):
        L = kw["num_layers"] * (2 if kw["bidirectional"] else 1)
        hs = (L, H) if unbatched else (L, B, H)
        hx = [rng.uniform(-1, 1, hs).astype(dtype) for _ in range(2 if kind == "LSTM" else 1)]
    _run_and_compare(kind, ours, ref, x, hx, dtype)


@pytest.mark.parametrize("kind", KINDS)
def test_parameter_names_shapes_repr_and_init(kind):
    kw = dict(num_layers=2, bidirectional=True, batch_first=True, dropout=0.25)
    ours, ref = _build(tg, kind, 5, 7, **kw), _build(torch, kind, 5, 7, **kw)
    assert repr(ours) == repr(ref)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in ref.named_parameters()]
    bound = 1 / math.sqrt(7)  # torch: every parameter ~ U(±1/√hidden_size)
    allw = np.concatenate([tg_np(p).ravel() for p in ours.parameters()])
    assert np.abs(allw).max() <= bound and np.abs(allw).max() > 0.9 * bound
    assert allw.dtype == np.float32
    for args in [(3, 4), (3, 4, 2), ]:
        assert repr(_build(tg, kind, *args)) == repr(_build(torch, kind, *args))
    assert repr(_build(tg, kind, 3, 4, bias=False)) == repr(_build(torch, kind, 3, 4, bias=False))


@pytest.mark.parametrize("kind", ("LSTM", "GRU"))
def test_dropout_between_layers(kind):
    # p = 1 zeroes the input of layer 2 in training mode (deterministic, so comparable with
    # torch); in eval mode dropout is off
    ours, ref = _pair(kind, "float64", 3, 4, num_layers=2, dropout=1.0)
    x = np.random.default_rng(0).normal(size=(5, 2, 3))
    _run_and_compare(kind + "[dropout=1]", ours, ref, x, None, "float64")
    ours, ref = _pair(kind, "float64", 3, 4, num_layers=2, dropout=0.5)
    ours.eval()
    ref.eval()
    _run_and_compare(kind + "[eval]", ours, ref, x, None, "float64")
    with pytest.warns(UserWarning, match="dropout option adds dropout after all but last"):
        tg.nn.GRU(3, 4, dropout=0.5)


def test_rnn_errors():
    m = tg.nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                                           "Expected 3, got 5"):
        m(tg.randn(2, 1, 5))
    with pytest.raises(RuntimeError,
                       match=r"Expected hidden\[0\] size \(2, 1, 4\), got \[1, 1, 4\]"):
        m(tg.randn(2, 1, 3), (tg.zeros(1, 1, 4), tg.zeros(1, 1, 4)))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        tg.nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D"):
        tg.nn.GRU(3, 4)(tg.randn(3))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_hidden_state_of_another_dtype_raises_like_torch(kind):
    # torch raises a RuntimeError (its mat1/mat2 dtype check); the fused LSTM layer would
    # otherwise copy a float64 h0 into its float32 buffers and run silently
    for lib in (torch, tg):
        m = getattr(lib.nn, kind)(3, 4)
        h = lib.zeros(1, 2, 4, dtype=lib.float64)
        with pytest.raises(RuntimeError):
            m(lib.randn(5, 2, 3), (h, h) if kind == "LSTM" else h)
    with pytest.raises(RuntimeError, match=r"expected hidden\[0\] of dtype torch.float32"):
        tg.nn.LSTM(3, 4)(tg.randn(5, 2, 3), (tg.zeros(1, 2, 4, dtype=tg.float64),) * 2)


def _seed_model(nn, rnn):
    class RNNSequential(nn.Module):  # seed 001, with the recurrent layer as a parameter
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(20, 6, padding_idx=0)
            self.rnn = rnn(nn)
            self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(8, 2))

        def forward(self, x):
            x = self.embedding(x)
            output, (hidden, _) = self.rnn(x)
            last_output = output[:, -1, :]
            return self.classifier(last_output)

    return RNNSequential()


@pytest.mark.parametrize("rnn", [lambda nn: nn.LSTM(6, 8, batch_first=True),
                                 lambda nn: nn.RNN(6, 4, batch_first=True, bidirectional=True),
                                 lambda nn: nn.GRU(6, 8, batch_first=True, num_layers=2)],
                         ids=["LSTM", "RNN_bidirectional", "GRU_2layers"])
def test_seed001_embedding_rnn_classifier(rnn):
    """The seed's listing (Embedding → RNN(batch_first) → last step → Linear): logits, loss
    and every gradient equal to torch's. (``output, (hidden, _) = rnn(x)`` unpacks h_n for
    plain RNN/GRU only when h_n has 2 entries, as in torch.)"""
    ours = _seed_model(tg.nn, rnn).double().eval()
    ref = _seed_model(torch.nn, rnn).double().eval()
    ref.load_state_dict({k: torch.from_numpy(np.array(tg_np(v), copy=True))
                         for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).integers(0, 20, (3, 7)).astype(np.int64)
    x[:, :2] = 0  # left padding
    t = np.array([0, 1, 1], dtype=np.int64)
    out, rout = ours(tg.tensor(x)), ref(torch.from_numpy(x))
    loss = tg.nn.functional.cross_entropy(out, tg.tensor(t))
    rloss = torch.nn.functional.cross_entropy(rout, torch.from_numpy(t))
    assert_close(tg_np(loss), th_np(rloss), op="seed001_rnn", what="loss", dtype="float64",
                 backend="numpy")
    loss.backward()
    rloss.backward()
    rp = dict(ref.named_parameters())
    for n, p in ours.named_parameters():
        assert_close(tg_np(p.grad), th_np(rp[n].grad), op="seed001_rnn", what=f"grad of {n}",
                     dtype="float64", backend="numpy", check="grad", factor=10)
    assert not tg_np(ours.embedding.weight.grad)[0].any()  # padding row: no gradient


def test_seed001_plain_rnn_unpack_fails_like_torch():
    """With a 1-layer unidirectional nn.RNN the seed's ``(hidden, _)`` unpack fails in torch
    (h_n has one entry); ours fails the same way rather than silently doing something else."""
    for lib in (tg, torch):
        m = lib.nn.RNN(3, 4, batch_first=True)
        with pytest.raises(ValueError, match="not enough values to unpack"):
            output, (hidden, _) = m(lib.zeros(2, 5, 3))
