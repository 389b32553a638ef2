"""Module.register_full_backward_hook / register_full_backward_pre_hook against torch: what the
hooks see (grad_input w.r.t. the positional tensor inputs, grad_output w.r.t. the outputs),
replacing grad_input / grad_output, handle.remove(), and the error for a wrong-length return.
Also Tensor.register_post_accumulate_grad_hook and Tensor.is_inference.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _np(t):
    return None if t is None else t.detach().numpy().copy()


class _Two:
    """A module with two tensor inputs and a non-tensor one: a * x + y @ W."""

    @staticmethod
    def build(lib):
        class TwoIn(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.tensor(np.linspace(-1, 1, 9, dtype=np.float32)
                                                     .reshape(3, 3)))

            def forward(self, x, scale, y):
                return scale * x + y @ self.w, x * y.sum()

        return TwoIn()


def _copy(tm, gm):
    gm.load_state_dict({k: tg.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _make(lib, kind):
    lib.manual_seed(0)
    if kind == "linear":
        return lib.nn.Linear(3, 2)
    if kind == "seq":
        return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    return _Two.build(lib)


def _run(lib, kind, sd, replace, x_grad=True):
    m = _make(lib, kind)
    if sd is not None:
        m.load_state_dict({k: lib.tensor(v) for k, v in sd.items()})
    log = []

    def hook(mod, gi, go):
        assert mod is m
        log.append(("hook", [_np(g) for g in gi], [_np(g) for g in go]))
        if replace and gi[0] is not None:
            return tuple(None if g is None else g * 2 for g in gi)
        return None

    def pre(mod, go):
        log.append(("pre", [_np(g) for g in go]))
        return tuple(g * 3 for g in go) if replace else None

    handles = [m.register_full_backward_hook(hook), m.register_full_backward_pre_hook(pre)]
    rng = np.random.default_rng(1)
    x = lib.tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=x_grad)
    y = lib.tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    args = (x, 0.5, y) if kind == "two" else (x,)
    out = m(*args)
    outs = out if isinstance(out, tuple) else (out,)
    w = [lib.tensor(np.arange(o.numel(), dtype=np.float32).reshape(o.shape)) for o in outs]
    sum((o * wi).sum() for o, wi in zip(outs, w)).backward()
    grads = [_np(x.grad), _np(y.grad) if kind == "two" else None]
    grads += [_np(p.grad) for p in m.parameters()]
    for h in handles:
        h.remove()
    for p in m.parameters():
        p.grad = None
    n_before = len(log)
    (m(*args)[0] if kind == "two" else m(*args)).sum().backward()  # removed: no more calls
    assert len(log) == n_before
    return log, grads


@pytest.mark.parametrize("kind", ["linear", "seq", "two"])
@pytest.mark.parametrize("replace", [False, True])
def test_full_backward_hooks_match_torch(kind, replace):
    sd = {k: v.detach().numpy() for k, v in _make(torch, kind).state_dict().items()}
    ref_log, ref_grads = _run(torch, kind, sd, replace)
    got_log, got_grads = _run(tg, kind, sd, replace)
    assert [e[0] for e in got_log] == [e[0] for e in ref_log] == ["pre", "hook"]
    for ge, re_ in zip(got_log, ref_log):
        for gl, rl in zip(ge[1:], re_[1:]):
            assert len(gl) == len(rl)
            for a, b in zip(gl, rl):
                assert (a is None) == (b is None)
                if a is not None:
                    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(got_grads, ref_grads):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_no_input_requires_grad_fires_at_output_with_none():
    sd = {k: v.detach().numpy() for k, v in _make(torch, "linear").state_dict().items()}
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        ref_log, ref_grads = _run(torch, "linear", sd, False, x_grad=False)
    with warnings.catch_warnings(record=True) as wg:
        warnings.simplefilter("always")
        got_log, got_grads = _run(tg, "linear", sd, False, x_grad=False)
    assert got_log[1][1] == ref_log[1][1] == [None]
    np.testing.assert_allclose(got_log[1][2][0], ref_log[1][2][0])
    np.testing.assert_allclose(got_grads[2], ref_grads[2], rtol=1e-5, atol=1e-6)
    assert any("no inputs require gradients" in str(w.message) for w in wt)
    assert any("no inputs require gradients" in str(w.message) for w in wg)


@pytest.mark.parametrize("lib", [torch, tg], ids=["torch", "tg"])
def test_wrong_length_return_raises(lib):
    m = lib.nn.Linear(3, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    x = lib.ones(1, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        m(x).sum().backward()
    m2 = lib.nn.Linear(3, 2)
    m2.register_full_backward_pre_hook(lambda mod, go: (go[0], go[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_output, got 2, but expected 1"):
        m2(x).sum().backward()


def _post_acc_log(lib):
    log = []
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = w.register_post_accumulate_grad_hook(lambda t: log.append(_np(t.grad)))
    (w * w).sum().backward()
    (w * 3).sum().backward()  # sees the accumulated sum
    lib.autograd.grad((w * 2).sum(), w)  # accumulates nothing: no call
    (w * w).sum().backward(inputs=[w])
    h.remove()
    (w * w).sum().backward()
    return log, _np(w.grad)


def test_post_accumulate_grad_hook_matches_torch():
    (ref, ref_g), (got, got_g) = _post_acc_log(torch), _post_acc_log(tg)
    assert len(got) == len(ref) == 3
    for a, b in zip(got, ref):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(got_g, ref_g)
    for lib in (torch, tg):
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="non-leaf"):
            (w * 2).register_post_accumulate_grad_hook(print)
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            lib.ones(2).register_post_accumulate_grad_hook(print)
        w.register_post_accumulate_grad_hook(lambda t: 5)
        with pytest.raises(TypeError):
            (w * 2).sum().backward()


def test_is_inference():
    for lib in (torch, tg):
        assert lib.ones(2).is_inference() is False
        with lib.no_grad():
            assert lib.ones(2).is_inference() is False


@pytest.mark.xfail(strict=True, reason="tg.inference_mode acts as no_grad: no inference tensors")
def test_is_inference_inside_inference_mode():
    with torch.inference_mode():
        assert torch.ones(2).is_inference()
    with tg.inference_mode():
        assert tg.ones(2).is_inference()
