"""Calling one side of a comparison and judging exceptions.

Both libraries are called the same way; an exception is caught and kept as the outcome, and
any ``RuntimeWarning`` tinygrad_edu emits (NumPy overflow/invalid-value warnings: torch emits
none) is counted rather than printed.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_NUMPY_DIR = os.path.dirname(np.__file__)


@dataclass
class Outcome:
    """What one call returned or raised."""

    value: Any = None
    error: BaseException | None = None
    warned: bool = False  # a RuntimeWarning (NumPy overflow, invalid value, ...) was emitted
    caught: list = field(default_factory=list)  # every warning emitted, as WarningMessage

    @property
    def ok(self) -> bool:
        return self.error is None


def call(fn, *args, **kwargs) -> Outcome:
    """``fn(*args, **kwargs)``, with its exception or RuntimeWarnings captured."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = fn(*args, **kwargs)
        except Exception as e:  # the outcome under test, judged by the caller
            return Outcome(error=e, warned=_warned(caught), caught=list(caught))
    return Outcome(value=value, warned=_warned(caught), caught=list(caught))


SEED = 42  # what torch's wrapper_set_seed uses


def seeded(fn, lib):
    """``fn`` run right after ``lib.manual_seed(SEED)`` (``lib`` is torch or tinygrad_edu):
    both sides of a comparison start from the same generator state, so an op that draws
    random numbers (Tensor.normal_, F.rrelu in training, dropout) is compared draw for draw;
    for every other op it changes nothing."""

    def run(*args, **kwargs):
        lib.manual_seed(SEED)
        return fn(*args, **kwargs)

    return run


def _warned(caught) -> bool:
    return any(issubclass(w.category, RuntimeWarning) for w in caught)


def numpy_origin(e: BaseException) -> bool:
    """True when ``e`` was raised inside NumPy and escaped tinygrad_edu untranslated."""
    if type(e).__module__.split(".")[0] == "numpy":
        return True
    tb = e.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    return last is not None and last.tb_frame.f_code.co_filename.startswith(_NUMPY_DIR)


def raised(e: BaseException) -> str:
    """``raised TypeError`` or ``NumPy ValueError escaped``: the failure kind of an exception."""
    if numpy_origin(e):
        return f"NumPy {type(e).__name__} escaped"
    return f"raised {type(e).__name__}"


def first_line(e: BaseException, limit: int = 200) -> str:
    text = str(e).strip().splitlines()
    text = text[0] if text else ""
    return f"{type(e).__name__}: {text[:limit]}"


def same_error(
    got: BaseException | None, want_type: type, regex: str | None, names: set
) -> tuple[str, str] | None:
    """None when ``got`` is the error torch raises; else (kind, message).

    The type must be ``want_type`` (or a subclass, as ``assertRaises`` accepts); the message
    must match torch's regex or name the op; an exception from inside NumPy never passes.
    """
    want = want_type.__name__
    if got is None:
        return "no exception", f"returned normally; torch raises {want}"
    if numpy_origin(got):
        return raised(got), f"{first_line(got)} (torch raises {want})"
    if not isinstance(got, want_type):
        return "exception type", f"{first_line(got)}; torch raises {want}"
    msg = str(got)
    if regex and re.search(regex, msg):
        return None
    if not regex or any(re.search(rf"\b{re.escape(n)}\b", msg) for n in names):
        return None
    return "error message", (
        f"{first_line(got)!r} neither matches torch's /{regex}/ nor names "
        f"the op ({', '.join(sorted(names))})"
    )
