"""Op-level differential fuzzer: one op, drawn dtypes/shapes/layouts/special values, torch vs ours.

    nice -n 10 python3 parity_tests/scripts/fuzz_ops.py --seed 0 --minutes 5 --out f.jsonl
    python3 parity_tests/scripts/fuzz_ops.py --seed 123 --n 1 -v      # one case, printed
    python3 parity_tests/scripts/fuzz_ops.py --op add --n 2000        # one op only
    python3 parity_tests/scripts/fuzz_ops.py --summary f.jsonl

Each seed draws (opfuzz/draw.py) an op of opfuzz/optable.py (unary, binary, ternary,
reductions, scans, casts, Python operators), input dtypes among bool, uint8, int8..int64,
float16, bfloat16, float32, float64, Python bool/int/float scalars and 0-d tensors, shapes
(0-d, empty, broadcast partners), a layout (contiguous, transposed, strided), special values
(nan, ±inf, −0.0, denormals, huge, tiny, integer extremes) and a variant (plain, in-place,
out=); float64 cases may compare gradients too. The program is run with torch and with
tinygrad_edu (opfuzz/run.py) and compared: exception type, result dtype, shape, values (nan,
inf and zero signs exact), inputs after the call, leaf gradients. The first ``--shrink`` cases
of each signature (category|op|variant) are shrunk to a minimal reproduction; one JSON line per
failure goes to ``--out``.
"""

from __future__ import annotations

import argparse
import collections
import json
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
from opfuzz.draw import draw, source  # noqa: E402
from opfuzz.shrink import check_case, dtype_signature, shrink, signature  # noqa: E402

import tinygrad_edu  # noqa: E402

torch.set_num_threads(1)


class Timeout(Exception):
    pass


def _alarm(*_):
    raise Timeout


def check(seed: int, op: str | None = None):
    """(case, Mismatch or None) for one seed."""
    case = draw(seed, op)
    m, _, _ = check_case(case, tinygrad_edu)
    return case, m


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--n", type=int, default=10**9, help="number of seeds")
    p.add_argument("--minutes", type=float, default=0.0)
    p.add_argument("--op", default=None, help="draw only this op (an optable name)")
    p.add_argument("--out", default=None, help="append one JSON line per failure")
    p.add_argument("--shrink", type=int, default=1, help="shrink the first N of each signature")
    p.add_argument("--summary", default=None, help="print the signature counts of a JSONL file")
    p.add_argument("-v", action="store_true", help="print every case's program")
    p.add_argument("--progress", default=None, help="write the seed being run to this file")
    a = p.parse_args(argv)
    if a.summary:
        rows = [json.loads(x) for x in open(a.summary)]
        for k, n in collections.Counter(r["sig"] for r in rows).most_common():
            print(f"{n:7d}  {k}")
        return 0
    signal.signal(signal.SIGALRM, _alarm)
    seen = collections.Counter()
    t0, ran, fails = time.time(), 0, 0
    out = open(a.out, "a") if a.out else None
    for seed in range(a.seed, a.seed + a.n):
        if a.minutes and time.time() - t0 > 60 * a.minutes:
            break
        if a.progress:
            with open(a.progress, "w") as f:
                f.write(str(seed))
        signal.alarm(20)
        try:
            case, m = check(seed, a.op)
        except Timeout:
            print(f"seed {seed}: timeout", flush=True)
            continue
        finally:
            signal.alarm(0)
        ran += 1
        if a.v:
            print(f"# seed {seed} {case['op']} {case['variant']}\n{source(case)}\n# -> {m}\n")
        if m is None:
            continue
        fails += 1
        sig = signature(case, m)
        seen[sig] += 1
        row = {"seed": seed, "sig": sig, "op": case["op"], "dtypes": dtype_signature(case),
               "mismatch": str(m)}
        if seen[sig] <= a.shrink:
            signal.alarm(120)
            try:
                small = shrink(case, tinygrad_edu, sig)
                row["repro"] = source(small)
                row["repro_mismatch"] = str(check_case(small, tinygrad_edu)[0])
                print(f"\n=== {sig}  (seed {seed})\n{row['repro']}\n# {row['repro_mismatch']}",
                      flush=True)
            except Timeout:
                pass
            finally:
                signal.alarm(0)
        if out:
            out.write(json.dumps(row) + "\n")
            out.flush()
    dt = time.time() - t0
    print(f"\n{ran} cases in {dt:.0f}s, {fails} failing, {len(seen)} signatures "
          f"(seeds {a.seed}..{a.seed + ran - 1})")
    for k, n in seen.most_common():
        print(f"{n:6d}  {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
