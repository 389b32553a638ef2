"""Misuse torch refuses and tinygrad_edu used to accept: each case runs under torch and under
tinygrad_edu (the oracle is torch itself, never a hard-coded type) and the exception types must
be the same, with a message that names the op.

1. an uninitialized (Lazy) parameter or buffer used before its first forward;
2. ``nn.Buffer`` of something that is not a Tensor;
3. kinds from ``scripts/probe_nontensor.py``: an int where a bool or a Tensor is wanted, extra
   positional arguments, and a bool tensor given to an op torch has no bool kernel for.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from test_errors_kinds import outcome  # noqa: E402  (one helper for both files)

import tinygrad_edu as tg


def same_error(fn):
    """Run ``fn`` under torch and tinygrad_edu: both must raise, the same type; returns both
    messages."""
    theirs, tmsg = outcome(fn, torch)
    ours, omsg = outcome(fn, tg)
    assert theirs is not None, "the case no longer raises in torch: fix the case"
    assert ours is theirs, f"torch raises {theirs} ({tmsg!r}); tinygrad_edu {ours} ({omsg!r})"
    return tmsg, omsg


# ---- 1. uninitialized parameters and buffers ---------------------------------------------------
def _p(m):
    return m.nn.UninitializedParameter()


def _linear_with_lazy_weight(m):
    lin = m.nn.Linear(3, 2)
    lin.weight = m.nn.UninitializedParameter()
    return lin(m.ones(2, 3))


# case -> (call, the op's name both messages must contain)
UNINITIALIZED = {
    "p + 1": (lambda m: _p(m) + 1, "add"),
    "1 + p": (lambda m: 1 + _p(m), "add"),
    "add(p, 1)": (lambda m: m.add(_p(m), 1), "add"),
    "p * 2": (lambda m: _p(m) * 2, "mul"),
    "p.sum()": (lambda m: _p(m).sum(), "sum"),
    "p.dim()": (lambda m: _p(m).dim(), "dim"),
    "p.numel()": (lambda m: _p(m).numel(), "numel"),
    "len(p)": (lambda m: len(_p(m)), "__len__"),
    "p[0]": (lambda m: _p(m)[0], "getitem"),
    "p.tolist()": (lambda m: _p(m).tolist(), "tolist"),
    "p.detach()": (lambda m: _p(m).detach(), "detach"),
    "p.view(1)": (lambda m: _p(m).view(1), "view"),
    "bool(p)": (lambda m: bool(_p(m)), "__bool__"),
    "p.numpy()": (lambda m: _p(m).numpy(), "numpy"),
    "p.requires_grad_(False)": (lambda m: _p(m).requires_grad_(False), "requires_grad_"),
    "p.backward()": (lambda m: _p(m).backward(), "backward"),
    "cat([p, p])": (lambda m: m.cat([_p(m), _p(m)]), "cat"),
    "F.linear(x, p)": (lambda m: m.nn.functional.linear(m.ones(2, 3), _p(m)), "linear"),
    "Linear with a lazy weight": (_linear_with_lazy_weight, "linear"),
    "LazyLinear.weight + 1": (lambda m: m.nn.LazyLinear(3).weight + 1, "add"),
    "LazyConv2d.weight.sum()": (lambda m: m.nn.LazyConv2d(4, 2).weight.sum(), "sum"),
    "LazyLinear.requires_grad_": (lambda m: m.nn.LazyLinear(3).requires_grad_(False),
                                  "requires_grad_"),
    "numel of a lazy model": (lambda m: sum(p.numel() for p in m.nn.LazyLinear(3).parameters()),
                              "numel"),
    "UninitializedBuffer + 1": (lambda m: m.nn.UninitializedBuffer() + 1, "add"),
}


@pytest.mark.parametrize("case", sorted(UNINITIALIZED))
def test_uninitialized_used_is_value_error(case):
    fn, op = UNINITIALIZED[case]
    tmsg, omsg = same_error(fn)
    assert op in tmsg, f"the case's op name is not torch's: {tmsg!r}"
    assert "uninitialized parameter" in omsg and op in omsg, omsg
    assert "dtype float32" in omsg, omsg  # names what it has: a dtype, no shape


SHAPE = {
    "p.shape": lambda m: _p(m).shape,
    "UninitializedBuffer.shape": lambda m: m.nn.UninitializedBuffer().shape,
    "LazyLinear.weight.shape": lambda m: m.nn.LazyLinear(3).weight.shape,
}


@pytest.mark.parametrize("case", sorted(SHAPE))
def test_uninitialized_shape_is_runtime_error(case):
    tmsg, omsg = same_error(SHAPE[case])
    assert "Can't access the shape of an uninitialized" in omsg, omsg


# what torch allows before materialization must stay allowed, with torch's values
ALLOWED = {
    "dtype": lambda m: str(_p(m).dtype),
    "dtype given": lambda m: str(m.nn.UninitializedParameter(dtype=m.float64).dtype),
    "device": lambda m: _p(m).device.type,
    "requires_grad": lambda m: (_p(m).requires_grad, m.nn.UninitializedBuffer().requires_grad),
    "grad": lambda m: _p(m).grad is None,
    "is_leaf": lambda m: _p(m).is_leaf,
    "ndim": lambda m: _p(m).ndim,
    "size()": lambda m: tuple(_p(m).size()),
    "is_floating_point": lambda m: _p(m).is_floating_point(),
    "repr": lambda m: (repr(_p(m)), repr(m.nn.UninitializedBuffer())),
    "data": lambda m: _p(m).data.tolist(),
    "float() is itself": lambda m: (lambda p: p.float() is p)(_p(m)),
    "to(cpu) is itself": lambda m: (lambda p: p.to("cpu") is p)(_p(m)),
    "double()": lambda m: (type(_p(m).double()).__name__, str(_p(m).double().dtype)),
    "is_lazy": lambda m: (m.nn.parameter.is_lazy(_p(m)), m.nn.parameter.is_lazy(m.ones(1))),
    "buffer persistent": lambda m: m.nn.UninitializedBuffer(persistent=False).persistent,
    "int dtype cannot require grad": lambda m: outcome(
        lambda m: m.nn.UninitializedParameter(dtype=m.int64), m)[0],
    "state_dict keeps them": lambda m: [(k, type(v).__name__) for k, v in
                                        m.nn.Sequential(m.nn.LazyLinear(3)).state_dict().items()],
    "module.double() then forward": lambda m: str(
        m.nn.LazyLinear(3).double()(m.ones(2, 5, dtype=m.float64)).dtype),
    "optimizer before forward": lambda m: type(m.optim.Adam(m.nn.LazyLinear(3).parameters(),
                                                            lr=0.1)).__name__,
}


@pytest.mark.parametrize("case", sorted(ALLOWED))
def test_uninitialized_allows_what_torch_allows(case):
    assert ALLOWED[case](tg) == ALLOWED[case](torch)


def test_nested_lazy_module_loads_a_checkpoint_as_torch():
    """A LazyLinear inside a Sequential takes the checkpoint's shapes (torch's load hook runs
    for every module; here it used to run only when the lazy module itself was loaded)."""
    sd = {"0.weight": np.arange(6.0).reshape(3, 2), "0.bias": np.ones(3)}
    mt = torch.nn.Sequential(torch.nn.LazyLinear(3))
    mg = tg.nn.Sequential(tg.nn.LazyLinear(3))
    mt.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in sd.items()})
    mg.load_state_dict({k: tg.tensor(v, dtype=tg.float32) for k, v in sd.items()})
    x = np.array([[1.0, -2.0]], dtype=np.float32)
    assert mg(tg.tensor(x)).tolist() == mt(torch.tensor(x)).tolist()
    assert type(mg[0].weight) is tg.nn.Parameter and tuple(mg[0].weight.shape) == (3, 2)


def test_materialize_gives_a_usable_tensor():
    for m in (torch, tg):
        p, b = m.nn.UninitializedParameter(), m.nn.UninitializedBuffer(persistent=False)
        p.materialize((2, 3))
        b.materialize(4, dtype=m.float64)
        assert tuple(p.shape) == (2, 3) and type(p) is m.nn.Parameter and p.requires_grad
        assert tuple((p + 1).shape) == (2, 3)
        assert tuple(b.shape) == (4,) and b.dtype == m.float64 and not b.requires_grad
        assert not m.nn.parameter.is_lazy(p) and not m.nn.parameter.is_lazy(b)


# ---- 2. nn.Buffer of a non-Tensor --------------------------------------------------------------
BUFFER_REFUSED = {
    "list": lambda m: m.nn.Buffer([1.0]),
    "int": lambda m: m.nn.Buffer(3),
    "ndarray": lambda m: m.nn.Buffer(np.ones(2)),
}


@pytest.mark.parametrize("case", sorted(BUFFER_REFUSED))
def test_buffer_of_a_non_tensor_is_attribute_error(case):
    tmsg, omsg = same_error(BUFFER_REFUSED[case])
    assert "detach" in omsg and "Buffer" in omsg, omsg


BUFFER_ACCEPTED = {
    "no data": lambda m: (m.nn.Buffer().tolist(), str(m.nn.Buffer().dtype)),
    "None": lambda m: m.nn.Buffer(None).tolist(),
    "keeps requires_grad": lambda m: m.nn.Buffer(m.ones(2, requires_grad=True)).requires_grad,
    "persistent": lambda m: m.nn.Buffer(m.ones(1), persistent=False).persistent,
    "shares storage": lambda m: (lambda x: (m.nn.Buffer(x).add_(1), x.tolist())[1])(m.ones(2)),
}


@pytest.mark.parametrize("case", sorted(BUFFER_ACCEPTED))
def test_buffer_accepts_what_torch_accepts(case):
    assert BUFFER_ACCEPTED[case](tg) == BUFFER_ACCEPTED[case](torch)


# ---- 3. the probe's kinds ---------------------------------------------------------------------
def _m2(m, dtype="float32"):
    return m.eye(2, dtype=getattr(m, dtype))


# an int (or None, a NumPy bool, a tensor) where the signature takes a bool -> TypeError
NOT_BOOL = {
    "qr(some=1)": lambda m: m.qr(_m2(m), 1),
    "svd(some=1)": lambda m: m.svd(_m2(m), 1),
    "svd(compute_uv=None)": lambda m: m.svd(_m2(m), True, None),
    "cholesky(upper=1)": lambda m: m.cholesky(_m2(m), 1),
    "cholesky_inverse(upper=1)": lambda m: m.cholesky_inverse(_m2(m), 1),
    "cholesky_solve(upper=0)": lambda m: m.cholesky_solve(_m2(m), _m2(m), 0),
    "triangular_solve(upper=1)": lambda m: m.triangular_solve(_m2(m), _m2(m), 1),
    "lu(pivot=1)": lambda m: _m2(m).lu(1),
    "unique(sorted=1)": lambda m: m.unique(m.ones(2), 1),
    "unique(return_counts=np.True_)": lambda m: m.unique(m.ones(2), return_counts=np.True_),
    "unique_consecutive(1)": lambda m: m.unique_consecutive(m.ones(2), 1),
    "requires_grad_(1)": lambda m: m.ones(2).requires_grad_(1),
    "requires_grad_(tensor)": lambda m: m.ones(2).requires_grad_(m.tensor(True)),
    "numpy(force=1)": lambda m: m.ones(2).numpy(force=1),
}


@pytest.mark.parametrize("case", sorted(NOT_BOOL))
def test_non_bool_flag_is_type_error(case):
    tmsg, omsg = same_error(NOT_BOOL[case])
    assert "must be bool, not" in omsg, omsg


# a tensor, float or bool where the signature takes an int; a non-Tensor where it takes one;
# a positional argument the signature does not have -> TypeError
NOT_INT_OR_TENSOR = {
    "eye(3, t)": lambda m: m.eye(3, m.ones(2)),
    "eye(2.0)": lambda m: m.eye(2.0),
    "eye(True)": lambda m: m.eye(True),
    "tril_indices(3, t)": lambda m: m.tril_indices(3, m.ones(2)),
    "triu_indices(3, 3.0)": lambda m: m.triu_indices(3, 3.0),
    "arange(t)": lambda m: m.arange(m.ones(2)),
    "arange(3, t)": lambda m: m.arange(3, m.ones(2)),
    "bincount(minlength=True)": lambda m: m.bincount(m.tensor([1]), minlength=True),
    "bincount weights int": lambda m: m.tensor([1]).bincount(3),
    "cholesky_solve int": lambda m: _m2(m).cholesky_solve(3),
    "triangular_solve int": lambda m: _m2(m).triangular_solve(3),
    "backward(3)": lambda m: (m.ones(2, requires_grad=True) * 2).sum().backward(3),
    "backward(3.0) of a leaf": lambda m: m.ones(2).backward(3.0),
    "autograd.backward float grad": lambda m: m.autograd.backward(
        [m.ones(2, requires_grad=True) * 2], [3.0]),
    "autograd.grad ndarray grad": lambda m: m.autograd.grad(
        [(lambda x: x * 2)(m.ones(2, requires_grad=True))], [m.ones(2, requires_grad=True)],
        [np.ones(2)]),
    "tensor(3, dtype positional)": lambda m: m.tensor(3, m.float64),
    "as_tensor(3, dtype positional)": lambda m: m.as_tensor(3, m.float64),
    "x.relu(3)": lambda m: m.ones(2).relu(3),
    "x.relu_(True)": lambda m: m.ones(2).relu_(True),
    "x.numpy(True)": lambda m: m.ones(2).numpy(True),
}


@pytest.mark.parametrize("case", sorted(NOT_INT_OR_TENSOR))
def test_wrong_argument_type_is_type_error(case):
    same_error(NOT_INT_OR_TENSOR[case])


# the accepted forms of those arguments stay accepted, with torch's values
ACCEPTED = {
    "eye(n, 0-d int tensor)": lambda m: m.eye(2, m.tensor(3)).tolist(),
    "eye(np.int64)": lambda m: m.eye(np.int64(2)).tolist(),
    "tril_indices ints": lambda m: m.tril_indices(3, 2, -1).tolist(),
    "arange(int, 0-d tensor)": lambda m: m.arange(3, m.tensor(5)).tolist(),
    "unique flags": lambda m: [t.tolist() for t in m.unique(m.tensor([2, 1, 2]), True, True)],
    "qr(some=False)": lambda m: [tuple(t.shape) for t in m.qr(m.ones(3, 2), False)],
    "backward(None, True)": lambda m: (lambda x: ((x * 2).sum().backward(None, True),
                                                  x.grad.tolist())[1])(
        m.ones(2, requires_grad=True)),
    "backward(tensor)": lambda m: (lambda x: ((x * 2).backward(m.ones(2)), x.grad.tolist())[1])(
        m.ones(2, requires_grad=True)),
    "numpy(force=True)": lambda m: m.ones(2, requires_grad=True).numpy(force=True).tolist(),
    "x.relu()": lambda m: m.tensor([-1.0, 2.0]).relu().tolist(),
    "x.relu_()": lambda m: (lambda x: (x.relu_(), x.tolist())[1])(m.tensor([-1.0, 2.0])),
    "histc of float16": lambda m: m.histc(m.ones(4, dtype=m.float16), 3).tolist(),
    "histogram default bins": lambda m: [tuple(t.shape) for t in m.histogram(m.ones(3))],
    "repeat_interleave(counts) dtype": lambda m: (
        lambda r: (r.tolist(), str(r.dtype)))(m.repeat_interleave(m.tensor([1, 2],
                                                                           dtype=m.int32))),
    "dropout of an int tensor, p = 1": lambda m: m.nn.functional.dropout(
        m.tensor([1, 2]), p=1.0).tolist(),
    "dropout of a bool tensor in eval": lambda m: m.nn.functional.dropout(
        m.tensor([True]), training=False).tolist(),
    "bernoulli of a bool tensor with p": lambda m: tuple(
        m.bernoulli(m.tensor([True, False]), 0.0).shape),
    "trace of an int matrix": lambda m: m.trace(m.tensor([[1, 2], [3, 4]])).item(),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_accepted_arguments_as_torch(case):
    assert outcome(ACCEPTED[case], tg)[0] is None, outcome(ACCEPTED[case], tg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.qr's deprecation
        assert ACCEPTED[case](tg) == ACCEPTED[case](torch)


# a dtype the op's kernel has no case for -> torch's exception (the kinds: no kernel ->
# NotImplementedError naming it; a float result into an integer/bool tensor -> RuntimeError;
# a continuous distribution into a non-float tensor -> RuntimeError)
def _t(m, dtype, shape=(2,)):
    return m.ones(*shape, dtype=getattr(m, dtype))


BAD_DTYPE = {
    "trace": lambda m, d: m.trace(_t(m, d, (2, 2))),
    "trace 1-D": lambda m, d: m.trace(_t(m, d)),
    "histogram": lambda m, d: m.histogram(_t(m, d)),
    "histogram bins": lambda m, d: m.histogram(_t(m, d), 3),
    "bincount": lambda m, d: m.bincount(_t(m, d)),
    "repeat_interleave(counts)": lambda m, d: m.repeat_interleave(_t(m, d)),
    "normal(mean)": lambda m, d: m.normal(_t(m, d)),
    "normal(0, std)": lambda m, d: m.normal(0.0, _t(m, d)),
    "bernoulli": lambda m, d: m.bernoulli(_t(m, d)),
    "geometric_": lambda m, d: _t(m, d).geometric_(0.5),
    "cauchy_": lambda m, d: _t(m, d).cauchy_(),
    "exponential_": lambda m, d: _t(m, d).exponential_(),
    "linalg.vander": lambda m, d: m.linalg.vander(_t(m, d)),
    "dropout": lambda m, d: m.nn.functional.dropout(_t(m, d, (4,))),
    "dropout inplace": lambda m, d: m.nn.functional.dropout(_t(m, d, (4,)), inplace=True),
    "nn.Dropout": lambda m, d: m.nn.Dropout()(_t(m, d, (4,))),
    "dropout1d": lambda m, d: m.nn.functional.dropout1d(_t(m, d, (2, 3))),
    "dropout2d": lambda m, d: m.nn.functional.dropout2d(_t(m, d, (1, 2, 3))),
    "dropout3d": lambda m, d: m.nn.functional.dropout3d(_t(m, d, (1, 2, 1, 3))),
    "alpha_dropout": lambda m, d: m.nn.functional.alpha_dropout(_t(m, d), training=True),
    "feature_alpha_dropout": lambda m, d: m.nn.functional.feature_alpha_dropout(
        _t(m, d, (1, 2, 3)), training=True),
    "cholesky": lambda m, d: m.cholesky(_m2(m, d)),
    "cholesky_inverse": lambda m, d: m.cholesky_inverse(_m2(m, d)),
    "cholesky_solve": lambda m, d: m.cholesky_solve(_m2(m, d), _m2(m, d)),
    "geqrf": lambda m, d: m.geqrf(_m2(m, d)),
    "lu": lambda m, d: _m2(m, d).lu(),
    "linalg.lu": lambda m, d: m.linalg.lu(_m2(m, d)),
    "linalg.lu_factor": lambda m, d: m.linalg.lu_factor(_m2(m, d)),
    "linalg.lu_factor_ex": lambda m, d: m.linalg.lu_factor_ex(_m2(m, d)),
    "linalg.eigh": lambda m, d: m.linalg.eigh(_m2(m, d)),
    "linalg.eigvalsh": lambda m, d: m.linalg.eigvalsh(_m2(m, d)),
    "linalg.householder_product": lambda m, d: m.linalg.householder_product(
        _m2(m, d), _t(m, d, (1,))),
    "linalg.solve_triangular": lambda m, d: m.linalg.solve_triangular(
        _m2(m, d), _m2(m, d), upper=True),
    "triangular_solve": lambda m, d: m.triangular_solve(_m2(m, d), _m2(m, d)),
    "ormqr": lambda m, d: m.ormqr(_m2(m, d), _t(m, d), _m2(m, d)),
}


@pytest.mark.parametrize("dtype", ["bool", "int64", "float16"])
@pytest.mark.parametrize("case", sorted(BAD_DTYPE))
def test_dtype_without_a_kernel_as_torch(case, dtype):
    """torch is the oracle for each dtype (some of these accept integers or float16: the
    types must agree either way); when torch's refusal names the dtype, ours does too."""
    fn = BAD_DTYPE[case]
    theirs, tmsg = outcome(lambda m: fn(m, dtype), torch)
    ours, omsg = outcome(lambda m: fn(m, dtype), tg)
    assert ours is theirs, f"torch raises {theirs} ({tmsg!r}); tinygrad_edu {ours} ({omsg!r})"
    name = {"bool": "Bool", "int64": "Long", "float16": "Half"}[dtype]
    if name in tmsg:
        assert name in omsg, omsg


