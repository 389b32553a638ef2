"""What an in-place op checks before it writes (ops/inplace.py), and the in-place ops torch
does not record at all.

torch refuses an in-place write into a tensor whose elements share memory (an expanded one),
and, while recording, into a leaf that requires grad or a view of one. ``logical_not_``,
``logical_and_``, ``logical_or_`` and ``logical_xor_`` have no derivative formula: torch writes
them as if under ``no_grad`` (a leaf that requires grad stays a leaf, a non-leaf keeps its
``grad_fn``), where ``eq_``/``sign_``, whose results are as constant, are refused on a leaf.
"""

from __future__ import annotations

import functools

from ..autograd import is_grad_enabled, no_grad
from ..autograd.views import check_not_multi_output
from ..tensor import Tensor

UNTRACKED = frozenset({"logical_not_", "logical_and_", "logical_or_", "logical_xor_"})


def untracked(method):
    """``method`` (an in-place op) run under no_grad when torch records nothing for it (its
    name in :data:`UNTRACKED`); any other method is returned as it is (nothing added)."""
    if method.__name__ not in UNTRACKED:
        return method

    @functools.wraps(method)
    def write_unrecorded(self, *args, **kwargs):
        with no_grad():
            return method(self, *args, **kwargs)
    return write_unrecorded


def check_inplace(self: Tensor, op: str) -> None:
    """torch's refusals, before anything is written."""
    d = self._data
    if d.size > 1 and any(st == 0 and n > 1 for st, n in zip(d.strides, d.shape)):
        raise RuntimeError(
            f"{op}: unsupported operation: more than one element of the written-to tensor "
            "refers to a single memory location. Please clone() the tensor before performing "
            "the operation.")
    if not is_grad_enabled():
        return
    check_not_multi_output(self, op)
    # torch's check_inplace (VariableTypeUtils.h): the view requires grad and its base is a
    # leaf (whether or not the base still requires grad: after base.detach_(), say)
    if self._view is not None and self._view[0]._node is None and (
            self._rg or self._view[0]._rg):
        raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being "
                           "used in an in-place operation.")
    if self.requires_grad and self._node is None:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
