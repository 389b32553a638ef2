"""torch's older linear-algebra names (``torch.inverse``, ``Tensor.inverse``, ``matrix_power``,
``orgqr``, ``ger``, ``adjoint``) against torch: same values, same gradients, same errors; and
the four functions torch removed (``eig``, ``symeig``, ``lstsq``, ``solve``) raise its text."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

RS = np.random.RandomState(0)
A = RS.randn(2, 3, 3) + 3 * np.eye(3)
V = RS.randn(4)
W = RS.randn(3)
HA, TAU = RS.randn(4, 3), RS.randn(2)

CASES = {
    "inverse_fn": (lambda lib, a: lib.inverse(a), (A,)),
    "inverse_method": (lambda lib, a: a.inverse(), (A,)),
    "matrix_power_3": (lambda lib, a: a.matrix_power(3), (A,)),
    "matrix_power_neg2": (lambda lib, a: lib.matrix_power(a, -2), (A,)),
    "orgqr": (lambda lib, a, t: lib.orgqr(a, t), (HA, TAU)),
    "orgqr_method": (lambda lib, a, t: a.orgqr(t), (HA, TAU)),
    "ger": (lambda lib, v, w: lib.ger(v, w), (V, W)),
    "ger_method": (lambda lib, v, w: v.ger(w), (V, W)),
    "adjoint": (lambda lib, a: lib.adjoint(a) * 2, (A,)),
    "adjoint_method": (lambda lib, a: a.adjoint().exp(), (A,)),
}


def _run(lib, name):
    f, arrays = CASES[name]
    xs = [lib.tensor(x, requires_grad=True) for x in arrays]
    out = f(lib, *xs)
    g = np.cos(np.arange(out.numel())).reshape(tuple(out.shape))
    out.backward(lib.tensor(g))
    return out.detach().numpy(), [x.grad.numpy() for x in xs], type(out.grad_fn).__name__


@pytest.mark.parametrize("name", list(CASES))
def test_alias_matches_torch(name):
    got, got_grads, got_fn = _run(tg, name)
    want, want_grads, want_fn = _run(torch, name)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    for a, b in zip(got_grads, want_grads):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    if name.startswith("inverse"):
        assert got_fn == want_fn == "LinalgInvExBackward0"


@pytest.mark.parametrize("call", [lambda lib: lib.inverse(lib.ones(3)),
                                  lambda lib: lib.zeros(2, 2).inverse(),
                                  lambda lib: lib.ones(2, 3).matrix_power(2),
                                  lambda lib: lib.adjoint(lib.ones(3))])
def test_alias_errors_match_torch(call):
    with pytest.raises(RuntimeError) as want:
        call(torch)
    with pytest.raises(RuntimeError) as got:
        call(tg)
    assert isinstance(got.value, tg.linalg.LinAlgError) == isinstance(want.value,
                                                                      torch.linalg.LinAlgError)
    assert str(got.value).split(":")[0] == str(want.value).split(":")[0]


@pytest.mark.parametrize("name", ["eig", "symeig", "lstsq", "solve"])
def test_removed_functions_raise_torchs_text(name):
    def call(lib):
        x = lib.eye(2)
        fn = getattr(x, name)
        return fn(x) if name in ("lstsq", "solve") else fn()

    for lib in (torch, tg):
        with pytest.raises(RuntimeError) as e:
            call(lib)
        if lib is torch:
            want = str(e.value)
    assert str(e.value) == want
    args = (tg.eye(2), tg.eye(2)) if name in ("lstsq", "solve") else (tg.eye(2),)
    with pytest.raises(RuntimeError, match="removed"):
        getattr(tg, name)(*args)
    with pytest.raises(TypeError, match="missing .* required positional argument"):
        getattr(tg, name)()


def test_no_linalg_tensor_method_is_missing():
    linalg_methods = ["inverse", "det", "logdet", "slogdet", "pinverse", "cholesky",
                      "cholesky_inverse", "cholesky_solve", "matrix_exp", "matrix_power", "qr",
                      "svd", "lu", "lu_solve", "triangular_solve", "geqrf", "orgqr", "ormqr",
                      "ger", "outer", "inner", "kron", "trace", "adjoint", "mH", "mT",
                      "eig", "symeig", "lstsq", "solve", "norm", "addmm", "addmv", "addr",
                      "baddbmm", "addbmm", "mv", "mm", "bmm", "matmul", "dot", "vdot", "cross"]
    assert all(hasattr(torch.Tensor, n) for n in linalg_methods)
    assert [n for n in linalg_methods if not hasattr(tg.Tensor, n)] == []
