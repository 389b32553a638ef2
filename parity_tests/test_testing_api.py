"""``tg.testing.assert_close`` / ``make_tensor`` against ``torch.testing``: the same outcome, the
same exception type and the same message on each case (tensors, numbers, containers, dtypes,
tolerances, ``msg``), torch's default tolerance table, and make_tensor's values for one seed."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from torch.testing._comparison import default_tolerances as torch_default_tolerances

import tinygrad_edu as tg


def _cases(lib):
    T = lib.tensor
    nan, inf = float("nan"), float("inf")
    return {
        "one_off": ((T([1., 2., 3.]), T([1., 2.5, 3.])), {}),
        "within_default": ((T([1., 2., 3.]), T([1., 2.00001, 3.])), {}),
        "2d_index": ((T([[1., 2.], [3., 4.]]), T([[1., 2.], [3.1, 4.2]])), {}),
        "int_exact": ((T([1, 2, 3]), T([1, 2, 4])), {}),
        "bool": ((T([[True, False]]), T([[True, True]])), {}),
        "0d": ((T(1.5), T(1.6)), {}),
        "dtype": ((T([1., 2.]), T([1., 2.], dtype=lib.float64)), {}),
        "promoted": ((T([1., 2.]), T([1., 2.1], dtype=lib.float64)), {"check_dtype": False}),
        "shape": ((T([1., 2.]), T([1., 2., 3.])), {}),
        "list_item": (([T([1.]), T([2.])], [T([1.]), T([2.5])]), {}),
        "dict_item": (({"a": T([1.]), "b": 2.0}, {"a": T([1.]), "b": 2.5}), {}),
        "dict_keys": (({"a": T([1.])}, {"b": T([1.])}), {}),
        "seq_len": (((T([1.]),), (T([1.]), T([2.]))), {}),
        "floats": ((1.0, 1.1), {}),
        "int_float": ((1, 1.0), {}),
        "ints_in_list": (([1, 2], [1, 3]), {}),
        "booleans": ((True, False), {}),
        "none": ((None, 1), {}),
        "nan": ((T([nan]), T([nan])), {}),
        "equal_nan": ((T([nan]), T([nan])), {"equal_nan": True}),
        "inf": ((T([1., inf]), T([1., inf])), {}),
        "finite_vs_inf": ((T([1., 1.]), T([1., inf])), {}),
        "zero_expected": ((T([1., 0.]), T([1., 1e-3])), {}),
        "only_rtol": ((T([1., 2.]), T([1., 2.1])), {"rtol": 0.1}),
        "both_tols": ((T([1., 2.]), T([1., 2.1])), {"rtol": 0.1, "atol": 0}),
        "msg_str": ((T([1., 2.]), T([1., 2.5])), {"msg": "custom"}),
        "msg_callable": ((T([1., 2.]), T([1., 2.5])), {"msg": lambda m: "Head\n" + m}),
        "float16": ((T([1., 2.], dtype=lib.float16), T([1., 2.001], dtype=lib.float16)), {}),
        "bfloat16": ((T([1., 2.], dtype=lib.bfloat16), T([1., 2.05], dtype=lib.bfloat16)), {}),
        "float64": ((T([1., 2.], dtype=lib.float64), T([1., 2. + 1e-6], dtype=lib.float64)), {}),
        "ndarray": ((np.array([1., 2.]), np.array([1., 2.5])), {}),
        "tensor_vs_float": ((T([1.]), 1.0), {}),
    }


def _run(lib, name):
    args, kw = _cases(lib)[name]
    try:
        lib.testing.assert_close(*args, **kw)
        return "ok"
    except Exception as e:  # the exception type and text are what is compared
        return f"{type(e).__name__}: {e}".replace("tinygrad_edu.tensor.Tensor", "torch.Tensor")


@pytest.mark.parametrize("name", list(_cases(torch)))
def test_assert_close_same_as_torch(name):
    assert _run(tg, name) == _run(torch, name)


def test_reports_are_really_failures():
    # the cases above are not all "ok": most must fail, each with torch's text
    outcomes = [_run(tg, n) for n in _cases(tg)]
    assert sum(o == "ok" for o in outcomes) == 5
    assert ("AssertionError: Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
            "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
            "Greatest relative difference: 0.20000000298023224 at index (1,) "
            "(up to 1.3e-06 allowed)") in outcomes


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64", "int64", "int32",
                                   "uint8", "bool"])
def test_default_tolerances_are_torchs(dtype):
    assert tg.testing.default_tolerances(getattr(tg, dtype)) == \
        torch_default_tolerances(getattr(torch, dtype))


def test_subclass_and_tolerance_edges():
    p = tg.nn.Parameter(tg.ones(2))
    tg.testing.assert_close(p, tg.ones(2))  # a Parameter is a Tensor subclass
    with pytest.raises(TypeError, match="No comparison pair"):
        tg.testing.assert_close(p, tg.ones(2), allow_subclasses=False)
    tg.testing.assert_close(tg.tensor([1.0]), tg.tensor([1.05]), rtol=0.0, atol=0.1)
    with pytest.raises(AssertionError, match="up to 0.01 allowed"):
        tg.testing.assert_close(tg.tensor([1.0]), tg.tensor([1.05]), rtol=0.0, atol=0.01)


def test_no_torch_import():
    code = "import sys, tinygrad_edu.testing; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=".").returncode == 0


MAKE = [((2, 3), "float32", {}), ((4,), "int64", {}), ((2, 2), "bool", {}),
        ((3, 4), "float64", {"noncontiguous": True, "low": -1, "high": 1}),
        ((5,), "uint8", {"exclude_zero": True}), (([2, 2],), "int8", {"low": -3, "high": 3})]


@pytest.mark.parametrize("shape,dtype,kw", MAKE)
def test_make_tensor_values_match_torch(shape, dtype, kw):
    tg.manual_seed(3)
    a = tg.testing.make_tensor(*shape, dtype=getattr(tg, dtype), device="cpu", **kw)
    torch.manual_seed(3)
    b = torch.testing.make_tensor(*shape, dtype=getattr(torch, dtype), device="cpu", **kw)
    assert a.dtype.name == dtype and tuple(a.shape) == tuple(b.shape)
    assert a.is_contiguous() == b.is_contiguous()
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_make_tensor_errors_like_torch():
    for lib in (tg, torch):
        with pytest.raises(ValueError, match="requires_grad=True` is not supported"):
            lib.testing.make_tensor(2, dtype=lib.int64, device="cpu", requires_grad=True)
        with pytest.raises(ValueError, match="`low` must be less than `high`"):
            lib.testing.make_tensor(2, dtype=lib.float32, device="cpu", low=2, high=1)
    t = tg.testing.make_tensor(3, dtype=tg.float64, device="cpu", requires_grad=True)
    assert t.requires_grad and t.is_leaf
