"""Sequence and attention layers against torch beyond the ModuleInfos: same seed -> torch's
initial weights, state_dict keys and repr; a small Transformer encoder trained 200 Adam steps
in float64 next to torch from the same weights on the same batches (issue 11's acceptance
item); the causal/GQA/mask paths of scaled_dot_product_attention; LSTM(proj_size).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

torch.set_num_threads(1)


def _state(m) -> dict:
    return {k: np.asarray(v.detach().numpy()) for k, v in m.state_dict().items()}


def _same_state(m_g, m_t, exact=True):
    g, t = _state(m_g), _state(m_t)
    assert list(g) == list(t)  # same keys, same order: a checkpoint moves between the two
    for k in t:
        assert g[k].shape == t[k].shape and g[k].dtype == t[k].dtype, k
        if exact:
            np.testing.assert_array_equal(g[k], t[k], err_msg=k)


BUILDERS = {
    "RNNCell": lambda nn: nn.RNNCell(5, 7, nonlinearity="relu"),
    "LSTMCell": lambda nn: nn.LSTMCell(5, 7),
    "GRUCell": lambda nn: nn.GRUCell(5, 7, bias=False),
    "LSTMproj": lambda nn: nn.LSTM(5, 7, num_layers=2, proj_size=3, bidirectional=True),
    "MHA": lambda nn: nn.MultiheadAttention(8, 2, add_bias_kv=True, batch_first=True),
    "MHAkv": lambda nn: nn.MultiheadAttention(8, 4, kdim=3, vdim=5, bias=False),
    "EncoderLayer": lambda nn: nn.TransformerEncoderLayer(8, 2, 16, activation="gelu"),
    "DecoderLayer": lambda nn: nn.TransformerDecoderLayer(8, 2, 16, norm_first=True),
    "Transformer": lambda nn: nn.Transformer(8, 2, 2, 1, 16, batch_first=True),
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_same_seed_same_init_keys_and_repr(name):
    torch.manual_seed(3)
    m_t = BUILDERS[name](torch.nn)
    tg.manual_seed(3)
    m_g = BUILDERS[name](tg.nn)
    _same_state(m_g, m_t)
    assert repr(m_g) == repr(m_t)


def _encoder_model(nn, d=16):
    layer = nn.TransformerEncoderLayer(d, 4, 32, dropout=0.0, batch_first=True, norm_first=False)
    return nn.ModuleDict({
        "embed": nn.Linear(6, d),
        "encoder": nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(d),
                                         enable_nested_tensor=False),
        "head": nn.Linear(d, 3),
    })


def _losses(lib, model, xs, ys, mask):
    F = lib.nn.functional
    opt = lib.optim.Adam(model.parameters(), lr=3e-3)
    out = []
    for x, y in zip(xs, ys):
        x, y = lib.tensor(x), lib.tensor(y)
        h = model["encoder"](model["embed"](x), mask=lib.tensor(mask))
        loss = F.cross_entropy(model["head"](h.mean(1)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        out.append(float(loss.item()))
    return np.array(out)


def test_transformer_encoder_trains_like_torch_float64():
    """200 Adam steps, causal mask, float64: the loss equals torch's to 1e-10 at every step."""
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(200, 8, 5, 6))
    ys = (xs[:, :, :, 0].sum(-1) > 0).astype(np.int64) + (xs[:, :, 0, 1] > 1).astype(np.int64)
    mask = np.triu(np.full((5, 5), -np.inf), 1)  # detected as causal: the is_causal path
    torch.manual_seed(0)
    m_t = _encoder_model(torch.nn).double()
    tg.manual_seed(0)
    m_g = _encoder_model(tg.nn).double()
    _same_state(m_g, m_t)  # same seed, same initial weights
    want = _losses(torch, m_t, xs, ys, mask)
    got = _losses(tg, m_g, xs, ys, mask)
    rel = np.abs(got - want) / np.abs(want)
    assert rel.max() <= 1e-10, (rel.max(), int(rel.argmax()))
    assert want[-20:].mean() < want[:20].mean()  # it learned something
    _same_state(m_g, m_t, exact=False)
    for k, v in _state(m_t).items():
        np.testing.assert_allclose(_state(m_g)[k], v, rtol=1e-8, atol=1e-10, err_msg=k)


DROPOUTS = [("dropout1d", (3, 4, 5)), ("dropout1d", (4, 5)), ("dropout2d", (2, 3, 4, 4)),
            ("dropout3d", (3, 2, 2, 2)), ("alpha_dropout", (6, 7)),
            ("feature_alpha_dropout", (2, 5, 3))]


