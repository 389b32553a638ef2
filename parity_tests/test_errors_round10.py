"""Inputs torch refuses or treats differently, round 10. Each case runs under torch and under
tinygrad_edu (torch is the oracle, never a hard-coded type or value): both must raise the same
exception type, with torch's message inside ours, or both must return the same values and dtype.
NumPy warnings from tinygrad_edu are failures too (torch prints nothing).

1. Python ints beyond int64: in ``tensor()`` lists (mixed with floats, or alone), fills, setitem,
   ``arange``/``linspace``/``logspace`` bounds and ``randint``; int64 digits beside floats.
2. a dtype given as a string or a NumPy type (torch: TypeError; a Python type is a dtype);
   shape arguments that are floats.
3. ``Tensor.to``/``Module.to``/``Tensor.type`` argument forms torch's parser refuses.
4. ``linspace``/``logspace``/``arange`` in bool.
Items 5-10 of the round are in test_errors_round10b.py.
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
    if isinstance(v, (list, tuple)) and all(isinstance(t, m.Tensor) for t in v):
        return ("value", [str(t.dtype).replace("torch.", "") for t in v],
                [t.tolist() for t in v])
    if isinstance(v, m.Tensor):
        return "value", str(v.dtype).replace("torch.", ""), v.tolist()
    return "value", type(v).__name__, v


def same(fn):
    """``fn`` under both libraries: the same exception type (torch's message inside ours), or
    the same dtype and values (nan where torch has nan)."""
    theirs, ours = outcome(fn, torch), outcome(fn, tg)
    assert theirs[0] == ours[0], f"torch: {theirs}; tinygrad_edu: {ours}"
    if theirs[0] == "raise":
        assert _same_class(theirs[1], ours[1]), f"torch raises {theirs}; tinygrad_edu {ours}"
        assert theirs[2] in ours[2], f"torch's message {theirs[2]!r} not in ours {ours[2]!r}"
    else:
        assert ours[1] == theirs[1], f"dtype: torch {theirs[1]}, tinygrad_edu {ours[1]}"
        pairs = zip(ours[2], theirs[2]) if isinstance(ours[1], list) else [(ours[2], theirs[2])]
        for a, b in pairs:  # ints and bools exactly; floats to LAPACK's rounding, nan as torch
            if "float" in str(np.asarray(b).dtype) or "float" in str(np.asarray(a).dtype):
                np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                           rtol=1e-6, atol=0, equal_nan=True)
            else:
                np.testing.assert_array_equal(np.asarray(a, dtype=object),
                                              np.asarray(b, dtype=object))


def _same_class(theirs, ours) -> bool:
    """The same exception class; torch.linalg.LinAlgError is tinygrad_edu's LinAlgError (both
    RuntimeErrors)."""
    if theirs is torch.linalg.LinAlgError:
        return ours is tg.linalg.LinAlgError
    return ours is theirs


def same_type(fn, op: str | None = None):
    """Both raise the same exception type (torch's message may list its signatures; ours names
    ``op``), or both return the same dtype and values."""
    theirs, ours = outcome(fn, torch), outcome(fn, tg)
    if theirs[0] == "value":
        return same(fn)
    assert ours[0] == "raise" and _same_class(theirs[1], ours[1]), f"torch: {theirs}; tg: {ours}"
    if op is not None:
        assert op in ours[2], f"{op!r} not named in {ours[2]!r}"


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


# ---- 2. dtype arguments that are no torch dtype ------------------------------------------------
def _t(m):
    return m.ones(2, 2)


DTYPE_ARGS = {  # name -> (call with the dtype argument d, op named in our message)
    "zeros": (lambda m, d: m.zeros(2, dtype=d), "zeros"),
    "ones": (lambda m, d: m.ones(2, dtype=d), "ones"),
    "empty": (lambda m, d: m.empty(2, dtype=d), "empty"),
    "full": (lambda m, d: m.full((2,), 1, dtype=d), "full"),
    "tensor": (lambda m, d: m.tensor([1], dtype=d), "tensor"),
    "as_tensor": (lambda m, d: m.as_tensor([1], dtype=d), "as_tensor"),
    "arange": (lambda m, d: m.arange(3, dtype=d), "arange"),
    "linspace": (lambda m, d: m.linspace(0, 1, 3, dtype=d), "linspace"),
    "logspace": (lambda m, d: m.logspace(0, 1, 3, dtype=d), "logspace"),
    "eye": (lambda m, d: m.eye(2, dtype=d), "eye"),
    "zeros_like": (lambda m, d: m.zeros_like(_t(m), dtype=d), "zeros_like"),
    "full_like": (lambda m, d: m.full_like(_t(m), 1, dtype=d), "full_like"),
    "rand": (lambda m, d: m.rand(2, dtype=d), "rand"),
    "randn": (lambda m, d: m.randn(2, dtype=d), "randn"),
    "randint": (lambda m, d: m.randint(3, (2,), dtype=d), "randint"),
    "randperm": (lambda m, d: m.randperm(3, dtype=d), "randperm"),
    "rand_like": (lambda m, d: m.rand_like(_t(m), dtype=d), "rand_like"),
    "scalar_tensor": (lambda m, d: m.scalar_tensor(1, dtype=d), "scalar_tensor"),
    "empty_strided": (lambda m, d: m.empty_strided((2,), (1,), dtype=d), "empty_strided"),
    "tril_indices": (lambda m, d: m.tril_indices(2, 2, dtype=d), "tril_indices"),
    "new_zeros": (lambda m, d: _t(m).new_zeros(2, dtype=d), "new_zeros"),
    "new_full": (lambda m, d: _t(m).new_full((2,), 1, dtype=d), "new_full"),
    "new_tensor": (lambda m, d: _t(m).new_tensor([1], dtype=d), "tensor"),
    "sum": (lambda m, d: _t(m).sum(dtype=d), "sum"),
    "mean": (lambda m, d: _t(m).mean(dtype=d), "mean"),
    "prod": (lambda m, d: _t(m).prod(dtype=d), "prod"),
    "cumsum": (lambda m, d: _t(m).cumsum(0, dtype=d), "cumsum"),
    "cumprod": (lambda m, d: _t(m).cumprod(0, dtype=d), "cumprod"),
    "softmax": (lambda m, d: _t(m).softmax(0, dtype=d), "softmax"),
    "log_softmax": (lambda m, d: m.nn.functional.log_softmax(_t(m), 0, dtype=d), "log_softmax"),
    "vector_norm": (lambda m, d: m.linalg.vector_norm(_t(m), dtype=d), "vector_norm"),
    "to(dtype=)": (lambda m, d: _t(m).to(dtype=d), "to"),
    "to(cpu, d)": (lambda m, d: _t(m).to("cpu", d), "to"),
    "view(d)": (lambda m, d: _t(m).view(d), "view"),
    "nn.Linear(dtype=)": (lambda m, d: m.nn.Linear(2, 2, dtype=d).weight, "empty"),
    "Module.to(dtype=)": (lambda m, d: m.nn.Linear(2, 2).to(dtype=d).weight, "to"),
    "iinfo": (lambda m, d: m.iinfo(d), None),
    "finfo": (lambda m, d: m.finfo(d), None),
}
DTYPE_VALUES = {"'float32'": "float32", "'torch.float32'": "torch.float32",
                "np.float32": np.float32, "np.dtype('float64')": np.dtype("float64")}


@pytest.mark.parametrize("value", sorted(DTYPE_VALUES))
@pytest.mark.parametrize("case", sorted(DTYPE_ARGS))
def test_dtype_that_is_no_torch_dtype(case, value):
    call, op = DTYPE_ARGS[case]
    same_type(lambda m: call(m, DTYPE_VALUES[value]), op)


@pytest.mark.parametrize("pytype", [float, int, bool])
@pytest.mark.parametrize("case", sorted(DTYPE_ARGS))
def test_python_type_is_a_dtype(case, pytype):
    """torch reads float, int and bool as float64, int64 and bool: the same values or the same
    exception type (integer softmax, bool linspace, float tril_indices ...)."""
    call, _ = DTYPE_ARGS[case]
    fn = (lambda m: call(m, pytype))
    if case in _UNSPECIFIED_VALUES:  # random or uninitialized: the dtype only
        fn = (lambda m: str(call(m, pytype).dtype).replace("torch.", ""))
    elif case in ("finfo", "iinfo"):
        fn = (lambda m: (call(m, pytype).bits, call(m, pytype).max))
    same_type(fn)


_UNSPECIFIED_VALUES = ("rand", "randn", "rand_like", "randint", "randperm", "empty",
                       "empty_strided", "nn.Linear(dtype=)", "Module.to(dtype=)")


@pytest.mark.parametrize("case", ["view(2.0)", "reshape(2.0)", "expand(2.0)", "repeat(2.0)",
                                  "permute(0.0)", "tile((2.0,))", "sum_to_size(2.0)",
                                  "reshape(True)", "reshape('2')", "view(np.int64(2))"])
def test_shape_entries_must_be_ints(case):
    same_type(lambda m: eval(f"m.ones(2).{case}", {"m": m, "np": np}), case.split("(")[0])


# ---- 3. Tensor.to / Module.to / Tensor.type forms ----------------------------------------------
TO_FORMS = [
    "()", "(f64)", "(float)", "(int)", "(bool)", "(2.5)", "(True)", "('cpu')", "('cpu', 'cpu')",
    "('cpu', f64)", "('cpu', f64, True)", "('cpu', f64, False, True)", "('cpu', f64, 1)",
    "('cpu', True)", "(f64, 'cpu')", "(f64, f32)", "(f64, True)", "(f64, False, True)",
    "(f64, False, True, False)", "(f64, device='cpu')", "(f64, dtype=f32)",
    "('cpu', dtype=f64)", "('cpu', device='cpu')", "(device='cpu', dtype=f64)", "(o)",
    "(o, f32)", "(o, 'cpu')", "(o, True)", "(o, False, True)", "(o, dtype=f32)",
    "(o, device='cpu')", "(o, o)", "(None)", "(None, f64)", "('cpu', None)", "([1])",
    "(None, None, None)", "(non_blocking=True)", "(copy=True)", "(f64, copy=1)",
    "(f64, non_blocking=1)", "(f64, memory_format=1)", "(-1)", "('float64')",
    "('cpu', f64, non_blocking=True, copy=True)", "('cpu', f64, True, non_blocking=True)",
    "(np.float64)", "(dtype='float64')"]


def _to(m, form, module=False):
    env = {"m": m, "np": np, "f64": m.float64, "f32": m.float32,
           "o": m.zeros(2, dtype=m.float64), "x": m.nn.Linear(2, 2) if module else m.ones(2)}
    out = eval(f"x.to{form}", env)
    return out.weight if module else out


@pytest.mark.parametrize("form", TO_FORMS)
def test_tensor_to_forms(form):
    same_type(lambda m: _to(m, form), None if form == "('float64')" else "to")


@pytest.mark.parametrize("form", TO_FORMS)
def test_module_to_forms(form):
    """``Module.to`` reads the same three signatures (and refuses ``copy``); the dtype of the
    weight it leaves is compared (the values are random)."""
    same_type(lambda m: str(_to(m, form, module=True).dtype).replace("torch.", ""))


@pytest.mark.parametrize("form", ["('torch.FloatTensor')", "('torch.DoubleTensor')",
                                  "('float64')", "(float)", "(f64, True)", "(f64, 1)",
                                  "(f64, f64)", "(f64, non_blocking=True)", "(1)"])
def test_tensor_type_forms(form):
    same_type(lambda m: eval(f"m.ones(2).type{form}", {"m": m, "f64": m.float64}))


# ---- 4. ranges in bool -------------------------------------------------------------------------
@pytest.mark.parametrize("steps", [0, 1, 2, 5])
@pytest.mark.parametrize("op", ["linspace", "logspace"])
def test_ranges_in_bool(op, steps):
    same_type(lambda m: getattr(m, op)(0, 1, steps, dtype=m.bool), op)


@pytest.mark.parametrize("end", [0, 3])
def test_arange_in_bool(end):
    same_type(lambda m: m.arange(0, end, dtype=m.bool), "arange")
