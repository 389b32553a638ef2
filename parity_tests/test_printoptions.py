"""``set_printoptions`` as torch's: precision, threshold, edgeitems, linewidth, profile and
sci_mode change how every tensor prints, with torch's text (it was an accepted no-op)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

CASES = [dict(precision=2), dict(threshold=5), dict(sci_mode=True), dict(sci_mode=False),
         dict(profile="short"), dict(profile="full"), dict(edgeitems=1, threshold=3),
         dict(linewidth=20), dict(profile="short", precision=6), dict(profile="default")]


@pytest.fixture(autouse=True)
def _restore():
    yield
    for L in (torch, tg):
        L.set_printoptions(profile="default", sci_mode=None)


@pytest.mark.parametrize("opts", CASES, ids=[str(c) for c in CASES])
def test_printed_as_torch(opts):
    a = np.random.RandomState(0).randn(3, 7).astype(np.float32) * 1000
    texts = []
    for L in (torch, tg):
        L.set_printoptions(**opts)
        texts.append([repr(L.tensor([1.23456])), repr(L.arange(10)), repr(L.tensor(a)),
                      repr(L.tensor([1e-5, 1.0])), repr(L.zeros(2000))])
    assert texts[1] == texts[0]


def test_the_options_apply_until_reset():
    tg.set_printoptions(precision=2)
    assert repr(tg.tensor([1.23456])) == "tensor([1.23])"
    tg.set_printoptions(profile="default")
    assert repr(tg.tensor([1.23456])) == "tensor([1.2346])"
