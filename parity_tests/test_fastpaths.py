"""The engine's fast paths, proven against their readable references and against torch.

- gradient "stealing" (run_backward hands a fresh, unshared gradient array to ``.grad`` without a
  copy, as torch's AccumulateGrad does): it must be taken where it is safe, and grads must never
  alias each other, a tensor's data, a user-supplied gradient or anything a hook kept;
- the iterative topological order vs a plain recursive reference;
- the fused cross-entropy backward vs the composite log_softmax -> gather -> mean twin;
- no silent float64: a float32 training step (BatchNorm, Dropout, Adam) never makes a float64
  array in any op forward or backward.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import autograd
from tinygrad_edu.autograd import Function

R = np.random.RandomState(0)


def _arr(*shape):
    return R.randn(*shape).astype(np.float32)


def _leaves(*shapes):
    return [tg.tensor(_arr(*s), requires_grad=True) for s in shapes]


def _assert_unaliased(tensors, others=()):
    """No two grads share memory; no grad shares memory with any tensor's data or ``others``."""
    grads = [t.grad._data for t in tensors if t.grad is not None]
    datas = [t._data for t in tensors] + [np.asarray(o) for o in others]
    for i, g in enumerate(grads):
        for h in grads[i + 1 :]:
            assert not np.shares_memory(g, h), "two .grad arrays share memory"
        for d in datas:
            assert not np.shares_memory(g, d), "a .grad shares memory with tensor data"
        assert g.flags.writeable, ".grad must be writeable (later backward calls add into it)"


