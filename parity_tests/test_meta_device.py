"""The meta device (a shape and a dtype, no data), against torch's meta tensors as the oracle:
creation and printing, what raises and with which message, ops' shapes and dtypes over a pinned
subset of torch's OpInfos (the whole database: parity_tests/scripts/sweep_meta.py), autograd,
device mixing, and building models on meta then ``to_empty``."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu._meta import MetaArray
from tinygrad_edu.parity import db
from tinygrad_edu.parity import meta as pmeta

LIBS = pytest.mark.parametrize("lib", [tg, torch], ids=["tg", "torch"])


def both(fn):
    """``fn(lib)`` in torch and tinygrad_edu: (torch's, tg's) outcome as repr or exception."""
    out = []
    for lib in (torch, tg):
        try:
            out.append(("ok", repr(fn(lib))))
        except Exception as e:  # the outcome under comparison
            out.append((type(e).__name__, str(e).split("\n")[0]))
    return out


CREATION = {
    "ones": lambda L: L.ones(2, 3, device="meta"),
    "zeros_f64": lambda L: L.zeros(2, 3, dtype=L.float64, device="meta"),
    "empty_int": lambda L: L.empty(4, dtype=L.int64, device="meta"),
    "full_bool": lambda L: L.full((2,), True, device="meta"),
    "full_int": lambda L: L.full((2, 1), 3, device="meta"),
    "scalar_bool": lambda L: L.ones((), dtype=L.bool, device="meta"),
    "empty0": lambda L: L.empty(0, device="meta"),
    "randn": lambda L: L.randn(2, 3, device="meta"),
    "rand_f16": lambda L: L.rand(3, dtype=L.float16, device="meta"),
    "randint": lambda L: L.randint(0, 5, (3,), device="meta"),
    "randperm": lambda L: L.randperm(4, device="meta"),
    "arange": lambda L: L.arange(5, device="meta"),
    "arange_f": lambda L: L.arange(0, 1, 0.1, device="meta"),
    "linspace": lambda L: L.linspace(0, 1, 5, device="meta"),
    "eye": lambda L: L.eye(3, device="meta"),
    "tensor": lambda L: L.tensor([1, 2], device="meta"),
    "tensor_f": lambda L: L.tensor([[1.0, 2.0]], device="meta"),
    "zeros_like": lambda L: L.zeros_like(L.ones(2), device="meta"),
    "randn_like": lambda L: L.randn_like(L.ones(2, 2, device="meta")),
    "new_zeros": lambda L: L.ones(2, device="meta").new_zeros(3),
    "new_full": lambda L: L.ones(2, device="meta").new_full((2,), 1.5),
    "to_meta": lambda L: L.ones(2, 2).to("meta"),
    "to_meta_dtype": lambda L: L.ones(2).to("meta", L.float64),
    "requires_grad": lambda L: L.ones(2, device="meta", requires_grad=True),
    "grad_fn": lambda L: L.ones(2, device="meta", requires_grad=True) * 2,
    "int_div": lambda L: L.ones(3, 4, dtype=L.int32, device="meta") / 2,
    "half_mul": lambda L: L.ones(3, dtype=L.float16, device="meta") * 2.5,
    "bf16_exp": lambda L: L.ones(3, dtype=L.bfloat16, device="meta").exp(),
    "int_sum": lambda L: L.ones(3, 4, dtype=L.int32, device="meta").sum(),
    "compare": lambda L: L.ones(3, device="meta") == L.ones(3, device="meta"),
    "view": lambda L: L.ones(3, 4, device="meta").view(2, 6),
    "expand": lambda L: L.ones(3, device="meta").expand(2, 3),
    "matmul": lambda L: L.ones(2, 3, device="meta") @ L.ones(3, 4, device="meta"),
    "device": lambda L: L.ones(1, device="meta").device,
    "is_meta": lambda L: (L.ones(1, device="meta").is_meta, L.ones(1).is_meta),
    "len_iter": lambda L: (len(L.ones(2, 3, device="meta")), list(L.ones(2, device="meta"))),
    "device_obj": lambda L: L.device("meta"),
}


@pytest.mark.parametrize("name", sorted(CREATION))
def test_creation_and_printing_as_torch(name):
    """Each factory, cast and op prints exactly as torch's (``tensor(..., device='meta',
    size=(2, 3), dtype=...)``)."""
    t, g = both(CREATION[name])
    assert g == t


ERRORS = {
    "item": lambda L: L.ones((), device="meta").item(),
    "item_many": lambda L: L.ones(2, device="meta").item(),
    "float": lambda L: float(L.ones((), device="meta")),
    "bool": lambda L: bool(L.ones((), device="meta")),
    "tolist": lambda L: L.ones(2, device="meta").tolist(),
    "numpy": lambda L: L.ones(2, device="meta").numpy(),
    "numpy_force": lambda L: L.ones(2, device="meta").numpy(force=True),
    "np_asarray": lambda L: np.asarray(L.ones(2, device="meta")),
    "to_cpu": lambda L: L.ones(2, device="meta").to("cpu"),
    "cpu": lambda L: L.ones(2, device="meta").cpu(),
    "to_other": lambda L: L.ones(2, device="meta").to(L.ones(1)),
    "cpu_plus_meta": lambda L: L.ones(2) + L.ones(2, device="meta"),
    "meta_plus_cpu": lambda L: L.ones(2, device="meta") + L.ones(2),
    "meta_times_cpu": lambda L: L.mul(L.ones(2, device="meta"), L.ones(2)),
    "nonzero": lambda L: L.ones(2, device="meta").nonzero(),
    "unique": lambda L: L.unique(L.ones(2, device="meta")),
    "allclose": lambda L: L.allclose(L.ones(2, device="meta"), L.ones(2, device="meta")),
    "gradient_devices": lambda L: L.gradient(L.ones(3, 3), spacing=[
        L.tensor([1, 2, 4]), L.tensor([1, 2, 4], device="meta")], dim=(0, 1)),
    "gradient_devices_meta_input": lambda L: L.gradient(L.ones(3, 3, device="meta"), spacing=[
        L.tensor([1, 2, 4]), L.tensor([1, 2, 4], device="meta")]),
    "gradient_0d_spacing": lambda L: L.gradient(L.ones(3, 3), spacing=L.tensor(2.0,
                                                                               device="meta")),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_what_needs_data_raises_as_torch(name):
    """Data access raises torch's exception type; the message is torch's, up to the op name
    tinygrad_edu adds after it ("(in op AddFn)")."""
    (t_kind, t_msg), (g_kind, g_msg) = both(ERRORS[name])
    assert t_kind != "ok"
    # torch's type, or NotImplementedError (a RuntimeError) where an op needs the values:
    # then the message names the op and ends in torch's ("allclose: ... [Tensor.item() ...]")
    assert g_kind == t_kind or (g_kind, t_kind) == ("NotImplementedError", "RuntimeError"), \
        (t_msg, g_msg)
    if name not in ("nonzero", "unique"):  # torch's own are about its dispatcher
        assert t_msg.split(" (")[0].removesuffix(".") in g_msg, (t_msg, g_msg)
        if g_kind != t_kind:
            assert re.match(r"\w+: needs the values of a meta tensor", g_msg), g_msg


def test_data_dependent_ops_raise_never_a_made_up_value():
    x = tg.ones(2, 3, device="meta")
    for fn in (lambda: x[x > 0], lambda: x.masked_select(x > 0), lambda: tg.argwhere(x),
               lambda: tg.bincount(tg.ones(3, dtype=tg.int64, device="meta"))):
        with pytest.raises(RuntimeError, match="meta|no data"):  # NotImplementedError too
            fn()
    with pytest.raises(RuntimeError, match="cannot be called on meta tensors"):
        bool((x > 0).any())  # a value check on meta: raises, not True/False


def test_random_draws_on_meta_do_not_advance_the_generator():
    """torch draws nothing for a meta tensor: the next CPU draw is the same as without it."""
    vals = []
    for lib in (torch, tg):
        lib.manual_seed(0)
        lib.randn(3, device="meta")
        lib.empty(3, 3, device="meta").uniform_()
        lib.nn.init.kaiming_uniform_(lib.empty(4, 4, device="meta"))
        lib.nn.Linear(5, 5, device="meta")
        vals.append(lib.randn(3).tolist())
    tg.manual_seed(0)
    assert vals[0] == vals[1] == tg.randn(3).tolist()


@LIBS
def test_autograd_on_meta(lib):
    """Backward runs on meta: every gradient is a meta tensor of its parameter's shape."""
    x = lib.ones(3, 4, device="meta", requires_grad=True)
    w = lib.nn.Linear(4, 2, device="meta")
    target = lib.zeros(3, dtype=lib.int64, device="meta")
    lib.nn.functional.cross_entropy(w(x.tanh()), target).backward()
    for t in (x, w.weight, w.bias):
        assert t.grad.is_meta and tuple(t.grad.shape) == tuple(t.shape)
        assert t.grad.dtype == t.dtype


