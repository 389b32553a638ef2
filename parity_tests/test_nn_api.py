"""nn.Module API vs torch: registration, traversal names, modes, conversion, state_dict round
trips (with torch, through NumPy), load_state_dict errors, repr, hooks, containers, Parameter,
and nn.utils (clip_grad_norm_, clip_grad_value_, parameters_to_vector)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch
from helpers import assert_close, tg_np, th_np

import tinygrad_edu as tg


def _net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(),
                                      nn.Dropout(0.0), nn.Linear(8, 3))
            self.head = nn.ModuleDict({"act": nn.PReLU(3), "norm": nn.LayerNorm(3)})
            self.extra = nn.ModuleList([nn.Identity(), nn.Tanh()])
            self.register_buffer("scale", lib.ones(3))
            self.register_buffer("tmp", lib.zeros(2), persistent=False)
            self.shared = self.body[0]  # the same module twice: deduplicated

        def forward(self, x):
            return self.head["norm"](self.head["act"](self.body(x))) * self.scale

    return Net()


def _sync(ours, ref):
    ref.load_state_dict({k: torch.from_numpy(np.array(tg_np(v), copy=True))
                         for k, v in ours.state_dict().items()})


def test_traversal_names_match_torch():
    ours, ref = _net(tg), _net(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in ref.named_children()]
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert len(list(ours.parameters())) == len(list(ref.parameters()))
    assert len(list(ours.parameters(recurse=False))) == 0
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in ref.parameters())
    assert ours.get_submodule("body.1") is ours.body[1]
    assert repr(ours) == repr(ref)


def test_state_dict_round_trip_with_torch():
    ours, ref = _net(tg), _net(torch)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    ours(tg.tensor(x))  # move the running stats away from their init
    _sync(ours, ref)  # ours -> torch (via NumPy)
    for m in (ours, ref):
        m.eval()
    assert_close(tg_np(ours(tg.tensor(x))), th_np(ref(torch.from_numpy(x))), op="state_dict",
                 what="tg -> torch", dtype="float32", backend="numpy")
    fresh = _net(tg).eval()
    res = fresh.load_state_dict(ref.state_dict())  # torch tensors as values, back into ours
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert repr(res) == "<All keys matched successfully>"
    np.testing.assert_array_equal(tg_np(fresh(tg.tensor(x))), tg_np(ours(tg.tensor(x))))
    assert int(fresh.body[1].num_batches_tracked.item()) == 1
    # NumPy values too
    fresh.load_state_dict({k: tg_np(v) for k, v in ours.state_dict().items()})
    sd = ours.state_dict()
    assert all(not v.requires_grad for v in sd.values())  # detached values
    assert "tmp" not in sd and "scale" in sd  # non-persistent buffers are left out


def test_load_state_dict_errors_match_torch():
    ours, ref = tg.nn.Linear(4, 2), torch.nn.Linear(4, 2)
    sd = {"weight": np.zeros((3, 4), "float32"), "foo": np.zeros(1, "float32")}
    with pytest.raises(RuntimeError) as eo:
        ours.load_state_dict(sd)
    with pytest.raises(RuntimeError) as er:
        ref.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
    assert str(eo.value) == str(er.value)
    assert "Missing key(s) in state_dict: \"bias\"" in str(eo.value)
    # strict=False still refuses a size mismatch, but reports missing/unexpected
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        ours.load_state_dict(sd, strict=False)
    res = ours.load_state_dict({"foo": np.zeros(1, "float32")}, strict=False)
    assert res.missing_keys == ["weight", "bias"] and res.unexpected_keys == ["foo"]


def test_modes_zero_grad_to_and_apply():
    m = _net(tg)
    assert m.training and all(c.training for c in m.modules())
    m.eval()
    assert not any(c.training for c in m.modules())
    m.train()
    w = m.body[0].weight
    m(tg.randn(5, 4)).sum().backward()
    assert w.grad is not None
    m.zero_grad(set_to_none=False)
    assert w.grad is not None and not tg_np(w.grad).any()
    m.zero_grad()
    assert w.grad is None
    m.double()
    assert m.body[0].weight is w and w.dtype == tg.float64  # in place: the same Parameter
    assert m.body[1].num_batches_tracked.dtype == tg.int64  # integer buffers are left alone
    assert m.to(tg.float32) is m and w.dtype == tg.float32
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_hooks():
    lin = tg.nn.Linear(3, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda mod, args: calls.append("pre") or (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda mod, args, out: calls.append("post") or out + 1)
    out = lin(tg.randn(4, 3))
    assert calls == ["pre", "post"]
    np.testing.assert_allclose(tg_np(out), np.broadcast_to(tg_np(lin.bias) + 1, (4, 2)))
    h1.remove()
    h2.remove()
    lin(tg.randn(4, 3))
    assert calls == ["pre", "post"]


def test_registration_rules():
    m = tg.nn.Module()
    m.w = tg.nn.Parameter(tg.randn(2))
    m.sub = tg.nn.Linear(2, 2)
    m.register_buffer("b", tg.zeros(2))
    m.plain = tg.randn(2)  # a plain tensor attribute is neither parameter nor buffer
    assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"]
    assert list(m._buffers) == ["b"]
    with pytest.raises(TypeError):
        m.w = tg.randn(2)  # torch: a parameter slot takes a Parameter or None
    with pytest.raises(KeyError):
        m.register_buffer("a.b", tg.zeros(1))
    del m.sub
    assert "sub" not in m._modules
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        m.nope  # noqa: B018


def test_containers_match_torch():
    for lib in (tg, torch):
        nn = lib.nn
        s = nn.Sequential(OrderedDict([("a", nn.Linear(2, 3)), ("b", nn.ReLU())]))
        s.append(nn.Linear(3, 1))
        assert len(s) == 3 and isinstance(s[-1], nn.Linear) and isinstance(s[1], nn.ReLU)
        assert isinstance(s[:2], nn.Sequential) and len(s[:2]) == 2
        assert [type(x).__name__ for x in s] == ["Linear", "ReLU", "Linear"]
        with pytest.raises(IndexError):
            s[5]
    ours = tg.nn.ModuleList([tg.nn.Linear(2, 2), tg.nn.Linear(2, 2), tg.nn.ReLU()])
    ref = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), torch.nn.ReLU()])
    assert repr(ours) == repr(ref)  # "(0-1): 2 x Linear(...)"
    ours.append(tg.nn.Tanh())
    assert len(ours) == 4 and isinstance(ours[-1], tg.nn.Tanh)
    d = tg.nn.ModuleDict({"x": tg.nn.ReLU()})
    d["y"] = tg.nn.Linear(1, 1)
    assert list(d.keys()) == ["x", "y"] and "y" in d and len(d) == 2
    assert [n for n, _ in d.named_parameters()] == ["y.weight", "y.bias"]


def test_repr_of_every_layer_type_matches_torch():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(
            nn.Flatten(), nn.Unflatten(1, (2, 2)), nn.Linear(784, 128), nn.Linear(3, 2, bias=False),
            nn.Identity(), nn.BatchNorm1d(128), nn.BatchNorm1d(4, momentum=None, affine=False),
            nn.BatchNorm2d(3), nn.LayerNorm(4), nn.LayerNorm((4, 3), elementwise_affine=False),
            nn.Dropout(0.2), nn.ReLU(), nn.LeakyReLU(), nn.LeakyReLU(0.2), nn.PReLU(),
            nn.PReLU(3), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1), nn.LogSoftmax(dim=1),
            nn.ELU(), nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.Softplus(), nn.MSELoss(),
            nn.L1Loss(), nn.SmoothL1Loss(), nn.BCELoss(), nn.BCEWithLogitsLoss(),
            nn.CrossEntropyLoss(), nn.NLLLoss(), nn.CosineSimilarity(),
            nn.Sequential(nn.Linear(1, 1)), nn.ModuleList([nn.ReLU()]),
            nn.ModuleDict({"a": nn.Tanh()}),
        )

    assert repr(build(tg)) == repr(build(torch))
    assert repr(tg.nn.Sequential(tg.nn.Linear(784, 128), tg.nn.ReLU())) == (
        "Sequential(\n  (0): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (1): ReLU()\n)")


def test_parameter():
    p = tg.nn.Parameter(tg.tensor([[1.0, 2.0]]))
    assert isinstance(p, tg.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([[1.0, 2.0]])))
    assert not tg.nn.Parameter(tg.zeros(2), requires_grad=False).requires_grad
    q = (p * 2).sum()
    assert type(q) is tg.Tensor
    import copy

    c = copy.deepcopy(p)
    assert isinstance(c, tg.nn.Parameter) and c._data is not p._data


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(3)
    grads = [rng.normal(size=s) for s in [(3, 4), (4,), (2, 2, 2)]]
    ours = [tg.nn.Parameter(tg.zeros(*g.shape, dtype=tg.float64)) for g in grads]
    ref = [torch.nn.Parameter(torch.zeros(*g.shape, dtype=torch.float64)) for g in grads]
    for p, r, g in zip(ours, ref, grads):
        p.grad, r.grad = tg.tensor(g.copy()), torch.tensor(g.copy())
    n1 = tg.nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    n2 = torch.nn.utils.clip_grad_norm_(ref, max_norm, norm_type)
    assert_close(tg_np(n1), th_np(n2), op="clip_grad_norm_", what="total norm", dtype="float64",
                 backend="numpy")
    for p, r in zip(ours, ref):
        assert_close(tg_np(p.grad), th_np(r.grad), op="clip_grad_norm_", what="clipped grad",
                     dtype="float64", backend="numpy")


def test_clip_grad_value_and_vector_round_trip():
    rng = np.random.default_rng(4)
    shapes = [(3, 4), (4,), (2, 1)]
    vals = [rng.normal(size=s) * 3 for s in shapes]
    ours = [tg.nn.Parameter(tg.tensor(v.copy())) for v in vals]
    ref = [torch.nn.Parameter(torch.tensor(v.copy())) for v in vals]
    for p, r, v in zip(ours, ref, vals):
        p.grad, r.grad = tg.tensor(v.copy()), torch.tensor(v.copy())
    tg.nn.utils.clip_grad_value_(ours, 1.5)
    torch.nn.utils.clip_grad_value_(ref, 1.5)
    for p, r in zip(ours, ref):
        np.testing.assert_array_equal(tg_np(p.grad), th_np(r.grad))
    v1 = tg.nn.utils.parameters_to_vector(ours)
    v2 = torch.nn.utils.parameters_to_vector(ref)
    np.testing.assert_array_equal(tg_np(v1), th_np(v2))
    new = np.arange(v1.numel(), dtype="float64")
    tg.nn.utils.vector_to_parameters(tg.tensor(new), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), ref)
    for p, r in zip(ours, ref):
        np.testing.assert_array_equal(tg_np(p), th_np(r))
