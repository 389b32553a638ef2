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

import tinygrad_edu as tg


def outcome(fn, m):
    """The exception type ``fn(m)`` raises (None when it returns) and its message."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(m)
    except Exception as e:  # noqa: BLE001  (the type is what is compared)
        return type(e), str(e)
    return None, ""


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
