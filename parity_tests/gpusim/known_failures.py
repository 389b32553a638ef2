"""THE list of tests that fail on the simulated GPU for reasons this branch may not fix.

``conftest.py`` marks each listed test ``xfail`` (only in the simulated run: the ids carry
``cupy-sim`` or use the ``sim_cuda`` fixture). ``strict=True`` entries are real host<->device
leaks in code owned elsewhere (the engine-v2 rewrite of ``ops/``, ``autograd.py``,
``tensor.py``): they fail on every draw, so the day the leak is fixed the test XPASSes, fails,
and the entry must be deleted. ``strict=False`` entries are NOT GPU problems: they fail on the
numpy backend too whenever hypothesis happens to draw the case (the cupy half draws other
examples than the numpy half), so they cannot be strict without making the suite flaky.

Today there are no strict entries: every leak the simulator found was fixed (in-place ops,
masked fills, loss denominators, pooling, random draws, pickling).

``KNOWN_LEAKS`` names the same leaks by location, so ``test_device_steps`` can assert that a
training step makes no transfer *besides* these (and so guards every leak already fixed).
"""

from __future__ import annotations

import re

KNOWN_FAILURES: dict[str, tuple[str, bool]] = {}  # node id (after the file) -> (reason, strict)

# Not GPU problems (fail on the numpy backend as well when drawn; reproductions in the report).
_MATMUL = "not GPU: matmul with ±inf/±1e20 inputs: NumPy's BLAS and torch's sum the products " \
    "in another order, so inf - inf (nan) and cancellations of 1e20s land differently; fails " \
    "on numpy too (main: test_special[numpy-matmul[rmatmul]-float32], dev profile)"
for _s in ("matmul", "matmul[operator]", "matmul[rmatmul]", "mm", "bmm"):
    for _d in ("float32", "float64"):
        KNOWN_FAILURES[f"test_ops_parity.py::test_special[cupy-sim-{_s}-{_d}]"] = (_MATMUL, False)
KNOWN_FAILURES["test_ops_parity.py::test_gradcheck[cupy-sim-softplus[beta]-float64]"] = (
    "not GPU: softplus is discontinuous at beta*x = threshold (torch's definition); a 'grid' draw "
    "x = 10 with beta=0.5, threshold=5 sits on it and the central difference there is ~-670 on "
    "the numpy backend as well (helpers.numerical_grads)", False)

# Leaks by where they happen: (innermost file, function, a caller that must appear in the
# event's call chain) -> reason.
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {}
_FRAME = re.compile(r"^(?P<file>\S+):\d+ in (?P<func>\S+)")


def known_leak(event) -> str | None:
    """The reason when a transfer event happened at a KNOWN_LEAKS location, else None."""
    m = _FRAME.match(event.where.split(" < ")[0])
    if m is None:
        return None
    for (file, func, caller), reason in KNOWN_LEAKS.items():
        if (m["file"], m["func"]) == (file, func) and caller in event.where:
            return reason
    return None


def lookup(nodeid: str):
    """``(reason, strict)`` for a pytest node id, or None."""
    return KNOWN_FAILURES.get(nodeid.rsplit("/", 1)[-1])
