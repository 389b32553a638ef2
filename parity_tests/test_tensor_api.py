"""The Tensor's attributes and methods (issue 2's list), printing, the legacy spellings the seed
listings use, creation functions' dtypes and shapes vs torch, and manual_seed reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

LIBS = (tg, torch)


# ---- printing ----------------------------------------------------------------------------------
REPRS = {
    "float": lambda m: m.tensor([1.0, 2.5, -3.0]),
    "integral floats": lambda m: m.tensor([1.0, 2.0]),
    "requires_grad": lambda m: m.tensor([1.0, 2.0], requires_grad=True),
    "grad_fn mul": lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
    "grad_fn add": lambda m: m.tensor([1.5], requires_grad=True) + 1,
    "grad_fn sum": lambda m: m.tensor([1.0, 2.0], requires_grad=True).sum(),
    "int64": lambda m: m.tensor([1, 2, 3]),
    "bool": lambda m: m.tensor([True, False]),
    "0-d": lambda m: m.tensor(3.5),
    "2-D": lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "float64": lambda m: m.tensor([1.5], dtype=m.float64),
    "int32": lambda m: m.tensor([1], dtype=m.int32),
    "empty": lambda m: m.tensor([]),
}


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_like_torch(name):
    ours, ref = (repr(REPRS[name](m)) for m in LIBS)
    assert ours == ref, f"{name}: ours {ours!r}, torch {ref!r}"


def test_grad_fn_names():
    for m in LIBS:
        x = m.tensor([1.0, 2.0], requires_grad=True)
        assert type((x * 2).grad_fn).__name__ in ("MulBackward0", "Context")
        assert (x * 2).grad_fn.name() == "MulBackward0"


# ---- attributes and conversion -------------------------------------------------------------------
def test_attributes_match_torch():
    res = []
    for m in LIBS:
        x = m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        y = x * 2
        res.append(
            (
                tuple(x.shape),
                tuple(x.size()),
                x.size(0),
                x.size(-1),
                x.dim(),
                x.ndim,
                x.numel(),
                str(x.dtype),
                str(x.device),
                x.requires_grad,
                x.is_leaf,
                y.is_leaf,
                x.detach().requires_grad,
                x.data.requires_grad,
                x.tolist(),
                x[0, 1].item(),
                tuple(x.view(-1, 1).shape),
                tuple(x.view(-1).shape),
                x.detach().numpy().tolist(),
                x.clone().requires_grad,
                x.float().dtype == m.float32,
                str(x.double().dtype),
                str(x.long().dtype),
                str(x.to(m.float64).dtype),
                str(x.to("cpu").device),
                str(x.cpu().dtype),
                len(x),
                x.is_floating_point(),
                m.is_tensor(x),
            )
        )
    assert res[0] == res[1]


def test_size_and_shape_are_torch_size():
    x = tg.zeros(2, 3)
    assert (
        x.shape == (2, 3)
        and x.size() == tg.Size([2, 3])
        and repr(x.shape) == repr(torch.zeros(2, 3).shape)
    )


def test_numpy_of_requires_grad_raises_like_torch():
    for m in LIBS:
        with pytest.raises(RuntimeError, match="requires grad"):
            m.tensor([1.0], requires_grad=True).numpy()


def test_requires_grad_underscore_and_retain_grad():
    x = tg.tensor([1.0]).requires_grad_()
    assert x.requires_grad
    y = x * 3
    y.retain_grad()
    y.sum().backward()
    assert y.grad.tolist() == [1.0] and x.grad.tolist() == [3.0]


def test_detach_shares_storage_like_torch():
    for m in LIBS:
        x = m.tensor([1.0, 2.0], requires_grad=True)
        d = x.detach()
        with m.no_grad():
            d.add_(1)
        assert x.tolist() == [2.0, 3.0]


# ---- legacy spellings ----------------------------------------------------------------------------
def test_legacy_types_and_aliases():
    for m in LIBS:
        f = m.FloatTensor([1, 2])
        lt = m.LongTensor([1, 2])
        assert str(f.dtype) == "torch.float32" and str(lt.dtype) == "torch.int64"
        assert str(f.type(m.float).dtype) == "torch.float32"
        assert str(f.type(m.double).dtype) == "torch.float64"
        assert str(f.type(m.LongTensor).dtype) == "torch.int64"
        assert f.type() == "torch.FloatTensor" and lt.type() == "torch.LongTensor"
        assert m.float is m.float32 and m.long is m.int64 and m.double is m.float64


def test_functional_spellings_match_torch():
    res = []
    for m in LIBS:
        x = m.tensor([[1.25, -2.5, 3.5], [0.5, 4.5, -1.0]])
        y = m.tensor([[1.0, 2.0, 3.0], [0.5, 4.5, 1.0]])
        v, i = m.max(x, 1)
        v2, i2 = m.max(x, dim=0, keepdim=True)
        res.append(
            [
                a.tolist()
                for a in (
                    m.sub(x, y),
                    m.mul(x, y),
                    m.add(x, y),
                    m.add(x, y, alpha=2),
                    m.eq(x, y),
                    m.round(x),
                    m.max(x),
                    v,
                    i,
                    v2,
                    i2,
                    m.min(x, 1).values,
                    m.div(x, y),
                    m.neg(x),
                    m.abs(x),
                    m.argmax(x, dim=1),
                    m.sum(x, 0),
                    m.mean(x),
                    m.exp(x),
                    m.sqrt(m.abs(x)),
                )
            ]
        )
    assert _close(res[0], res[1])


def _close(a, b):
    for p, q in zip(a, b):
        np.testing.assert_allclose(
            np.asarray(p, dtype=float), np.asarray(q, dtype=float), rtol=1e-6
        )
    return True


# ---- creation ------------------------------------------------------------------------------------
CREATION = {
    "tensor float list": lambda m: m.tensor([1.0, 2.0]),
    "tensor int list": lambda m: m.tensor([1, 2]),
    "tensor bool list": lambda m: m.tensor([True]),
    "tensor mixed list": lambda m: m.tensor([1, 2.5]),
    "tensor scalar": lambda m: m.tensor(3),
    "tensor f64 ndarray": lambda m: m.tensor(np.ones(2)),
    "tensor f32 ndarray": lambda m: m.tensor(np.ones(2, np.float32)),
    "tensor i32 ndarray": lambda m: m.tensor(np.ones(2, np.int32)),
    "tensor dtype": lambda m: m.tensor([1, 2], dtype=m.float64),
    "from_numpy": lambda m: m.from_numpy(np.arange(3.0)),
    "as_tensor": lambda m: m.as_tensor([1.0, 2.0]),
    "zeros": lambda m: m.zeros(2, 3),
    "zeros tuple": lambda m: m.zeros((2, 3)),
    "ones": lambda m: m.ones(3),
    "ones dtype": lambda m: m.ones(2, dtype=m.int64),
    "full float": lambda m: m.full((2,), 1.5),
    "full int": lambda m: m.full((2,), 3),
    "empty": lambda m: m.empty(2, 2).zero_(),
    "arange int": lambda m: m.arange(5),
    "arange float": lambda m: m.arange(0, 1, 0.25),
    "arange start stop": lambda m: m.arange(2, 7),
    "linspace": lambda m: m.linspace(0, 1, 5),
    "eye": lambda m: m.eye(3),
    "eye rect": lambda m: m.eye(2, 3),
    "zeros_like": lambda m: m.zeros_like(m.ones(2, dtype=m.float64)),
    "ones_like": lambda m: m.ones_like(m.tensor([1, 2])),
    "full_like": lambda m: m.full_like(m.ones(2), 7.0),
    "empty_like": lambda m: m.empty_like(m.ones(2)).zero_(),
    "Tensor(list)": lambda m: m.Tensor([1, 2]),
    "Tensor(sizes)": lambda m: m.Tensor(2, 3).zero_(),
}


@pytest.mark.parametrize("name", list(CREATION))
def test_creation_dtype_shape_values_vs_torch(name):
    ours, ref = (CREATION[name](m) for m in LIBS)
    assert str(ours.dtype) == str(ref.dtype), f"{name}: {ours.dtype} vs torch {ref.dtype}"
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-7)


RANDOM = {
    "rand": lambda m: m.rand(2, 3),
    "randn": lambda m: m.randn(4),
    "randint": lambda m: m.randint(0, 5, (3,)),
    "randint low-less": lambda m: m.randint(5, (2, 2)),
    "rand_like": lambda m: m.rand_like(m.ones(2, dtype=m.float64)),
    "randn_like": lambda m: m.randn_like(m.ones(3)),
    "randperm": lambda m: m.randperm(5),
}


@pytest.mark.parametrize("name", list(RANDOM))
def test_random_creation_dtype_shape_and_seed(name):
    ours, ref = (RANDOM[name](m) for m in LIBS)
    assert str(ours.dtype) == str(ref.dtype) and tuple(ours.shape) == tuple(ref.shape)
    tg.manual_seed(123)
    a = RANDOM[name](tg).numpy()
    tg.manual_seed(123)
    b = RANDOM[name](tg).numpy()
    assert np.array_equal(a, b), f"{name}: manual_seed does not reproduce the draw"


def test_random_fills_are_seeded_and_plausible():
    tg.manual_seed(0)
    x = tg.empty(20000).normal_(2.0, 0.5)
    u = tg.empty(20000).uniform_(-1.0, 3.0)
    b = tg.empty(20000).bernoulli_(0.25)
    assert abs(x.mean().item() - 2.0) < 0.02 and abs(x.std().item() - 0.5) < 0.02
    assert -1.0 <= u.min().item() and u.max().item() <= 3.0 and abs(u.mean().item() - 1) < 0.05
    assert set(np.unique(b.numpy())) <= {0.0, 1.0} and abs(b.mean().item() - 0.25) < 0.02
    tg.manual_seed(0)
    assert np.array_equal(tg.empty(20000).normal_(2.0, 0.5).numpy(), x.numpy())
    rand = [tg.rand(3) for _ in range(2)]
    assert not np.array_equal(rand[0].numpy(), rand[1].numpy())


# ---- (values, indices) results print like torch.return_types ------------------------------------
RETURN_TYPES = {
    "max dim": lambda m, x: m.max(x, 1),
    "min dim keepdim": lambda m, x: x.min(0, keepdim=True),
    "sort": lambda m, x: m.sort(x, 1, descending=True),
    "topk": lambda m, x: m.topk(x, 2),
}


@pytest.mark.parametrize("name", list(RETURN_TYPES))
def test_return_types_like_torch(name):
    data = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]], dtype=np.float32)
    ours = RETURN_TYPES[name](tg, tg.tensor(data))
    ref = RETURN_TYPES[name](torch, torch.tensor(data))
    assert repr(ours) == repr(ref), f"{name}: ours {ours!r}\ntorch {ref!r}"
    assert str(ours) == str(ref)
    assert type(ours).__name__ == type(ref).__name__
    v, i = ours  # tuple unpacking, indexing and attributes all work
    assert v is ours.values is ours[0] and i is ours.indices is ours[1] and len(ours) == 2
    np.testing.assert_array_equal(v.numpy(), ref.values.numpy())
    np.testing.assert_array_equal(i.numpy(), ref.indices.numpy())


# ---- reshape/view: a new tensor sharing data; view refuses to copy ------------------------------
def test_reshape_same_shape_is_a_new_view_like_torch():
    for m in LIBS:
        x = m.tensor([[1.0, 2.0], [3.0, 4.0]])
        for y in (x.reshape(2, 2), x.view(2, 2), x.view(x.shape), x.reshape(x.size())):
            assert y is not x, f"{m.__name__}: reshape to the same shape returned the input"
            with m.no_grad():
                x.add_(1.0)  # writes through: y shares x's data and version counter
            assert y.tolist() == x.tolist()
            assert y._version == x._version


VIEWS = {
    "column": lambda m, x: x.view(-1, 1),
    "batch flatten": lambda m, x: x.view(x.size(0), -1),
    "split a dim": lambda m, x: x.view(2, 3, 2),
    "transpose, keep dims": lambda m, x: x.t().view(4, 3),
    "transpose, add a 1": lambda m, x: x.t().view(4, 1, 3),
    "transpose, flatten": lambda m, x: x.t().view(-1),
    "column slice": lambda m, x: x[:, 1:3].view(-1),
    "row slice": lambda m, x: x[1:].view(-1),
    "contiguous then view": lambda m, x: x.t().contiguous().view(-1),
    "flip then view": lambda m, x: x.flip(0).view(-1),
    "index_select then view": lambda m, x: m.index_select(x, 1, m.tensor([2, 0])).view(-1),
    "topk then view": lambda m, x: m.topk(x, 2).values.view(-1),
    "expand then view": lambda m, x: x[:1].expand(3, 4).view(-1),
    "permute then view": lambda m, x: x.view(3, 2, 2).permute(1, 0, 2).view(2, 6),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_copies_never_like_torch(name):
    """view succeeds (with torch's values) exactly where torch's does, else RuntimeError."""
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    try:
        ref = VIEWS[name](torch, torch.tensor(data))
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            VIEWS[name](tg, tg.tensor(data))
        assert "view size is not compatible" in str(e)
        return
    ours = VIEWS[name](tg, tg.tensor(data))
    assert ours.shape == ref.shape
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


CONTIGUITY = {
    "fresh": lambda m, x: x,
    "transpose": lambda m, x: x.t(),
    "contiguous": lambda m, x: x.t().contiguous(),
    "column slice": lambda m, x: x[:, 1:],
    "row slice": lambda m, x: x[1:],
    "flip": lambda m, x: x.flip(1),
    "advanced index": lambda m, x: x[:, [2, 0]],
    "sort values": lambda m, x: m.sort(x, 0).values,
}


@pytest.mark.parametrize("name", list(CONTIGUITY))
def test_is_contiguous_like_torch(name):
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    ours = CONTIGUITY[name](tg, tg.tensor(data))
    ref = CONTIGUITY[name](torch, torch.tensor(data))
    assert ours.is_contiguous() == ref.is_contiguous()
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_contiguous_copy_keeps_the_gradient():
    g = np.arange(6, dtype=np.float32).reshape(3, 2)
    grads = []
    for m in LIBS:
        x = m.tensor(np.ones((2, 3), np.float32), requires_grad=True)
        y = x.t().contiguous()
        y.backward(m.tensor(g))
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


# ---- integer inputs of the activations: torch promotes or refuses, per op -----------------------
@pytest.mark.parametrize("op", ["sigmoid", "tanh", "F.sigmoid", "F.tanh", "method sigmoid"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "uint8"])
def test_sigmoid_tanh_promote_integers_like_torch(op, dtype):
    data = np.array([0, 1, 3], dtype=dtype)
    res = []
    for m in LIBS:
        x = m.tensor(data)
        if op.startswith("F."):
            r = getattr(m.nn.functional, op[2:])(x)
        elif op.startswith("method"):
            r = x.sigmoid()
        else:
            r = getattr(m, op)(x)
        res.append(r)
    ours, ref = res
    assert str(ours.dtype) == str(ref.dtype) == "torch.float32"
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1.3e-6, atol=1e-6)


def test_int_floor_divide_by_nonzero_matches_torch():
    a, b = np.array([7, -7, 3]), np.array([2, 2, -4])
    ours = (tg.tensor(a) // tg.tensor(b), tg.tensor(a) % tg.tensor(b))
    ref = (torch.tensor(a) // torch.tensor(b), torch.tensor(a) % torch.tensor(b))
    for o, r in zip(ours, ref):
        np.testing.assert_array_equal(o.numpy(), r.numpy())
    # float division by zero is not an error (inf / nan, without a NumPy warning)
    ours = tg.tensor([3.0, 0.0]) // tg.tensor([0.0, 0.0])
    ref = torch.tensor([3.0, 0.0]) // torch.tensor([0.0, 0.0])
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
