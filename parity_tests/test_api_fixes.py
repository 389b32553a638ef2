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


# ---- 3. Tensor.view(dtype) ----------------------------------------------------------------------
def _ar(lib, n, *shape):
    return lib.arange(float(n)).reshape(*shape) if shape else lib.arange(float(n))


_VIEW_CASES = {  # name: (make the input from a library, the target dtype's name)
    "same_size": (lambda L: _ar(L, 6, 2, 3) * 1.5, "int32"),
    "smaller": (lambda L: _ar(L, 6, 2, 3) - 2.5, "int16"),
    "smaller_bf16": (lambda L: _ar(L, 6, 2, 3) - 2.5, "bfloat16"),
    "smaller_f16": (lambda L: _ar(L, 6, 2, 3) + 0.25, "float16"),
    "larger": (lambda L: _ar(L, 8, 2, 4) + 0.5, "float64"),
    "larger_ragged": (lambda L: _ar(L, 6, 2, 3), "float64"),
    "transposed_same": (lambda L: _ar(L, 6, 2, 3).t(), "int32"),
    "transposed_smaller": (lambda L: _ar(L, 6, 2, 3).t(), "int16"),
    "transposed_larger": (lambda L: _ar(L, 6, 2, 3).t(), "float64"),
    "offset_odd": (lambda L: _ar(L, 8)[1:5], "float64"),
    "offset_even": (lambda L: _ar(L, 8)[2:6], "float64"),
    "step": (lambda L: _ar(L, 8)[::2], "int16"),
    "narrowed_rows": (lambda L: _ar(L, 12, 2, 6)[:, :4], "float64"),
    "odd_row_stride": (lambda L: _ar(L, 12, 4, 3)[:, :2], "float64"),
    "zero_dim_smaller": (lambda L: L.tensor(1.0), "int16"),
    "zero_dim_same": (lambda L: L.tensor(-1.0), "int32"),
    "zero_dim_larger": (lambda L: L.tensor(1.0), "float64"),
    "size_one_last": (lambda L: L.ones(2, 1), "float64"),
    "to_bool": (lambda L: L.tensor([0.0, 1.0, -2.0]), "bool"),
    "uint8_to_bool": (lambda L: L.tensor([0, 1, 0, 1], dtype=L.uint8), "bool"),
    "bool_to_uint8": (lambda L: L.tensor([True, False]), "uint8"),
    "bf16_to_int16": (lambda L: L.tensor([1.5, -2.0], dtype=L.bfloat16), "int16"),
    "int16_to_bf16": (lambda L: L.tensor([16320, -16384], dtype=L.int16), "bfloat16"),
    "int64_to_f64": (lambda L: L.tensor([[1, -1], [4607182418800017408, 7]]), "float64"),
    "f64_to_f32": (lambda L: L.tensor([[1.0, -3.5]], dtype=L.float64), "float32"),
    "int8_to_int64": (lambda L: L.arange(16, dtype=L.int8).reshape(2, 8), "int64"),
}


@pytest.mark.parametrize("case", sorted(_VIEW_CASES))
def test_view_dtype_matches_torch(case):
    make, name = _VIEW_CASES[case]
    try:
        want = make(torch).view(getattr(torch, name))
    except RuntimeError:
        _raises_like(lambda: make(torch).view(getattr(torch, name)),
                     lambda: make(tg).view(getattr(tg, name)))
        return
    got = make(tg).view(getattr(tg, name))
    assert got.dtype == getattr(tg, name)
    assert tuple(got.shape) == tuple(want.shape) and got.stride() == want.stride()
    w, g = want.reshape(-1).contiguous(), got.reshape(-1).contiguous()
    w = w.view(torch.uint8) if want.dtype != torch.bool else w.to(torch.uint8)
    g = g.view(tg.uint8) if got.dtype != tg.bool else g.to(tg.uint8)
    np.testing.assert_array_equal(g.numpy(), w.numpy())  # the same bits


def test_view_dtype_shares_memory_and_version():
    for lib in (torch, tg):
        a = lib.tensor([1.5, -2.0], dtype=lib.bfloat16)
        b = a.view(lib.int16)
        b[0] = 0
        c = a.view(lib.float32)  # two bfloat16 → one float32
        c.mul_(2)
        assert a._version == b._version == c._version == 2
        if lib is torch:
            want = a.float().numpy()
    np.testing.assert_array_equal(a.float().numpy(), want)


