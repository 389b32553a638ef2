"""Arrays to and from torch tensors, bfloat16 included (torch does not know ml_dtypes' type, so
its 16 bits go through int16). torch is imported lazily: only the interchange needs it."""

from __future__ import annotations

import numpy as np

from .dtype import bfloat16

_BF16 = bfloat16.np


def torch_from_array(arr: np.ndarray):
    """``torch.from_numpy(arr)`` (shares memory), bfloat16 included: torch does not know
    ml_dtypes' type, so its 16 bits go through int16."""
    import torch

    if arr.dtype == _BF16:
        return torch.from_numpy(arr.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(arr)


def array_from_torch(t) -> np.ndarray:
    """``t.numpy()`` of a CPU torch tensor (a view), bfloat16 included (as ml_dtypes' type)."""
    import torch

    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(_BF16)
    return t.numpy()
