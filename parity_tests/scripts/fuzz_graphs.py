"""Differential fuzzer: random small programs run with torch and with tinygrad_edu, compared.

    nice -n 10 python3 parity_tests/scripts/fuzz_graphs.py --start 0 --count 2000 --out /tmp/fuzz.jsonl
    python3 parity_tests/scripts/fuzz_graphs.py --seed 123            # show one program and its result
    python3 parity_tests/scripts/fuzz_graphs.py --summary /tmp/fuzz.jsonl

Each seed draws a program of leaves, 4-12 random ops (views of views, in-place writes through
views, broadcasting, scalars, casts, indexing, reductions, backward / autograd.grad with
create_graph, hooks, no_grad, .data writes; fuzz/grammar.py), a loss and a backward. The same
source text is run with ``import torch`` and ``import tinygrad_edu as torch``; after every line
every variable's value, dtype, shape, requires_grad, is_leaf and leaf .grad are compared, and
which exception type each line raises (fuzz/run.py). A failing program is shrunk to the fewest
lines that fail the same way (fuzz/shrink.py); the first ``--shrink`` of each signature
(category, kind of the failing line) are shrunk and printed as standalone reproductions, and
one JSON line per failure is appended to ``--out``.
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

import tinygrad_edu  # noqa: E402
from fuzz.gen import generate  # noqa: E402
from fuzz.known import AVOIDABLE, classify  # noqa: E402
from fuzz.run import run_pair  # noqa: E402
from fuzz.shrink import reproduction, shrink  # noqa: E402

torch.set_num_threads(1)


class Timeout(Exception):
    pass


def _alarm(*_):
    raise Timeout


def check(seed: int, avoid=()):
    """(program lines with kinds, Mismatch or None) for one seed."""
    prog = generate(seed, avoid)
    return prog, run_pair([s for _, s in prog], tinygrad_edu)


def signature(prog, m) -> str:
    kind = prog[m.line][0] if m.line < len(prog) else "?"
    extra = f":{m.expected}->{m.actual}" if m.category == "exception" else ""
    return f"{m.category}{extra}@{kind}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--minutes", type=float, default=None, help="stop after this wall time")
    ap.add_argument("--seed", type=int, default=None, help="show one seed's program and result")
    ap.add_argument("--shrink", type=int, default=1, help="shrink and print this many per kind/signature")
    ap.add_argument("--avoid", default="", help="known kinds not to draw: comma list, or 'all'")
    ap.add_argument("--out", default=None, help="append one JSON line per failure here")
    ap.add_argument("--summary", default=None, help="summarize a --out file and exit")
    a = ap.parse_args(argv)
    if a.summary:
        rows = [json.loads(x) for x in open(a.summary)]
        count = collections.Counter(r.get("kind", "?") + "  " + r["signature"] for r in rows)
        for sig, n in count.most_common():
            print(f"{n:6d}  {sig}")
        return
    avoid = AVOIDABLE if a.avoid == "all" else [x for x in a.avoid.split(",") if x]
    if a.seed is not None:
        prog, m = check(a.seed, avoid)
        print("\n".join(s for _, s in prog))
        print("->", m.describe() if m else "same")
        if m:
            lines, m2 = shrink([s for _, s in prog], tinygrad_edu, m)
            print(f"\nshrunk ({classify(lines, m2)}):\n" + reproduction(lines, m2))
        return
    signal.signal(signal.SIGALRM, _alarm)
    t0, n, fails, shrunk = time.time(), 0, collections.Counter(), collections.Counter()
    out = open(a.out, "a") if a.out else None
    for seed in range(a.start, a.start + a.count):
        if a.minutes and time.time() - t0 > 60 * a.minutes:
            break
        signal.alarm(20)
        try:
            prog, m = check(seed, avoid)
            n += 1
            if m is None:
                continue
            sig, lines = signature(prog, m), [s for _, s in prog]
            kind = classify(lines, m)
            key = kind if kind != "new" else "new " + sig
            row = {"seed": seed, "kind": kind, "signature": sig, "detail": m.describe()[:300], "message": m.message}
            if shrunk[key] < a.shrink:
                shrunk[key] += 1
                lines, m2 = shrink(lines, tinygrad_edu, m)
                kind = row["kind"] = classify(lines, m2)
                key = kind if kind != "new" else "new " + sig
                row["repro"] = reproduction(lines, m2)
                print(f"--- seed {seed}: {kind} ({sig})\n{row['repro']}\n", flush=True)
            fails[key] += 1
        except Timeout:
            row = {"seed": seed, "signature": "timeout", "detail": ""}
            fails["timeout"] += 1
        finally:
            signal.alarm(0)
        if out:
            out.write(json.dumps(row) + "\n")
            out.flush()
    print(f"{n} programs, {sum(fails.values())} failing, {time.time() - t0:.0f} s")
    for sig, k in fails.most_common():
        print(f"{k:6d}  {sig}")


if __name__ == "__main__":
    main()
