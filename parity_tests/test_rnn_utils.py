"""nn.utils.rnn (pad/pack of variable-length batches) and nn.RNN/LSTM/GRU on a PackedSequence,
against torch: values, batch_sizes, indices, h_n/c_n at each sequence's last step, gradients
through pack and pad, and the variable-length LSTM tutorial run as written with either module.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as R

import tinygrad_edu as tg
from tinygrad_edu.nn.utils import rnn as G


def _np(t):
    return t.detach().cpu().numpy()


def _close(a, b, tol=2e-5):
    np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lens,sort", [([5, 3, 3, 1], True), ([3, 5, 1, 3], False),
                                        ([2, 2, 2, 2], True), ([1, 4, 4, 2], False)])
def test_pack_pad_roundtrip_values_and_grads(batch_first, lens, sort):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5, 2) if batch_first else (5, 4, 2)).astype(np.float32)
    tx, gx = torch.tensor(x, requires_grad=True), tg.tensor(x, requires_grad=True)
    tp = R.pack_padded_sequence(tx, torch.tensor(lens), batch_first, enforce_sorted=sort)
    gp = G.pack_padded_sequence(gx, tg.tensor(lens), batch_first, enforce_sorted=sort)
    assert isinstance(gp, G.PackedSequence) and gp._fields == tp._fields
    np.testing.assert_array_equal(_np(gp.data), _np(tp.data))
    np.testing.assert_array_equal(_np(gp.batch_sizes), _np(tp.batch_sizes))
    assert gp.batch_sizes.dtype == tg.int64
    for a, b in [(gp.sorted_indices, tp.sorted_indices),
                 (gp.unsorted_indices, tp.unsorted_indices)]:
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(_np(a), _np(b))
    to, tl = R.pad_packed_sequence(tp, batch_first, padding_value=-7.0, total_length=6)
    go, gl = G.pad_packed_sequence(gp, batch_first, padding_value=-7.0, total_length=6)
    np.testing.assert_array_equal(_np(go), _np(to))
    np.testing.assert_array_equal(_np(gl), _np(tl))
    assert gl.dtype == tg.int64 and go.dtype == tg.float32
    w = rng.standard_normal(to.shape).astype(np.float32)
    (to * torch.tensor(w)).sum().backward()
    (go * tg.tensor(w)).sum().backward()
    np.testing.assert_array_equal(_np(gx.grad), _np(tx.grad))  # padded positions: zero
    # unpack/unpad back to the original sequences
    for a, b in zip(G.unpack_sequence(gp), R.unpack_sequence(tp)):
        np.testing.assert_array_equal(_np(a), _np(b))


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence_and_pack_sequence(side, batch_first):
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((n, 3, 2)).astype(np.float32) for n in (2, 4, 1)]
    ts = [torch.tensor(s, requires_grad=True) for s in seqs]
    gs = [tg.tensor(s, requires_grad=True) for s in seqs]
    a = R.pad_sequence(ts, batch_first, 1.5, side)
    b = G.pad_sequence(gs, batch_first, 1.5, side)
    np.testing.assert_array_equal(_np(b), _np(a))
    w = rng.standard_normal(a.shape).astype(np.float32)
    (a * torch.tensor(w)).sum().backward()
    (b * tg.tensor(w)).sum().backward()
    for t, g in zip(ts, gs):
        np.testing.assert_array_equal(_np(g.grad), _np(t.grad))
    tp = R.pack_sequence([t.detach() for t in ts], enforce_sorted=False)
    gp = G.pack_sequence([g.detach() for g in gs], enforce_sorted=False)
    np.testing.assert_array_equal(_np(gp.data), _np(tp.data))
    np.testing.assert_array_equal(_np(gp.sorted_indices), _np(tp.sorted_indices))
    pad, lens = R.pad_packed_sequence(tp)
    for a, b in zip(G.unpad_sequence(tg.tensor(_np(pad)), tg.tensor(_np(lens))),
                    R.unpad_sequence(pad.clone(), lens)):
        np.testing.assert_array_equal(_np(a), _np(b))


def _raises_like(fn_t, fn_g):
    with pytest.raises(Exception) as et:
        fn_t()
    with pytest.raises(type(et.value)) as eg:
        fn_g()
    return str(et.value), str(eg.value)


def test_errors_as_torch():
    x = np.zeros((4, 3, 2), np.float32)
    tx, gx = torch.tensor(x), tg.tensor(x)
    for lens in ([3, 4, 1], [3, 2], [3, 1, 0]):
        mt, mg = _raises_like(lambda n=lens: R.pack_padded_sequence(tx, n),
                              lambda n=lens: G.pack_padded_sequence(gx, n))
        assert mt == mg
    mt, mg = _raises_like(lambda: R.pack_padded_sequence(tx, torch.tensor([[3, 2, 1]])),
                          lambda: G.pack_padded_sequence(gx, tg.tensor([[3, 2, 1]])))
    assert "1D CPU int64" in mg
    with pytest.raises(RuntimeError, match="exceeds"):  # torch reads out of bounds here
        G.pack_padded_sequence(gx, [5, 3, 1])
    tp = R.pack_padded_sequence(tx, [3, 3, 1])
    gp = G.pack_padded_sequence(gx, [3, 3, 1])
    mt, mg = _raises_like(lambda: R.pad_packed_sequence(tp, total_length=2),
                          lambda: G.pad_packed_sequence(gp, total_length=2))
    assert mt == mg
    for args in ([], 5):
        mt, mg = _raises_like(lambda a=args: R.pad_sequence(a),
                              lambda a=args: G.pad_sequence(a))
        assert mt.split(":")[0] == mg.split(":")[0]
    mt, mg = _raises_like(lambda: R.pad_sequence([tx[0]], padding_side="mid"),
                          lambda: G.pad_sequence([gx[0]], padding_side="mid"))
    assert mt == mg
    _raises_like(lambda: R.pad_sequence([tx[0], torch.zeros(3, 3)]),
                 lambda: G.pad_sequence([gx[0], tg.zeros(3, 3)]))
    y = np.arange(6, dtype=np.float32).reshape(3, 2)  # trailing dims broadcast, as torch
    np.testing.assert_array_equal(
        _np(G.pad_sequence([tg.tensor(y), tg.tensor(y[:2, :1]), tg.tensor(y[:1, :1]).double()])),
        _np(R.pad_sequence([torch.tensor(y), torch.tensor(y[:2, :1]),
                            torch.tensor(y[:1, :1]).double()])))


def test_packed_sequence_to_and_ctor():
    gp = G.pack_sequence([tg.ones(3, 2), tg.ones(1, 2)])
    assert gp.to(tg.float32) is gp
    d = gp.double()
    assert d.data.dtype == tg.float64 and d.batch_sizes is gp.batch_sizes
    assert not gp.is_cuda
    p2 = G.PackedSequence((gp.data, gp.batch_sizes), sorted_indices=tg.tensor([1, 0]))
    np.testing.assert_array_equal(_np(p2.unsorted_indices), [1, 0])


def _tutorial(torch, R, sd, tokens, lengths, targets, mode, batch_first, sort, bidir, layers):
    """The usual tutorial: embed → pack → RNN → unpack → linear → loss → backward → step."""
    nn = torch.nn

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(12, 6, padding_idx=0)
            self.rnn = getattr(nn, mode)(6, 5, num_layers=layers, batch_first=batch_first,
                                         bidirectional=bidir)
            self.fc = nn.Linear(10 if bidir else 5, 3)

        def forward(self, x, lengths):
            packed = R.pack_padded_sequence(self.emb(x), lengths, batch_first=batch_first,
                                            enforce_sorted=sort)
            out, hidden = self.rnn(packed)
            out, _ = R.pad_packed_sequence(out, batch_first=batch_first)
            return self.fc(out), hidden

    model = Tagger()
    model.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    logits, hidden = model(torch.tensor(tokens), lengths)
    loss = nn.functional.cross_entropy(logits.reshape(-1, 3), torch.tensor(targets).reshape(-1),
                                       ignore_index=-1)
    opt.zero_grad()
    loss.backward()
    grads = {k: p.grad.clone() for k, p in model.named_parameters()}
    opt.step()
    hidden = hidden if isinstance(hidden, tuple) else (hidden,)
    return logits, hidden, loss, grads, dict(model.named_parameters())


CASES = [("LSTM", bf, s, False, 1) for bf in (False, True) for s in (True, False)] + [
    ("LSTM", True, False, True, 2), ("GRU", False, False, True, 2), ("RNN", True, True, False, 2),
    ("GRU", True, True, False, 1)]


@pytest.mark.parametrize("mode,batch_first,sort,bidir,layers", CASES)
def test_tutorial_matches_torch(mode, batch_first, sort, bidir, layers):
    rng = np.random.default_rng(2)
    lengths = [6, 4, 4, 2, 1] if sort else [2, 6, 1, 4, 4]
    T, B = max(lengths), len(lengths)
    tokens = np.zeros((T, B), np.int64)
    targets = np.full((T, B), -1, np.int64)
    for b, n in enumerate(lengths):
        tokens[:n, b] = rng.integers(1, 12, n)
        targets[:n, b] = rng.integers(0, 3, n)
    if batch_first:
        tokens, targets = tokens.T.copy(), targets.T.copy()
    torch.manual_seed(0)
    nn = torch.nn
    proto = {"emb.weight": nn.Embedding(12, 6).weight,
             **{"rnn." + k: v for k, v in getattr(nn, mode)(6, 5, num_layers=layers,
                                                             bidirectional=bidir).state_dict().items()},
             **{"fc." + k: v for k, v in nn.Linear(10 if bidir else 5, 3).state_dict().items()}}
    sd = {k: _np(v) for k, v in proto.items()}
    ref = _tutorial(torch, R, sd, tokens, lengths, targets, mode, batch_first, sort, bidir, layers)
    got = _tutorial(tg, G, sd, tokens, lengths, targets, mode, batch_first, sort, bidir, layers)
    _close(got[0], ref[0])
    assert len(got[1]) == len(ref[1])
    for a, b in zip(got[1], ref[1]):
        _close(a, b)  # h_n (and c_n): each sequence's last valid step, original batch order
    _close(got[2], ref[2])
    for k in ref[3]:
        _close(got[3][k], ref[3][k])
        _close(got[4][k], ref[4][k])


def test_packed_input_with_h0_in_caller_order_and_proj():
    rng = np.random.default_rng(3)
    seqs = [rng.standard_normal((n, 4)).astype(np.float32) for n in (2, 5, 3)]
    torch.manual_seed(0)
    tl = torch.nn.LSTM(4, 6, proj_size=3, bidirectional=True)
    gl = tg.nn.LSTM(4, 6, proj_size=3, bidirectional=True)
    gl.load_state_dict({k: tg.tensor(_np(v)) for k, v in tl.state_dict().items()})
    h0 = rng.standard_normal((2, 3, 3)).astype(np.float32)
    c0 = rng.standard_normal((2, 3, 6)).astype(np.float32)
    th = (torch.tensor(h0, requires_grad=True), torch.tensor(c0, requires_grad=True))
    gh = (tg.tensor(h0, requires_grad=True), tg.tensor(c0, requires_grad=True))
    ts = [torch.tensor(s, requires_grad=True) for s in seqs]
    gs = [tg.tensor(s, requires_grad=True) for s in seqs]
    to, (thn, tcn) = tl(R.pack_sequence(ts, enforce_sorted=False), th)
    go, (ghn, gcn) = gl(G.pack_sequence(gs, enforce_sorted=False), gh)
    assert isinstance(go, G.PackedSequence)
    _close(go.data, to.data)
    np.testing.assert_array_equal(_np(go.batch_sizes), _np(to.batch_sizes))
    _close(ghn, thn)
    _close(gcn, tcn)
    (to.data.sum() + thn.pow(2).sum() + tcn.sum()).backward()
    (go.data.sum() + ghn.pow(2).sum() + gcn.sum()).backward()
    for a, b in list(zip(gs, ts)) + list(zip(gh, th)):
        _close(a.grad, b.grad)
    with pytest.raises(RuntimeError, match="hidden"):
        gl(G.pack_sequence(gs, enforce_sorted=False), (gh[0][:, :2], gh[1]))
