"""Inputs torch refuses or treats differently, round 10. Each case runs under torch and under
tinygrad_edu (torch is the oracle, never a hard-coded type or value): both must raise the same
exception type, with torch's message inside ours, or both must return the same values and dtype.
NumPy warnings from tinygrad_edu are failures too (torch prints nothing).

1. Python ints beyond int64: in ``tensor()`` lists (mixed with floats, or alone), fills, setitem,
   ``arange``/``linspace``/``logspace`` bounds and ``randint``; int64 digits beside floats.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def outcome(fn, m):
    """What ``fn(m)`` gives: ("raise", type, message) or ("value", dtype name, list)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error" if m is tg else "ignore")  # ours: no NumPy warnings
        try:
            v = fn(m)
        except Warning as w:  # noqa: B014
            raise AssertionError(f"tinygrad_edu warned: {w!r}") from None
        except Exception as e:  # noqa: BLE001  (the type is what is compared)
            return "raise", type(e), str(e).split("\n")[0]
    if isinstance(v, (m.Tensor,)):
        return "value", str(v.dtype).replace("torch.", ""), v.tolist()
    return "value", type(v).__name__, v


def same(fn):
    """``fn`` under both libraries: the same exception type (torch's message inside ours), or
    the same dtype and values (nan where torch has nan)."""
    theirs, ours = outcome(fn, torch), outcome(fn, tg)
    assert theirs[0] == ours[0], f"torch: {theirs}; tinygrad_edu: {ours}"
    if theirs[0] == "raise":
        assert ours[1] is theirs[1], f"torch raises {theirs}; tinygrad_edu {ours}"
        assert theirs[2] in ours[2], f"torch's message {theirs[2]!r} not in ours {ours[2]!r}"
    else:
        assert ours[1] == theirs[1], f"dtype: torch {theirs[1]}, tinygrad_edu {ours[1]}"
        np.testing.assert_array_equal(np.asarray(ours[2], dtype=object),
                                      np.asarray(theirs[2], dtype=object))


def _setitem(t, idx, v):
    t[idx] = v
    return t