@pytest.mark.parametrize("name", ["float32", "int32", "int16", "bfloat16"])
def test_view_dtype_has_no_gradient(name):
    for lib in (torch, tg):
        leaf = lib.ones(4, requires_grad=True)
        for x in (leaf, leaf * 2):
            y = x.view(getattr(lib, name))
            assert not y.requires_grad and y.grad_fn is None
        if name == "float32":
            _raises_like(lambda: torch.ones(2, requires_grad=True).view(torch.float32).sum()
                         .backward(),
                         lambda: tg.ones(2, requires_grad=True).view(tg.float32).sum().backward())


def test_view_dtype_argument_forms():
    for lib in (torch, tg):
        x = lib.ones(3)
        assert x.view(dtype=lib.int32).dtype == lib.int32
        assert x.view(lib.float32).dtype == lib.float32
    _raises_like(lambda: torch.ones(3).view(float), lambda: tg.ones(3).view(float))
    assert tg.ones(4).view(int).dtype == tg.int64 and torch.ones(4).view(int).dtype == torch.int64
    with pytest.raises(TypeError):
        torch.ones(3).view(torch.int32, torch.int32)
    with pytest.raises(TypeError, match="invalid combination"):
        tg.ones(3).view(tg.int32, tg.int32)


# ---- 4. assigning .grad -------------------------------------------------------------------------
def _leaf(L, *shape, dtype="float32"):
    return L.ones(shape, dtype=getattr(L, dtype), requires_grad=True)


_GRAD_CASES = {  # name: (the tensor, the value assigned to its .grad), from a library
    "bf16_gets_float": (lambda L: _leaf(L, 2, dtype="bfloat16"), lambda L: L.ones(2)),
    "float_gets_double": (lambda L: _leaf(L, 2), lambda L: L.ones(2, dtype=L.float64)),
    "float_gets_long": (lambda L: _leaf(L, 2), lambda L: L.ones(2, dtype=L.int64)),
    "float_gets_half": (lambda L: _leaf(L, 2), lambda L: L.ones(2, dtype=L.float16)),
    "float_gets_bf16": (lambda L: _leaf(L, 2), lambda L: L.ones(2, dtype=L.bfloat16)),
    "float_gets_int32": (lambda L: _leaf(L, 2), lambda L: L.ones(2, dtype=L.int32)),
    "float_gets_int16": (lambda L: _leaf(L, 2), lambda L: L.ones(2, dtype=L.int16)),
    "float_gets_int8": (lambda L: _leaf(L, 2), lambda L: L.ones(2, dtype=L.int8)),
    "float_gets_uint8": (lambda L: _leaf(L, 2), lambda L: L.ones(2, dtype=L.uint8)),
    "float_gets_bool": (lambda L: _leaf(L, 2), lambda L: L.ones(2, dtype=L.bool)),
    "double_gets_float": (lambda L: _leaf(L, 2, dtype="float64"), lambda L: L.ones(2)),
    "long_gets_float": (lambda L: L.ones(2, dtype=L.int64), lambda L: L.ones(2)),
    "size": (lambda L: _leaf(L, 2), lambda L: L.ones(3)),
    "size_extra_dim": (lambda L: _leaf(L, 2), lambda L: L.ones(1, 2)),
    "size_0d": (lambda L: _leaf(L), lambda L: L.ones(1)),
    "size_transposed": (lambda L: _leaf(L, 2, 3), lambda L: L.ones(3, 2)),
    "dtype_before_size": (lambda L: _leaf(L, 2), lambda L: L.ones(3, dtype=L.float64)),
    "non_leaf_size": (lambda L: _leaf(L, 2) * 2, lambda L: L.ones(3)),
    "parameter_size": (lambda L: L.nn.Parameter(L.ones(2)), lambda L: L.ones(3)),
    "list": (lambda L: _leaf(L, 2), lambda L: [1.0, 2.0]),
    "float": (lambda L: _leaf(L, 2), lambda L: 3.0),
    "array": (lambda L: _leaf(L, 2), lambda L: np.ones(2, np.float32)),
}


def _assign(t, g):
    t.grad = g


@pytest.mark.parametrize("case", sorted(_GRAD_CASES))
def test_grad_setter_rejects_like_torch(case):
    mk_t, mk_g = _GRAD_CASES[case]
    _raises_like(lambda: _assign(mk_t(torch), mk_g(torch)), lambda: _assign(mk_t(tg), mk_g(tg)))


