"""Comparing a tinygrad_edu result with torch's, as ``torch.testing.assert_close`` does.

Rules (recursive over tuples, lists and ``torch.return_types`` named tuples):

- a tensor must come back as a ``tg.Tensor`` of the same dtype and shape, whose ``.numpy()`` is
  a real ``ndarray`` (not a NumPy scalar), with values close to torch's:
  ``|actual - expected| <= atol + rtol * |expected|``, NaN equal to NaN, infinities exact;
- tolerances are assert_close's defaults per dtype (float32 rtol 1.3e-6 / atol 1e-5, float64
  1e-7 / 1e-7, integers and bool exact), raised to what the OpInfo itself declares for the CPU
  (see :class:`Tolerances`);
- a ``torch.return_types`` result must expose the same field names (``.values``,
  ``.indices``);
- Python scalars (``item()``, ``equal``, ``allclose``) must have the same Python type and value.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.testing._comparison import default_tolerances

import tinygrad_edu as tg

from .convert import to_torch

# torch's own value-comparison suites whose tolerance overrides are honoured (bare decorators,
# with no class, too); JIT, decomposition, inductor, MPS and dtensor overrides are not.
HONOURED_SUITES = (None, "TestCommon", "TestUnaryUfuncs", "TestBinaryUfuncs", "TestReductions")


class Mismatch(AssertionError):
    """A result that differs from torch's; ``kind`` names the class of difference."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class Tolerances:
    """Per-dtype (rtol, atol): assert_close's defaults, widened by the OpInfo's own
    ``toleranceOverride`` / ``precisionOverride`` decorators for the CPU in
    :data:`HONOURED_SUITES` (precisionOverride widens atol only, as in torch)."""

    def __init__(self, op=None, factor: float = 1.0):
        self.factor = factor
        self.overrides: dict = {}
        for info in getattr(op, "decorators", ()) or ():
            for dec in getattr(info, "decorators", (info,)):
                if hasattr(dec, "d") and _applies_to_cpu(info):
                    for dtype, value in dec.d.items():
                        if getattr(info, "dtypes", None) and dtype not in info.dtypes:
                            continue
                        rtol, atol = self.overrides.get(dtype, (0.0, 0.0))
                        if type(dec).__name__ == "toleranceOverride":
                            rtol, atol = max(rtol, value.rtol), max(atol, value.atol)
                        elif type(dec).__name__ == "precisionOverride":
                            atol = max(atol, value)
                        self.overrides[dtype] = (rtol, atol)

    def __call__(self, dtype: torch.dtype) -> tuple[float, float]:
        rtol, atol = default_tolerances(dtype)
        o_rtol, o_atol = self.overrides.get(dtype, (0.0, 0.0))
        return self.factor * max(rtol, o_rtol), self.factor * max(atol, o_atol)

    def scaled(self, factor: float) -> "Tolerances":
        """The same tolerances times ``factor`` (gradients: docs/design.md §4 allows x10)."""
        out = Tolerances(factor=self.factor * factor)
        out.overrides = self.overrides
        return out


def _applies_to_cpu(info) -> bool:
    if not hasattr(info, "cls_name"):  # a bare decorator applies to every test
        return True
    active = info.active_if
    if callable(active):  # a predicate over test parameters: the plain test has none
        try:
            active = active({})
        except Exception:
            active = True
    return bool(active) and info.cls_name in HONOURED_SUITES and info.device_type in (None, "cpu")


def _summary(assert_close_message: str) -> str:
    """assert_close's multi-line report in one line."""
    lines = [ln.strip() for ln in assert_close_message.splitlines() if ln.strip()]
    return "; ".join(lines[1:] or lines)


def tensor_values(actual, path: str) -> np.ndarray:
    """The values of a tg tensor, checking that they are a real ndarray."""
    arr = actual.detach().numpy()
    if not isinstance(arr, np.ndarray):
        raise Mismatch(
            "0-d result",
            f"{path}: .numpy() returned {type(arr).__name__}, "
            "not an ndarray (a NumPy scalar inside the Tensor)",
        )
    return arr


