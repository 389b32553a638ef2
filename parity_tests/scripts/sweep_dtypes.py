"""Sweep: run torch's OpInfo samples in the dtypes beyond float32/float64 that torch's OpInfo
supports on the CPU (int64, int32, int16, int8, uint8, bool, float16, bfloat16), on every
implemented op, through the parity harness (forward, in-place, and gradients for the floating
ones; no gradgrad), and write each failing sample as one JSON line (and one summary line per
op, dtype and check).

    python3 parity_tests/scripts/sweep_dtypes.py OUT.jsonl [OPID-SUBSTRING]
    SWEEP_DTYPES="float16" python3 parity_tests/scripts/sweep_dtypes.py OUT.jsonl

The certificate (``tinygrad_edu.parity.status``) covers float32 and float64, as the issue asks;
this sweep is how the silent wrong dtypes, shapes and values of the other dtypes were found
(int sums widened by NumPy, uint64 leaks, arange lengths, float16 roundings): each kind found
is pinned by parity_tests/test_dtype_kinds.py (bfloat16's by test_bfloat16.py). About 10
minutes for all dtypes, 4 for float16, 1.5 for bfloat16.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings

import torch

from tinygrad_edu.parity import db
from tinygrad_edu.parity import ops as pops
from tinygrad_edu.parity.resolve import bind

NAMES = os.environ.get("SWEEP_DTYPES",
                       "int64 int32 int16 int8 uint8 bool float16 bfloat16").split()
EXTRA = [getattr(torch, n) for n in NAMES]
FIELDS = ("where", "sample", "kind", "message")


def _checks_without_gradgrad(op, dtype, binding=None, _checks=pops.checks_for):
    return [c for c in _checks(op, dtype, binding) if c != "gradgrad"]


def main(path: str, only: str | None = None) -> None:
    pops.checks_for = _checks_without_gradgrad
    warnings.simplefilter("ignore")
    t0 = time.time()
    with open(path, "w") as out:
        for op in db.load().ops:
            opid = db.opinfo_id(op)
            if (only and only not in opid) or not bind(op).implemented:
                continue
            done, supported = set(db.test_dtypes(op)), op.supported_dtypes(db.DEVICE)
            for dt in EXTRA:
                if dt in done or dt not in supported:
                    continue
                head = {"op": opid, "dtype": str(dt)}
                try:
                    res = pops.check_op(op, dt)
                except Exception as e:  # noqa: BLE001 - a harness crash is a finding too
                    out.write(json.dumps({**head, "check": "harness", "kind": type(e).__name__,
                                          "message": str(e)[:300]}) + "\n")
                    continue
                for check, r in res.items():
                    for f in r.failures:
                        rec = {k: str(getattr(f, k))[:400] for k in FIELDS}
                        out.write(json.dumps({**head, "check": check, **rec}) + "\n")
                    out.write(json.dumps({**head, "check": check, "summary": True,
                                          "passed": r.passed, "failed": len(r.failures)}) + "\n")
            out.flush()
    print(f"done in {time.time() - t0:.0f} s: {path}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
