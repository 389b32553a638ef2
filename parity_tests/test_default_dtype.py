"""``set_default_dtype`` / ``get_default_dtype`` against torch 2.13: every place where torch
consults the default floating dtype, run in both libraries under each default (float64,
float16, bfloat16, and float32 as the control), comparing dtype and values (and the exception
type and message where torch raises).

The default is process-global in both libraries; conftest's autouse fixture puts float32 back
after every test, and :func:`_default` here sets both libraries for one case.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
import torch
from default_dtype_cases import CASES, KNOWN, REDUCED_TOL

import tinygrad_edu as tg

DEFAULTS = ("float64", "float16", "bfloat16", "float32")


@contextlib.contextmanager
def _default(name: str):
    torch.set_default_dtype(getattr(torch, name))
    tg.set_default_dtype(getattr(tg, name))
    try:
        yield
    finally:
        torch.set_default_dtype(torch.float32)
        tg.set_default_dtype(tg.float32)


def _flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for v in x:
            out.extend(_flatten(v))
        return out
    return [x]


def _as_comparable(x):
    """A result as ("tensor", dtype name, float64 values) or ("value", repr)."""
    if hasattr(x, "dtype") and hasattr(x, "shape") and not isinstance(x, np.ndarray):
        if hasattr(x, "detach"):
            x = x.detach()
        a = x.cpu().float().numpy() if str(x.dtype).endswith("bfloat16") else x.cpu().numpy()
        return ("tensor", str(x.dtype).replace("torch.", ""), tuple(x.shape),
                np.asarray(a, dtype=np.float64))
    if isinstance(x, (torch.dtype, tg.dtype)):
        return ("dtype", str(x).replace("torch.", ""))
    return ("value", x)


def _run(fn, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", [_as_comparable(v) for v in _flatten(fn(lib))]
        except Exception as e:  # noqa: BLE001  (the exception itself is what is compared)
            return "raise", (type(e), str(e))


def _tol(dtype: str):
    return {"float64": (1e-12, 1e-12), "float32": (1e-6, 1e-6)}.get(dtype, (0.0, 0.0))


# the spellings of the floating dtypes in error messages: torch's kernel names, C++ names, dtypes
_NAMES = {"Float": 32, "float": 32, "float32": 32, "Double": 64, "double": 64, "float64": 64,
          "Half": 16, "c10::Half": 16, "float16": 16, "BFloat16": 8, "c10::BFloat16": 8,
          "bfloat16": 8}


def _type_names(msg: str) -> set:
    """The floating dtypes an error message names (in torch's spellings or tg's)."""
    words = msg.replace("'", " ").replace("torch.", " ").replace(",", " ").split()
    return {_NAMES[w] for w in words if w in _NAMES}


def _compare(ours, theirs, case: str):
    assert ours[0] == theirs[0], f"{case}: tinygrad_edu {ours} / torch {theirs}"
    if ours[0] == "raise":
        assert ours[1][0] is theirs[1][0], f"{case}: raised {ours[1]}, torch {theirs[1]}"
        if case.startswith("set_"):  # set_default_dtype's own errors: torch's message exactly
            assert ours[1][1] == theirs[1][1], f"{case}: {ours[1][1]!r} / {theirs[1][1]!r}"
        else:  # ops word their messages their own way; the dtype they name must be torch's
            assert _type_names(ours[1][1]) == _type_names(theirs[1][1]), (
                f"{case}: message {ours[1][1]!r} / torch {theirs[1][1]!r}")
        return
    assert len(ours[1]) == len(theirs[1]), case
    for o, r in zip(ours[1], theirs[1]):
        assert o[:3] == r[:3], f"{case}: {o[:3]} != torch {r[:3]}"
        if o[0] == "tensor":
            rtol, atol = _tol(r[1])
            if r[1] in ("float16", "bfloat16") and case.split(" ")[0] in REDUCED_TOL:
                rtol, atol = REDUCED_TOL[case.split(" ")[0]]
            np.testing.assert_allclose(o[3], r[3], rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=f"{case} ({r[1]})")
        else:
            assert o[1] == r[1], f"{case}: {o[1]} != torch {r[1]}"


@pytest.mark.parametrize("default", DEFAULTS)
@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_default_dtype_matches_torch(case, default, request):
    fn = dict(CASES)[case]
    if (case, default) in KNOWN:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN[case, default]))
    with _default(default):
        theirs = _run(fn, torch)
    with _default(default):
        ours = _run(fn, tg)
    _compare(ours, theirs, f"{case} under default {default}")


TENSOR_TYPES = ["torch.DoubleTensor", "torch.HalfTensor", "torch.BFloat16Tensor",
                "torch.FloatTensor", "torch.LongTensor", "torch.NoSuchTensor", "nosuchmodule.X",
                "DoubleTensor", "DoubleTensor_type", "LongTensor_type", 3, None, "float64_dtype"]


def _tensor_type_arg(lib, spec):
    if spec == "float64_dtype":
        return lib.float64
    if isinstance(spec, str) and spec.endswith("_type"):
        return getattr(lib, spec[:-5])
    return spec


@pytest.mark.parametrize("spec", TENSOR_TYPES, ids=str)
def test_set_default_tensor_type_matches_torch(spec):
    """The legacy setter: the default it leaves and torch's errors; it warns (deprecated)."""
    results = []
    for lib in (torch, tg):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                lib.set_default_tensor_type(_tensor_type_arg(lib, spec))
                out = ("ok", str(lib.get_default_dtype()), str(lib.tensor([0.5]).dtype))
            except Exception as e:  # noqa: BLE001  (compared with torch's)
                out = ("raise", type(e).__name__, str(e))
            finally:
                lib.set_default_dtype(lib.float32)
        deprecated = any(issubclass(w.category, UserWarning) and "deprecated" in str(w.message)
                         for w in caught)
        results.append((out, deprecated))
    (theirs, _), (ours, we_warned) = results
    assert ours == theirs
    assert we_warned  # torch warns once per process (TORCH_WARN_ONCE); tg at every call


