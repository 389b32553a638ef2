"""The second table: each framework ALONE in its own process, with its default thread count.

The main table runs torch and tinygrad_edu in one process at one thread each (with more, torch's
OpenMP pool and OpenBLAS's spin-wait against each other), which is fair but not what a user gets.
Here ``python tinygrad_edu/bench/solo.py --fw torch --keys mlp_b128 cnn`` imports ONE framework
(run as a script: the tinygrad_edu package is not imported unless it is the framework timed),
leaves its thread pools at their defaults, times each workload's step (median of ``reps``
samples of ~``sample`` seconds each) and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _threads(fw: str) -> dict:
    info = {}
    try:
        from threadpoolctl import threadpool_info

        info["numpy_blas"] = sorted(
            {d["num_threads"] for d in threadpool_info() if d.get("user_api") == "blas"}
        )
    except ImportError:
        info["numpy_blas"] = "unknown (threadpoolctl not installed)"
    if fw == "torch":
        import torch

        info["torch"] = torch.get_num_threads()
    return info


def _time(step, reps: int, sample_s: float, warmup: int) -> dict:
    t0 = time.perf_counter()
    for _ in range(max(warmup, 1)):
        step()
    one = (time.perf_counter() - t0) / max(warmup, 1)
    inner = max(1, min(10_000, int(sample_s / max(one, 1e-9))))
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            step()
        samples.append((time.perf_counter() - t0) / inner)
    return {"median_s": statistics.median(samples), "min_s": min(samples), "inner": inner}


def _run(fw: str, keys: list, quick: bool, reps: int, sample_s: float, warmup: int) -> dict:
    if fw == "torch":
        import torch as lib
    else:
        import tinygrad_edu as lib
    from workloads import all_workloads

    out = {"fw": fw, "file": lib.__file__, "threads": _threads(fw), "results": {}}
    for w in all_workloads():
        if w.key in keys:
            out["results"][w.key] = _time(w.build(lib, quick), reps, sample_s, warmup)
    return out


def measure(fw: str, keys: list, quick: bool, reps: int, sample_s: float, warmup: int,
            timeout: float = 1800) -> dict:
    """Run ``fw`` alone in a fresh interpreter over ``keys``; its record or ``{"error": ...}``."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--fw", fw, "--keys", *keys,
           "--reps", str(reps), "--sample", str(sample_s), "--warmup", str(warmup)]
    cmd += ["--quick"] if quick else []
    # the package next to this file, not whichever tinygrad_edu is installed
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if p.returncode != 0:
        return {"fw": fw, "error": (p.stderr or p.stdout).strip().splitlines()[-1:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def measure_all(keys: list, quick: bool, reps: int, sample_s: float, warmup: int) -> dict:
    """Both frameworks, one after the other, each alone: ``{fw: record}`` plus ``ratio`` per key."""
    rec = {fw: measure(fw, keys, quick, reps, sample_s, warmup) for fw in ("torch", "tinygrad_edu")}
    t, o = rec["torch"].get("results", {}), rec["tinygrad_edu"].get("results", {})
    rec["ratio"] = {k: o[k]["median_s"] / t[k]["median_s"] for k in keys if k in t and k in o}
    return rec


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fw", required=True, choices=["tinygrad_edu", "torch"])
    ap.add_argument("--keys", nargs="+", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--sample", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=5)
    a = ap.parse_args(argv)
    print(json.dumps(_run(a.fw, a.keys, a.quick, a.reps, a.sample, a.warmup)))


if __name__ == "__main__":
    main()
