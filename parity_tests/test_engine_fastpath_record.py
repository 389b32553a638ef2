"""The fast forward's own bookkeeping against the general path (the harness of
test_engine_fastpath.py: each scenario runs with ``function.FAST``/``engine.FAST`` on and off and
must give the same gradients bit for bit, the same graph, hooks and errors).

What the fast forward writes out in place instead of calling the general helpers: which saved
values are inputs or outputs and at which version (every branch of ``record.track_saved_fast``,
and the two cases ``function._apply_binary``/``_apply_unary`` handle themselves), a leaf's
AccumulateGrad looked up through its weak reference (made only when none is alive), and the
node and output Tensor built without ``Node.__init__``/``Tensor._wrap`` (every field set as
those set it).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_engine_fastpath import _leaf, run  # one harness for both files

import tinygrad_edu as tg
from tinygrad_edu.autograd import Node, engine, function
from tinygrad_edu.tensor import Tensor


# ---- scenarios ------------------------------------------------------------------------------
def square_of_a_leaf_and_of_a_result(log):
    x = _leaf(0, 3, 3)
    y = x * x  # one leaf twice: both saved values are input 0's array
    z = (y * y).tanh()  # a result twice
    z.sum().backward()
    return [x], z


def unary_saving_its_input(log):
    x = _leaf(0, 5)
    y = x.exp() + 2.0
    z = y.log().sin() * x  # log and sin save their input, exp its output
    z.sum().backward()
    return [x], z


def binary_saving_inputs_and_output(log):
    x = tg.tensor(np.abs(np.random.RandomState(0).randn(4)).astype(np.float32) + 0.5,
                  requires_grad=True)
    y = _leaf(1, 4)
    z = (x ** y) * (x / y)  # pow saves (x, y, z): the general loop of track_saved_fast
    z.sum().backward()
    return [x, y], z


def saved_masks_are_neither_input_nor_output(log):
    x, w = _leaf(0, 6), _leaf(1, 6)
    z = (x * w).relu() + tg.maximum(x, w)  # relu saves a mask; maximum its inputs
    z.sum().backward()
    return [x, w], z


def forward_returning_its_input(log):
    class Same(tg.autograd.Function):
        array_io = True  # as the library's ops: arrays in and out

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x  # the output IS the input: matched as the output first, as in torch

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x

    class Left(tg.autograd.Function):
        array_io = True

        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(y, x)  # inputs saved in the other order
            return x

        @staticmethod
        def backward(ctx, g):
            y, x = ctx.saved_tensors
            return g * y, g * x

    a, b = _leaf(0, 3), _leaf(1, 3)
    h = a * 1.0
    z = Same.apply(h) * Left.apply(h, b)
    z.sum().backward()
    return [a, b], z


def zero_d_results(log):
    x, w = _leaf(0, 4), _leaf(1, 4)
    s = x.sum() * w.sum()  # NumPy gives a scalar for 0-d x 0-d: the general route
    z = s.exp() * (x * w).sum().tanh()
    z.backward()
    return [x, w], z


def leaf_reused_across_graphs(log):
    x, w = _leaf(0, 3), _leaf(1, 3)
    (x * w).sum().backward()  # w's AccumulateGrad dies with this graph
    y = x * w
    z = (y * w + w).tanh()  # a live AccumulateGrad found again, three times
    z.sum().backward()
    return [x, w], z


def inplace_on_a_saved_leaf_is_caught(log):
    x, w = _leaf(0, 4), _leaf(1, 4)
    y = (x * w).sum()
    with tg.no_grad():
        w.mul_(2)
    y.backward()  # raises, naming w's version


def inplace_on_a_saved_unary_input_is_caught(log):
    x = _leaf(0, 4)
    a = x * 1.0
    y = a.sin().sum()
    with tg.no_grad():
        a.add_(1)
    y.backward()  # raises, naming MulBackward0's output


def leaf_array_replaced_between_ops(log):
    """A leaf's AccumulateGrad keeps the edge ops record to it while the leaf holds the same
    array: ``w.data = ...`` (another shape) must give a fresh edge."""
    x, w = _leaf(0, 3, 3), _leaf(1, 3, 3)
    y1 = x * w + w  # the same edge twice
    w.data = tg.tensor(np.ones((1, 3), np.float64))  # another array: another shape and dtype
    y2 = x * w
    y3 = (x * w).sum()  # the same new array: the new edge again
    (y2.sum() + y3).backward()
    log.append(("w.grad", w.grad.numpy().copy()))
    y1.sum().backward()  # raises: y1's gradient for w is 3x3, w is now 1x3 (as torch)


def hook_switches_anomaly_mode_on(log):
    """run_backward_fast reads anomaly mode once, and again after user code: a hook that turns
    it on mid-backward makes the later nodes check for nan, as the plain loop's do."""
    x = tg.tensor(np.array([0.0, 1.0], np.float32), requires_grad=True)
    a = (x.sqrt() * x) * 1.0  # sqrt'(0) = inf, times 0: nan in SqrtBackward0, after a's hook
    a.register_hook(lambda g: tg.autograd.set_detect_anomaly(True) and None)
    try:
        a.sum().backward()  # raises
    finally:
        tg.autograd.set_detect_anomaly(False)