def test_set_default_dtype_returns_none_and_round_trips():
    for name in ("float64", "float16", "bfloat16", "float32"):
        assert tg.set_default_dtype(getattr(tg, name)) is None
        assert tg.get_default_dtype() is getattr(tg, name)
        assert tg.tensor(0.5).dtype is getattr(tg, name)


def test_a_leaked_default_is_reset_by_conftest_part1():
    """Sets float64 and does not restore it: conftest's autouse fixture must."""
    tg.set_default_dtype(tg.float64)
    torch.set_default_dtype(torch.float64)
    assert tg.tensor([0.5]).dtype is tg.float64


def test_a_leaked_default_is_reset_by_conftest_part2():
    assert tg.get_default_dtype() is tg.float32 and torch.get_default_dtype() is torch.float32
    assert tg.tensor([0.5]).dtype is tg.float32 and tg.zeros(1).dtype is tg.float32


@pytest.mark.parametrize("default", ("float64", "float16"))
def test_default_dtype_on_cuda(any_cuda, default):
    """device="cuda" (CuPy, or the simulated device without a GPU) makes the same dtypes as
    torch's CPU under the default."""
    def make(lib, dev):
        lib.manual_seed(0)
        return [lib.zeros(2, device=dev), lib.tensor([0.5], device=dev),
                lib.rand(3, device=dev), lib.arange(0.0, 1.0, 0.25, device=dev),
                lib.nn.Linear(2, 2, device=dev).weight, lib.tensor([1, 2], device=dev) / 2]
    with _default(default):
        theirs = make(torch, "cpu")
        ours = make(tg, "cuda")
    for o, r in zip(ours, theirs):
        assert o.device.type == "cuda"
        assert str(o.dtype) == str(r.dtype)
        np.testing.assert_array_equal(o.detach().cpu().float().numpy(), r.detach().float().numpy())
