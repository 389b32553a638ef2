"""``tg.accelerator``: torch's device-generic questions about the accelerator (the GPU here).

tinygrad_edu has one kind of accelerator: CUDA through CuPy, with one device (index 0). Where
CuPy finds no GPU there is none, as in torch's CPU build: ``is_available()`` is False,
``current_accelerator()`` None and ``device_count()`` 0, so the Quickstart's

    device = (torch.accelerator.current_accelerator().type
              if torch.accelerator.is_available() else "cpu")

picks "cpu" there and "cuda" on a GPU machine.
"""

from __future__ import annotations

from . import cuda as _cuda
from .backend import device as _device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "set_device_index", "synchronize"]

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """True when a GPU is usable (CuPy imported and a device visible)."""
    return _cuda.is_available()


def current_accelerator(check_available: bool = False):
    """``device(type='cuda')`` when a GPU is usable, else None (``check_available`` changes
    nothing here: without a GPU there is no accelerator to report, as torch's CPU build)."""
    return _device("cuda") if is_available() else None


def device_count() -> int:
    """The number of accelerator devices: 1 with a GPU (tinygrad_edu uses one), else 0."""
    return _cuda.device_count()


def current_device_index() -> int:
    """0 with a GPU. Raises RuntimeError without one (torch's message)."""
    if not is_available():
        raise RuntimeError(_NONE)
    return 0


def set_device_index(device, /) -> None:
    """Select the device (only index 0 exists). Raises RuntimeError without a GPU, ValueError
    for another index."""
    if not is_available():
        raise RuntimeError(_NONE)
    idx = device if isinstance(device, int) else _device(device).index
    if idx not in (None, 0, -1):
        raise ValueError(f"set_device_index: device index {idx} out of range (1 device)")


def synchronize(device=None, /) -> None:
    """Wait for the GPU's queued work. Raises RuntimeError without a GPU (torch's message)."""
    if not is_available():
        raise RuntimeError(_NONE)
    _cuda.synchronize()