def assert_same(
    actual, expected, tols: Tolerances, path: str = "output", values: bool = True
) -> None:
    """Raise :class:`Mismatch` unless tinygrad_edu's ``actual`` equals torch's ``expected``
    (``values=False``: tensors' dtype and shape only, for uninitialized memory)."""
    if isinstance(expected, torch.Tensor):
        _same_tensor(actual, expected, tols, path, values)
    elif isinstance(expected, (tuple, list)) and not isinstance(expected, torch.Size):
        _same_sequence(actual, expected, tols, path, values)
    elif isinstance(expected, torch.dtype):
        if not isinstance(actual, tg.dtype) or actual.name != str(expected)[6:]:
            raise Mismatch("value", f"{path}: {actual!r}, torch gives {expected}")
    elif isinstance(expected, (bool, int, float)):
        _same_scalar(actual, expected, tols, path)
    elif isinstance(expected, torch.Size):
        if not isinstance(actual, tg.Size) or tuple(actual) != tuple(expected):
            raise Mismatch("value", f"{path}: {actual!r}, torch gives {expected!r}")
    elif type(actual) is not type(expected):
        raise Mismatch(
            "type",
            f"{path}: a {type(actual).__name__}, torch gives "
            f"{type(expected).__name__} {expected!r}",
        )
    elif actual != expected:
        raise Mismatch("value", f"{path}: {actual!r}, torch gives {expected!r}")


def _same_tensor(actual, expected: torch.Tensor, tols: Tolerances, path: str, values: bool) -> None:
    if not isinstance(actual, tg.Tensor):
        raise Mismatch("type", f"{path}: a {type(actual).__name__}, torch gives a Tensor")
    want = str(expected.dtype).removeprefix("torch.")
    if actual.dtype.name != want:
        raise Mismatch("dtype", f"{path}: dtype {actual.dtype.name}, torch gives {want}")
    if tuple(actual.shape) != tuple(expected.shape):
        raise Mismatch(
            "shape", f"{path}: shape {tuple(actual.shape)}, torch gives {tuple(expected.shape)}"
        )
    got = to_torch(np.array(tensor_values(actual, path), order="C"))
    if not values:
        return
    rtol, atol = tols(expected.dtype)
    try:
        torch.testing.assert_close(
            got,
            expected.detach(),
            rtol=rtol,
            atol=atol,
            equal_nan=True,
            check_dtype=False,
            check_device=False,
        )
    except AssertionError as e:
        raise Mismatch("value", f"{path}: {_summary(str(e))}") from None


def _same_sequence(actual, expected, tols: Tolerances, path: str, values: bool) -> None:
    if not isinstance(actual, (tuple, list)):
        raise Mismatch(
            "type",
            f"{path}: a {type(actual).__name__}, torch gives a "
            f"{type(expected).__name__} of {len(expected)}",
        )
    if len(actual) != len(expected):
        raise Mismatch("shape", f"{path}: {len(actual)} items, torch gives {len(expected)}")
    fields = getattr(type(expected), "__match_args__", None)
    if type(expected).__module__ == "torch.return_types" and fields:
        for i, name in enumerate(fields):
            if getattr(actual, name, None) is not actual[i]:
                raise Mismatch(
                    "return type",
                    f"{path}: no field .{name} (torch returns "
                    f"torch.return_types.{type(expected).__name__}{tuple(fields)})",
                )
    for i, (a, e) in enumerate(zip(actual, expected)):
        name = fields[i] if fields and type(expected).__module__ == "torch.return_types" else i
        assert_same(
            a, e, tols, f"{path}.{name}" if isinstance(name, str) else f"{path}[{i}]", values
        )


def _same_scalar(actual, expected, tols: Tolerances, path: str) -> None:
    want = type(expected)
    ok_type = isinstance(actual, want) and (want is bool or not isinstance(actual, bool))
    if not ok_type:
        raise Mismatch(
            "type",
            f"{path}: {type(actual).__name__} {actual!r}, torch gives {want.__name__} {expected!r}",
        )
    if want is float:
        rtol, atol = tols(torch.float64)
        same = (
            (math.isnan(actual) and math.isnan(expected))
            or actual == expected
            or (abs(actual - expected) <= atol + rtol * abs(expected))
        )
    else:
        same = actual == expected
    if not same:
        raise Mismatch("value", f"{path}: {actual!r}, torch gives {expected!r}")