SCENARIOS = [square_of_a_leaf_and_of_a_result, unary_saving_its_input,
             binary_saving_inputs_and_output, saved_masks_are_neither_input_nor_output,
             forward_returning_its_input, zero_d_results, leaf_reused_across_graphs,
             inplace_on_a_saved_leaf_is_caught, inplace_on_a_saved_unary_input_is_caught,
             leaf_array_replaced_between_ops, hook_switches_anomaly_mode_on]
ERRORS = {inplace_on_a_saved_leaf_is_caught, inplace_on_a_saved_unary_input_is_caught,
          hook_switches_anomaly_mode_on, leaf_array_replaced_between_ops}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_fast_and_general_paths_agree(scenario, monkeypatch):
    fast_calls, plain_calls = {}, {}
    fast = run(scenario, True, monkeypatch, fast_calls)
    plain = run(scenario, False, monkeypatch, plain_calls)
    assert not plain_calls, f"FAST=False still took a fast path: {plain_calls}"
    assert fast[0] == ("raised" if scenario in ERRORS else "ok"), fast
    assert fast == plain
    assert fast_calls.get("_apply_binary", 0) + fast_calls.get("_apply_unary", 0) > 0
    assert fast_calls.get("run_backward_fast", 0) > 0


# ---- the node and the Tensor built in place --------------------------------------------------
_UNSET = object()


def _fields(obj, names) -> dict:
    return {n: getattr(obj, n, _UNSET) for n in names}


def _tensor_fields(t: Tensor) -> dict:
    f = _fields(t, [n for n in Tensor.__slots__ if n != "__weakref__"])
    f["_data"] = (f["_data"].dtype.str, f["_data"].tobytes())
    f["_node"] = type(f["_node"]).__name__
    f["_vc"] = None if f["_vc"] is None else list(f["_vc"])
    return f


def _node_fields(n: Node) -> dict:
    names = [s for s in Node.__slots__ if s not in ("__dict__", "__weakref__", "next")]
    f = _fields(n, names + ["fn", "n_out", "hooks", "out_ref", "stack", "retained"])
    f["edges"] = [(type(e[0]).__name__,) + e[1:] for e in n.next]
    f["versions"] = [(j, list(vc), v) for j, vc, v in (n._saved_versions or ())]
    del f["_saved_versions"]
    f["_saved"] = [s.tobytes() for s in n._saved]
    f["__dict__"] = dict(n.__dict__)
    return f


OPS = {
    "mul (saves both inputs)": lambda a, b: a * b,
    "add (saves nothing)": lambda a, b: a + b,
    "tanh (saves its output)": lambda a, b: a.tanh(),
    "sin (saves its input)": lambda a, b: a.sin(),
    "square (one array twice)": lambda a, b: a * a,
    "pow (inputs and output)": lambda a, b: a.abs() ** b,
}