def test_grad_setter_own_grad_and_accepted_values():
    x = _leaf(tg, 2)
    _raises_like(lambda: _assign(_leaf(torch, 2), None) or (lambda t: _assign(t, t))(
        _leaf(torch, 2)), lambda: (lambda t: _assign(t, t))(x))
    for lib in (torch, tg):
        for t, g in [(_leaf(lib, 2), lib.full((2,), 3.0)), (lib.ones(2), lib.ones(2)),
                     (lib.ones(2, dtype=lib.int64), lib.ones(2, dtype=lib.int64))]:
            t.grad = g
            assert t.grad is g
            t.grad = None
            assert t.grad is None
            t.grad = g
            del t.grad
            assert t.grad is None


def test_grad_setter_leaves_engine_and_optimizer_working():
    w = tg.ones(3, requires_grad=True)
    (w * tg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w.grad.tolist() == [1.0, 2.0, 3.0]
    opt = tg.optim.SGD([w], lr=0.5)
    w.grad = tg.tensor([2.0, 2.0, 2.0])  # a hand-set gradient the optimizer then uses
    opt.step()
    opt.zero_grad()
    assert w.tolist() == [0.0, 0.0, 0.0] and w.grad is None


# ---- 5. nbytes, itemsize, is_signed, promote_types, can_cast ------------------------------------
@pytest.mark.parametrize("name", _DTYPES)
def test_dtype_is_signed_itemsize_nbytes(name):
    assert getattr(tg, name).is_signed == getattr(torch, name).is_signed
    for make in (lambda L, d: L.ones(3, 5, dtype=d)[:, ::2],  # a view: its elements' bytes
                 lambda L, d: L.ones(3, dtype=d).expand(4, 3),  # 12 elements on 3 stored
                 lambda L, d: L.ones((), dtype=d), lambda L, d: L.ones(0, 2, dtype=d)):
        t, g = make(torch, getattr(torch, name)), make(tg, getattr(tg, name))
        assert (g.nbytes, g.itemsize) == (t.nbytes, t.itemsize)
        assert type(g.nbytes) is int and type(g.itemsize) is int


@pytest.mark.parametrize("a", _DTYPES)
def test_promote_types_and_can_cast_every_pair(a):
    for b in _DTYPES:
        ta, tb, ga, gb = getattr(torch, a), getattr(torch, b), getattr(tg, a), getattr(tg, b)
        assert tg.promote_types(ga, gb) is getattr(tg, str(torch.promote_types(ta, tb))[6:])
        assert tg.can_cast(ga, gb) is torch.can_cast(ta, tb), (a, b)


def test_promote_types_and_can_cast_arguments():
    assert tg.promote_types(tg.bfloat16, tg.float16) is tg.float32
    assert torch.promote_types(torch.bfloat16, torch.float16) is torch.float32
    for pt, tt in [(float, tg.float32), (int, tg.int8), (bool, tg.bool)]:
        want = torch.promote_types(pt, getattr(torch, tt.name))
        assert tg.promote_types(pt, tt).name == str(want)[6:]
    assert tg.can_cast(from_=tg.int8, to=tg.int16) == torch.can_cast(from_=torch.int8,
                                                                    to=torch.int16)
    _raises_like(lambda: torch.promote_types(torch.float32, 3),
                 lambda: tg.promote_types(tg.float32, 3))
    _raises_like(lambda: torch.promote_types("a", torch.float32),
                 lambda: tg.promote_types("a", tg.float32))
    _raises_like(lambda: torch.can_cast(torch.float32, "a"), lambda: tg.can_cast(tg.float32, "a"))


@pytest.mark.parametrize("name", ["ones", "zeros", "empty", "rand", "randn"])
def test_creation_without_a_size_raises_as_torch(name):
    """zeros() has no size (TypeError in torch); zeros(()) is the 0-d size; FloatTensor() is
    empty; the _like forms of 0-d tensors stay 0-d."""
    with pytest.raises(TypeError):
        getattr(torch, name)()
    with pytest.raises(TypeError, match="size"):
        getattr(tg, name)()
    assert tuple(getattr(tg, name)(()).shape) == tuple(getattr(torch, name)(()).shape) == ()
    like = {"ones": "ones_like", "zeros": "zeros_like", "empty": "empty_like",
            "rand": "rand_like", "randn": "randn_like"}[name]
    assert tuple(getattr(tg, like)(tg.tensor(1.0)).shape) == ()
    assert tuple(tg.FloatTensor().shape) == tuple(torch.FloatTensor().shape) == (0,)
