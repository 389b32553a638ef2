"""Differential fuzzer: random small programs run with torch and with tinygrad_edu, compared.

    nice -n 10 python3 parity_tests/scripts/fuzz_graphs.py --start 0 --minutes 9 --out f.jsonl
    python3 parity_tests/scripts/fuzz_graphs.py --seed 123     # one program, its result, shrunk
    python3 parity_tests/scripts/fuzz_graphs.py --summary f.jsonl
    ... --avoid all     # do not draw lines that trip a known kind: look for new ones

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
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
from fuzz.classify import AVOIDABLE, classify  # noqa: E402
from fuzz.gen import generate  # noqa: E402
from fuzz.run import run_pair  # noqa: E402
from fuzz.shrink import reproduction, shrink  # noqa: E402

import tinygrad_edu  # noqa: E402

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


def _batch(a, avoid):
    """Run seeds [start, start + count) in this process, appending failures to ``a.out`` and the
    seed being run (and how many ran) to ``a.progress``, so a parent can go on after a crash."""
    signal.signal(signal.SIGALRM, _alarm)
    shrunk = collections.Counter(r["key"] for r in _rows(a.out) if "repro" in r)
    t0, n, nxt = time.time(), 0, a.start
    with open(a.out, "a") as out:
        for seed in range(a.start, a.start + a.count):
            if a.minutes and time.time() - t0 > 60 * a.minutes:
                break
            with open(a.progress, "w") as f:
                f.write(f"{seed} {n}")
            signal.alarm(20)
            try:
                prog, m = check(seed, avoid)
                n += 1
                if m is None:
                    nxt = seed + 1
                    continue
                sig, lines = signature(prog, m), [s for _, s in prog]
                kind = classify(lines, m)
                key = kind if kind != "new" else "new " + sig
                row = {
                    "seed": seed,
                    "kind": kind,
                    "key": key,
                    "signature": sig,
                    "detail": m.describe()[:300],
                    "message": m.message,
                }
                if shrunk[key] < a.shrink:
                    shrunk[key] += 1
                    lines, m2 = shrink(lines, tinygrad_edu, m)
                    row["repro"], row["kind_shrunk"] = reproduction(lines, m2), classify(lines, m2)
                    print(
                        f"--- seed {seed}: {kind}, shrunk: {row['kind_shrunk']} "
                        f"({sig})\n{row['repro']}\n",
                        flush=True,
                    )
            except Timeout:
                row = {
                    "seed": seed,
                    "kind": "timeout",
                    "key": "timeout",
                    "signature": "timeout",
                    "detail": "",
                }
            finally:
                signal.alarm(0)
            out.write(json.dumps(row) + "\n")
            out.flush()
            nxt = seed + 1
    with open(a.progress, "w") as f:
        f.write(f"{nxt} {n}")


def _rows(path):
    try:
        return [json.loads(x) for x in open(path)]
    except FileNotFoundError:
        return []


def _summary(path, programs=None):
    rows = _rows(path)
    if programs is not None:
        print(f"{programs} programs, {len(rows)} failing")
    for key, n in collections.Counter(r.get("key", r.get("kind", "?")) for r in rows).most_common():
        print(f"{n:6d}  {key}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--minutes", type=float, default=None, help="stop after this wall time")
    ap.add_argument("--seed", type=int, default=None, help="show one seed's program and result")
    ap.add_argument(
        "--shrink", type=int, default=1, help="shrink and print this many per kind/signature"
    )
    ap.add_argument("--avoid", default="", help="known kinds not to draw: comma list, or 'all'")
    ap.add_argument(
        "--out", default="fuzz_failures.jsonl", help="append one JSON line per failure here"
    )
    ap.add_argument("--summary", default=None, help="summarize a --out file and exit")
    ap.add_argument(
        "--progress", default=None, help=argparse.SUPPRESS
    )  # set in the worker processes
    a = ap.parse_args(argv)
    if a.summary:
        return _summary(a.summary)
    avoid = AVOIDABLE if a.avoid == "all" else [x for x in a.avoid.split(",") if x]
    if a.seed is not None:
        prog, m = check(a.seed, avoid)
        print("\n".join(s for _, s in prog))
        print("->", m.describe() if m else "same")
        if m:
            lines, m2 = shrink([s for _, s in prog], tinygrad_edu, m)
            print(f"\nshrunk ({classify(lines, m2)}):\n" + reproduction(lines, m2))
        return
    if a.progress:
        return _batch(a, avoid)
    # the parent: workers run the seeds; torch itself segfaults on some programs (a hook on a view
    # of an in-place-modified view), so a dead worker's seed is recorded and the next one goes on
    t0, seed, end, n = time.time(), a.start, a.start + a.count, 0
    progress = a.out + ".progress"
    while seed < end:
        left = None if a.minutes is None else a.minutes - (time.time() - t0) / 60
        if left is not None and left <= 0:
            break
        cmd = [
            sys.executable,
            __file__,
            "--start",
            str(seed),
            "--count",
            str(end - seed),
            "--shrink",
            str(a.shrink),
            "--avoid",
            a.avoid,
            "--out",
            a.out,
            "--progress",
            progress,
        ]
        rc = subprocess.call(cmd + (["--minutes", str(left)] if left is not None else []))
        at, ran = map(int, open(progress).read().split())
        n += ran
        if rc != 0:
            with open(a.out, "a") as out:
                out.write(
                    json.dumps(
                        {
                            "seed": at,
                            "kind": "crash",
                            "key": f"crash rc={rc}",
                            "signature": "crash",
                            "detail": "",
                        }
                    )
                    + "\n"
                )
            at, n = at + 1, n + 1
        seed = at
    print(f"{time.time() - t0:.0f} s")
    _summary(a.out, n)


if __name__ == "__main__":
    main()
