"""Shared by the torch RNG parity tests: run the same calls in tinygrad_edu and torch after
the same seed and compare with ``==`` (values, dtype and shape), never with a tolerance."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import torch

import tinygrad_edu as tg

SEEDS = (0, 1, 42, 1337)
SIZES = (1, 5, 15, 16, 17, 25, 100, 1000)
DTYPES = ("float32", "float64", "float16", "bfloat16")
LIBS = (tg, torch)


def to_np(x):
    if isinstance(x, (list, tuple)):
        return [to_np(v) for v in x]
    if isinstance(x, torch.Tensor):
        if x.dtype == torch.bfloat16:  # NumPy has no bfloat16: torch's bits, as ml_dtypes'
            return x.detach().view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        return x.detach().numpy()
    if isinstance(x, tg.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def same(ours, ref, what=""):
    ours, ref = to_np(ours), to_np(ref)
    if isinstance(ref, list):
        assert len(ours) == len(ref), what
        for i, (a, b) in enumerate(zip(ours, ref)):
            same(a, b, f"{what}[{i}]")
        return
    assert ours.dtype == ref.dtype, f"{what}: dtype {ours.dtype} != torch's {ref.dtype}"
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} != torch's {ref.shape}"
    floating = ours.dtype.kind == "f" or ours.dtype == ml_dtypes.bfloat16
    bad = ~((ours == ref) | (np.isnan(ours) & np.isnan(ref)) if floating else ours == ref)
    assert not bad.any(), (f"{what}: {int(bad.sum())} of {bad.size} differ from torch, first at "
                           f"{np.argwhere(bad)[0].tolist()}: {ours[bad][:3]} vs {ref[bad][:3]}")


def both(fn, seed=0, what=""):
    """Run ``fn(lib)`` after ``lib.manual_seed(seed)`` for tg and torch; assert equal results."""
    out = []
    for lib in LIBS:
        lib.manual_seed(seed)
        out.append(fn(lib))
    same(out[0], out[1], what)
    return out[0]


def dt(lib, name):
    return getattr(lib, name)


def raise_alike(fn):
    """``fn(lib)`` raises the same exception type with the same first line in tg and torch."""
    import pytest

    got = []
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            fn(lib)
        got.append((info.type, str(info.value).split("\n")[0]))
    assert got[0] == got[1]
