"""Bad input, kind by kind: the exception TYPE torch raises (torch is run beside each case, so
the oracle is torch itself, never a hard-coded type), and a message that names the op.

One test per kind of mistake, parametrized over the calls the docstring audit found; the first
kind also holds a ratchet over the whole API (``scripts/probe_nontensor.py``: every public
function and Tensor method called with an int where torch wants a Tensor).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
import torch

import tinygrad_edu as tg

sys.path.insert(0, str(Path(__file__).parent / "scripts"))


def outcome(fn, m):
    """The exception type ``fn(m)`` raises (None when it returns) and its message."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(m)
    except Exception as e:  # noqa: BLE001  (the type is what is compared)
        return type(e), str(e)
    return None, ""


def same_error(fn, must_raise=True):
    """Run ``fn`` under torch and tinygrad_edu; the exception types must be the same."""
    theirs, tmsg = outcome(fn, torch)
    ours, omsg = outcome(fn, tg)
    if must_raise:
        assert theirs is not None, "the case no longer raises in torch: fix the case"
    assert ours is theirs, f"torch raises {theirs} ({tmsg!r}); tinygrad_edu {ours} ({omsg!r})"
    return omsg


def F(m):
    return m.nn.functional


# ---- kind 1: a non-Tensor where the signature takes a Tensor -> TypeError naming the op --------
NON_TENSOR = {
    "amin": lambda m: m.amin(3),
    "sort": lambda m: m.sort(3),
    "clone": lambda m: m.clone(3),
    "sigmoid": lambda m: m.sigmoid(3),
    "tanh": lambda m: m.tanh(3),
    "kron": lambda m: m.kron(3, m.ones(2)),
    "kron other": lambda m: m.kron(m.ones(2), 3),
    "diagflat": lambda m: m.diagflat(3),
    "atleast_1d": lambda m: m.atleast_1d(3),  # torch takes no number here either
    "ravel": lambda m: m.ravel(3),
    "numel": lambda m: m.numel(3),
    "type_as": lambda m: m.ones(2).type_as(3),
    "view_as": lambda m: m.ones(2).view_as(3),
    "hardsigmoid": lambda m: F(m).hardsigmoid(3),
    "relu": lambda m: m.relu(3),
    "softmax": lambda m: m.softmax(3, 0),
    "sum": lambda m: m.sum(3),
    "mean dim kwarg": lambda m: m.mean(3, dim=0),
    "reshape before its shape": lambda m: m.reshape(3, m.ones(2)),
    "matmul": lambda m: m.matmul(3, m.ones(2)),
    "linear weight": lambda m: F(m).linear(m.ones(2), 3),
    "broadcast_tensors": lambda m: m.broadcast_tensors(m.ones(2), 3),
    "cartesian_prod": lambda m: m.cartesian_prod(3),
    "diagonal_copy": lambda m: m.diagonal_copy(3),
    "unbind_copy": lambda m: m.unbind_copy(3),
    "alpha_dropout": lambda m: F(m).alpha_dropout(3),
    "where condition": lambda m: m.where(3, m.ones(2), m.ones(2)),
    "one_hot": lambda m: F(m).one_hot(3),
    "conv2d": lambda m: F(m).conv2d(3, m.ones(1, 1, 1, 1)),
}


@pytest.mark.parametrize("case", sorted(NON_TENSOR))
def test_non_tensor_argument_is_type_error(case):
    msg = same_error(NON_TENSOR[case])
    assert "must be Tensor" in msg or "expected Tensor" in msg, msg


# calls where torch raises TypeError and tinygrad_edu still does not (the probe's remainder:
# none left; the bool, int and gradient arguments are test_errors_misuse.py's kinds); the
# ratchet fails when a call outside this set regresses
PROBE_REMAINDER: set[str] = set()


def test_probe_every_public_function_with_an_int():
    """The whole family: 330 calls differed from torch before the shared check, 21 after, 0
    after the bool/int/gradient argument checks (_args.require_bool, require_int)."""
    import probe_nontensor

    found = {label for label, *_ in probe_nontensor.mismatches()}
    assert found <= PROBE_REMAINDER, sorted(found - PROBE_REMAINDER)


# ---- kind 2: out= where torch takes it ---------------------------------------------------------
@pytest.mark.parametrize("op", ["sigmoid", "tanh"])
def test_out_keyword(op):
    def call(m, out_dtype=None):
        out = m.zeros(2, dtype=out_dtype or m.float32)
        res = getattr(m, op)(m.tensor([0.5, -1.0]), out=out)
        assert res is out
        return out.tolist()

    assert call(tg) == pytest.approx(call(torch), rel=1e-6)
    same_error(lambda m: call(m, m.int64))  # a float result into an int out: RuntimeError


