"""The inspect tools: backward trace, graph drawing, hooks, anomaly mode, graph stats, the
node-by-node torch comparison and the parity report. Every test asserts content."""

from __future__ import annotations

import json
import re
import shutil
import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.inspect import (
    BackwardTracker,
    GraphvizMissingWarning,
    GraphWarning,
    compare_with_torch,
    draw_graph,
    graph_stats,
    parity_report,
    trace_backward,
)


def _abc():
    a = tg.tensor(1.0, requires_grad=True)
    b = tg.tensor(2.0, requires_grad=True)
    c = tg.tensor(3.0, requires_grad=True)
    return a, b, c


# ------------------------------------------------------------------------ trace_backward ----
def test_trace_seed_002_graph_names_each_step_and_its_numbers():
    a, b, c = _abc()
    r1 = tg.sub(a, b)
    r2 = tg.mul(r1, 2)
    z = tg.add(r2, c)
    tr = trace_backward(z)
    assert [s.op for s in tr.steps] == ["AddBackward0", "MulBackward0", "SubBackward0"]
    assert [s.output for s in tr.steps] == ["z", "r2", "r1"]
    add, mul, sub = tr.steps
    assert add.rules == ["∂z/∂x = 1, ∂z/∂y = 1"] and add.formula == "z = x + y"
    assert [ig.name for ig in add.inputs] == ["r2", "c"]
    assert [float(ig.grad) for ig in add.inputs] == [1.0, 1.0]
    assert float(mul.grad_out) == 1.0 and "∂z/∂x = y" in mul.rules
    assert float(mul.inputs[0].grad) == 2.0 and mul.inputs[1].kind == "constant"
    assert float(sub.grad_out) == 2.0
    assert [(ig.name, float(ig.grad)) for ig in sub.inputs] == [("a", 2.0), ("b", -2.0)]
    assert {lf.name: float(lf.grad) for lf in tr.leaves} == {"a": 2.0, "b": -2.0, "c": 1.0}
    text = str(tr)
    for piece in (
        "[1] AddBackward0 -> z",
        "[3] SubBackward0 -> r1",
        "upstream ∂L/∂r1 = 2.0",
        "rule  ∂z/∂x = 1, ∂z/∂y = -1",
        "-> input 1 b (leaf []): grad -2.0",
        "a.grad = 2.0",
        "c.grad = 1.0",
    ):
        assert piece in text, (piece, text)
    # the numbers are torch's
    ta, tb, tc = (torch.tensor(v, requires_grad=True) for v in (1.0, 2.0, 3.0))
    (2 * (ta - tb) + tc).backward()
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (
        ta.grad.item(),
        tb.grad.item(),
        tc.grad.item(),
    )


def test_trace_shows_unbroadcast_axes_and_summed_paths():
    tg.manual_seed(0)
    x = tg.randn(4, 3, requires_grad=True)
    w = tg.randn(3, requires_grad=True)
    h = x * w  # w broadcast over rows
    y = (h + x).sum()  # x reaches y along two paths
    tr = trace_backward(y)
    mul = next(s for s in tr.steps if s.function == "Mul")
    gw = next(ig for ig in mul.inputs if ig.name == "w")
    assert gw.raw_shape == (4, 3) and gw.reduced_axes == (0,) and gw.shape == (3,)
    np.testing.assert_allclose(gw.grad, x.detach().numpy().sum(0), rtol=1e-6)
    assert "broadcast undone: summed [4, 3] over axes [0] -> [3]" in str(tr)
    xleaf = next(lf for lf in tr.leaves if lf.name == "x")
    assert len(xleaf.contributions) == 2  # from Add and from Mul: accumulated
    np.testing.assert_allclose(
        xleaf.grad, 1 + np.broadcast_to(w.detach().numpy(), (4, 3)), rtol=1e-6
    )
    assert "accumulated from steps" in str(tr)
    # an intermediate used twice: its upstream gradient is the sum of two paths
    u = x.exp()
    v = (u * u + u).sum()
    tr2 = trace_backward(v)
    exp = next(s for s in tr2.steps if s.function == "Exp")
    assert exp.summed_from == [2, 3, 3]  # from Add, and twice from Mul (u * u)
    ue = np.exp(x.detach().numpy())
    np.testing.assert_allclose(exp.grad_out, 2 * ue + 1, rtol=1e-5)
    assert "several paths meet here" in str(tr2)


