"""The engine's fast paths against the general paths they shortcut.

``Function.apply`` takes ``_apply_unary`` / ``_apply_binary`` for one or two Tensors that require
grad, and ``run_backward`` takes ``run_backward_fast`` when there is no ``capture`` and no
``create_graph``. ``function.FAST = False`` and ``engine.FAST = False`` turn both off. Each
scenario below runs both ways and must give the same gradients bit for bit, the same graph
(node types, edges, shapes, dtypes, needs_input_grad, what was saved and at which version), the
same hook calls in the same order, and the same errors with the same messages. Each scenario
also checks that the fast path really ran, so the comparison is never vacuous.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import engine, function
from tinygrad_edu.autograd.node import _FREED, AccumulateGrad


def _arr(seed, *shape, dtype=np.float32):
    return np.random.RandomState(seed).randn(*shape).astype(dtype)


def _leaf(seed, *shape, dtype=np.float32):
    return tg.tensor(_arr(seed, *shape, dtype=dtype), requires_grad=True)


# ---- scenarios: each builds a graph, runs backward, returns (tensors to compare, log) ----------
def chain(log):
    x, w, b, c = (_leaf(i, 4, 4) for i in range(4))
    y = x
    for _ in range(6):
        y = (y * w + b).tanh() - c
    y.sum().backward()
    return [x, w, b, c], y


def dag_reuse_and_broadcast(log):
    x, v = _leaf(0, 3, 4), _leaf(1, 4)
    s = tg.tensor(np.float32(0.5), requires_grad=True)
    a = x * v  # broadcast: v's gradient is summed over rows
    b = a + a * s  # a used twice, 0-d s broadcast
    out = (b.tanh() * x - v).sigmoid() * 2.0 + 1.0  # numbers too (general path)
    out.sum().backward()
    return [x, v, s], out


def mixed_dtypes(log):
    x16 = _leaf(0, 3, 3, dtype=np.float16)
    x32 = _leaf(1, 3, 3)
    x64 = _leaf(2, 3, 3, dtype=np.float64)
    y = (x16 * x32).tanh() + x64 * x16  # promotion: casts are nodes too
    z = (x16 * x16 - x16).exp()  # float16 stays float16
    (y.sum() + z.float().sum()).backward()
    return [x16, x32, x64], y


def constants_and_integers(log):
    x = _leaf(0, 2, 5)
    k = tg.tensor(_arr(1, 2, 5))  # no grad: the general path
    idx = tg.tensor(np.array([0, 3, 1]))
    y = (x * k + k).relu()
    m = x.argmax(dim=1)  # an integer result carries no gradient
    z = y[:, idx] * x[:, :3]  # views and index
    (z.sum() + y.mean()).backward()
    return [x], y, m


def multi_output_and_views(log):
    x = _leaf(0, 4, 6)
    vals, idx = x.max(dim=1)
    parts = x.split(2, dim=1)
    t = x.t().reshape(3, 8)
    out = vals.sum() + (parts[0] * parts[2]).sum() + (t * t).sum() + x.unbind(0)[1].sum()
    out.backward()
    return [x], vals, idx


def user_function(log):
    class Cube(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    x = _leaf(0, 5)
    y = Cube.apply(x).tanh() * x
    y.sum().backward()
    return [x], y


def hooks_and_retain_grad(log):
    x, w = _leaf(0, 3, 3), _leaf(1, 3, 3)
    x.register_hook(lambda g: log.append(("x", g.numpy().copy())))
    a = x * w
    a.retain_grad()
    a.register_hook(lambda g: log.append(("a", g.numpy().copy())) or g * 2)
    b = a.tanh()
    b.retain_grad()
    w.register_hook(lambda g: log.append(("w", g.numpy().copy())))
    (b * b - w).sum().backward()
    return [x, w, a, b], b


def backward_twice_retain_graph(log):
    x, w = _leaf(0, 4), _leaf(1, 4)
    y = (x * w).tanh() * w
    y.sum().backward(retain_graph=True)
    log.append(("first", x.grad.numpy().copy()))
    y.sum().backward()  # accumulates into .grad
    return [x, w], y


def second_backward_through_freed_graph(log):
    x, w = _leaf(0, 4), _leaf(1, 4)
    y = (x * w).sum()
    y.backward()
    y.backward()  # raises


def second_backward_through_a_node_that_ignores_what_it_saved(log):
    class Double(tg.autograd.Function):
        array_io = True  # as the library's ops: arrays in and out

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2  # never reads saved_tensors: the freed graph is caught all the same

    x = _leaf(0, 4)
    y = Double.apply(x).sum()
    y.backward()
    y.backward()  # raises


def inplace_under_no_grad_is_caught(log):
    x, w = _leaf(0, 4), _leaf(1, 4)
    a = x * 1.5
    y = (a * w).sum()  # saves a
    with tg.no_grad():
        a.mul_(2)  # bumps a's version
    y.backward()  # raises


def inplace_on_output_is_caught(log):
    x = _leaf(0, 4)
    y = x.tanh()  # saves its output
    y.add_(1)
    y.sum().backward()  # raises


def anomaly_mode_names_the_op(log):
    x = tg.tensor(np.array([0.0, 1.0], np.float32), requires_grad=True)
    with tg.autograd.detect_anomaly():
        y = (x.sqrt() * x).sum()  # sqrt'(0) = inf, times 0: nan
        y.backward()  # raises


def create_graph_second_order(log):
    x, w = _leaf(0, 3), _leaf(1, 3)
    y = (x * w).tanh() * x
    (gx,) = tg.autograd.grad(y.sum(), x, create_graph=True)
    (gx * w).sum().backward()
    return [x, w], gx


def autograd_grad_of_nonleaf(log):
    x, w = _leaf(0, 3), _leaf(1, 3)
    a = x * w
    y = (a.tanh() - w).sum()
    ga, gw = tg.autograd.grad(y, (a, w))
    log.append(("ga", ga.numpy().copy()))
    log.append(("gw", gw.numpy().copy()))
    return [x, w], a


def no_grad_forward(log):
    x, w = _leaf(0, 3), _leaf(1, 3)
    with tg.no_grad():
        y = (x * w).tanh() - w
    log.append(("flags", (y.requires_grad, y.grad_fn is None)))
    return [x, w], y


SCENARIOS = [chain, dag_reuse_and_broadcast, mixed_dtypes, constants_and_integers,
             multi_output_and_views, user_function, hooks_and_retain_grad,
             backward_twice_retain_graph, second_backward_through_freed_graph,
             second_backward_through_a_node_that_ignores_what_it_saved,
             inplace_under_no_grad_is_caught, inplace_on_output_is_caught,
             anomaly_mode_names_the_op, create_graph_second_order, autograd_grad_of_nonleaf,
             no_grad_forward]
ERRORS = {second_backward_through_freed_graph, inplace_under_no_grad_is_caught,
          second_backward_through_a_node_that_ignores_what_it_saved,
          inplace_on_output_is_caught, anomaly_mode_names_the_op}


# ---- what is compared -----------------------------------------------------------------------
def _array_sig(a):
    return None if a is None else (a.dtype.str, a.shape, a.tobytes())


def graph_signature(tensors) -> list:
    """Every node reachable from ``tensors`` in the engine's order, each as its type name,
    needs_input_grad, edges (target position, output index, shape, dtype), saved sources and
    the versions recorded at save time; nodes named by position, so two graphs compare."""
    roots = [t.grad_fn for t in tensors if t.grad_fn is not None]
    if not roots:
        return []
    order = engine.topological_order(roots)
    pos = {n: i for i, n in enumerate(order)}
    sig = []
    for n in order:
        if isinstance(n, AccumulateGrad):
            sig.append(("acc", _array_sig(n.variable._data)))
            continue
        edges = tuple(None if e is None else (pos[e[0]], e[1], tuple(e[2]), e[3].str)
                      for e in n.next)
        versions = tuple((j, v) for j, _, v in (n._saved_versions or ()))
        saved = "freed" if n._saved is _FREED else tuple(
            _array_sig(s) if isinstance(s, np.ndarray) else repr(s) for s in n._saved)
        src = tuple(getattr(n, "_saved_src", None) or ())
        sig.append((n.name(), n.needs_input_grad, edges, src, versions, n.n_out, saved))
    return sig


def tensor_signature(t) -> tuple:
    return (_array_sig(t._data), t.requires_grad, t.is_leaf, t._oi, t._version,
            None if t.grad is None else _array_sig(t.grad._data),
            None if t.grad_fn is None else t.grad_fn.name())


def run(scenario, fast: bool, monkeypatch, calls: dict):
    """Run ``scenario`` with the fast paths on or off; count the fast paths' calls."""
    monkeypatch.setattr(function, "FAST", fast)
    monkeypatch.setattr(engine, "FAST", fast)
    for name, mod in (("_apply_binary", function), ("_apply_unary", function),
                      ("run_backward_fast", engine)):
        orig = getattr(mod, name)

        def spy(*a, _orig=orig, _name=name, **k):
            calls[_name] = calls.get(_name, 0) + 1
            return _orig(*a, **k)

        monkeypatch.setattr(mod, name, spy)
    log = []
    try:
        res = scenario(log)
    except Exception as e:  # noqa: BLE001 - compared below, type and message
        return ("raised", type(e).__name__, str(e).split("Traceback of the forward call")[0],
                _log_sig(log))
    finally:
        monkeypatch.undo()
    tensors = [r for r in (res[0] + list(res[1:])) if isinstance(r, tg.Tensor)]
    graph_tensors = [t for t in tensors if t.grad_fn is not None]
    return ("ok", [tensor_signature(t) for t in tensors], graph_signature(graph_tensors),
            _log_sig(log))