def test_views_and_inplace_on_meta_share_versions():
    for lib in (torch, tg):
        y = lib.ones(3, 4, device="meta")
        v = y[0]
        v.add_(1)
        y.mul_(2)
        assert (v._version, y._version) == (2, 2)


def test_meta_array_shape_rules():
    """The rules MetaArray answers with (no stand-in allocates a big result)."""
    a, b = MetaArray((10**6, 10**6), np.float32), MetaArray((10**6, 1), np.float64)
    assert (a + b).shape == (10**6, 10**6) and (a + b).dtype == np.float64
    assert (a @ MetaArray((10**6, 7), np.float32)).shape == (10**6, 7)
    assert np.sum(a, axis=1, keepdims=True).shape == (10**6, 1)
    assert np.maximum.reduce(a, axis=None).shape == ()
    with pytest.raises(ValueError):
        np.maximum.reduce(MetaArray((0, 3), np.float32), axis=0)  # NumPy's empty-reduce error
    with pytest.raises(ValueError):
        a + MetaArray((3,), np.float32)  # NumPy's broadcasting error
    v = a.reshape(-1)
    assert v.base is a and a.copy().base is None


# ---- OpInfos: torch's samples on meta ---------------------------------------------------------
PINNED = ("add", "mul", "div.no_rounding_mode", "exp", "tanh", "sigmoid", "where", "clamp",
          "sum", "mean", "amax", "argmax", "softmax", "log_softmax", "cumsum", "sort", "topk",
          "matmul", "mm", "bmm", "addmm", "einsum", "linalg.solve", "linalg.svd", "cat", "stack",
          "reshape", "permute", "transpose", "squeeze", "unsqueeze", "expand", "flatten",
          "split", "chunk", "narrow", "repeat", "flip", "roll", "tril",
          "nn.functional.linear", "nn.functional.conv2d", "nn.functional.max_pool2d",
          "nn.functional.avg_pool2d", "nn.functional.relu", "nn.functional.gelu",
          "nn.functional.layer_norm", "nn.functional.batch_norm", "nn.functional.embedding",
          "nn.functional.cross_entropy", "nn.functional.mse_loss", "nn.functional.dropout",
          "zeros_like", "full_like", "new_zeros", "arange", "var", "std", "norm", "pow",
          "abs", "gradient")