@pytest.mark.parametrize("name, shape", DROPOUTS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_variants_same_seed_same_values_and_grad(name, shape, dtype):
    x = np.random.default_rng(1).normal(size=shape).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    xg = tg.tensor(x, requires_grad=True)
    torch.manual_seed(5)
    yt = getattr(torch.nn.functional, name)(xt, 0.4, True)
    tg.manual_seed(5)
    yg = getattr(tg.nn.functional, name)(xg, 0.4, True)
    np.testing.assert_array_equal(yg.detach().numpy(), yt.detach().numpy())
    g = np.random.default_rng(2).normal(size=shape).astype(dtype)
    yt.backward(torch.tensor(g))
    yg.backward(tg.tensor(g))
    np.testing.assert_array_equal(xg.grad.numpy(), xt.grad.numpy())


@pytest.mark.parametrize("cls", ["Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                                 "FeatureAlphaDropout"])
def test_dropout_modules(cls):
    m_t, m_g = getattr(torch.nn, cls)(0.3), getattr(tg.nn, cls)(0.3)
    assert repr(m_g) == repr(m_t)
    x = np.random.default_rng(3).normal(size=(2, 3, 2, 2, 2)[: 3 if cls == "Dropout1d" else 5])
    m_t.eval()
    m_g.eval()
    np.testing.assert_array_equal(m_g(tg.tensor(x)).numpy(), m_t(torch.tensor(x)).numpy())
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        getattr(tg.nn, cls)(1.5)


def _pair(shape, rng, dtype="float64"):
    a = rng.normal(size=shape).astype(dtype)
    return torch.tensor(a, requires_grad=True), tg.tensor(a, requires_grad=True)


def _close(g, t, tol=1e-10):
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


SDPA_CASES = {
    "bool_mask": dict(mask="bool"),
    "float_mask": dict(mask="float"),
    "causal_L_lt_S": dict(is_causal=True),
    "scale": dict(scale=0.3),
    "gqa": dict(enable_gqa=True, hk=2),
    "dead_row": dict(mask="dead"),
    "dropout": dict(dropout_p=0.3),
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_paths(case):
    kw = dict(SDPA_CASES[case])
    rng = np.random.default_rng(7)
    hk = kw.pop("hk", 4)
    (qt, qg), (kt, kg), (vt, vg) = (_pair((2, 4, 3, 5), rng), _pair((2, hk, 6, 5), rng),
                                    _pair((2, hk, 6, 2), rng))
    mask = kw.pop("mask", None)
    if mask is not None:
        m = rng.random((3, 6)) > 0.4 if mask != "float" else rng.normal(size=(3, 6))
        if mask == "dead":
            m[1] = False  # a row with no key: torch gives 0, not NaN
        kw["attn_mask"] = (torch.tensor(m), tg.tensor(m))
    targs = {k: (v[0] if isinstance(v, tuple) else v) for k, v in kw.items()}
    gargs = {k: (v[1] if isinstance(v, tuple) else v) for k, v in kw.items()}
    torch.manual_seed(11)
    out_t = torch.nn.functional.scaled_dot_product_attention(qt, kt, vt, **targs)
    tg.manual_seed(11)
    out_g = tg.nn.functional.scaled_dot_product_attention(qg, kg, vg, **gargs)
    _close(out_g, out_t)
    up = rng.normal(size=tuple(out_t.shape))
    out_t.backward(torch.tensor(up))
    out_g.backward(tg.tensor(up))
    for g, t in ((qg, qt), (kg, kt), (vg, vt)):
        _close(g.grad, t.grad)


@pytest.mark.parametrize("need_weights, average", [(True, True), (True, False), (False, True)])
def test_mha_masks_and_weights(need_weights, average):
    rng = np.random.default_rng(8)
    torch.manual_seed(1)
    m_t = torch.nn.MultiheadAttention(6, 3, kdim=4, vdim=5, add_bias_kv=True,
                                      add_zero_attn=True).double()
    tg.manual_seed(1)
    m_g = tg.nn.MultiheadAttention(6, 3, kdim=4, vdim=5, add_bias_kv=True,
                                   add_zero_attn=True).double()
    _same_state(m_g, m_t)
    (qt, qg), (kt, kg), (vt, vg) = _pair((3, 2, 6), rng), _pair((5, 2, 4), rng), _pair((5, 2, 5),
                                                                                        rng)
    pad = np.zeros((2, 5), dtype=bool)
    pad[0, 3:] = True
    causal = np.triu(np.ones((3, 5), dtype=bool), 1)
    out_t = m_t(qt, kt, vt, key_padding_mask=torch.tensor(pad), attn_mask=torch.tensor(causal),
                need_weights=need_weights, average_attn_weights=average)
    out_g = m_g(qg, kg, vg, key_padding_mask=tg.tensor(pad), attn_mask=tg.tensor(causal),
                need_weights=need_weights, average_attn_weights=average)
    _close(out_g[0], out_t[0])
    assert (out_g[1] is None) == (out_t[1] is None)
    if need_weights:
        _close(out_g[1], out_t[1])
    out_t[0].sum().backward()
    out_g[0].sum().backward()
    for g, t in ((qg, qt), (kg, kt), (vg, vt)):
        _close(g.grad, t.grad)
    grads_g = {k: p.grad for k, p in m_g.named_parameters()}
    for k, p in m_t.named_parameters():
        _close(grads_g[k], p.grad)


@pytest.mark.parametrize("perm", [(1, 0, 2), (2, 0, 1), (0, 2, 1), (2, 1, 0)])
@pytest.mark.parametrize("name", ["dropout", "alpha_dropout"])
def test_dropout_of_a_permuted_view_draws_in_memory_order(perm, name):
    """torch fills empty_like(x) (x's strides) in memory order: a transposed x gets its mask
    along its storage (the batch_first MultiheadAttention output meets this)."""
    a = np.random.default_rng(1).normal(size=(3, 4, 5))
    torch.manual_seed(3)
    yt = getattr(torch.nn.functional, name)(torch.tensor(a).permute(*perm), 0.5, True)
    tg.manual_seed(3)
    yg = getattr(tg.nn.functional, name)(tg.tensor(a).permute(*perm), 0.5, True)
    np.testing.assert_array_equal(yg.numpy(), yt.numpy())


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_with_dropout_same_seed_same_values(norm_first):
    x = np.random.default_rng(0).normal(size=(2, 5, 8))
    torch.manual_seed(0)
    m_t = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.2, batch_first=True,
                                           norm_first=norm_first).double()
    tg.manual_seed(0)
    m_g = tg.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.2, batch_first=True,
                                        norm_first=norm_first).double()
    torch.manual_seed(5)
    y_t = m_t(torch.tensor(x))
    tg.manual_seed(5)
    y_g = m_g(tg.tensor(x))
    _close(y_g, y_t)