@pytest.mark.parametrize("op", OPS, ids=list(OPS))
def test_fast_forward_sets_every_field_the_general_path_sets(op):
    """Every slot of the output Tensor and of its node (and the node's __dict__) equals what
    ``Tensor._wrap`` and ``Node.__init__`` plus the general recording give; so a field added to
    either class and forgotten by the fast path fails here."""
    outs = []
    for fast in (True, False):
        x, w = _leaf(0, 2, 3), _leaf(1, 2, 3)
        h = x * 1.0  # a non-leaf input too
        function.FAST = fast
        try:
            z = OPS[op](h, w)
        finally:
            function.FAST = True
        outs.append((_tensor_fields(z), _node_fields(z.grad_fn), _tensor_fields(h)))
    assert outs[0] == outs[1]


def test_leaf_lookup_makes_one_accumulate_grad_while_one_is_alive():
    """The fast forward finds a leaf's live AccumulateGrad through the weak reference (two
    uses, one node), and makes a new one once the old graph is gone, as ``leaf_node`` does."""
    w = _leaf(0, 3)
    h = _leaf(1, 3) * 1.0
    a, b = h * w, (h + w).tanh()
    assert a.grad_fn.next[1][0] is b.grad_fn.next[0][0].next[1][0]
    first = a.grad_fn.next[1][0]
    assert first.variable is w and w._accum() is first
    del a, b, first
    c = h * w
    assert c.grad_fn.next[1][0].variable is w and w._accum() is c.grad_fn.next[1][0]


@pytest.mark.parametrize("n_roots", [1, 3])
def test_topological_order_is_the_recursive_depth_first_order(n_roots):
    """``topological_order`` (one stack, no recursion) gives exactly the order of the plain
    recursive depth-first search, reversed post-order, on a DAG with shared nodes, constants
    (None edges) and several roots, one of them reachable from another."""
    rs = np.random.RandomState(3)
    pool = [_leaf(i, 3) for i in range(3)]
    k = tg.tensor(np.ones(3, np.float32))  # a constant: a None edge
    for _ in range(40):
        i, j = rs.randint(len(pool), size=2)
        r = rs.rand()
        pool.append(pool[i] * pool[j] if r < 0.4 else pool[i] * k if r < 0.6 else
                    (pool[i] + pool[j]).tanh())
    outs = [(pool[-1] + pool[-7] * pool[-3]).sum(), pool[-5], pool[-20] * k][:n_roots]
    roots = [o.grad_fn for o in outs]
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for e in node.next:
                if e is not None:
                    visit(e[0])
            order.append(node)

    for r in roots:
        visit(r)
    assert engine.topological_order(roots if n_roots > 1 else roots[0]) == order[::-1]
    assert any(e is None for n in order for e in n.next)  # None edges were walked past


def test_common_flag_is_cleared_by_whatever_needs_the_general_backward():
    """run_backward_fast reads one attribute, Node._common (the node's Function when it may take
    the written-out steps, else None), for hooks, retain_grad, several outputs, user Functions
    and ops with a reference: every way to get those clears it; a plain op's node keeps its
    Function (else the fast backward would never run); a leaf's node never has one (its hooks
    live on the tensor, read by the general steps)."""
    x = _leaf(0, 3, 3)
    a, b, c = x * 2.0, x.tanh(), x.exp()
    assert all(t.grad_fn._common is t.grad_fn.fn is not None for t in (a, b, c))
    a.register_hook(lambda g: None)
    b.retain_grad()
    c.grad_fn.register_hook(lambda g: None)  # the node's own hook
    _, logdet = tg.linalg.slogdet(x[:3])  # several outputs
    assert a.grad_fn._common is None and b.grad_fn._common is None and c.grad_fn._common is None
    assert logdet.grad_fn._common is None and logdet.grad_fn.n_out == 2
    d = tg.nn.functional.cross_entropy(x, tg.tensor([0, 1, 2]))  # an op with a reference
    assert d.grad_fn.fn.reference is not None and d.grad_fn._common is None

    class Twice(tg.autograd.Function):  # a user Function: Tensors in and out
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    assert Twice.apply(x).grad_fn._common is None
    acc = a.grad_fn.next[0][0]
    assert acc._common is None and acc.hooks is None
    x.register_hook(lambda g: None)
    assert acc.hooks is not None  # a leaf's hooks live on the tensor