# ---- 1. Python ints beyond int64 ---------------------------------------------------------------
BIG_INTS = {
    "tensor(2**63)": lambda m: m.tensor(2**63),
    "tensor([2**64-1])": lambda m: m.tensor([2**64 - 1]),
    "tensor([2**63, 1])": lambda m: m.tensor([2**63, 1]),
    "tensor([2**63, -1])": lambda m: m.tensor([2**63, -1]),
    "tensor([[1], [2**63]])": lambda m: m.tensor([[1], [2**63]]),
    "tensor([True, 2**63])": lambda m: m.tensor([True, 2**63]),
    "tensor([1, 2**63, 1.5])": lambda m: m.tensor([1, 2**63, 1.5]),
    "tensor([1, 1e20])": lambda m: m.tensor([1, 1e20]),
    "tensor([2**63, 1], int64)": lambda m: m.tensor([2**63, 1], dtype=m.int64),
    "tensor([2**63, 1.5], int64)": lambda m: m.tensor([2**63, 1.5], dtype=m.int64),
    "tensor([2**63-1, 1.5], int64)": lambda m: m.tensor([2**63 - 1, 1.5], dtype=m.int64),
    "tensor([2**53+1, 0.5], int64)": lambda m: m.tensor([2**53 + 1, 0.5], dtype=m.int64),
    "tensor([[2**53+1, .5], [-2**63, True]])": lambda m: m.tensor(
        [[2**53 + 1, 0.5], [-2**63, True]], dtype=m.int64),
    "tensor([2**60, 3.7], uint8)": lambda m: m.tensor([2**60, 3.7], dtype=m.uint8),
    "tensor([-9, 2.0**63], int64)": lambda m: m.tensor([-9, 2.0**63], dtype=m.int64),
    "tensor([2**62, nan], int64)": lambda m: m.tensor([2**62, float("nan")], dtype=m.int64),
    "tensor([2**63, 1], float32)": lambda m: m.tensor([2**63, 1], dtype=m.float32),
    "tensor([2**63, 1], bool)": lambda m: m.tensor([2**63, 1], dtype=m.bool),
    "new_tensor([2**63]) int64": lambda m: m.zeros(2, dtype=m.int64).new_tensor([2**63]),
    "new_full 2**70": lambda m: m.zeros(3).new_full((2,), 2**70),
    "new_full 1e300": lambda m: m.zeros(3).new_full((2,), 1e300),
    "new_full 1e5 float16": lambda m: m.zeros(3, dtype=m.float16).new_full((2,), 1e5),
    "new_full 1e5 float16 one element": lambda m: m.zeros(3, dtype=m.float16).new_full((1,), 1e5),
    "int64 new_full 2**63": lambda m: m.zeros(3, dtype=m.int64).new_full((2,), 2**63),
    "int64 new_full -2**63-1": lambda m: m.zeros(3, dtype=m.int64).new_full((2,), -2**63 - 1),
    "uint8 new_full 300": lambda m: m.zeros(3, dtype=m.uint8).new_full((2,), 300),
    "uint8 new_full -9": lambda m: m.zeros(3, dtype=m.uint8).new_full((2,), -9),
    "fill_ 2**70": lambda m: m.zeros(3).fill_(2**70),
    "int64 fill_ 2**63": lambda m: m.zeros(3, dtype=m.int64).fill_(2**63),
    "arange(2**63)": lambda m: m.arange(2**63),
    "arange(0, 2**64)": lambda m: m.arange(0, 2**64),
    "arange(0.0, 2**70)": lambda m: m.arange(0.0, 2**70),
    "arange(-2**63-1, 0)": lambda m: m.arange(-2**63 - 1, 0),
    "arange(0, 10, 2**63)": lambda m: m.arange(0, 10, 2**63),
    "arange(0, 10, 2**63, float64)": lambda m: m.arange(0, 10, 2**63, dtype=m.float64),
    "arange(0, 2**62, 2**61)": lambda m: m.arange(0, 2**62, 2**61),
    "linspace(0, 2**70, 3)": lambda m: m.linspace(0, 2**70, 3),
    "linspace(0, 2**63, 3)": lambda m: m.linspace(0, 2**63, 3),
    "linspace(0, 2**63, 3, int64)": lambda m: m.linspace(0, 2**63, 3, dtype=m.int64),
    "linspace(0, 300, 3, uint8)": lambda m: m.linspace(0, 300, 3, dtype=m.uint8),
    "linspace(-5, 3, 3, uint8)": lambda m: m.linspace(-5, 3, 3, dtype=m.uint8),
    "linspace(0, 2**40, 3, int32)": lambda m: m.linspace(0, 2**40, 3, dtype=m.int32),
    "linspace(0, 1e300, 3, float32)": lambda m: m.linspace(0, 1e300, 3, dtype=m.float32),
    "linspace(0, 1e300, 3, float16)": lambda m: m.linspace(0, 1e300, 3, dtype=m.float16),
    "logspace(0, 300, 3, uint8)": lambda m: m.logspace(0, 300, 3, dtype=m.uint8),
    "logspace(0, 2**63, 3, int64)": lambda m: m.logspace(0, 2**63, 3, dtype=m.int64),
    "logspace(0, 2**70, 3)": lambda m: m.logspace(0, 2**70, 3),
    "randint(2**63, (2,))": lambda m: m.randint(2**63, (2,)),
    "randint(0, 2**70, (2,))": lambda m: m.randint(0, 2**70, (2,)),
    "randint(-2**63-1, 0, (2,))": lambda m: m.randint(-2**63 - 1, 0, (2,)),
}
for _d in ("float32", "int64", "uint8", "bool", "float16"):
    for _v in (2**63, 2**64 - 1, 2**70, -2**63 - 1):
        for _i in (0, slice(None), [0, 1], Ellipsis, "mask"):
            BIG_INTS[f"{_d}[{_i}] = {_v}"] = (
                lambda m, d=_d, v=_v, i=_i: _setitem(m.zeros(3, dtype=getattr(m, d)), m.tensor(
                    [True, False, True]) if isinstance(i, str) else i, v))


@pytest.mark.parametrize("case", sorted(BIG_INTS))
def test_big_python_ints(case):
    same(BIG_INTS[case])