def test_probe_bool_inputs():
    """The ratchet over the whole API with a bool tensor (scripts/probe_nontensor.py): 42
    calls differed from torch before the dtype kinds above, one remains: svd_lowrank of a bool
    matrix, where torch's RuntimeError comes from a matmul deep inside (bool @ float), not
    from a check of its own."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "scripts"))
    import probe_nontensor

    found = {label for label, *_ in probe_nontensor.bool_mismatches()}
    assert found <= {"tg.svd_lowrank(B)"}, sorted(found)


@pytest.mark.parametrize("call", [
    lambda t: tg.relu(t), lambda t: tg.nn.functional.linear(t, tg.ones(2, 2)),
    lambda t: tg.nn.functional.mse_loss(t, tg.ones(2)), lambda t: tg.cat([t]),
], ids=["relu", "linear", "mse_loss", "cat"])
def test_a_torch_tensor_passed_to_tinygrad_edu_is_named_as_such(call):
    """A learner mixing ``import torch`` with tinygrad_edu got "must be Tensor, not Tensor"."""
    with pytest.raises(TypeError, match=r"torch\.Tensor \(a tensor of another library"):
        call(torch.ones(2, 2))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_implicit_softmax_dim_warns_as_torch(fn):
    """F.softmax(x) without dim: torch's deprecation UserWarning, attributed to the same frame
    as torch's (its stacklevel=3), and its legacy dim (0 for 0-, 1- and 3-d inputs, else 1)."""
    x = np.random.RandomState(0).randn(2, 3, 4).astype(np.float32)
    out, where = [], []
    for L in (torch, tg):
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {fn}") as rec:
            out.append(getattr(L.nn.functional, fn)(L.tensor(x)).numpy())
        where.append((rec[0].filename, rec[0].lineno))
    assert where[1] == where[0]
    np.testing.assert_allclose(out[1], out[0], rtol=1e-6)