# ---- gradient stealing ---------------------------------------------------------------------------
def test_linear_weight_grad_is_stolen_not_copied():
    """The fast path is really taken: the GEMM result of Linear's backward becomes W.grad."""
    import tinygrad_edu.ops.matmul as M

    seen = {}
    orig = M.Linear.backward

    def spy(ctx, g):
        out = orig(ctx, g)
        seen["ids"] = [None if a is None else id(a) for a in out]
        return out

    x = tg.tensor(_arr(8, 5))
    w, b = _leaves((3, 5), (3,))
    y = tg.nn.functional.linear(x, w, b)
    M.Linear.backward = staticmethod(spy)
    try:
        y.sum().backward()
    finally:
        M.Linear.backward = orig
    assert seen["ids"][1] == id(w.grad._data), "Linear's weight grad was copied, not stolen"
    assert seen["ids"][2] == id(b.grad._data), "Linear's bias grad was copied, not stolen"
    tw, tb = (torch.tensor(t._data.copy(), requires_grad=True) for t in (w, b))
    torch.nn.functional.linear(torch.tensor(x._data), tw, tb).sum().backward()
    np.testing.assert_allclose(w.grad._data, tw.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(b.grad._data, tb.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "case",
    [
        "add_two_leaves",
        "same_leaf_twice",
        "clone",
        "sub",
        "mul",
        "linear_twice",
        "broadcast_add",
        "reshape",
        "fresh_add",
        "fresh_same_leaf_twice",
    ],
)
def test_grads_never_alias(case):
    a, b, c = _leaves((4, 3), (4, 3), (3,))
    w = tg.tensor(_arr(2, 3), requires_grad=True)
    lin = tg.nn.functional.linear
    build = {
        "add_two_leaves": lambda: a + b,  # backward returns the SAME array for both parents
        "same_leaf_twice": lambda: a + a,
        "clone": lambda: a.clone() + b.clone(),
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "linear_twice": lambda: lin(a, w) + lin(b, w),
        "broadcast_add": lambda: a + c,
        "reshape": lambda: a.reshape(3, 4).reshape(4, 3) + b,
        # the upstream of Add is a fresh, owned array (Mul's backward): still shared by both
        "fresh_add": lambda: (a + b) * 2.0,
        "fresh_same_leaf_twice": lambda: (a + a) * 2.0,
    }[case]
    leaves = [a, b, c, w]
    build().sum().backward()
    _assert_unaliased(leaves)
    first = {id(t): t.grad._data.copy() for t in leaves if t.grad is not None}
    assert first, case
    build().sum().backward()  # accumulation adds into each (unshared) .grad exactly once more
    for t in leaves:
        if t.grad is not None:
            np.testing.assert_allclose(t.grad._data, 2 * first[id(t)], rtol=1e-6, err_msg=case)
    _assert_unaliased(leaves)


def test_user_gradient_and_leaf_backward_are_copied():
    a = tg.tensor(_arr(3), requires_grad=True)
    seed = tg.tensor(_arr(3))
    a.backward(seed)  # backward of a leaf: its grad is the given gradient, copied
    assert not np.shares_memory(a.grad._data, seed._data)
    b = tg.tensor(_arr(3), requires_grad=True)
    y = b * 1.0
    y.backward(seed)
    assert not np.shares_memory(b.grad._data, seed._data)


class _ReturnsSaved(Function):
    """A user Function whose backward returns an array it saved (nobody may alias it)."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.keep = np.full_like(x, 2.0)
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return ctx.keep  # exact when g is all ones


def test_gradient_held_by_a_context_is_copied():
    a = tg.tensor(_arr(5), requires_grad=True)
    y = _ReturnsSaved.apply(a)
    node = y.grad_fn
    y.backward(tg.ones(5))
    assert not np.shares_memory(a.grad._data, node.keep)
    a.grad._data += 1  # must not write into the context's array
    np.testing.assert_array_equal(node.keep, np.full(5, 2.0, np.float32))


def test_hook_that_keeps_the_gradient_sees_it_unchanged():
    a = tg.tensor(_arr(3, 2), requires_grad=True)
    w = tg.tensor(_arr(4, 2), requires_grad=True)
    kept = []
    w.register_hook(lambda g: kept.append(g))
    tg.nn.functional.linear(a, w).sum().backward()
    before = kept[0]._data.copy()
    tg.nn.functional.linear(a, w).sum().backward()  # accumulates into w.grad
    np.testing.assert_array_equal(kept[0]._data, before)
    assert not np.shares_memory(kept[0]._data, w.grad._data)


def test_observer_gets_real_gradients():
    """With an observer (the tracer) attached, every input gradient it sees is intact."""
    seen = []
    obs = lambda node, g, in_grads: seen.append(
        [
            None if x is None else x.copy()  # noqa: E731
            for x in in_grads
        ]
    )
    a, b = _leaves((2, 3), (2, 3))
    autograd.hooks.observers.append(obs)
    try:
        (a * b).sum().backward()
    finally:
        autograd.hooks.observers.remove(obs)
    mul = seen[-1]
    np.testing.assert_allclose(mul[0], b._data)
    np.testing.assert_allclose(mul[1], a._data)
    _assert_unaliased([a, b])


# ---- topological order ---------------------------------------------------------------------------
def _reference_order(root):
    """Readable recursive DFS: the order the iterative one must reproduce (as a valid order)."""
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for e in node.next:
            if e is not None:
                visit(e[0])
        order.append(node)

    visit(root)
    return order[::-1]


def test_topological_order_matches_reference_on_a_dag():
    rs = np.random.RandomState(1)
    xs = _leaves((3,), (3,))
    pool = list(xs)
    for _ in range(60):
        i, j = rs.randint(len(pool), size=2)
        op = rs.randint(3)
        pool.append(
            pool[i] + pool[j] if op == 0 else pool[i] * pool[j] if op == 1 else pool[i].tanh()
        )
    root = sum(pool[-5:], pool[-6]).sum()
    fast = autograd.topological_order(root.grad_fn)
    ref = _reference_order(root.grad_fn)
    assert set(fast) == set(ref) and len(fast) == len(ref)
    pos = {n: k for k, n in enumerate(fast)}
    for n in fast:  # every node comes before the nodes it depends on
        for e in n.next:
            if e is not None:
                assert pos[n] < pos[e[0]]


def test_deep_chain_has_no_recursion_limit():
    x = tg.tensor(np.float32(0.5), requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(float(x.grad), 1.0001**5000, rtol=1e-3)


# ---- fused cross-entropy vs its composite twin -------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kw", [{}, {"reduction": "sum"}, {"label_smoothing": 0.1}, {"ignore_index": 2}]
)
def test_fused_cross_entropy_matches_composite(dtype, kw):
    rs = np.random.RandomState(3)
    x = (rs.randn(16, 7) * 5).astype(dtype)
    y = rs.randint(0, 7, size=16).astype(np.int64)
    a = tg.tensor(x, requires_grad=True)
    F = tg.nn.functional
    F.cross_entropy(a, tg.tensor(y), **kw).backward()
    # composite reference: -(log_softmax gathered at y), torch's weighted mean / sum
    b = tg.tensor(x, requires_grad=True)
    lp = F.log_softmax(b, dim=1)
    eps = kw.get("label_smoothing", 0.0)
    keep = y != kw.get("ignore_index", -100)
    yy = tg.tensor(np.where(keep, y, 0)[:, None])
    nll = -lp.gather(1, yy).reshape(-1) * tg.tensor(keep.astype(dtype))
    per = (1 - eps) * nll - eps / 7 * lp.sum(dim=1) * tg.tensor(keep.astype(dtype))
    ref = per.sum() if kw.get("reduction") == "sum" else per.sum() / float(keep.sum())
    ref.backward()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(
        a.grad._data,
        b.grad._data,
        rtol=tol,
        atol=tol,
        err_msg=f"cross_entropy fused grad vs composite ({kw}, {dtype})",
    )
    t = torch.tensor(x, requires_grad=True)
    torch.nn.functional.cross_entropy(t, torch.tensor(y), **kw).backward()
    np.testing.assert_allclose(
        a.grad._data,
        t.grad.numpy(),
        rtol=10 * tol,
        atol=10 * tol,
        err_msg=f"cross_entropy grad vs torch ({kw}, {dtype})",
    )


# ---- no silent float64 ---------------------------------------------------------------------------
def test_float32_training_step_never_makes_float64(monkeypatch):
    """Every array an op returns (forward through Tensor._wrap, backward through the observer)
    and every optimizer state stays float32 in a float32 MLP step with BatchNorm and Dropout."""
    from tinygrad_edu.tensor import Tensor

    bad = []
    orig_wrap = Tensor._wrap.__func__

    def wrap(cls, data, node=None):
        if getattr(data, "dtype", None) == np.float64:
            bad.append(("forward", node.name() if node is not None else "no-grad op"))
        return orig_wrap(cls, data, node)

    def observer(node, g, in_grads):
        for gi in in_grads:
            if gi is not None and getattr(gi, "dtype", None) == np.float64:
                bad.append(("backward", node.name()))

    nn = tg.nn
    tg.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(20, 16), nn.BatchNorm1d(16), nn.Dropout(0.2), nn.ReLU(), nn.Linear(16, 5)
    )
    opt = tg.optim.Adam(model.parameters(), lr=1e-3)
    x = tg.tensor(_arr(8, 20))
    y = tg.tensor(R.randint(0, 5, size=8).astype(np.int64))
    monkeypatch.setattr(Tensor, "_wrap", classmethod(wrap))
    autograd.hooks.observers.append(observer)
    try:
        for _ in range(2):
            opt.zero_grad()
            loss = nn.CrossEntropyLoss()(model(x), y)
            loss.backward()
            opt.step()
    finally:
        autograd.hooks.observers.remove(observer)
    assert not bad, f"float64 arrays made in a float32 step: {sorted(set(bad))}"
    assert loss.dtype == tg.float32
    for p in model.parameters():
        assert p._data.dtype == np.float32 and p.grad._data.dtype == np.float32
        for v in opt.state[p].values():
            arr = getattr(v, "_data", v)
            if getattr(arr, "ndim", 0):
                assert arr.dtype == np.float32, "optimizer state upcast to float64"


# ---- GEMM backward with a broadcast (zero-stride) upstream gradient -----------------------------
@pytest.mark.parametrize("shapes", [((5, 4), (4, 3)), ((2, 5, 4), (4, 3)), ((4,), (4, 3))])
def test_matmul_backward_from_sum_matches_torch(shapes):
    """``.sum()`` hands matmul a zero-stride gradient, made contiguous once (_gemm_ready)."""
    xa, xb = _arr(*shapes[0]), _arr(*shapes[1])
    a, b = tg.tensor(xa, requires_grad=True), tg.tensor(xb, requires_grad=True)
    (a @ b).sum().backward()
    ta, tb = torch.tensor(xa, requires_grad=True), torch.tensor(xb, requires_grad=True)
    (ta @ tb).sum().backward()
    for ours, ref in ((a, ta), (b, tb)):
        np.testing.assert_allclose(ours.grad._data, ref.grad.numpy(), rtol=1e-5, atol=1e-5)
    w = tg.tensor(xb.T.copy(), requires_grad=True)
    tg.nn.functional.linear(a, w).sum().backward()
    tw = torch.tensor(xb.T.copy(), requires_grad=True)
    torch.nn.functional.linear(torch.tensor(xa), tw).sum().backward()
    np.testing.assert_allclose(w.grad._data, tw.grad.numpy(), rtol=1e-5, atol=1e-5)
