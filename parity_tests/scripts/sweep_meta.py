"""Sweep: every implemented OpInfo's float32 samples on the meta device, torch against
tinygrad_edu (:mod:`tinygrad_edu.parity.meta`): shapes, dtypes and devices of the outputs.

    python3 parity_tests/scripts/sweep_meta.py [OPID-SUBSTRING] [--limit N] [--details]

Prints one line per op that does not fully agree (its counts and the first detail of each
kind), then the totals: samples and ops that agree, differ (bugs), raise where torch computes
(counted: ops that need data or have no meta path yet), and where torch itself raises.
"""

from __future__ import annotations

import argparse
import collections
import time

from tinygrad_edu.parity import db
from tinygrad_edu.parity import meta as pmeta
from tinygrad_edu.parity.resolve import bind

KINDS = ("agree", "differ", "raises", "both raise", "torch raises", "unconvertible")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("only", nargs="?", default="")
    p.add_argument("--limit", type=int, default=None, help="samples per op")
    p.add_argument("--details", action="store_true", help="one line per op, agreeing ones too")
    a = p.parse_args()
    t0 = time.time()
    total: collections.Counter = collections.Counter()
    ops_by: dict = collections.defaultdict(list)
    for op in db.load().ops:
        opid = db.opinfo_id(op)
        if a.only not in opid or not bind(op).implemented:
            continue
        c = pmeta.check_op(op, limit=a.limit)
        n = {k: c[k] for k in KINDS if c[k]}
        if not n:
            continue
        total.update(n)
        worst = "differ" if n.get("differ") else "raises" if n.get("raises") else \
            "agree" if n.get("agree") else "torch only"
        ops_by[worst].append(opid)
        if worst in ("differ", "raises") or a.details:
            detail = "; ".join(f"{k}: {c[(k, 'detail')]}" for k in ("differ", "raises")
                               if c.get((k, "detail")))
            print(f"{opid:40s} {n}  {detail}")
    print(f"\nsamples: {dict(total)}")
    print("ops: " + ", ".join(f"{k} {len(v)}" for k, v in ops_by.items()))
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