@pytest.fixture(scope="module")
def op_db():
    return {db.opinfo_id(op): op for op in db.load().ops}


@pytest.mark.parametrize("opid", sorted(set(PINNED)))
def test_opinfo_samples_agree_with_torch_meta(op_db, opid):
    """Every sample (at most 4 per op) on which torch's meta kernel computes gives a meta
    result with torch's shapes and dtypes."""
    counts = pmeta.check_op(op_db[opid], limit=4)
    assert counts["agree"] > 0, dict(counts)
    for bad in ("differ", "raises", "unconvertible"):
        assert not counts[bad], (bad, counts[(bad, "detail")])


def test_sweep_judge_rejects_a_wrong_device():
    """The sweep's comparison fails a CPU result, a wrong shape and a wrong dtype."""
    t = torch.ones(2, 3, device="meta")
    assert pmeta.compare_outputs(t, tg.ones(2, 3, device="meta")) is None
    assert "device" in pmeta.compare_outputs(t, tg.ones(2, 3))
    assert "shape" in pmeta.compare_outputs(t, tg.ones(3, 2, device="meta"))
    assert "dtype" in pmeta.compare_outputs(t, tg.ones(2, 3, dtype=tg.float64, device="meta"))


# ---- models: built on meta, then to_empty ------------------------------------------------------
def _model(L, device):
    return L.nn.Sequential(
        L.nn.Conv2d(1, 4, 3, device=device), L.nn.ReLU(), L.nn.Flatten(),
        L.nn.Linear(4 * 6 * 6, 10, device=device))


def _lstm(L, device):
    return L.nn.LSTM(3, 5, num_layers=2, device=device)


@pytest.mark.parametrize("build,shape", [(_model, (2, 1, 8, 8)), (_lstm, (4, 2, 3))],
                         ids=["conv_linear", "lstm"])
