"""The engine's one speed trick, kept apart from the chain rule it serves.

torch's AccumulateGrad *steals* a gradient that nothing else holds instead of copying it into
``leaf.grad``: a fresh GEMM or sum result can become ``.grad`` as is. We do the same, asking
CPython how many references the array has; the number a sole owner shows is measured once
(interpreters count stack references differently), never assumed.
"""

from __future__ import annotations

import sys

import numpy as np

from ..backend import get_array_module


def _refs(a) -> int:
    return sys.getrefcount(a)


def _check(g):
    return _refs(g)


def _calibrate() -> int:
    """The count a sole owner shows, measured through the same chain of calls as the engine's:
    run_backward's (or run_backward_fast's) local -> accumulate(g) -> steal_or_copy(g) ->
    _check(g)."""
    g = np.empty(1)
    return _like_accumulate(g)


def _like_accumulate(g):
    return _like_steal(g)


def _like_steal(g):
    return _check(g)


_SOLE = _calibrate() if sys.implementation.name == "cpython" else -1


def steal_or_copy(g):
    """``g`` itself when nothing else holds it and it owns its memory; else a copy (so that two
    ``.grad`` never share memory with each other or with a tensor)."""
    if g.flags.owndata and g.flags.writeable and _check(g) <= _SOLE:
        return g
    return get_array_module(g).array(g, copy=True)
