"""The ops' shortcuts against the plain code they stand for.

- ``activation.one_like``: tanh's and sigmoid's backward write ``one_like(y) - y`` for ``1 - y``
  (a 0-d array of y's dtype instead of NumPy's slow Python-number conversion): the gradients
  must be the plain formula's bit for bit in every float dtype, and the Python ``1`` must come
  back for Tensors (create_graph) so double backward still works.
- ``a + b``, ``a - b``, ``a * b`` call ``promotion.binary`` themselves (ops/operators.py)
  instead of going through ``add``/``sub``/``mul``: each operator must give what its function
  gives (value, dtype, graph node, gradient) and raise what it raises.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.ops import activation
from tinygrad_edu.ops import arithmetic as A

FLOATS = ("float16", "bfloat16", "float32", "float64")


def _values(dtype: str) -> np.ndarray:
    """Random values plus the edge cases: ±0, ±1, saturation, inf, nan."""
    x = np.random.RandomState(0).randn(61) * 4
    x = np.concatenate([x, [0.0, -0.0, 1.0, -1.0, 20.0, -20.0, np.inf, -np.inf, np.nan]])
    return x.astype(getattr(tg, dtype).np)


# ---- one_like: the backward formulas of tanh and sigmoid ---------------------------------
PLAIN = {  # the formulas as written before one_like (the reference)
    "tanh": lambda g, y: g * (1 - y * y),
    "sigmoid": lambda g, y: g * (1 - y) * y,  # torch's sigmoid_backward order
}
# float16: torch's tanh_backward computes in float32 from the float16 values (one rounding);
# its sigmoid_backward for Half computes in float16 steps
WIDEN = {("tanh", "float16")}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_backward_with_one_like_is_the_plain_formula_bit_for_bit(op, dtype):
    x = tg.tensor(_values(dtype), requires_grad=True)
    g = tg.tensor(np.random.RandomState(1).randn(70).astype(x._data.dtype))
    y = getattr(x, op)()
    (saved,) = y.grad_fn._saved  # float32 for a bfloat16 input (Function.apply's opmath)
    if (op, dtype) in WIDEN:
        saved = saved.astype(np.float32)
    want = PLAIN[op](g._data.astype(saved.dtype), saved).astype(x._data.dtype)
    y.backward(g)
    assert x.grad._data.dtype == x._data.dtype
    np.testing.assert_array_equal(x.grad._data.view(np.uint8), want.view(np.uint8))  # bits


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_one_like_gives_the_bits_of_the_python_one(dtype):
    y = _values(dtype)
    for shaped in (y, y[3:4].reshape(())):  # a 0-d array too (NumPy returns a scalar then)
        a, b = activation.one_like(shaped) - shaped * shaped, 1 - shaped * shaped
        assert type(a) is type(b) and a.dtype == b.dtype
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_one_like_is_shared_read_only_and_only_for_numpy_arrays():
    y = np.ones(3, np.float32)
    one = activation.one_like(y)
    assert one.shape == () and one.dtype == np.float32 and one == 1
    assert activation.one_like(np.zeros(2, np.float32)) is one  # one per dtype
    assert activation.one_like(np.ones(2, np.float64)).dtype == np.float64
    with pytest.raises(ValueError):
        one[()] = 2  # nobody can change the shared constant
    assert activation.one_like(tg.ones(2)) == 1 and type(activation.one_like(tg.ones(2))) is int


@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_double_backward_through_one_like(op):
    """Under create_graph the backward sees Tensors: one_like gives 1, the formula is recorded."""
    x0 = np.random.RandomState(2).randn(5)
    ours = tg.tensor(x0, requires_grad=True)
    ref = torch.tensor(x0, requires_grad=True)
    for lib, x in ((tg, ours), (torch, ref)):
        (gx,) = lib.autograd.grad(getattr(x, op)().sum(), x, create_graph=True)
        gx.sum().backward()
    torch.testing.assert_close(torch.from_numpy(ours.grad.numpy()), ref.grad)


# float16 is left out: torch's kernel computes it in float32 and rounds once, the formula here
# rounds after each step (unchanged by one_like: the test above pins the bits)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_gradient_against_torch(op, dtype):
    x0 = _values(dtype)[:-3]  # finite
    g0 = np.random.RandomState(1).randn(x0.size).astype(x0.dtype)
    ours = tg.tensor(x0, requires_grad=True)
    ref = torch.tensor(x0, requires_grad=True)
    getattr(ours, op)().backward(tg.tensor(g0))
    getattr(ref, op)().backward(torch.tensor(g0))
    torch.testing.assert_close(torch.from_numpy(ours.grad.numpy()), ref.grad)


# ---- the arithmetic operators against add/sub/mul ---------------------------------------------
def _operands():
    r = np.random.RandomState(3)
    f32 = lambda *s: tg.tensor(r.randn(*s).astype(np.float32), requires_grad=True)  # noqa: E731
    return [
        (f32(3, 4), f32(3, 4)),  # the hot case: one dtype, both require grad
        (f32(3, 4), f32(4)),  # broadcast
        (f32(2, 3), tg.tensor(r.randn(2, 3))),  # float32 with float64: promotion (a cast node)
        (tg.tensor(r.randn(3).astype(np.float16), requires_grad=True), 2.5),  # a Python number
        (f32(3), 3),
        (f32(3), True),
        (tg.tensor([1, 2, 3]), 2.5),  # int64 tensor with a float: float32
        (tg.tensor([1, 2, 3], dtype=tg.int32), tg.tensor([4, 5, 6])),
        (tg.tensor(r.randn(3).astype(np.float32)).bfloat16().requires_grad_(), 1.5),
        (f32(3), np.float64(2.0)),  # a NumPy number
        (f32(3), r.randn(3)),  # an array operand
        (tg.tensor([True, False]), tg.tensor([True, True])),  # bool: sub refuses
        (tg.tensor([True, False]), 1),
        (f32(2), False),
        (f32(3, 2), f32(2, 3)),  # shapes that do not broadcast
        (f32(2), [1.0, 2.0]),  # a list: TypeError
        (f32(2), None),
    ]


OPERATORS = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b}


def _outcome(call):
    try:
        z = call()
    except Exception as e:  # noqa: BLE001  (the exception itself is compared)
        return ("raised", type(e), str(e))
    if z is NotImplemented:
        return ("NotImplemented",)
    name = type(z.grad_fn).__name__ if z.grad_fn is not None else None
    bits = z._data.view(np.uint8).tobytes() if z._data.ndim else z._data.tobytes()
    return ("ok", z.dtype, tuple(z.shape), bits, z.requires_grad, name)


@pytest.mark.parametrize("op", sorted(OPERATORS))
@pytest.mark.parametrize("k", range(len(_operands())))
def test_operator_is_its_function(op, k):
    a, b = _operands()[k]
    fn = getattr(A, op)
    got, want = _outcome(lambda: OPERATORS[op](a, b)), _outcome(lambda: fn(a, b))
    assert got == want
    if got[0] == "ok" and got[4]:  # the gradients too
        grads = []
        for call in (lambda: OPERATORS[op](a, b), lambda: fn(a, b)):
            a.grad = None
            call().sum().backward()
            grads.append(a.grad.numpy().tobytes())
        assert grads[0] == grads[1]


def test_operator_outcomes_cover_results_and_errors():
    """The comparison above is not vacuous: the cases give results, graphs and each error."""
    seen = {_outcome(lambda a=a, b=b: a - b)[:2] for a, b in _operands()}
    kinds = {s[0] for s in seen}
    errors = {s[1] for s in seen if s[0] == "raised"}
    assert kinds == {"ok", "raised"} and {RuntimeError, TypeError} <= errors
    a, b = _operands()[0]
    assert type((a - b).grad_fn).__name__ == "SubBackward0"
    with pytest.raises(RuntimeError, match="two bool tensors"):
        tg.tensor([True]) - tg.tensor([False])
    with pytest.raises(RuntimeError, match="with a bool tensor is not supported"):
        tg.tensor([1.0]) - tg.tensor([False])


@pytest.mark.parametrize("name", ["__add__", "__sub__", "__mul__", "__truediv__"])
def test_operator_called_on_a_non_tensor_is_a_type_error(name):
    """As torch's descriptors (torch names its C base class where this names 'Tensor'); the
    same message as the operators that still go through their function (``/``)."""
    with pytest.raises(TypeError) as ref:
        getattr(torch.Tensor, name)(2, torch.ones(2))
    with pytest.raises(TypeError) as ours:
        getattr(tg.Tensor, name)(2, tg.ones(2))
    assert str(ours.value) == str(ref.value).replace("torch._C.TensorBase", "Tensor")


def test_operator_names_and_docs():
    for name, fn in (("__add__", "add"), ("__sub__", "sub"), ("__mul__", "mul")):
        method = getattr(tg.Tensor, name)
        assert method.__name__ == name and f"``{fn}(self, other)``" in method.__doc__


# ---- promotion.binary's and Tensor.tanh's own fast-path tests against Function.apply's --------
def _fast_cases():
    """Pairs around every test of binary's fast path: dtypes (float16/32/64, bfloat16, int,
    bool), requires_grad on one side only, a bool tensor whose requires_grad flag was set
    directly (sub must still refuse it), broadcasting, shapes that do not broadcast."""
    r = np.random.RandomState(5)
    t = lambda d, *s, g=True: tg.tensor(r.randn(*s).astype(d), requires_grad=g)  # noqa: E731
    flagged = tg.tensor([True, False])
    flagged._rg = True  # the flag itself (the requires_grad property refuses a bool tensor)
    return [
        (t(np.float32, 3, 4), t(np.float32, 3, 4)), (t(np.float16, 3), t(np.float16, 3)),
        (t(np.float64, 2, 3), t(np.float64, 3)), (t(np.float32, 3), t(np.float32, 3, g=False)),
        (t(np.float32, 3).bfloat16().detach().requires_grad_(),
         t(np.float32, 3).bfloat16().detach().requires_grad_()),
        (tg.tensor([1, 2, 3]), tg.tensor([4, 5, 6])), (flagged, flagged),
        (t(np.float32, 3, 2), t(np.float32, 2, 3)),
    ]


BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b, "torch.sub": lambda a, b: tg.sub(a, b)}


@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary_fast_path_is_apply(op, monkeypatch):
    """Each pair gives the same value, dtype, node, gradient or error with binary's fast path on
    and off (``function.FAST = False``: every call goes through ``Function.apply``)."""
    from tinygrad_edu.autograd import function

    taken = []
    orig = function._apply_binary
    monkeypatch.setattr(function, "_apply_binary", lambda *a: taken.append(1) or orig(*a))
    for a, b in _fast_cases():
        outs = []
        for fast in (True, False):
            monkeypatch.setattr(function, "FAST", fast)
            out = _outcome(lambda a=a, b=b: BINARY[op](a, b))
            if out[0] == "ok" and out[4]:
                a.grad = b.grad = None
                BINARY[op](a, b).abs().sum().backward()
                out += tuple(None if x.grad is None else x.grad._data.tobytes() for x in (a, b))
            outs.append(out)
        assert outs[0] == outs[1], (op, a.dtype, b.dtype)
    assert taken  # the fast path ran


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("requires_grad", [True, False])
def test_tanh_method_fast_path_is_apply(dtype, requires_grad, monkeypatch):
    from tinygrad_edu.autograd import function

    x = tg.tensor(_values("float32")[:8]).to(getattr(tg, dtype))
    if requires_grad and x.is_floating_point():
        x.requires_grad_()
    outs = []
    for fast in (True, False):
        monkeypatch.setattr(function, "FAST", fast)
        out = _outcome(lambda: x.tanh())
        if out[0] == "ok" and out[4]:
            x.grad = None
            x.tanh().abs().sum().backward()
            out += (x.grad._data.tobytes(),)
        outs.append(out)
    assert outs[0] == outs[1]


def test_half_opmath_backward_with_several_gradients():
    """The decorator's path for more than one gradient: widened when any is float16."""
    from tinygrad_edu.ops._util import half_opmath_backward

    seen = []

    @half_opmath_backward
    def backward(ctx, g1, g2):
        seen.append((g1.dtype, g2.dtype, ctx._saved[0].dtype))
        return g1 + g2

    ctx = tg.autograd.Node()
    h, f = np.ones(2, np.float16), np.ones(2, np.float32)
    ctx._saved = (h,)
    assert backward(ctx, f, f).dtype == np.float32 and backward(ctx, h, f).dtype == np.float32
    assert seen == [(np.float32, np.float32, np.float16), (np.float32, np.float32, np.float32)]
    assert ctx._saved[0] is h  # restored
