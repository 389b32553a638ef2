"""Parity fixes found by a new-user test, each checked against torch directly: scatter with a
src larger than index, ``Tensor.type()`` names, ``Tensor.view(dtype)``, the ``.grad`` setter's
checks, and the dtype helpers (``nbytes``, ``itemsize``, ``is_signed``, ``promote_types``,
``can_cast``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _raises_like(fn_torch, fn_tg):
    """Both raise; the same exception type and torch's message (ours may add a prefix naming
    the op; compared case-insensitively)."""
    with pytest.raises(Exception) as et:
        fn_torch()
    with pytest.raises(type(et.value)) as eg:
        fn_tg()
    want, got = str(et.value).split("\n")[0], str(eg.value)
    assert want.lower() in got.lower(), (want, got)


# ---- 1. scatter: src larger than index in a dim -------------------------------------------------
_INDICES = [[[0], [1], [2]], [[0, 0], [1, 1], [2, 3]], [[0, 1, 2, 3], [1, 1, 1, 1]]]
_OPS = [("scatter", None), ("scatter_add", None)] + [
    ("scatter_reduce", r) for r in ("sum", "prod", "mean", "amax", "amin")]


def _scatter(lib, op, reduce, x, idx, s):
    args = (1, lib.tensor(idx), s) + ((reduce,) if reduce else ())
    return getattr(x, op)(*args)


@pytest.mark.parametrize("idx", _INDICES)
@pytest.mark.parametrize("op,reduce", _OPS)
def test_scatter_src_larger_than_index(op, reduce, idx):
    src = np.arange(1.0, 13.0, dtype=np.float32).reshape(3, 4)
    w = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    outs = []
    for lib in (torch, tg):
        x = lib.ones(3, 4, requires_grad=True)
        s = lib.tensor(src, requires_grad=True)
        y = _scatter(lib, op, reduce, x, idx, s)
        outs.append(y)
        if lib is tg:
            (y * tg.tensor(w)).sum().backward()
            gx, gs = x.grad.numpy(), s.grad.numpy()
    assert outs[1].dtype == tg.float32
    np.testing.assert_allclose(outs[1].detach().numpy(), outs[0].detach().numpy())
    # torch's own backward breaks for a src larger than index (it returns an index-shaped
    # gradient); the oracle for the gradient is torch on the index-shaped slice of src
    # (the only part read), padded with zeros
    x = torch.ones(3, 4, requires_grad=True)
    s = torch.tensor(src, requires_grad=True)
    r, c = np.array(idx).shape
    (_scatter(torch, op, reduce, x, idx, s[:r, :c]) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(gx, x.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(gs, s.grad.numpy(), rtol=1e-6)


def test_scatter_inplace_src_larger_and_value():
    for lib in (torch, tg):
        a = lib.zeros(3, 4)
        a.scatter_(1, lib.tensor([[0], [1], [2]]), lib.ones(3, 4) * 7)
        a.scatter_add_(0, lib.tensor([[2, 0]]), lib.ones(3, 4))
        if lib is torch:
            want = a.numpy()
    np.testing.assert_array_equal(a.numpy(), want)


@pytest.mark.parametrize("op", ["scatter", "scatter_add"])
@pytest.mark.parametrize("ishape,sshape", [((3, 2), (3, 1)), ((4, 1), (4, 4)), ((3, 2), (2, 4))])
def test_scatter_index_larger_than_src_or_self_raises(op, ishape, sshape):
    _raises_like(
        lambda: getattr(torch.zeros(3, 4), op)(1, torch.zeros(ishape, dtype=torch.int64),
                                               torch.ones(sshape)),
        lambda: getattr(tg.zeros(3, 4), op)(1, tg.zeros(ishape, dtype=tg.int64), tg.ones(sshape)))


# ---- 2. Tensor.type() ---------------------------------------------------------------------------
_DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
           "uint8", "bool"]


@pytest.mark.parametrize("name", _DTYPES)
def test_type_names_and_conversion(name):
    legacy = torch.ones(2, dtype=getattr(torch, name)).type()
    assert tg.ones(2, dtype=getattr(tg, name)).type() == legacy
    for src in ("float32", "int64"):
        want = torch.tensor([1.5, -2.0]).to(getattr(torch, src)).type(legacy)
        got = tg.tensor([1.5, -2.0]).to(getattr(tg, src)).type(legacy)
        assert got.dtype == getattr(tg, name) and want.dtype == getattr(torch, name)
        np.testing.assert_array_equal(got.float().numpy(), want.float().numpy())


def test_type_same_dtype_is_self_and_dtype_args():
    x, t = tg.ones(2), torch.ones(2)
    assert t.type("torch.FloatTensor") is t and x.type("torch.FloatTensor") is x
    assert x.type(tg.float64).dtype == tg.float64
    assert x.type(tg.DoubleTensor).dtype == tg.float64
    y = tg.ones(2, requires_grad=True)
    y.type("torch.BFloat16Tensor").float().sum().backward()
    assert y.grad.dtype == tg.float32 and y.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("bad", ["torch.float32", "torch.Foo", "FloatTensor", "float", 3, None,
                                 float, int, np.float64])
def test_type_bad_argument_raises_like_torch(bad):
    if bad is None:  # type(None) is the no-argument form: use the NoneType class instead
        bad = type(None)
    _raises_like(lambda: torch.ones(2).type(bad), lambda: tg.ones(2).type(bad))