def _mlp_params():
    tg.manual_seed(1)
    return {
        "fc1.weight": tg.randn(5, 4, requires_grad=True),
        "fc1.bias": tg.randn(5, requires_grad=True),
        "fc2.weight": tg.randn(3, 5, requires_grad=True),
        "fc2.bias": tg.randn(3, requires_grad=True),
    }


def _mlp_loss(p, x, y):
    h = F.linear(x, p["fc1.weight"], p["fc1.bias"]).relu()
    return F.cross_entropy(F.linear(h, p["fc2.weight"], p["fc2.bias"]), y)


def test_trace_linear_relu_linear_ce_matches_torch():
    p = _mlp_params()
    x = tg.randn(6, 4)
    y = tg.tensor([0, 1, 2, 0, 1, 2])
    loss = _mlp_loss(p, x, y)
    tr = trace_backward(loss, params=p)
    assert [s.function for s in tr.steps] == ["CrossEntropy", "Linear", "Relu", "Linear"]
    lin1 = tr.steps[-1]
    assert {ig.name for ig in lin1.inputs if ig.grad is not None} == {"fc1.weight", "fc1.bias"}
    assert "∂y/∂W = gᵀ x (summed over batch)" in lin1.rules
    tp = {k: torch.tensor(v.detach().numpy(), requires_grad=True) for k, v in p.items()}
    tx, ty = torch.tensor(x.numpy()), torch.tensor(y.numpy())
    th = torch.nn.functional.linear(tx, tp["fc1.weight"], tp["fc1.bias"]).relu()
    torch.nn.functional.cross_entropy(
        torch.nn.functional.linear(th, tp["fc2.weight"], tp["fc2.bias"]), ty
    ).backward()
    for lf in tr.leaves:
        np.testing.assert_allclose(
            lf.grad, tp[lf.name].grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=lf.name
        )
    assert "fc2.bias.grad = " in str(tr)


