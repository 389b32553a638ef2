"""``tg.cuda``: the questions seed code asks about the GPU, answered as torch answers them."""

from __future__ import annotations

from .backend import cuda_available
from .backend import manual_seed as _seed


def is_available() -> bool:
    return cuda_available()


def device_count() -> int:
    return 1 if cuda_available() else 0


def manual_seed(seed: int) -> None:
    """The one host generator serves every device, so this is ``tg.manual_seed``."""
    _seed(seed)


manual_seed_all = manual_seed


def synchronize() -> None:
    if cuda_available():
        from .backend import _cp

        _cp.cuda.Device().synchronize()
