"""Keep freed array memory in the process for reuse (glibc only): a NumPy training step
allocates and frees the same few large arrays every step, and by default glibc hands them back
to the kernel, so the next step page-faults them in again.

NumPy takes every array's memory from ``malloc``. glibc serves a request above
``M_MMAP_THRESHOLD`` with a fresh ``mmap`` (zeroed by the kernel page by page on first touch)
and, when more than ``M_TRIM_THRESHOLD`` lies free at the top of its heap, returns it to the
kernel. Both thresholds start small and move with the history of the process, so the same step
costs more or less depending on what ran before it. Measured on the CNN benchmark step (batch
32, 2-core AMD EPYC): ~1700 page faults a step, ~25 % of its time; with the thresholds below,
none. Raising them does not change the peak memory, only what is kept between steps (at most
``TRIM`` bytes beyond the peak). ``TINYGRAD_EDU_KEEP_FREED=0`` leaves malloc alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

MMAP = 32 << 20  # requests up to 32 MiB come from the heap (glibc's own dynamic maximum)
TRIM = 128 << 20  # keep up to 128 MiB of freed heap for the next step
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers


def keep_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds (see the module docstring); True if they were set.

    A no-op (False) off Linux, on another C library, or with ``TINYGRAD_EDU_KEEP_FREED=0``."""
    if os.environ.get("TINYGRAD_EDU_KEEP_FREED", "1") == "0" or not sys.platform.startswith(
            "linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    # both, explicitly: setting either one turns glibc's dynamic adjustment off
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM))


MALLOC_TUNED = keep_freed_memory()