# ---------------------------------------------------------------------------- draw_graph ----
def _dot_nodes_edges(dot: str):
    labels = dict(re.findall(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"', dot, re.M))
    edges = re.findall(r"^\s*(\w+) -> (\w+)", dot, re.M)
    first = {k: v.split("\\n")[0] for k, v in labels.items()}
    return first, labels, {(first[a], first[b]) for a, b in edges}


LIBS = ["torch", "tg"]  # draw_graph walks torch's public node API: both engines' graphs


def _lib(name):
    return torch if name == "torch" else tg


def _seed_002(lib):
    a, b, c = (lib.tensor(v, requires_grad=True) for v in (1.0, 2.0, 3.0))
    r1 = lib.sub(a, b)
    r2 = lib.mul(r1, 2)
    z = lib.add(r2, c)
    return a, b, c, r1, r2, z


@pytest.mark.parametrize("lib", LIBS)
def test_draw_graph_seed_002_nodes_edges_and_grads(lib):
    a, b, c, r1, r2, z = _seed_002(_lib(lib))
    z.backward()
    dot = draw_graph(z)
    assert dot.startswith("digraph")
    first, labels, edges = _dot_nodes_edges(dot)
    assert sorted(first.values()) == sorted(
        ["a", "b", "c", "r1", "r2", "z", "SubBackward0", "MulBackward0", "AddBackward0"]
    )
    assert edges == {
        ("a", "SubBackward0"),
        ("b", "SubBackward0"),
        ("SubBackward0", "r1"),
        ("r1", "MulBackward0"),
        ("MulBackward0", "r2"),
        ("r2", "AddBackward0"),
        ("c", "AddBackward0"),
        ("AddBackward0", "z"),
    }
    by_name = {v.split("\\n")[0]: v for v in labels.values()}
    assert by_name["a"] == "a\\n[] float32\\ngrad = 2.0"
    assert by_name["b"].endswith("grad = -2.0")
    assert "+1 input without grad_fn" in by_name["MulBackward0"]  # the constant 2
    assert "grad" not in draw_graph(z, show_grads=False).split("a\\n")[1].split('"')[0]
    assert [n.kind for n in dot.nodes].count("leaf") == 3
    assert len(dot.edges) == len(edges) == 8


@pytest.mark.parametrize("lib", LIBS)
def test_draw_graph_names_module_parameters_and_shapes(lib):
    L = _lib(lib)
    p = {k: L.tensor(v.detach().numpy(), requires_grad=True) for k, v in _mlp_params().items()}
    Fn = torch.nn.functional if lib == "torch" else F
    x = L.tensor(np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32))
    h = Fn.linear(x, p["fc1.weight"], p["fc1.bias"]).relu()
    loss = Fn.cross_entropy(Fn.linear(h, p["fc2.weight"], p["fc2.bias"]), L.tensor([0, 1, 2] * 2))
    first, labels, edges = _dot_nodes_edges(draw_graph(loss, params=p))
    for name in p:  # every parameter is a box with an arrow into the op that uses it
        assert any(a == name for a, _ in edges), (name, edges)
    assert any(v.startswith("fc1.weight\\n[5, 4] float32") for v in labels.values())
    assert ("NllLossBackward0", "loss") in edges  # torch's name for the fused CE node
    assert sum(v == "ReluBackward0" or v == "ReLUBackward0" for v in first.values()) == 1


@pytest.mark.parametrize("lib", LIBS)
def test_draw_graph_with_a_module(lib):
    L = _lib(lib)
    L.manual_seed(0)
    model = L.nn.Sequential(L.nn.Linear(4, 3), L.nn.ReLU(), L.nn.Linear(3, 2))
    out = model(L.randn(5, 4)).sum()
    first, _, edges = _dot_nodes_edges(draw_graph(out, model=model))
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= set(first.values())
    assert {a for a, _ in edges} >= {"0.weight", "0.bias", "2.weight", "2.bias"}


def _png_size(data: bytes):
    import io

    import matplotlib.image

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return matplotlib.image.imread(io.BytesIO(data)).shape


def test_draw_graph_writes_pictures_without_graphviz(tmp_path, monkeypatch):
    a, b, c, r1, r2, z = _seed_002(torch)
    d = draw_graph(z, tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == d and d.path.endswith("g.dot")
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no Graphviz anywhere
    s = draw_graph(z, tmp_path / "g.svg")
    assert s.path.endswith("g.svg") and "<svg" in (tmp_path / "g.svg").read_text()
    p = draw_graph(z, tmp_path / "g.png")
    h, w, _ = _png_size((tmp_path / "g.png").read_bytes())
    assert w > 3 * h > 150  # a left-to-right picture of 9 nodes in 7 layers
    assert draw_graph(z, tmp_path / "g.pdf").path.endswith("g.pdf")
    assert (tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"
    # Jupyter shows the object itself as a picture
    assert p._repr_svg_().lstrip().startswith("<?xml") and "<svg" in p._repr_svg_()
    assert _png_size(p._repr_png_()) == (h, w, 4)
    with pytest.raises(RuntimeError, match="engine='dot' but Graphviz"):
        draw_graph(z, engine="dot")._repr_svg_()
    with pytest.raises(ValueError, match="use .svg, .png, .pdf or .dot"):
        draw_graph(z, tmp_path / "g.jpg")
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # and no matplotlib either
    with pytest.warns(GraphvizMissingWarning, match="neither Graphviz's dot nor matplotlib"):
        s = draw_graph(z, tmp_path / "h.png")
    assert not (tmp_path / "h.png").exists()
    assert (tmp_path / "h.png.dot").read_text().startswith("digraph")


def test_draw_graph_uses_graphviz_when_present(tmp_path, monkeypatch):
    fake = tmp_path / "dot"  # stands in for Graphviz: echoes what it was asked for
    fake.write_text('#!/bin/sh\necho "<svg>dot $1 $(wc -l)</svg>"\n')
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name: str(fake) if name == "dot" else None)
    a, b, c, r1, r2, z = _seed_002(torch)
    d = draw_graph(z)
    assert d._repr_svg_().strip() == f"<svg>dot -Tsvg {d.count(chr(10))}</svg>"
    assert "<?xml" in draw_graph(z, engine="matplotlib")._repr_svg_()  # forced fallback


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_layered_layout_flows_one_way_without_overlaps(rankdir):
    from tinygrad_edu.inspect._draw import layout

    torch.manual_seed(0)
    x = torch.randn(4, 3, requires_grad=True)
    w = torch.randn(3, requires_grad=True)
    u = (x * w).exp()
    v = (u * u + u + x).sum()  # a diamond, a reused tensor and an edge skipping layers
    g = draw_graph(v, rankdir=rankdir)
    pic = layout(g.nodes, g.edges, rankdir)
    assert len(pic.boxes) == len(g.nodes) == 10  # 6 ops, x, w, u, v
    for src, dst, _ in g.edges:  # every arrow points downstream
        (xs, ys, *_), (xd, yd, *_) = pic.boxes[src], pic.boxes[dst]
        assert (xs < xd) if rankdir == "LR" else (ys > yd), (src, dst)
    boxes = list(pic.boxes.values())
    for i, (x1, y1, w1, h1) in enumerate(boxes):  # no two nodes overlap
        assert 0 <= x1 - w1 / 2 and x1 + w1 / 2 <= pic.width + 1e-9
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert abs(x1 - x2) >= (w1 + w2) / 2 - 1e-9 or abs(y1 - y2) >= (h1 + h2) / 2 - 1e-9
    same = [e for e in g.edges if e[2] == "0,1"]
    assert len(same) == 1  # u * u: one arrow carrying both argument positions


def test_trace_backward_has_an_html_form_for_notebooks():
    a, b, c = _abc()
    z = 2 * (a - b) + c
    tr = trace_backward(z, names={"a<b": a, "b": b, "c": c, "z": z})
    h = tr._repr_html_()
    assert h.count("<tr>") == 1 + len(tr.steps) + len(tr.leaves)  # header, steps, leaves
    for st in tr.steps:
        assert f"<b>{st.op}</b>" in h
    assert "a&lt;b" in h and "a<b" not in h  # names are escaped
    assert "∂z/∂x = 1, ∂z/∂y = -1" in h and "<b>a&lt;b</b>.grad" in h


# --------------------------------------------------------------------------------- hooks ----
def test_hooks_and_retain_grad_show_in_trace_and_graph():
    a, b, c = _abc()
    r1 = a - b
    r1.retain_grad()
    h = r1.register_hook(lambda g: g * 10)  # scales the gradient flowing into r1's node
    z = 2 * r1 + c
    tr = trace_backward(z)
    sub = next(s for s in tr.steps if s.function == "Sub")
    assert float(sub.grad_out) == 20.0  # the hook's output is what Sub received
    assert a.grad.item() == 20.0 and b.grad.item() == -20.0
    assert r1.grad.item() == 20.0
    h.remove()
    seen = []
    a.register_hook(lambda g: seen.append(g.item()))
    z2 = 2 * (a - b) + c
    a.grad = None
    z2.backward()
    assert seen == [2.0]
    _, labels, _ = _dot_nodes_edges(draw_graph(z))
    assert any(v.startswith("r1\\n[] float32\\ngrad = 20.0") for v in labels.values())


def test_module_forward_hook_with_tools():
    nn = tg.nn
    tg.manual_seed(0)
    lin = nn.Linear(3, 2)
    outs = []
    handle = lin.register_forward_hook(lambda m, inp, out: outs.append(out))
    y = lin(tg.randn(4, 3)).relu().sum()
    handle.remove()
    assert len(outs) == 1 and outs[0].grad_fn.name() == "AddmmBackward0"
    tr = trace_backward(y, model=lin)
    assert {ig.name for s in tr.steps for ig in s.inputs if ig.kind == "leaf"} == {"weight", "bias"}


# ------------------------------------------------------------------------- anomaly mode -----
def _anomaly_run(lib, x0, f):
    """(exception or None, warnings' texts, x.grad) of backward through f inside
    detect_anomaly(), in ``lib`` (torch or tinygrad_edu)."""
    x = lib.tensor(x0, requires_grad=True)
    err = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly():
            y = f(lib, x)  # the forward call the warning must show
            try:
                y.sum().backward()
            except RuntimeError as e:
                err = e
    return err, [str(w.message) for w in caught], x.grad


@pytest.mark.parametrize("case", ["nan_forward_passes", "inf_grad_passes", "nan_grad_raises"])
def test_detect_anomaly_like_torch(case):
    x0, f = {  # torch checks only the gradients a backward function returns, and only for nan
        "nan_forward_passes": ([1.0, -1.0], lambda lib, x: lib.log(x)),
        "inf_grad_passes": ([0.0, 4.0], lambda lib, x: lib.sqrt(x)),  # sqrt'(0) = inf
        "nan_grad_raises": ([-1.0, 4.0], lambda lib, x: lib.sqrt(x) * 0),  # 0 / (2·nan)
    }[case]
    (e_t, w_t, g_t), (e_g, w_g, g_g) = (_anomaly_run(lib, x0, f) for lib in (torch, tg))
    assert "Anomaly Detection has been enabled" in w_t[0] and w_g[0] == w_t[0]
    assert (e_g is None) == (e_t is None)
    if e_t is None:
        np.testing.assert_array_equal(g_g.numpy(), g_t.numpy())
        return
    assert str(e_g) == str(e_t) == "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert any("Error detected in SqrtBackward0" in w for w in w_t)
    shown = [w for w in w_g if "Error detected in SqrtBackward0" in w]
    assert shown and "y = f(lib, x)" in shown[0]  # the stack of the forward call


def test_detect_anomaly_check_nan_false_and_outside():
    x = tg.tensor([-1.0, 4.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        with tg.autograd.detect_anomaly(check_nan=False):
            (tg.sqrt(x) * 0).sum().backward()  # no check
    assert np.isnan(x.grad.numpy()[0])
    x.grad = None
    (tg.sqrt(x) * 0).sum().backward()  # outside anomaly mode: no check either
    assert np.isnan(x.grad.numpy()[0])


# --------------------------------------------------------------------------- graph_stats ----
def test_graph_stats_counts_nodes_and_saved_bytes():
    x = tg.randn(8, 100)
    w = tg.randn(100, 50, requires_grad=True)
    loss = (x @ w).tanh().sum()
    st = graph_stats(loss, warn=False)
    assert st.nodes == 3 and st.leaves == 1
    assert st.ops == {"MmBackward0": 1, "TanhBackward0": 1, "SumBackward0": 1}
    # MatMul saves x and w, Tanh saves its output y
    assert st.saved_bytes == x.numel() * 4 + w.numel() * 4 + 8 * 50 * 4
    assert st.warnings == [] and "3 node(s)" in str(st)
    loss.backward()
    st2 = graph_stats(loss, warn=False)
    assert st2.saved_bytes == 0 and st2.freed_nodes == 3 and st2.warnings == []


def test_graph_stats_warns_on_a_graph_alive_after_backward():
    w = tg.randn(10, 10, requires_grad=True)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    with pytest.warns(GraphWarning, match="still alive after backward"):
        st = graph_stats(loss)
    assert st.saved_bytes == 400  # Mul saved (w, w): one array, held once


def test_backward_tracker_warns_when_grads_are_not_zeroed():
    w = tg.randn(3, 2, requires_grad=True)
    x = tg.randn(4, 3)
    with BackwardTracker(warn=False) as tr:
        (x @ w).sum().backward()
        w.grad = None  # zeroed: fine
        (x @ w).sum().backward()
        assert tr.warnings == []
        (x @ w).sum().backward()  # forgot to zero: accumulates
    assert tr.passes == 3 and len(tr.warnings) == 1
    assert "backward pass 3 accumulates" in tr.warnings[0] and "[3, 2]" in tr.warnings[0]
    with pytest.warns(GraphWarning, match="never zeroed"):
        with BackwardTracker():
            w.grad = None
            (x @ w).sum().backward()
            (x @ w).sum().backward()
    # zeroing in place (zero_grad(set_to_none=False)) is recognized as zeroing
    with BackwardTracker(warn=False) as tr:
        (x @ w).sum().backward()
        w.grad._data[...] = 0
        (x @ w).sum().backward()
    assert tr.warnings == []
    assert tg.autograd.run_backward.__name__ == "run_backward"  # restored
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph_stats((x @ w).sum())


# ------------------------------------------------------------------- compare_with_torch -----
def test_compare_with_torch_agrees_on_a_network():
    p = _mlp_params()
    x, y = tg.randn(6, 4), tg.tensor([0, 1, 2, 0, 1, 2])
    rep = compare_with_torch(lambda x, y: _mlp_loss(p, x, y), (x, y))
    assert rep.ok, str(rep)
    assert [n.function for n in rep.nodes] == ["Linear", "Relu", "Linear", "CrossEntropy"]
    assert all(n.grad_errs for n in rep.nodes)  # every node's gradient was compared
    assert "all within tolerance" in str(rep)


def test_compare_with_torch_localizes_a_wrong_backward(monkeypatch):
    from tinygrad_edu.ops.activation import SigmoidFn as Sigmoid

    def bad_backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y  # wrong on purpose: dσ/dx = σ

    monkeypatch.setattr(Sigmoid, "backward", staticmethod(bad_backward))
    tg.manual_seed(2)
    w = tg.randn(3, 4, requires_grad=True)
    x = tg.randn(5, 4)
    rep = compare_with_torch(lambda x: (F.linear(x, w).sigmoid() * 2).exp().mean(), (x,))
    d = rep.first_divergence
    assert not rep.ok and d.function == "Sigmoid" and d.forward_ok and not d.grad_ok
    assert d.in_shapes == [[5, 3]] and d.in_dtypes == ["float32"]
    assert d.rules == ["wrong on purpose: dσ/dx = σ"]  # the rule of the code that ran
    text = str(rep)
    assert "first divergence (gradient): node 1 SigmoidBackward0" in text


def test_compare_with_torch_localizes_a_wrong_forward(monkeypatch):
    from tinygrad_edu.ops.activation import TanhFn as Tanh

    orig = Tanh.forward

    def bad_forward(ctx, x):
        return orig(ctx, x) * 1.001

    monkeypatch.setattr(Tanh, "forward", staticmethod(bad_forward))
    x = tg.randn(4, 3, dtype=tg.float64, requires_grad=True)
    rep = compare_with_torch(lambda x: (x * 3).tanh().sum(), (x,))
    d = rep.first_divergence
    assert d.function == "Tanh" and not d.forward_ok and d.out_dtype == "float64"
    assert "first divergence (forward output)" in str(rep)


# ------------------------------------------------------------------------ parity report -----
def _fake_log(tmp_path):
    doc = {
        "format": 1,
        "torch": "2.13.0",
        "numpy": "2.4.0",
        "hypothesis_profile": "dev",
        "tolerance": {
            "float32": {
                "rtol": 1.3e-6,
                "atol": 1e-5,
                "grad_factor": 10.0,
                "atol_scaled_by": "max(1, max|expected|)",
            }
        },
        "ops": {
            "add": {
                "float32": {
                    "numpy": {
                        "forward": {"max_abs": 0.0, "max_rel": 0.0, "max_tol_ratio": 0.0, "n": 3},
                        "grad": {"max_abs": 2e-7, "max_rel": 1e-7, "max_tol_ratio": 0.01, "n": 3},
                    }
                }
            },
            "sigmoid": {
                "float64": {
                    "numpy": {
                        "gradcheck": {
                            "max_abs": 3e-10,
                            "max_rel": 1e-9,
                            "max_tol_ratio": 0.001,
                            "n": 2,
                        },
                        "forward": {"max_abs": 1.0, "max_rel": 0.5, "max_tol_ratio": 7.0, "n": 1},
                    }
                }
            },
        },
    }
    p = tmp_path / "errors.json"
    p.write_text(json.dumps(doc))
    return p


def test_parity_report_renders_the_matrix(tmp_path):
    out = tmp_path / "parity.md"
    rc = parity_report.main(["--no-run", "--json", str(_fake_log(tmp_path)), "--out", str(out)])
    text = out.read_text()
    assert rc == 0
    assert "| op | dtype | backend | forward | grad | gradcheck | special |" in text
    assert "| `add` | float32 | numpy | ✓ 0.0e+00 / 0.0e+00 | ✓ 2.0e-07 / 1.0e-07 | — | — |" in text
    assert "| `sigmoid` | float64 | numpy | ✗ 1.0e+00 / 5.0e-01 | — | ✓ 3.0e-10 / 1.0e-09 |" in text
    assert "2 op specs" in text and "4 checks" in text and "3 within tolerance, 1 outside" in text
    assert "largest error / tolerance ratio: 7 (sigmoid float64 numpy forward)" in text
    assert "**float32**: rtol 1.3e-06, atol 1e-05" in text


def test_parity_report_command_line(tmp_path):
    args = parity_report.argparse.Namespace(
        tests=["parity_tests"], backend="cupy", profile="ci", k="add"
    )
    cmd, env = parity_report.build_command(args)
    assert cmd[1:4] == ["-m", "pytest", "-q"] and "--backend" in cmd and "cupy" in cmd
    assert cmd[-2:] == ["-k", "add"] and env["HYPOTHESIS_PROFILE"] == "ci"
    rc = parity_report.main(
        ["--no-run", "--json", str(tmp_path / "missing.json"), "--out", str(tmp_path / "x.md")]
    )
    assert rc == 2 and not (tmp_path / "x.md").exists()


# ------------------------------------------------------------- the tools on every recipe ----
def _recipe_names():
    try:
        from tinygrad_edu import recipes
    except ImportError:
        return []
    return recipes.names()


@pytest.mark.parametrize("name", _recipe_names())
def test_tools_work_on_every_recipe_model(name, monkeypatch):
    import types

    from tinygrad_edu import recipes
    from tinygrad_edu.nn.modules import rnn

    # compare_with_torch replays each node in torch, so the recurrent layers run their plain
    # reference graph here (the fused LSTM layer/cell and the one-node split have no torch twin;
    # test_speed_paths.py proves them equal to this reference)
    monkeypatch.setattr(rnn, "_FUSED_LSTM_LAYER", False)
    monkeypatch.setattr(rnn, "_lstm_cell", rnn._lstm_cell_reference)
    monkeypatch.setattr(rnn, "_unbind", lambda x, axis: x.unbind(axis))
    monkeypatch.setattr(rnn, "_chunk", lambda x, n, axis: x.chunk(n, axis))

    r = recipes.get(name)
    cfg = types.SimpleNamespace(
        **r.defaults, seed=0, variant=r.variants[0] if r.variants else None, data_dir=None
    )
    try:
        data = r.load_data(cfg)
    except recipes.RecipeError as e:
        pytest.skip(f"{name}: data not available here ({str(e)[:80]})")
    tg.manual_seed(0)
    model = r.build(tg, cfg, data)
    x, y = data.split("train")
    xb, yb = tg.tensor(x[:8]), tg.tensor(y[:8])
    lossf = r.loss(tg)
    loss = lossf(model(xb), yb)
    st = graph_stats(loss, warn=False)
    assert st.nodes >= 2 and st.saved_bytes > 0
    first, _, edges = _dot_nodes_edges(draw_graph(loss, model=model))
    pnames = {n for n, _ in model.named_parameters()}
    assert pnames <= set(first.values()), pnames - set(first.values())
    # every classifier's loss is NLL / cross-entropy, but scratch-mlp's (the book's squared error)
    nll = r.task == "multiclass" and name != "scratch-mlp"
    assert ("NllLossBackward0" in first.values()) == nll
    rep = compare_with_torch(lambda xb, yb: lossf(model(xb), yb), (xb, yb))
    assert rep.ok and not rep.unmapped, str(rep)
    tr = trace_backward(loss, model=model)
    assert len(tr.steps) == st.nodes
    grads = {lf.name: lf.grad for lf in tr.leaves}
    for n, p in model.named_parameters():  # the trace's leaf gradients are the .grad values
        np.testing.assert_array_equal(grads[n], p.grad.numpy(), err_msg=f"{name}: {n}")


def test_compare_with_torch_through_an_inplace_relu():
    """ReLU(inplace=True) rebases the Linear's output onto its own node; each op is still
    checked against its own node's gradients."""
    tg.manual_seed(0)
    lin = tg.nn.Linear(4, 3)
    x = tg.randn(2, 4, requires_grad=True)
    rep = compare_with_torch(lambda x: tg.nn.ReLU(inplace=True)(lin(x)).sum(), (x,))
    assert rep.ok and not rep.unmapped and len(rep.nodes) == 3, str(rep)


def test_trace_names_follow_the_forward_order():
    # a learner reads linear1 as the first layer: unnamed nodes and leaves are numbered in the
    # order the forward made them, whatever order the backward meets them in
    tg.manual_seed(0)
    m = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.ReLU(), tg.nn.Linear(4, 1))
    loss = F.mse_loss(m(tg.randn(2, 3)), tg.randn(2, 1))
    tr = trace_backward(loss)
    assert [s.output for s in tr.steps] == ["loss", "linear2", "relu1", "linear1"]
    assert [(ig.name, ig.shape) for ig in tr.steps[-1].inputs if ig.kind == "leaf"] == [
        ("leaf1", (4, 3)), ("leaf2", (4,))]
    assert [lf.name for lf in tr.leaves] == ["leaf1", "leaf2", "leaf3", "leaf4"]
    relu = tr.steps[2]
    assert relu.rules and all("∂" in r for r in relu.rules)  # the derivative, not the notes
