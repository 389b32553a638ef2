"""The autograd engine vs torch: deep chains, diamonds, retain_graph and freed graphs, grad
modes, leaf/non-leaf grads, retain_grad, hooks, the version counter, gradient=, accumulation,
dtypes and promotion, and user-written ``autograd.Function`` subclasses."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

LIBS = [tg, torch]


def leaf(m, values, dtype="float32"):
    return m.tensor(np.array(values, dtype=dtype), requires_grad=True)


def grad_np(t):
    return None if t.grad is None else np.asarray(t.grad.detach().numpy())


# ---- graph shapes ------------------------------------------------------------------------------
def test_deep_chain_100k_ops_forward_and_backward():
    x = tg.tensor([1.5], requires_grad=True)
    y = x
    for _ in range(50_000):  # 100,000 ops: a mul and an add per step
        y = y * 1.0 + 0.0
    y.sum().backward()  # iterative topological order: no RecursionError
    assert y.item() == 1.5
    assert x.grad.item() == 1.0


def _diamond(m, x):
    y = x * 2
    return (y + y * y).sum() + (y.exp() * x).sum()  # y used three times, x twice


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_diamond_graph_sums_the_paths(dtype):
    vals = [0.5, -1.0, 2.0]
    xs = [leaf(m, vals, dtype) for m in LIBS]
    for m, x in zip(LIBS, xs):
        _diamond(m, x).backward()
    np.testing.assert_allclose(grad_np(xs[0]), grad_np(xs[1]), rtol=1e-6)


# ---- retain_graph and freed graphs (torch errors only when saved tensors are needed) ---------
GRAPHS = {
    "mul (saves inputs)": lambda x: (x * x).sum(),
    "exp (saves output)": lambda x: x.exp().sum(),
    "add (saves nothing)": lambda x: (x + 1).sum(),
    "neg+sum (saves nothing)": lambda x: (-x).sum(),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_second_backward_through_freed_graph_matches_torch(name):
    f = GRAPHS[name]
    outcome = []
    for m in LIBS:
        x = leaf(m, [1.0, 2.0])
        y = f(x)
        y.backward()
        try:
            y.backward()
            outcome.append(("ok", grad_np(x).tolist()))
        except RuntimeError as e:
            assert "second time" in str(e) and "retain_graph=True" in str(e), str(e)
            outcome.append(("error", None))
    assert outcome[0] == outcome[1], f"{name}: ours {outcome[0]}, torch {outcome[1]}"


def test_retain_graph_allows_second_backward_and_accumulates():
    for m in LIBS:
        x = leaf(m, [1.0, -2.0])
        y = (x * x * x).sum()
        y.backward(retain_graph=True)
        g1 = grad_np(x).copy()
        y.backward()
        np.testing.assert_allclose(grad_np(x), 2 * g1)


def test_gradients_accumulate_across_backward_calls_and_zero():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3 + 2, 3 + 4])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3, 3])


# ---- grad modes ------------------------------------------------------------------------------
def _modes(m):
    x = leaf(m, [1.0])
    res = {}
    with m.no_grad():
        res["no_grad"] = (x * 2).requires_grad
        with m.enable_grad():
            res["enable_grad inside no_grad"] = (x * 2).requires_grad
    with m.set_grad_enabled(False):
        res["set_grad_enabled(False)"] = (x * 2).requires_grad
    res["after set_grad_enabled block"] = (x * 2).requires_grad
    with m.inference_mode():
        res["inference_mode"] = (x * 2).requires_grad
    with m.inference_mode(False):
        res["inference_mode(False)"] = (x * 2).requires_grad

    @m.no_grad()
    def f(t):
        return t * 2

    @m.enable_grad()
    def g(t):
        return t * 2

    @m.inference_mode()
    def h(t):
        return t * 2

    res["@no_grad"] = f(x).requires_grad
    with m.no_grad():
        res["@enable_grad under no_grad"] = g(x).requires_grad
    res["@inference_mode"] = h(x).requires_grad
    prev = m.is_grad_enabled()
    m.set_grad_enabled(False)  # as a function: applies at once
    res["set_grad_enabled as a call"] = (x * 2).requires_grad
    m.set_grad_enabled(prev)
    res["restored"] = (x * 2).requires_grad
    return res


def test_grad_modes_match_torch():
    assert _modes(tg) == _modes(torch)


# ---- leaves, retain_grad, hooks ------------------------------------------------------------------
def test_leaf_and_non_leaf_grads():
    for m in LIBS:
        x = leaf(m, [1.0, 2.0])
        y = x * 3
        z = y.sum()
        assert x.is_leaf and not y.is_leaf and x.grad_fn is None and y.grad_fn is not None
        y.retain_grad()
        z.backward()
        np.testing.assert_allclose(grad_np(y), [1.0, 1.0])
        np.testing.assert_allclose(grad_np(x), [3.0, 3.0])
        w = m.tensor([1.0])  # a leaf that does not require grad
        assert w.is_leaf and w.grad is None and not w.requires_grad


def test_non_leaf_without_retain_grad_has_no_grad():
    for m in LIBS:
        x = leaf(m, [1.0])
        y = x * 2
        y.sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch warns on a non-leaf's .grad
            assert y.grad is None


def _hooks(m):
    x = leaf(m, [1.0, 2.0, 3.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.detach().numpy().tolist()))
    y = x * x
    y.register_hook(lambda g: g * 10)  # replaces the gradient flowing on from y
    h = y.register_hook(lambda g: seen.append(("y", g.detach().numpy().tolist())))
    (y * 2).sum().backward(retain_graph=True)
    h.remove()
    (y * 2).sum().backward()
    return seen, grad_np(x).tolist()


def test_register_hook_leaf_and_non_leaf_matches_torch():
    assert _hooks(tg) == _hooks(torch)


# ---- version counter -----------------------------------------------------------------------------
def test_inplace_change_of_saved_tensor_raises_on_backward():
    for m in LIBS:
        a = leaf(m, [1.0, 2.0])
        b = m.tensor([3.0, 4.0])
        y = a * b  # mul saves b
        with m.no_grad():
            b.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_inplace_change_of_unsaved_tensor_is_fine():
    for m in LIBS:
        a = leaf(m, [1.0, 2.0])
        b = m.tensor([3.0, 4.0])
        y = a + b  # add saves nothing
        with m.no_grad():
            b.add_(1)
        y.sum().backward()
        np.testing.assert_allclose(grad_np(a), [1.0, 1.0])


# ---- backward arguments ------------------------------------------------------------------------
def test_backward_of_non_scalar_needs_gradient():
    for m in LIBS:
        y = leaf(m, [1.0, 2.0]) * 2
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
            y.backward()


def test_backward_gradient_argument():
    res = []
    for m in LIBS:
        x = leaf(m, [[1.0, 2.0], [3.0, 4.0]])
        y = x * x
        y.backward(gradient=m.tensor([[1.0, 0.5], [-1.0, 2.0]]))
        res.append(grad_np(x))
    np.testing.assert_allclose(res[0], res[1])


def test_backward_on_tensor_without_grad_raises():
    for m in LIBS:
        with pytest.raises(RuntimeError, match="does not require grad"):
            m.tensor([1.0]).sum().backward()


# ---- dtypes and promotion ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_grad_dtype_equals_param_dtype(dtype):
    x = leaf(tg, [1.0, 2.0], dtype)
    (x * 2.5 + tg.tensor([1, 2]) + x.double().float().to(getattr(tg, dtype))).sum().backward()
    assert x.grad.dtype == getattr(tg, dtype)


def _samples(m):
    return {
        "f32": m.tensor([1.5], dtype=m.float32),
        "f64": m.tensor([1.5], dtype=m.float64),
        "i64": m.tensor([2], dtype=m.int64),
        "i32": m.tensor([2], dtype=m.int32),
        "bool": m.tensor([True]),
        "f64 0-d": m.tensor(1.5, dtype=m.float64),
        "i64 0-d": m.tensor(2),
        "f32 0-d": m.tensor(1.5),
        "float": 2.5,
        "int": 3,
        "pybool": True,
    }


PAIRS = [
    (a, b)
    for a in _samples(torch)
    for b in _samples(torch)
    if not (
        isinstance(_samples(torch)[a], (int, float))
        and isinstance(_samples(torch)[b], (int, float))
    )
]


@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_matches_torch(a, b):
    ours, ref = _samples(tg), _samples(torch)
    expected = torch.result_type(ref[a], ref[b])
    assert str(tg.result_type(ours[a], ours[b])) == str(expected)
    if a != "pybool" and b != "pybool" and not (a == "bool" and b == "bool"):
        r = ours[a] + ours[b] if isinstance(ours[a], tg.Tensor) else ours[b] + ours[a]
        assert str(r.dtype) == str(expected), f"{a} + {b}: {r.dtype}, torch {expected}"
        r = ours[a] * ours[b] if isinstance(ours[a], tg.Tensor) else ours[b] * ours[a]
        assert str(r.dtype) == str(expected), f"{a} * {b}: {r.dtype}, torch {expected}"


def test_float32_stays_float32_with_python_floats_and_int_tensors():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    for y in (x * 0.1, x + 1e-3, 2.5 / x, x**0.5, x - tg.tensor([1, 2]), (x * 1e-8).exp()):
        assert y.dtype == tg.float32, y.dtype
        assert y._data.dtype == np.float32


# ---- user-written autograd.Function, the torch way -------------------------------------------
def _make_fn(m):
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * x * k

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad[0] and not ctx.needs_input_grad[1]
            return grad * 3 * x * x * ctx.k, None

    return Cube


def test_custom_function_matches_torch():
    res = []
    for m in LIBS:
        x = leaf(m, [0.5, -1.0, 2.0], "float64")
        y = _make_fn(m).apply(x, 2.0)
        assert y.requires_grad and y.grad_fn is not None
        (y * m.tensor([1.0, 2.0, 3.0], dtype=m.float64)).sum().backward()
        res.append((y.detach().numpy(), grad_np(x)))
    np.testing.assert_allclose(res[0][0], res[1][0])
    np.testing.assert_allclose(res[0][1], res[1][1])


def test_custom_function_under_no_grad_records_nothing():
    for m in LIBS:
        x = leaf(m, [1.0])
        with m.no_grad():
            y = _make_fn(m).apply(x, 1.0)
        assert not y.requires_grad and y.grad_fn is None