# ---- kind 3: shapes that do not fit -> RuntimeError (not NumPy's ValueError) --------------------
NEGATIVE_SIZE = {
    "zeros": lambda m: m.zeros(2, -1), "ones": lambda m: m.ones(-1),
    "empty": lambda m: m.empty(-1), "full": lambda m: m.full((-1,), 1.0),
    "rand": lambda m: m.rand(-1), "randn": lambda m: m.randn(2, -3),
    "randint": lambda m: m.randint(0, 5, (-1,)), "randperm": lambda m: m.randperm(-1),
    "normal": lambda m: m.normal(0.0, 1.0, (-1,)),
    "empty_strided": lambda m: m.empty_strided((-1,), (1,)),
    "new_zeros": lambda m: m.ones(1).new_zeros(-1),
}
NOT_BROADCASTING = {
    "copy_": lambda m: m.ones(3).copy_(m.ones(2)),
    "copy_ more dims": lambda m: m.ones(3).copy_(m.ones(2, 3)),
    "broadcast_tensors": lambda m: m.broadcast_tensors(m.ones(3), m.ones(2)),
}


@pytest.mark.parametrize("case", sorted(NEGATIVE_SIZE))
def test_negative_size_is_runtime_error(case):
    msg = same_error(NEGATIVE_SIZE[case])
    assert "negative" in msg and "-" in msg, msg


@pytest.mark.parametrize("case", sorted(NOT_BROADCASTING))
def test_shapes_that_do_not_broadcast_are_runtime_error(case):
    msg = same_error(NOT_BROADCASTING[case])
    assert "[3]" in msg or "(3)" in msg, msg  # the shapes are named


# ---- kind 4: other wrong exception types -------------------------------------------------------
WRONG_TYPE = {
    "linalg.norm 1-D fro": lambda m: m.linalg.norm(m.ones(3), ord="fro"),
    "linalg.norm 1-D nuc": lambda m: m.linalg.norm(m.ones(3), ord="nuc"),
    "RNNBase bogus mode": lambda m: m.nn.RNNBase("bogus", 3, 4),
    "scalar_tensor str": lambda m: m.scalar_tensor("a"),
    "Tensor str": lambda m: m.Tensor("a"),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPE))
def test_exception_type_as_torch(case):
    same_error(WRONG_TYPE[case])


# ---- kind 5: accepted silently where torch raises ----------------------------------------------
def _bool(m):
    return m.tensor([True, False])


SILENT = {
    "isposinf int out": lambda m: m.isposinf(m.ones(2), out=m.zeros(2, dtype=m.int64)),
    "isneginf float out": lambda m: m.isneginf(m.ones(2), out=m.zeros(2)),
    "signbit int out": lambda m: m.signbit(m.ones(2), out=m.zeros(2, dtype=m.int64)),
    "abs bool": lambda m: m.abs(_bool(m)),
    "relu6 bool": lambda m: F(m).relu6(_bool(m)),
    "softsign bool": lambda m: F(m).softsign(_bool(m)),
    "threshold bool": lambda m: m.threshold(_bool(m), 0.5, 0),
    "argmax bool": lambda m: m.argmax(_bool(m)),
    "median bool": lambda m: m.median(_bool(m)),
    "float(3)": lambda m: m.ones(2).float(3),
    "double(3)": lambda m: m.ones(2).double(3),
    "half(3)": lambda m: m.ones(2).half(3),
    "int(3)": lambda m: m.ones(2).int(3),
    "long(3)": lambda m: m.ones(2).long(3),
    "bool(3)": lambda m: m.ones(2).bool(3),
    "float memory_format=3": lambda m: m.ones(2).float(memory_format=3),
    "contiguous(3)": lambda m: m.ones(2).contiguous(3),
    "is_contiguous(memory_format=None)": lambda m: m.ones(2).is_contiguous(memory_format=None),
    "clone memory_format=3": lambda m: m.clone(m.ones(2), memory_format=3),
    "empty_like memory_format=3": lambda m: m.empty_like(m.ones(2), memory_format=3),
    "Size of a float": lambda m: m.Size([1.5]),
    "set_grad_enabled str": lambda m: m.autograd.set_grad_enabled("x"),
    "set_detect_anomaly str": lambda m: m.autograd.set_detect_anomaly("x"),
    "scalar_tensor list": lambda m: m.scalar_tensor([1, 2]),
    "Parameter of a list": lambda m: m.nn.Parameter([1.0]),  # torch: AttributeError (.detach)
}


@pytest.mark.parametrize("case", sorted(SILENT))
def test_refused_as_torch_refuses(case):
    with tg.enable_grad(), torch.enable_grad():
        same_error(SILENT[case])
    assert tg.is_grad_enabled() and not tg.autograd.is_anomaly_enabled()


# the accepted forms stay accepted (the checks above must not over-reach)
ACCEPTED = {
    "float memory_format": lambda m: m.ones(2).float(memory_format=m.preserve_format),
    "clone memory_format": lambda m: m.clone(m.ones(2), memory_format=m.contiguous_format),
    "Size of ints": lambda m: m.Size([2, m.tensor(3)]),
    "scalar_tensor 0-d tensor": lambda m: m.scalar_tensor(m.tensor(2.0)),
    "copy_ broadcast": lambda m: m.ones(2, 3).copy_(m.ones(3)),
    "isposinf bool out": lambda m: m.isposinf(m.ones(2), out=m.zeros(2, dtype=m.bool)),
    "atleast_1d list": lambda m: m.atleast_1d([m.ones(()), m.ones(2)]),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_accepted_as_torch_accepts(case):
    same_error(ACCEPTED[case], must_raise=False)
    assert outcome(ACCEPTED[case], tg)[0] is None
