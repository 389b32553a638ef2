"""The error catalogue of docs/design.md for the core ops: the exception TYPE torch raises, and a
message naming the op and the shapes (never a raw NumPy traceback)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def t(m, shape, dtype="float32", rg=False):
    x = m.tensor(np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape) + 1.0)
    return x.requires_grad_(True) if rg else x


# name -> (fn(m), substrings our message must contain)
CASES = {
    "matmul 2-D mismatch": (lambda m: t(m, (2, 3)) @ t(m, (4, 5)), ["2x3", "4x5"]),
    "matmul 1-D mismatch": (lambda m: m.matmul(t(m, (3,)), t(m, (4,))), ["matmul", "3", "4"]),
    "matmul batched mismatch": (lambda m: t(m, (2, 2, 3)) @ t(m, (2, 4, 2)), ["3", "4"]),
    "matmul batch broadcast": (lambda m: t(m, (2, 2, 3)) @ t(m, (3, 3, 2)), ["2", "3"]),
    "mm 1-D": (lambda m: m.mm(t(m, (3,)), t(m, (3, 2))), ["mm"]),
    "bmm 2-D": (lambda m: m.bmm(t(m, (3, 2)), t(m, (2, 3))), ["bmm"]),
    "add broadcast": (
        lambda m: t(m, (2, 3)) + t(m, (2, 4)),
        ["size of tensor a (3)", "tensor b (4)", "dimension 1"],
    ),
    "sub broadcast": (lambda m: m.sub(t(m, (3,)), t(m, (4,))), ["(3)", "(4)", "dimension 0"]),
    "mul broadcast grad": (lambda m: t(m, (2, 3), rg=True) * t(m, (3, 2)), ["(3)", "(2)"]),
    "div broadcast": (lambda m: t(m, (5,)) / t(m, (2, 4)), ["(5)", "(4)"]),
    "maximum broadcast": (lambda m: m.maximum(t(m, (2,)), t(m, (3,))), ["(2)", "(3)"]),
    "pow broadcast": (lambda m: t(m, (2,)) ** t(m, (3,)), ["(2)", "(3)"]),
    "eq broadcast": (lambda m: t(m, (2,)) == t(m, (3,)), ["(2)", "(3)"]),
    "where broadcast": (lambda m: m.where(t(m, (2,)) > 0, t(m, (3,)), t(m, (2,))), ["(2)", "(3)"]),
    "sum bad dim": (lambda m: t(m, (2, 3)).sum(dim=2), ["range", "2"]),
    "mean bad dim": (lambda m: t(m, (2, 3)).mean(-3), ["range", "-3"]),
    "softmax bad dim": (lambda m: m.softmax(t(m, (2, 3)), dim=2), ["range"]),
    "multinomial too many categories": (  # checked before the values (nan here), as torch
        lambda m: m.multinomial(m.full((2**24 + 1,), float("nan")), 3), ["2^24"]),
    "multinomial out of another dtype": (  # torch's dtype names (once "Float64" here)
        lambda m: m.multinomial(m.tensor([[0.5, 0.5]], dtype=m.float64), 2,
                                out=m.empty(1, 2, dtype=m.float64)), ["got: Double"]),
    "layer_norm empty normalized_shape": (  # tg once returned x unnormalized here
        lambda m: m.nn.functional.layer_norm(t(m, (2, 3)), []), ["normalized_shape = []"]),
    "layer_norm weight shape": (
        lambda m: m.nn.functional.layer_norm(t(m, (2, 3)), [3], weight=t(m, (2,))),
        ["weight of shape [2]", "normalized_shape = [3]"]),
    "transpose bad dim": (lambda m: t(m, (2, 3)).transpose(0, 2), ["range"]),
    "unsqueeze bad dim": (lambda m: t(m, (2, 3)).unsqueeze(4), ["range"]),
    "cat bad dim": (lambda m: m.cat([t(m, (2,)), t(m, (2,))], dim=1), ["range"]),
    "argmax bad dim": (lambda m: t(m, (2,)).argmax(1), ["range"]),
    "reshape bad size": (lambda m: t(m, (2, 3)).reshape(4), ["[4]", "6"]),
    "view two -1": (lambda m: t(m, (2, 3)).view(-1, -1), ["-1"]),
    "cat size mismatch": (lambda m: m.cat([t(m, (2, 3)), t(m, (2, 4))], dim=0), ["3", "4"]),
    "stack size mismatch": (lambda m: m.stack([t(m, (2,)), t(m, (3,))]), ["[2]", "[3]"]),
    "expand bad size": (lambda m: t(m, (2, 3)).expand(2, 4), ["3", "4"]),
    "index out of range": (lambda m: t(m, (2, 3))[5], ["5"]),
    "gather dims": (lambda m: m.gather(t(m, (2, 3)), 1, m.tensor([0, 1])), ["gather"]),
    "int requires_grad": (lambda m: m.tensor([1, 2]).requires_grad_(), ["floating point"]),
    "item of many": (lambda m: t(m, (2,)).item(), ["2 elements"]),
    "inplace on leaf": (lambda m: t(m, (2,), rg=True).add_(1), ["leaf", "in-place"]),
    "backward non-scalar": (lambda m: (t(m, (2,), rg=True) * 2).backward(), ["scalar outputs"]),
    "clamp without bounds": (lambda m: m.clamp(t(m, (2,))), ["clamp"]),
    # boolean masks must match the shape of the dims they index (torch's message, verbatim)
    "bool mask too short": (
        lambda m: m.tensor([1.0, 2.0, 3.0])[m.tensor([True, False])],
        ["The shape of the mask [2] at index 0 does not match the shape of the indexed tensor "
         "[3] at index 0"],
    ),
    "bool mask after slice": (
        lambda m: t(m, (2, 3))[:, m.tensor([True, False])],
        ["The shape of the mask [2] at index 0", "tensor [2, 3] at index 1"],
    ),
    "bool mask after int": (
        lambda m: t(m, (2, 3))[0, m.tensor([True, False])],
        ["The shape of the mask [2] at index 0", "tensor [3] at index 0"],
    ),
    "bool mask after None": (
        lambda m: t(m, (2, 3))[None, m.tensor([True, False, True])],
        ["The shape of the mask [3] at index 0", "tensor [1, 2, 3] at index 1"],
    ),
    "bool mask 2-D": (
        lambda m: t(m, (2, 3))[m.ones(2, 2, dtype=m.bool)],
        ["The shape of the mask [2, 2] at index 1", "tensor [2, 3] at index 1"],
    ),
    "bool mask setitem": (
        lambda m: t(m, (3,)).__setitem__(m.tensor([True, False]), 0.0),
        ["The shape of the mask [2] at index 0"],
    ),
    "gather negative index": (
        lambda m: m.gather(t(m, (2, 2)), 1, m.tensor([[-1], [0]])),
        ["index -1 is out of bounds for dimension 1 with size 2"],
    ),
    "gather index too large": (
        lambda m: m.gather(t(m, (2, 2)), 1, m.tensor([[0], [2]])),
        ["index 2 is out of bounds for dimension 1 with size 2"],
    ),
    "index_select negative": (
        lambda m: m.index_select(t(m, (2, 2)), 0, m.tensor([-1])),
        ["index out of range in self"],
    ),
    "index_select 2-D index": (
        lambda m: m.index_select(t(m, (2, 2)), 0, m.tensor([[0]])),
        ["Index is supposed to be a vector"],
    ),
    "tril 1-D": (lambda m: m.tril(t(m, (3,))), ["tril: input tensor must have at least 2"]),
    "diag 3-D": (lambda m: m.diag(t(m, (2, 2, 2))), ["diag(): Supports 1D or 2D tensors"]),
    "outer 2-D": (lambda m: m.outer(t(m, (2, 2)), t(m, (2,))), ["outer: Expected 1-D"]),
    "view of a transpose": (
        lambda m: t(m, (2, 3)).t().view(-1),
        ["view size is not compatible with input tensor's size and stride", ".reshape(...)"],
    ),
    "view of a column slice": (
        lambda m: t(m, (3, 4))[:, 1:3].view(6),
        ["view size is not compatible"],
    ),
    "int floor_divide by zero": (lambda m: m.tensor([3]) // m.tensor([0]), ["ZeroDivisionError"]),
    "int remainder by zero": (lambda m: m.tensor([3, 4]) % 0, ["ZeroDivisionError"]),
    "int div floor by zero": (
        lambda m: m.tensor([3]).div(m.tensor([0]), rounding_mode="floor"),
        ["ZeroDivisionError"],
    ),
    "int negative power": (
        lambda m: m.tensor([3]) ** -1,
        ["Integers to negative integer powers are not allowed."],
    ),
    "softmax of long": (lambda m: m.softmax(m.tensor([1, 2]), 0), ["not implemented for 'Long'"]),
    "log_softmax of long": (
        lambda m: m.log_softmax(m.tensor([[1, 2]]), 1),
        ["not implemented for 'Long'"],
    ),
    "elu of long": (lambda m: m.nn.functional.elu(m.tensor([1, 2])), ["not implemented for"]),
}


def _freed(m):
    x = t(m, (2,), rg=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _version(m):
    x = t(m, (2,), rg=True)
    w = t(m, (2,))
    y = (x * w).sum()
    with m.no_grad():
        w.mul_(2)
    y.backward()


CASES["freed graph"] = (_freed, ["second time", "retain_graph=True", "MulBackward0"])
CASES["version counter"] = (_version, ["modified by an inplace operation", "version"])


@pytest.mark.parametrize("name", list(CASES))
def test_error_type_and_message(name):
    fn, needles = CASES[name]
    with pytest.raises(Exception) as ref:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(tg)
    assert type(ours.value) is type(ref.value) or isinstance(ours.value, type(ref.value)), (
        f"{name}: ours raised {type(ours.value).__name__}: {ours.value}; torch raises "
        f"{type(ref.value).__name__}: {ref.value}"
    )
    msg = str(ours.value)
    for n in needles:
        assert n in msg, f"{name}: message {msg!r} should mention {n!r} (torch: {ref.value})"
    assert "numpy" not in type(ours.value).__module__, f"{name}: raw NumPy error {ours.value!r}"


def test_device_mismatch(sim_cuda):  # the simulated GPU (parity_tests/gpusim) without one
    a = tg.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="cpu and cuda"):
        a + tg.ones(2)
