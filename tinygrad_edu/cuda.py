"""``tg.cuda``: the questions seed code asks about the GPU, answered as torch answers them."""

from __future__ import annotations

from .backend import cuda_available


def is_available() -> bool:
    return cuda_available()


def device_count() -> int:
    return 1 if cuda_available() else 0


def manual_seed(seed: int) -> None:
    """Accepted and ignored: torch's seeds only the CUDA generators, leaving the CPU one alone.
    tinygrad_edu draws every device's numbers from the host generator (``tg.manual_seed``), so
    leaving it alone keeps a seeded run on torch's CPU stream."""
    int(seed)


manual_seed_all = manual_seed


def synchronize() -> None:
    if cuda_available():
        from .backend import _cp

        _cp.cuda.Device().synchronize()