def _log_sig(log):
    return [(k, _array_sig(v) if isinstance(v, np.ndarray) else v) for k, v in log]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_fast_and_general_paths_agree(scenario, monkeypatch):
    fast_calls, plain_calls = {}, {}
    fast = run(scenario, True, monkeypatch, fast_calls)
    plain = run(scenario, False, monkeypatch, plain_calls)
    assert not plain_calls, f"FAST=False still took a fast path: {plain_calls}"
    assert fast[0] == plain[0], (fast, plain)
    if scenario in ERRORS:
        assert fast[0] == "raised", "the scenario must raise"
    assert fast == plain
    if scenario not in (no_grad_forward, anomaly_mode_names_the_op):  # the fast forward ran
        assert fast_calls.get("_apply_binary", 0) + fast_calls.get("_apply_unary", 0) > 0
    if scenario not in (autograd_grad_of_nonleaf, no_grad_forward):
        assert fast_calls.get("run_backward_fast", 0) > 0, "the fast backward never ran"


def test_fast_forward_builds_the_general_node():
    """Node by node, the fast forward's record equals the general one's (same edges to the same
    nodes, same saved values, same versions), not only an equal-looking graph."""
    x, w = _leaf(0, 3, 3), _leaf(1, 3, 3)
    h = x * w
    recs = []
    for fast in (True, False):
        function.FAST = fast
        try:
            y = h * w
            z = y.tanh()
        finally:
            function.FAST = True
        recs.append((y, z))
    (yf, zf), (yg, zg) = recs
    for a, b in ((yf, yg), (zf, zg)):
        na, nb = a.grad_fn, b.grad_fn
        assert type(na) is type(nb)
        assert na.needs_input_grad == nb.needs_input_grad
        assert len(na.next) == len(nb.next)
        for ea, eb in zip(na.next, nb.next):
            if ea[0] is yf.grad_fn:  # the fast z points at the fast y, the general at its own
                assert eb[0] is yg.grad_fn
            else:
                assert ea[0] is eb[0]
            assert ea[1:] == eb[1:]
        assert na._saved_src == nb._saved_src
        assert [(j, v) for j, _, v in na._saved_versions] == [
            (j, v) for j, _, v in nb._saved_versions]
        for sa, sb in zip(na._saved, nb._saved):
            assert np.array_equal(sa, sb)
    # both saved h (an input) and share h's version counter
    assert yf.grad_fn._saved_versions[0][1] is h._vc is yg.grad_fn._saved_versions[0][1]


