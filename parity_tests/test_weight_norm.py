"""Weight normalization and parametrizations against torch: ``nn.utils.weight_norm`` /
``remove_weight_norm`` (hook form) and ``nn.utils.parametrize`` with
``parametrizations.weight_norm`` (modern form) on Linear and Conv2d — same parameter names and
shapes, state_dict keys, forward outputs and gradients after copying the parameters."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

P = tg.nn.utils.parametrize
TP = torch.nn.utils.parametrize


def _pair(kind):
    """The same layer in torch and in tinygrad_edu, float64, same parameters."""
    torch.manual_seed(0)
    if kind == "linear":
        t, ours = torch.nn.Linear(4, 3).double(), tg.nn.Linear(4, 3).double()
        x = np.random.RandomState(1).randn(5, 4)
    else:
        t, ours = torch.nn.Conv2d(2, 3, 3).double(), tg.nn.Conv2d(2, 3, 3).double()
        x = np.random.RandomState(1).randn(2, 2, 5, 5)
    with tg.no_grad():
        for name, p in ours.named_parameters():
            p.copy_(tg.tensor(dict(t.named_parameters())[name].detach().numpy()))
    return t, ours, x


def _compare(t, ours, x):
    """Same named parameters (names, shapes, values), same output, same gradients."""
    tp, op = dict(t.named_parameters()), dict(ours.named_parameters())
    assert list(op) == list(tp)
    for name in tp:
        assert tuple(op[name].shape) == tuple(tp[name].shape), name
        np.testing.assert_allclose(op[name].detach().numpy(), tp[name].detach().numpy(),
                                   rtol=1e-12, atol=1e-12)
    assert list(ours.state_dict()) == list(t.state_dict())
    yt, yo = t(torch.tensor(x)), ours(tg.tensor(x))
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.cos(np.arange(yt.numel())).reshape(tuple(yt.shape))
    yt.backward(torch.tensor(g))
    yo.backward(tg.tensor(g))
    for name in tp:
        np.testing.assert_allclose(op[name].grad.numpy(), tp[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kind", ["linear", "conv"])
@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrizations_weight_norm_matches_torch(kind, dim):
    t, ours, x = _pair(kind)
    torch.nn.utils.parametrizations.weight_norm(t, dim=dim)
    tg.nn.utils.parametrizations.weight_norm(ours, dim=dim)
    assert type(ours).__name__ == type(t).__name__ == f"Parametrized{type(t).__bases__[0].__name__}"
    assert P.is_parametrized(ours) and P.is_parametrized(ours, "weight")
    assert not P.is_parametrized(ours, "bias")
    _compare(t, ours, x)
    # the weight itself is recomputed from original0 (g) and original1 (v) on every access
    np.testing.assert_allclose(ours.weight.detach().numpy(), t.weight.detach().numpy(),
                               rtol=1e-12)
    assert ours.weight.grad_fn is not None


@pytest.mark.parametrize("kind", ["linear", "conv"])
@pytest.mark.parametrize("dim", [0, 1, None])
def test_hook_weight_norm_matches_torch(kind, dim):
    t, ours, x = _pair(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.nn.utils.weight_norm(t, dim=dim)
    with pytest.warns(FutureWarning, match="deprecated in favor of"):
        tg.nn.utils.weight_norm(ours, dim=dim)
    assert sorted(ours.state_dict()) == sorted(t.state_dict())
    _compare(t, ours, x)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"), \
            pytest.warns(FutureWarning):
        tg.nn.utils.weight_norm(ours, dim=dim)
    # remove: a plain Parameter again, holding g·v/‖v‖
    torch.nn.utils.remove_weight_norm(t)
    tg.nn.utils.remove_weight_norm(ours)
    _compare(t, ours, x)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        tg.nn.utils.remove_weight_norm(ours)


def test_weight_norm_training_step_changes_g_and_v_like_torch():
    t, ours, x = _pair("linear")
    torch.nn.utils.parametrizations.weight_norm(t)
    tg.nn.utils.parametrizations.weight_norm(ours)
    ot, oo = torch.optim.SGD(t.parameters(), lr=0.1), tg.optim.SGD(ours.parameters(), lr=0.1)
    for _ in range(3):
        for opt, m, lib in ((ot, t, torch), (oo, ours, tg)):
            opt.zero_grad()
            (m(lib.tensor(x)) ** 2).mean().backward()
            opt.step()
    _compare(t, ours, x)


def test_remove_parametrizations_like_torch():
    t, ours, x = _pair("linear")
    for lib, m in ((torch, t), (tg, ours)):
        lib.nn.utils.parametrizations.weight_norm(m)
        with lib.no_grad():
            m.parametrizations.weight.original0.mul_(2.0)  # the weight is now 2x the original
        with pytest.raises(ValueError, match="Cannot leave unparametrized"):
            lib.nn.utils.parametrize.remove_parametrizations(m, "weight",
                                                             leave_parametrized=False)
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight")
    assert type(ours) is tg.nn.Linear and not P.is_parametrized(ours)
    assert isinstance(ours.weight, tg.nn.Parameter)
    _compare(t, ours, x)
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        P.remove_parametrizations(ours, "weight")


def test_remove_single_original_keeps_the_parameter_object():
    for lib in (torch, tg):
        sym = _symmetric(lib)[0]
        m = lib.nn.Linear(3, 3)
        w0 = m.weight
        lib.nn.utils.parametrize.register_parametrization(m, "weight", sym())
        assert m.parametrizations.weight.original is w0
        want = m.weight.detach().numpy().copy()
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight", leave_parametrized=True)
        assert m.weight is w0
        np.testing.assert_allclose(m.weight.detach().numpy(), want)


def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()

    class Scale(lib.nn.Module):
        def forward(self, x):
            return 3 * x

        def right_inverse(self, a):
            return a / 3

    class NoInverse(lib.nn.Module):
        def forward(self, x):
            return x + 1

    return Symmetric, Scale, NoInverse


def test_custom_parametrization_chain_assignment_and_cache():
    mods, seen = {}, []
    for lib in (torch, tg):
        sym, scale, no_inverse = _symmetric(lib)
        m = lib.nn.Linear(3, 3).double()
        with lib.no_grad():
            m.weight.copy_(lib.tensor(np.arange(9.0).reshape(3, 3)))
        lib.nn.utils.parametrize.register_parametrization(m, "weight", sym())
        lib.nn.utils.parametrize.register_parametrization(m, "weight", scale())
        seen.append(m.weight.detach().numpy())  # 3 * symmetric(triu(W))
        m.weight = lib.tensor(np.arange(9.0).reshape(3, 3) + np.arange(9.0).reshape(3, 3).T)
        seen.append(m.weight.detach().numpy())  # right_inverse through the chain
        mods[lib.__name__] = m
        assert sorted(m.state_dict()) == ["bias", "parametrizations.weight.original"]
        lib.nn.utils.parametrize.register_parametrization(m, "weight", no_inverse())
        with pytest.raises(RuntimeError, match="NoInverse does not implement right_inverse"):
            m.weight = lib.zeros(3, 3, dtype=lib.float64)
    for a, b in zip(seen[:2], seen[2:]):
        np.testing.assert_allclose(b, a, rtol=1e-12)
    np.testing.assert_allclose(seen[0], seen[0].T)
    with P.cached():
        a, b = mods["tinygrad_edu"].weight, mods["tinygrad_edu"].weight
        assert a is b
    assert mods["tinygrad_edu"].weight is not mods["tinygrad_edu"].weight


def test_register_errors_like_torch():
    for lib in (torch, tg):
        sym = _symmetric(lib)[0]
        with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
            lib.nn.utils.parametrize.register_parametrization(lib.nn.Linear(3, 3), "nope", sym())

        class Shrink(lib.nn.Module):
            def forward(self, x):
                return x[:1]

        with pytest.raises(ValueError, match="may not change the shape"):
            lib.nn.utils.parametrize.register_parametrization(lib.nn.Linear(3, 3), "weight",
                                                              Shrink())


def test_parametrized_module_pickles_only_through_state_dict():
    import pickle

    for lib in (torch, tg):
        m = lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(2, 2))
        # torch's own message (torch 2.13 fails earlier, on its state-dict compat hook, a local
        # function that cannot be pickled; we have no such hook)
        with pytest.raises((RuntimeError, AttributeError),
                           match="only supported through state_dict|Can't pickle"):
            pickle.dumps(m)
    m = tg.nn.utils.parametrizations.weight_norm(tg.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        pickle.dumps(m)
    tg.nn.utils.parametrize.remove_parametrizations(m, "weight")  # its own class again
    assert pickle.loads(pickle.dumps(m)).weight.shape == (2, 2)
