"""torch's overlap test between the tensor an in-place op writes and a tensor it reads
(ATen's ``get_overlap_status``): when both are non-overlapping and dense and their memory ranges
intersect without coinciding exactly, some element would be read after it was written, so torch
refuses (``assert_no_partial_overlap``). Layouts it cannot judge cheaply (gaps, repeated
elements) are let through, as torch does ("too hard").
"""

from __future__ import annotations

import numpy as np


def _dense(a) -> bool:
    """Non-overlapping and dense: some permutation of the dims is a row-major layout."""
    step = a.itemsize
    for n, st in sorted(((n, abs(st)) for n, st in zip(a.shape, a.strides) if n != 1),
                        key=lambda p: p[1]):
        if st != step:
            return False
        step *= n
    return True


def _span(a) -> tuple:
    lo = a.__array_interface__["data"][0]
    lo += sum((n - 1) * st for n, st in zip(a.shape, a.strides) if st < 0)
    return lo, lo + a.size * a.itemsize


def overlap(out, inp) -> str:
    """"no", "full" (the same elements in the same layout), "partial", or "too hard" (a layout
    with gaps or repeats, which torch does not judge) for arrays ``out`` and ``inp``."""
    if out is inp:
        return "full"
    if out.size == 0 or inp.size == 0 or not np.may_share_memory(out, inp):
        return "no"  # (may_share_memory: a bounds test, cheap; the usual answer)
    if not (_dense(out) and _dense(inp)):
        return "too hard"
    (a0, a1), (b0, b1) = _span(out), _span(inp)
    if a0 == b0 and a1 == b1:
        return "full" if out.strides == inp.strides else "partial"
    return "partial" if a0 < b1 and b0 < a1 else "no"


# ops whose value may be a 0-d tensor read as a number first (no check), and ops that refuse
# any overlap of source and destination, even a full one (torch's assert_no_overlap)
_SCALAR_VALUE = frozenset({"fill_", "index_fill_", "masked_fill_"})
_NO_OVERLAP = frozenset({"index_copy_", "index_add_", "index_put_", "put_", "scatter_",
                         "scatter_add_", "scatter_reduce_", "index_reduce_"})


def check_no_partial_overlap(out, inputs, op: str) -> None:
    """torch's RuntimeError when an input partly overlaps the written tensor (any overlap at all
    for the index/scatter writes)."""
    name = op.split(":")[0].strip()
    bad = ("partial", "full") if name in _NO_OVERLAP else ("partial",)
    for x in inputs:
        if x.ndim == 0 and name in _SCALAR_VALUE:
            continue
        if overlap(out, x) in bad:
            raise RuntimeError(
                f"{op}: unsupported operation: some elements of the input tensor and the "
                "written-to tensor refer to a single memory location. Please clone() the tensor "
                "before performing the operation.")
