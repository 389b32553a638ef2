"""Probe: call every public tg.* / F.* / tg.linalg.* / tg.special.* function, and every Tensor
method, with a Python int where torch wants a Tensor, under both torch and tinygrad_edu, and
list the calls whose exception TYPE differs where torch raises TypeError.

    python3 parity_tests/scripts/probe_nontensor.py [-v]

Each function is called as f(3) and f(3, <ones(2)>); each method as ones(2).m(3). A call counts
as a mismatch when torch raises TypeError for it and tinygrad_edu raises anything else (or
nothing). Prints the mismatches and their count.

A second pass gives every function and argument-free method a bool tensor (1-D and 2x2):
a call counts when torch refuses it *because of the dtype* (its message names Bool) and
tinygrad_edu raises another type or nothing (``trace`` of a bool matrix: torch's
NotImplementedError).
"""

from __future__ import annotations

import inspect
import os
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

import torch  # noqa: E402

import tinygrad_edu as tg  # noqa: E402

# global switches and file I/O: calling them with 3 would change the probe's own state
SKIP = {"save", "load", "set_default_dtype", "set_default_device", "set_num_threads",
        "set_printoptions", "manual_seed", "seed", "set_rng_state", "compile",
        "use_deterministic_algorithms", "set_grad_enabled", "set_detect_anomaly",
        "set_anomaly_enabled"}


def namespaces():
    import tinygrad_edu.nn.functional as F

    return [("tg.", tg, torch), ("F.", F, torch.nn.functional),
            ("tg.linalg.", tg.linalg, torch.linalg), ("tg.special.", tg.special, torch.special)]


def outcome(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:  # noqa: BLE001  (the probe records every exception type)
        return type(e).__name__, str(e).splitlines()[0][:110] if str(e) else ""
    return None, ""


def calls():
    """(label, tg thunk, torch thunk) for every probed call."""
    for prefix, ns, tns in namespaces():
        names = getattr(ns, "__all__", None) or [n for n in dir(ns) if not n.startswith("_")]
        for n in sorted(set(names)):
            o, t = getattr(ns, n, None), getattr(tns, n, None)
            if (n in SKIP or o is None or t is None or inspect.ismodule(o) or isinstance(o, type)
                    or not callable(o) or not callable(t)):
                continue
            yield f"{prefix}{n}(3)", (lambda o=o: o(3)), (lambda t=t: t(3))
            yield (f"{prefix}{n}(3, t)", (lambda o=o: o(3, tg.ones(2))),
                   (lambda t=t: t(3, torch.ones(2))))
    for n in sorted(dir(tg.Tensor)):
        if n.startswith("_") or n in SKIP or not hasattr(torch.Tensor, n):
            continue
        if not callable(getattr(tg.Tensor, n)):
            continue
        yield (f"Tensor.{n}(3)", (lambda n=n: getattr(tg.ones(2), n)(3)),
               (lambda n=n: getattr(torch.ones(2), n)(3)))


def bool_calls():
    """(label, tg thunk, torch thunk) for every function and argument-free method, per bool
    input (a vector and a 2x2 matrix)."""
    for shape in ([True, False], [[True, False], [False, True]]):
        tag = "b" if len(shape) == 2 and shape[0] is True else "B"
        for prefix, ns, tns in namespaces():
            names = getattr(ns, "__all__", None) or [n for n in dir(ns) if not n.startswith("_")]
            for n in sorted(set(names)):
                o, t = getattr(ns, n, None), getattr(tns, n, None)
                if (n in SKIP or o is None or t is None or inspect.ismodule(o)
                        or isinstance(o, type) or not callable(o) or not callable(t)):
                    continue
                yield (f"{prefix}{n}({tag})", (lambda o=o, s=shape: o(tg.tensor(s))),
                       (lambda t=t, s=shape: t(torch.tensor(s))))
        for n in sorted(dir(tg.Tensor)):
            if (n.startswith("_") or n in SKIP or not hasattr(torch.Tensor, n)
                    or not callable(getattr(tg.Tensor, n))):
                continue
            yield (f"{tag}.{n}()", (lambda n=n, s=shape: getattr(tg.tensor(s), n)()),
                   (lambda n=n, s=shape: getattr(torch.tensor(s), n)()))


def bool_mismatches():
    """The bool-input calls torch refuses for the dtype and tinygrad_edu answers otherwise."""
    out = []
    for label, ours, theirs in bool_calls():
        te, tmsg = outcome(theirs)
        if te is None or "bool" not in tmsg.lower():
            continue
        oe, omsg = outcome(ours)
        if oe != te:
            out.append((label, te, oe, tmsg, omsg))
    return out


def mismatches():
    out = []
    for label, ours, theirs in calls():
        te, tmsg = outcome(theirs)
        if te != "TypeError":
            continue
        oe, omsg = outcome(ours)
        if oe != "TypeError":
            out.append((label, te, oe, tmsg, omsg))
    return out


def main(argv) -> int:
    found = mismatches()
    for label, te, oe, tmsg, omsg in found:
        print(f"{label:40s} torch {te:10s} tg {oe}: {omsg}")
        if "-v" in argv:
            print(f"{'':40s}   torch says: {tmsg}")
    print(f"{len(found)} calls where torch raises TypeError and tinygrad_edu does not")
    found = bool_mismatches()
    for label, te, oe, tmsg, omsg in found:
        print(f"{label:40s} torch {te:10s} tg {oe}: {omsg}")
        if "-v" in argv:
            print(f"{'':40s}   torch says: {tmsg}")
    print(f"{len(found)} calls on a bool tensor that torch refuses for its dtype, tinygrad_edu "
          f"otherwise (b: a vector, B: a 2x2 matrix)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
