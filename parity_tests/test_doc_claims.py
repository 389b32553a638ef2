"""What the docstrings written for issue 17 say is raised, checked against torch: the exception
type torch raises (and no silent result where torch refuses). Each case is a gap the docs work
found and fixed; the dtype cases guard against a silent float64 result."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg

CASES = {
    "relu of bool": (lambda m: m.relu(m.tensor([True, False])), ["relu", "Boolean"]),
    "leaky_relu of long": (
        lambda m: m.nn.functional.leaky_relu(m.tensor([1, -2])), ["leaky_relu", "Long"]),
    "leaky_relu of bool": (
        lambda m: m.nn.functional.leaky_relu(m.tensor([True])), ["leaky_relu", "Bool"]),
    "prelu of long": (
        lambda m: m.nn.functional.prelu(m.ones(2, 3, dtype=m.long), m.ones(3, dtype=m.long)),
        ["prelu", "Long"]),
    "view_as of a transpose": (
        lambda m: m.ones(2, 3).t().view_as(m.ones(6)), ["view size is not compatible"]),
    "type with an unknown name": (lambda m: m.ones(2).type("torch.FooTensor"), ["FooTensor"]),
    "new_zeros negative size": (lambda m: m.ones(2).new_zeros(-1), ["negative dimension -1"]),
    "new_full negative size": (lambda m: m.ones(2).new_full((2, -3), 1.0), ["negative", "-3"]),
    "isnan of a number": (lambda m: m.isnan(1.0), ["isnan", "Tensor"]),
    "logical_not of a number": (lambda m: m.logical_not(1.0), ["logical_not", "Tensor"]),
    "nonzero of a number": (lambda m: m.nonzero(1.0), ["nonzero", "Tensor"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_documented_raise_matches_torch(name):
    fn, needles = CASES[name]
    with pytest.raises(Exception) as ref:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(tg)
    assert type(ours.value) is type(ref.value), (
        f"{name}: ours raised {type(ours.value).__name__}: {ours.value}; torch raises "
        f"{type(ref.value).__name__}: {ref.value}")
    for n in needles:
        assert n in str(ours.value), f"{name}: {ours.value!r} should mention {n!r}"


@pytest.mark.parametrize("name", ["float", "double", "half", "long", "int", "bool", "byte",
                                  "char", "short"])
def test_cast_methods_are_named_and_match_torch(name):
    x = [1.5, -2.0, 0.0]
    ours, ref = getattr(tg.tensor(x), name)(), getattr(torch.tensor(x), name)()
    assert str(ours.dtype) == str(ref.dtype) and ours.tolist() == ref.tolist()
    assert getattr(tg.Tensor, name).__name__ == name
    src = tg.tensor(x, requires_grad=True)
    assert getattr(src, name)().requires_grad == getattr(torch.tensor(x, requires_grad=True),
                                                         name)().requires_grad


def test_view_as_and_reshape_as_share_or_copy_as_torch():
    a = tg.arange(6.0)
    v = a.view_as(tg.ones(2, 3))
    v[0, 0] = 9.0
    assert a[0].item() == 9.0  # a view shares memory
    r = tg.arange(6.0).reshape(2, 3).t().reshape_as(tg.ones(6))
    assert r.tolist() == torch.arange(6.0).reshape(2, 3).t().reshape(6).tolist()