def test_fast_backward_still_steals_a_fresh_gradient():
    """run_backward_fast keeps no reference to a gradient past its node, so a fresh array still
    becomes .grad without a copy (the _fast.steal_or_copy contract)."""
    from tinygrad_edu.ops.arithmetic import MulFn

    seen = {}
    orig = MulFn.backward

    def spy(ctx, g):
        out = orig(ctx, g)
        seen["ids"] = [id(a) for a in out]
        return out

    x, w = _leaf(0, 4, 4), _leaf(1, 4, 4)
    MulFn.backward = staticmethod(spy)
    try:
        (x * w).sum().backward()
    finally:
        MulFn.backward = staticmethod(orig)
    assert id(x.grad._data) == seen["ids"][0]
    assert id(w.grad._data) == seen["ids"][1]


def test_fast_paths_take_the_general_route_when_off_the_common_case():
    """Grad mode off, anomaly mode on, keyword arguments, a constant input: no fast call."""
    x = _leaf(0, 3)
    k = tg.tensor(_arr(1, 3))
    taken = []
    orig_b, orig_u = function._apply_binary, function._apply_unary
    function._apply_binary = lambda *a: taken.append("b") or orig_b(*a)
    function._apply_unary = lambda *a: taken.append("u") or orig_u(*a)
    try:
        with tg.no_grad():
            x * x
            x.tanh()
        x * k
        k.tanh()
        with tg.autograd.detect_anomaly():
            x * x
        assert taken == []
        x * x
        x.tanh()
        assert taken == ["b", "u"]
    finally:
        function._apply_binary, function._apply_unary = orig_b, orig_u
