"""``tg.autograd.gradcheck`` / ``gradgradcheck``, torch's API: each case is written once against
a module (``torch`` or ``tinygrad_edu``) and must have the same outcome (True, or the same
GradcheckError message head) in both."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError

import tinygrad_edu as tg
from tinygrad_edu.autograd.gradcheck import GradcheckError


def _inputs(lib, shapes, seed=0, grads=None):
    rs = np.random.RandomState(seed)
    grads = grads or [True] * len(shapes)
    return tuple(lib.tensor(rs.uniform(-1.5, 1.5, s), dtype=lib.float64, requires_grad=g)
                 for s, g in zip(shapes, grads))


def _functions(lib):
    """Custom Functions written the same way for torch and for us."""

    class WrongSquare(lib.autograd.Function):  # backward forgets the factor 2
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x

    class RightCube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    class NotMulByGrad(lib.autograd.Function):  # right Jacobian only for a seed of ones
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, g):
            return g * 0 + 3

    class TwoOut(lib.autograd.Function):  # two outputs, hand backward handling a missing grad
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y

        @staticmethod
        def backward(ctx, ga, gb):
            x, y = ctx.saved_tensors
            ga = lib.zeros_like(x) if ga is None else ga
            gb = lib.zeros_like(x) if gb is None else gb
            return ga * y + gb, ga * x + gb

    class WrongSecondInput(lib.autograd.Function):  # the gradient for input 1 is wrong
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y.exp()

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y.exp(), g * x

    return WrongSquare, RightCube, NotMulByGrad, TwoOut, WrongSecondInput


def _cases(lib):
    ws, cube, nomul, two, wrong2 = _functions(lib)
    return {
        "mul": (lambda a, b: a * b, [(3,), (3,)]),
        "matmul_tanh_multi_out": (lambda a, b: (a @ b, (a @ b).sum(), a.tanh()),
                                  [(2, 3), (3, 2)]),
        "softmax_exp": (lambda x: x.softmax(dim=-1).exp(), [(2, 3)]),
        "nondiff_outputs": (lambda x: (x * 2, x.argmax(), (x * 3).detach()), [(4,)]),
        "mixed_args": (lambda x, y: (x * 3.0 + y).exp(), [(2, 2), (2, 2)], [True, False]),
        "constant": (lambda x: x.detach() * 2, [(3,)]),
        "custom_right": (lambda x: cube.apply(x), [(3,)]),
        "custom_two_outputs": (lambda x, y: two.apply(x, y), [(2,), (2,)]),
        "custom_wrong": (lambda x: ws.apply(x), [(3,)]),
        "custom_wrong_input1": (lambda x, y: wrong2.apply(x, y), [(2,), (2,)]),
        "custom_not_mul_by_grad": (lambda x: nomul.apply(x), [(3,)]),
    }


def _outcome(lib, name, **kw):
    f, shapes, *grads = _cases(lib)[name]
    inputs = _inputs(lib, shapes, grads=grads[0] if grads else None)
    try:
        return lib.autograd.gradcheck(f, inputs, **kw)
    except (GradcheckError, TorchGradcheckError) as e:
        return "GradcheckError: " + str(e).split("\n")[0]


@pytest.mark.parametrize("name", list(_cases(torch)))
def test_same_outcome_as_torch(name):
    expected = _outcome(torch, name)
    assert _outcome(tg, name) == expected
    assert _outcome(tg, name, raise_exception=False) is (expected is True)


def test_wrong_backward_message_names_output_input_and_jacobians():
    ws = _functions(tg)[0]
    (x,) = _inputs(tg, [(3,)])
    with pytest.raises(GradcheckError) as ei:
        tg.autograd.gradcheck(lambda t: ws.apply(t), (x,))
    msg = str(ei.value)
    assert isinstance(ei.value, RuntimeError)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    # the numerical Jacobian is diag(2x), the analytical one diag(x): both printed as tensors
    num = np.diag(2 * x.detach().numpy())
    (tx,) = _inputs(torch, [(3,)])
    assert "analytical:tensor(" in msg
    assert np.allclose(num, np.diag(2 * tx.detach().numpy()))
    assert tg.autograd.gradcheck(lambda t: ws.apply(t), (x,), raise_exception=False) is False
    # the same class is the one tg.inspect raises
    assert tg.inspect.GradcheckError is GradcheckError


def test_float32_input_warns_like_torch():
    def run(lib):
        x = lib.tensor([0.5, -1.0], dtype=lib.float32, requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.autograd.gradcheck(lambda t: t * 2, (x,), raise_exception=False)
        return [str(m.message) for m in w if "double precision" in str(m.message)]

    assert run(tg) == run(torch) and len(run(tg)) == 1


def test_no_input_requires_grad_is_value_error():
    for lib in (torch, tg):
        with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
            lib.autograd.gradcheck(lambda t: t * 2, (lib.ones(2, dtype=lib.float64),))


def test_nondeterministic_backward_needs_nondet_tol():
    state = {"n": 0}

    class Noisy(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            state["n"] += 1
            return g * (2 + (state["n"] % 2) * 1e-9)

    (x,) = _inputs(tg, [(3,)])  # 3 rows: the two backward passes see different noise
    with pytest.raises(GradcheckError, match="not reentrant"):
        tg.autograd.gradcheck(Noisy.apply, (x,), check_undefined_grad=False)
    assert tg.autograd.gradcheck(Noisy.apply, (x,), nondet_tol=1e-6)


def _second_order(lib):
    class DetachedBackward(lib.autograd.Function):  # first derivative right, second wrong
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.detach().cos()

    return DetachedBackward


@pytest.mark.parametrize("case", ["smooth", "detached_backward"])
def test_gradgradcheck_same_outcome_as_torch(case):
    def run(lib):
        a, b = _inputs(lib, [(3,), (3,)])
        f = ((lambda x, y: (x * y).sin() + x.exp() * y) if case == "smooth"
             else (lambda x, y: _second_order(lib).apply(x) * y))
        return lib.autograd.gradgradcheck(f, (a, b), raise_exception=False)

    assert run(tg) == run(torch)
    assert run(tg) is (case == "smooth")


def test_unsupported_modes_say_so():
    (x,) = _inputs(tg, [(2,)])
    with pytest.raises(NotImplementedError, match="fast_mode"):
        tg.autograd.gradcheck(lambda t: t * 2, (x,), fast_mode=True)
