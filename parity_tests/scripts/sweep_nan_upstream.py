"""Sweep: every implemented OpInfo's float32 gradients under an upstream gradient with nan in a
quarter of its entries, compared with torch's (where the gradient is nan must agree: a blocked
path gives 0 in torch, a multiplied one nan). Writes each failing sample as one JSON line.

    python3 parity_tests/scripts/sweep_nan_upstream.py OUT.jsonl [OPID-SUBSTRING]

The float32 referee (parity/referee.py) is off here: it draws its own (finite) upstream. So a
sample that differs only by float32 rounding shows up too; the nan positions are the finding
(the message says "nan"). About 2.5 minutes. The kinds it found are pinned by
parity_tests/test_masked_grads.py.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings

import torch

from tinygrad_edu.parity import autodiff, db
from tinygrad_edu.parity import ops as pops
from tinygrad_edu.parity.resolve import bind

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep_dtypes import FIELDS, _checks_without_gradgrad  # noqa: E402  (the sibling sweep)


def upstream(outs, positions, seed, requires_grad=False):
    gen = torch.Generator().manual_seed(seed)
    res = []
    for k in positions:
        u = torch.randn(outs[k].shape, dtype=outs[k].dtype, generator=gen)
        u = u.masked_fill(torch.rand(outs[k].shape, generator=gen) < 0.25, float("nan"))
        res.append(u.requires_grad_(requires_grad))
    return res


def main(path: str, only: str | None = None) -> None:
    autodiff.upstream = upstream
    pops._refereed = lambda res, check, verdict, *a: verdict  # the referee's upstream is finite
    pops.checks_for = _checks_without_gradgrad
    warnings.simplefilter("ignore")
    t0 = time.time()
    with open(path, "w") as out:
        for op in db.load().ops:
            opid = db.opinfo_id(op)
            if (only and only not in opid) or not bind(op).implemented:
                continue
            try:
                res = pops.check_op(op, torch.float32)
            except Exception as e:  # noqa: BLE001 - a harness crash is a finding too
                out.write(json.dumps({"op": opid, "check": "harness",
                                      "message": str(e)[:300]}) + "\n")
                continue
            for f in res["grad"].failures if "grad" in res else ():
                rec = {k: str(getattr(f, k))[:400] for k in FIELDS}
                out.write(json.dumps({"op": opid, **rec}) + "\n")
            out.flush()
    print(f"done in {time.time() - t0:.0f} s: {path}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
