"""Sweep: the graph each OpInfo sample records, against torch's.

For every OpInfo tinygrad_edu implements, every float32 ``sample_inputs`` sample with inputs that
require grad, through the function variant: the output's ``grad_fn`` name and its
``next_functions`` pattern (how many entries, which are None, the names of the next nodes)
must equal torch's. Prints the counts and the differing patterns grouped by kind
(about 3 minutes)::

    python3 parity_tests/scripts/sweep_graph_structure.py [--only NAME] [--show N]
"""

from __future__ import annotations

import argparse
import collections
import signal
import sys
import warnings

import torch

from tinygrad_edu.parity import db
from tinygrad_edu.parity.convert import ToTg, Unconvertible, has_complex, leaves
from tinygrad_edu.parity.resolve import bind


def pattern(node) -> tuple:
    """(name, ((next name or None), ...)) of a grad_fn (torch's or tinygrad_edu's)."""
    if node is None:
        return None
    return (node.name(), tuple(None if n is None else n.name() for n, _ in node.next_functions))


def first_graph_output(out):
    """The first output Tensor that has a grad_fn (torch or tg), or None."""
    for o in leaves(out) if isinstance(out, (list, tuple)) else [out]:
        if getattr(o, "grad_fn", None) is not None:
            return o
    return None


class _Timeout(Exception):
    pass


def _alarm(*_):
    raise _Timeout


def sweep(only=None):
    """Yield (op name, sample index, torch pattern, tg pattern) per compared sample."""
    signal.signal(signal.SIGALRM, _alarm)
    for op in db.load().ops:
        if only and op.name != only:
            continue
        b = bind(op)
        fns = b.of("function")
        if not b.implemented or not fns or not db.supports_grad(op, torch.float32):
            continue
        v = fns[0]
        signal.alarm(60)
        try:
            for i, s in enumerate(db.sample_inputs(op, torch.float32, True)):
                if has_complex(s.input, s.args, s.kwargs):
                    continue
                try:
                    want = first_graph_output(v.torch_fn(s.input, *s.args, **s.kwargs))
                except Exception:  # noqa: BLE001 - torch refuses the sample: nothing to compare
                    continue
                if want is None:
                    continue
                try:
                    x, args, kwargs = ToTg().sample(s)
                    got = first_graph_output(v.tg_fn(x, *args, **kwargs))
                except Unconvertible:
                    continue
                except Exception as e:  # noqa: BLE001 - reported as a difference
                    got = f"raised {type(e).__name__}"
                yield op.name, i, pattern(want.grad_fn), (
                    got if isinstance(got, str) else pattern(getattr(got, "grad_fn", None)))
        except _Timeout:
            print(f"{op.name}: timed out", file=sys.stderr)
        finally:
            signal.alarm(0)


def kind(want, got) -> str:
    if isinstance(got, str) or got is None:
        return "no graph" if got is None else got
    if want[0] != got[0]:
        return "grad_fn name"
    if len(want[1]) != len(got[1]):
        return "next_functions length"
    if [w is None for w in want[1]] != [g is None for g in got[1]]:
        return "None entries"
    return "next node names"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only")
    p.add_argument("--show", type=int, default=3, help="examples per op")
    a = p.parse_args(argv)
    warnings.simplefilter("ignore")
    n = same = 0
    diff = collections.defaultdict(list)
    ops_seen, ops_bad = set(), set()
    for name, i, want, got in sweep(a.only):
        n += 1
        ops_seen.add(name)
        if want == got:
            same += 1
        else:
            ops_bad.add(name)
            diff[name].append((i, kind(want, got), want, got))
    by_kind = collections.Counter(k for rows in diff.values() for _, k, _, _ in rows)
    print(f"{n} samples in {len(ops_seen)} ops: {same} same as torch, {n - same} differ "
          f"({len(ops_bad)} ops)")
    for k, c in by_kind.most_common():
        print(f"  {k}: {c} samples")
    for name in sorted(diff):
        rows = diff[name]
        print(f"{name}: {len(rows)} samples")
        for i, k, want, got in rows[: a.show]:
            print(f"    sample {i} [{k}]\n      torch {want}\n      tg    {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
