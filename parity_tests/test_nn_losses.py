"""Loss behaviour beyond the generated parity tests (specs/nn_functional.py and the ModuleSpecs):
torch's errors (types and messages), numerically hard corners, legacy reduction flags."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, tg_np, th_np

import tinygrad_edu as tg

F, TF = tg.nn.functional, torch.nn.functional


def _both(fn, *arrays, **kw):
    """Run ``fn(lib, *tensors)`` with both libraries; return the raised (type, message) pairs."""
    res = []
    for lib in (tg, torch):
        ts = [lib.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(lib, *ts, **kw)
            res.append(None)
        except Exception as e:  # noqa: BLE001 - we compare the types
            res.append((type(e), str(e)))
    return res


ERROR_CASES = [
    ("ce int32 target", lambda m, x, t: m.nn.functional.cross_entropy(x, t),
     (np.random.randn(3, 4).astype("float32"), np.array([0, 1, 2], dtype=np.int32)),
     "expected target dtype to be Long or Byte, but got Int"),
    ("ce float index target", lambda m, x, t: m.nn.functional.nll_loss(x, t),
     (np.random.randn(3, 4).astype("float32"), np.array([0.0, 1, 2], dtype=np.float32)),
     "expected target dtype to be Long or Byte, but got Float"),
    ("nll class out of range", lambda m, x, t: m.nn.functional.nll_loss(x, t),
     (np.random.randn(3, 4).astype("float32"), np.array([0, 1, 5])), "Target 5 is out of bounds."),
    ("ce negative class", lambda m, x, t: m.nn.functional.cross_entropy(x, t),
     (np.random.randn(3, 4).astype("float32"), np.array([0, 1, -1])),
     "Target -1 is out of bounds."),
    ("ce batch mismatch", lambda m, x, t: m.nn.functional.cross_entropy(x, t),
     (np.random.randn(3, 4).astype("float32"), np.array([0, 1])),
     "Expected input batch_size (3) to match target batch_size (2)."),
    ("ce weight size", lambda m, x, t, w: m.nn.functional.cross_entropy(x, t, w),
     (np.random.randn(3, 4).astype("float32"), np.array([0, 1, 2]),
      np.ones(3, dtype="float32")),
     "weight tensor should be defined either for all 4 classes or no classes but got weight "
     "tensor of shape: [3]"),
    ("bce outside [0,1]", lambda m, x, t: m.nn.functional.binary_cross_entropy(x, t),
     (np.array([0.5, 1.5], dtype="float32"), np.array([0.0, 1.0], dtype="float32")),
     "all elements of input should be between 0 and 1"),
    ("bce shape", lambda m, x, t: m.nn.functional.binary_cross_entropy(x, t),
     (np.random.rand(3).astype("float32"), np.random.rand(3, 1).astype("float32")),
     "Using a target size (torch.Size([3, 1])) that is different to the input size "
     "(torch.Size([3])) is deprecated. Please ensure they have the same size."),
    ("bce logits shape", lambda m, x, t: m.nn.functional.binary_cross_entropy_with_logits(x, t),
     (np.random.rand(3).astype("float32"), np.random.rand(3, 1).astype("float32")),
     "Target size (torch.Size([3, 1])) must be the same as input size (torch.Size([3]))"),
    ("mse not broadcastable", lambda m, x, t: m.nn.functional.mse_loss(x, t),
     (np.random.rand(3).astype("float32"), np.random.rand(4).astype("float32")),
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0"),
    ("bad reduction", lambda m, x, t: m.nn.functional.l1_loss(x, t, reduction="avg"),
     (np.random.rand(3).astype("float32"), np.random.rand(3).astype("float32")),
     "avg is not a valid value for reduction"),
]


@pytest.mark.parametrize("name,fn,arrays,msg", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_torch(name, fn, arrays, msg):
    ours, ref = _both(fn, *arrays)
    assert ref is not None and msg in ref[1], f"{name}: torch says {ref}"  # the case is real
    assert ours is not None, f"{name}: no error raised, torch raises {ref}"
    assert ours[0] is ref[0], f"{name}: {ours[0].__name__}, torch raises {ref[0].__name__}"
    assert msg in ours[1], f"{name}: message {ours[1]!r} lacks {msg!r}"


def test_weight_requiring_grad_is_refused_like_torch():
    x = np.random.rand(3).astype("float32")
    for lib in (tg, torch):
        w = lib.tensor(np.ones(3, dtype="float32"), requires_grad=True)
        with pytest.raises(RuntimeError, match="not differentiable with respect to argument"):
            lib.nn.functional.binary_cross_entropy(lib.tensor(x), lib.tensor(x), w)


def test_mse_broadcast_warns_like_torch():
    x, t = tg.randn(3, 1), tg.randn(3)
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(x, t)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_with_logits_stable_at_1e4(dtype):
    x = np.array([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype)
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.5], dtype=dtype)
    pw = np.array([2.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings
        xt = tg.tensor(x, requires_grad=True)
        out = F.binary_cross_entropy_with_logits(xt, tg.tensor(t), pos_weight=tg.tensor(pw),
                                                 reduction="none")
        out.sum().backward()
    xr = torch.tensor(x, requires_grad=True)
    ref = TF.binary_cross_entropy_with_logits(xr, torch.tensor(t), pos_weight=torch.tensor(pw),
                                              reduction="none")
    ref.sum().backward()
    assert np.isfinite(tg_np(out)).all() and np.isfinite(tg_np(xt.grad)).all()
    assert_close(tg_np(out), th_np(ref), op="bce_with_logits", what="±1e4", dtype=dtype,
                 backend="numpy")
    assert_close(tg_np(xt.grad), th_np(xr.grad), op="bce_with_logits", what="grad ±1e4",
                 dtype=dtype, backend="numpy", check="grad", factor=10)


def test_bce_log_clamp_and_edges():
    x = np.array([0.0, 1.0, 0.0, 1.0], dtype="float32")
    t = np.array([1.0, 0.0, 0.0, 1.0], dtype="float32")
    xt = tg.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.binary_cross_entropy(xt, tg.tensor(t), reduction="none")
        out.sum().backward()
    np.testing.assert_array_equal(tg_np(out), [100.0, 100.0, 0.0, 0.0])  # log clamped at −100
    xr = torch.tensor(x, requires_grad=True)
    TF.binary_cross_entropy(xr, torch.tensor(t), reduction="none").sum().backward()
    np.testing.assert_allclose(tg_np(xt.grad), th_np(xr.grad), rtol=1e-6)


@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.2}, {"weight": "w"}])
def test_all_targets_ignored_is_nan_with_zero_grad(kw):
    x = np.random.randn(3, 4).astype("float32")
    t = np.array([-100, -100, -100])
    res = []
    for lib in (tg, torch):
        args = {k: (lib.ones(4) if v == "w" else v) for k, v in kw.items()}
        xx = lib.tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            loss = lib.nn.functional.cross_entropy(xx, lib.tensor(t), **args)
            loss.backward()
        res.append((float(loss.item()), np.array(xx.grad.tolist())))
    assert np.isnan(res[0][0]) and np.isnan(res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])


def test_legacy_size_average_and_reduce():
    x, t = np.random.randn(4, 3).astype("float32"), np.random.randn(4, 3).astype("float32")
    for sa, red in [(False, None), (None, False), (True, True), (False, True)]:
        o = F.mse_loss(tg.tensor(x), tg.tensor(t), size_average=sa, reduce=red)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = TF.mse_loss(torch.tensor(x), torch.tensor(t), size_average=sa, reduce=red)
        assert_close(tg_np(o), th_np(r), op="mse_loss", what=f"legacy {sa},{red}",
                     dtype="float32", backend="numpy")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert tg.nn.MSELoss(sa, red).reduction == torch.nn.MSELoss(sa, red).reduction


def test_loss_modules_repr_and_weight_buffer():
    w = np.array([1.0, 2.0, 0.5], dtype="float32")
    ours = tg.nn.CrossEntropyLoss(weight=tg.tensor(w), label_smoothing=0.1)
    ref = torch.nn.CrossEntropyLoss(weight=torch.tensor(w), label_smoothing=0.1)
    assert repr(ours) == repr(ref)
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["weight"]
    ours.double()
    assert ours.weight.dtype == tg.float64  # a buffer: follows .double() as in torch
    x = np.random.randn(5, 3)
    t = np.array([0, 1, 2, 1, 0])
    assert_close(tg_np(ours(tg.tensor(x), tg.tensor(t))),
                 th_np(ref.double()(torch.tensor(x), torch.tensor(t))), op="CrossEntropyLoss",
                 what="float64 after .double()", dtype="float64", backend="numpy")


def test_fused_losses_record_one_node():
    """The headline losses are one fused Function each (their backward is hand-derived)."""
    x = tg.randn(4, 3, requires_grad=True)
    t = tg.tensor([0, 2, 1, 1])
    names = {
        "cross_entropy": F.cross_entropy(x, t),
        "nll_loss": F.nll_loss(x, t),
        "mse_loss": F.mse_loss(x, tg.randn(4, 3)),
        "bce": F.binary_cross_entropy(tg.sigmoid(x), tg.rand(4, 3)),
        "bce_logits": F.binary_cross_entropy_with_logits(x, tg.rand(4, 3)),
    }
    # each fused node prints under torch's own node name (torch's cross_entropy ends in NLL)
    expect = {"cross_entropy": "NllLossBackward0", "nll_loss": "NllLossBackward0",
              "mse_loss": "MseLossBackward0", "bce": "BinaryCrossEntropyBackward0",
              "bce_logits": "BinaryCrossEntropyWithLogitsBackward0"}
    for k, out in names.items():
        assert out.grad_fn.name() == expect[k], (k, out.grad_fn.name())
        assert out.grad_fn.fn.__name__ != "LogSoftmax", k  # fused, not log_softmax + nll
        assert all(n is None or getattr(n, "variable", None) is x
                   or n.name() == "SigmoidBackward0"
                   for n, _ in out.grad_fn.next_functions), k
