"""The transfer log of the simulated device: every host<->device copy, with where it came from.

``h2d``: host data made into a device array (``cupy.asarray(numpy_or_list_or_scalar)``,
``ndarray.set``, a host index or value that CuPy converts implicitly in ``a[idx]``,
``a[idx] = v`` and ``scatter_add``). ``d2h``: device data read on the host (``.get()``,
``cupy.asnumpy``, ``.item()``, ``.tolist()``, ``float()``/``int()``/``bool()`` of an array,
``repr``/``str``/``format``, pickling). Each event records the first caller outside the
simulation (``file:line``), so a failing count names the line that leaked.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass

_HERE = os.path.dirname(os.path.abspath(__file__))
_SKIP = (_HERE, os.path.dirname(os.__file__), os.path.dirname(__import__("numpy").__file__))


@dataclass(frozen=True)
class Transfer:
    direction: str  # "h2d" | "d2h"
    api: str        # e.g. "cupy.asarray", "ndarray.item", "implicit index"
    nbytes: int
    where: str      # "path/to/file.py:123 in function"

    def __str__(self) -> str:
        return f"{self.direction} {self.nbytes:>8} B via {self.api:<22} at {self.where}"


def _short(path: str) -> str:
    for root in ("tinygrad_edu", "parity_tests", "benchmarks"):
        i = path.rfind(os.sep + root + os.sep)
        if i >= 0:
            return path[i + 1:]
    return path


def _caller(depth: int = 8) -> str:
    """The first ``depth`` frames outside the simulation (and NumPy/stdlib), innermost first:
    ``backend.py:105 in to_device < nn/rnn.py:90 in forward < ...``."""
    f = sys._getframe(2)
    frames = []
    while f is not None and len(frames) < depth:
        if not f.f_code.co_filename.startswith(_SKIP):
            frames.append(f"{_short(f.f_code.co_filename)}:{f.f_lineno} in {f.f_code.co_name}")
        f = f.f_back
    return " < ".join(frames) or "<unknown>"


class TransferLog:
    """Counts host<->device copies; ``with log.recording() as events:`` collects a window."""

    def __init__(self) -> None:
        self.h2d = 0
        self.d2h = 0
        self._windows: list[list[Transfer]] = []

    def record(self, direction: str, api: str, nbytes: int) -> None:
        if direction == "h2d":
            self.h2d += 1
        else:
            self.d2h += 1
        if self._windows:
            event = Transfer(direction, api, int(nbytes), _caller())
            for w in self._windows:
                w.append(event)

    def reset(self) -> None:
        self.h2d = self.d2h = 0

    @contextlib.contextmanager
    def recording(self):
        """Collect the transfers made inside the ``with`` block (nested windows allowed)."""
        events: list[Transfer] = []
        self._windows.append(events)
        try:
            yield events
        finally:
            self._windows.remove(events)


TRANSFERS = TransferLog()
