"""tg.accelerator against torch.accelerator (torch here is the CPU build: no accelerator), and
the Quickstart's device line run with either module; the GPU answers with a GPU faked."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg


def _quickstart_device(torch):
    # the line of the PyTorch Quickstart, as written
    return torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"  # noqa: E501


@pytest.mark.skipif(tg.cuda.is_available(), reason="torch here is the CPU build")
def test_matches_torch_without_gpu():
    assert tg.accelerator.is_available() is torch.accelerator.is_available() is False
    assert tg.accelerator.current_accelerator() is None
    assert torch.accelerator.current_accelerator() is None
    assert tg.accelerator.current_accelerator(check_available=True) is None
    assert tg.accelerator.device_count() == torch.accelerator.device_count() == 0
    assert _quickstart_device(tg) == _quickstart_device(torch) == "cpu"
    for name in ("current_device_index", "synchronize"):
        with pytest.raises(RuntimeError) as et:
            getattr(torch.accelerator, name)()
        with pytest.raises(RuntimeError) as eg:
            getattr(tg.accelerator, name)()
        assert str(eg.value) == str(et.value)
    model = tg.nn.Linear(2, 1).to(_quickstart_device(tg))
    assert model.weight.device.type == "cpu"


def test_gpu_answers(monkeypatch):
    monkeypatch.setattr(tg.cuda, "is_available", lambda: True)
    monkeypatch.setattr(tg.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(tg.cuda, "synchronize", lambda: None)
    acc = tg.accelerator.current_accelerator()
    assert acc == tg.device("cuda") and acc.type == "cuda"
    assert _quickstart_device(tg) == "cuda"
    assert tg.accelerator.device_count() == 1
    assert tg.accelerator.current_device_index() == 0
    tg.accelerator.set_device_index(0)
    tg.accelerator.synchronize()
    with pytest.raises(ValueError):
        tg.accelerator.set_device_index(1)


@pytest.mark.skipif(not tg.cuda.is_available(), reason="needs a GPU (CuPy)")
def test_real_gpu():
    assert _quickstart_device(tg) == "cuda"
    assert tg.ones(2, device=_quickstart_device(tg)).device.type == "cuda"