def test_build_on_meta_then_to_empty_as_torch(build, shape):
    """torch's recipe: build on meta (no memory, no draws), count parameters, run forward on
    meta for the output shape, ``to_empty(device='cpu')``, initialize (reset_parameters under
    one seed), run forward: tinygrad_edu's numbers are torch's (same generator)."""
    outs = {}
    for L in (torch, tg):
        m = build(L, "meta")
        n = sum(p.numel() for p in m.parameters())
        assert all(p.is_meta for p in m.parameters())
        y_meta = m(L.empty(*shape, device="meta"))
        y_meta = y_meta[0] if isinstance(y_meta, tuple) else y_meta
        assert m.to_empty(device="cpu") is m
        assert not any(p.is_meta for p in m.parameters())
        L.manual_seed(0)
        for mod in m.modules():
            if hasattr(mod, "reset_parameters"):
                mod.reset_parameters()
        L.manual_seed(1)
        y = m(L.randn(*shape))
        y = y[0] if isinstance(y, tuple) else y
        outs[L.__name__] = (n, tuple(y_meta.shape), y_meta.is_meta, y.detach().numpy())
    t, g = outs["torch"], outs["tinygrad_edu"]
    assert g[:3] == t[:3]
    np.testing.assert_allclose(g[3], t[3], rtol=1e-5, atol=1e-6)


def test_to_empty_recurse_false_and_grads():
    m = tg.nn.Sequential(tg.nn.Linear(2, 2, device="meta"))
    m.to_empty(device="cpu", recurse=False)  # the Sequential owns no tensors itself
    assert m[0].weight.is_meta
    m[0].to_empty(device="cpu")
    assert m[0].weight.device.type == "cpu" and m[0].weight.requires_grad


def test_a_huge_model_on_meta_allocates_nothing():
    tracemalloc.start()
    try:
        big = tg.nn.Linear(100_000, 100_000, device="meta")  # 40 GB in float32
        y = big(tg.empty(8, 100_000, device="meta"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert tuple(y.shape) == (8, 100_000) and y.is_meta
    assert peak < 5_000_000, peak


def test_device_as_a_context_manager_as_torch():
    """``with device("meta"):`` sets the factories' default device (nested blocks stack; an
    explicit ``device=`` and ``*_like`` of a CPU tensor keep theirs; legacy ``Tensor(2)`` is
    not a factory), as torch's."""
    def run(L):
        out = []
        with L.device("meta") as d:
            out += [d, L.get_default_device(), L.tensor([1, 2]), L.ones(2), L.randn(2),
                    L.arange(3), L.eye(2), L.nn.Linear(2, 2).weight.device]
            cpu = L.ones(2, device="cpu")
            out += [cpu.device, L.zeros_like(cpu).device]
            with L.device("cpu"):
                out.append(L.ones(1).device)
            out.append(L.ones(1).device)
        out += [L.ones(1).device, L.get_default_device()]
        return out

    t, g = both(run)
    assert g == t


def test_load_state_dict_into_a_meta_model_as_torch():
    """Into meta parameters: a no-op with torch's warning; with ``assign=True`` the module takes
    the checkpoint's tensors (CPU, same values, still Parameters that require grad)."""
    seen = {}
    for L in (torch, tg):
        L.manual_seed(0)
        sd = L.nn.Linear(2, 3).state_dict()
        m = L.nn.Linear(2, 3, device="meta")
        with pytest.warns(UserWarning) as rec:
            m.load_state_dict(sd)
        assert m.weight.is_meta
        m.load_state_dict(sd, assign=True)
        assert not m.weight.is_meta and m.weight.requires_grad
        assert isinstance(m.weight, L.nn.Parameter)
        seen[L.__name__] = ([str(r.message) for r in rec], m.weight.detach().numpy().copy())
    assert seen["tinygrad_edu"][0] == seen["torch"][0]
    np.testing.assert_array_equal(seen["tinygrad_edu"][1], seen["torch"][1])


def test_gradient_spacing_device_check_cpu_and_cuda(sim_cuda):
    """torch.gradient's device check is general: a CUDA spacing beside a CPU input raises the
    same RuntimeError (on the simulated GPU), a meta one beside a CUDA input too."""
    x = tg.ones(3, 3)
    with pytest.raises(RuntimeError, match="same device, but got devices cpu and cuda!"):
        tg.gradient(x, spacing=[tg.tensor([1.0, 2, 4]), tg.tensor([1.0, 2, 4], device="cuda")])
    with pytest.raises(RuntimeError, match="same device, but got devices cuda and meta!"):
        tg.gradient(x.to("cuda"), spacing=[tg.tensor([1.0, 2, 4], device="cuda"),
                                           tg.tensor([1.0, 2, 4], device="meta")])
    out = tg.gradient(x.to("cuda"), spacing=[tg.tensor([1.0, 2, 4], device="cuda")] * 2)
    assert all(o.device.type == "cuda" for o in out)
