"""``tinygrad-edu bench``: tinygrad_edu vs torch (and the NumPy peers) in one process.

For each workload every framework builds its ``step()``, warms up, and is then timed in
interleaved rounds (torch, ours, peers, then the reverse order), so drifts of the machine hit
all of them alike. Each sample times ``inner`` steps (calibrated so a sample lasts ~``--sample``
seconds); the report gives the median per step and the ratio to torch's median. Both torch and
NumPy's BLAS use the same thread count (``--threads``, recorded in the results).

Run ``python benchmarks/run_bench.py`` or ``tinygrad-edu bench``; ``--quick`` is the CI smoke
mode (tiny sizes, a few seconds, numbers meaningless).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

from .rss import numpy_blas_kernel, set_threads

DEFAULT_OUT = Path("benchmarks") / "results"
# --quick (a smoke run, numbers not meaningful) writes beside the published results, never over
# them: that folder is git-ignored
QUICK_OUT = Path("benchmarks") / "results-quick"
PEERS = ("dezero", "mygrad")


def time_steps(steps: dict, reps: int, sample_s: float, warmup: int) -> dict:
    """Median seconds per step for each framework's ``step``, timed in interleaved rounds."""
    inner = {}
    for fw, step in steps.items():
        t0 = time.perf_counter()
        for _ in range(max(warmup, 1)):
            step()
        one = (time.perf_counter() - t0) / max(warmup, 1)
        inner[fw] = max(1, min(10_000, int(sample_s / max(one, 1e-9))))
    samples = {fw: [] for fw in steps}
    order = list(steps)
    for r in range(reps):
        for fw in order if r % 2 == 0 else order[::-1]:
            step, n = steps[fw], inner[fw]
            t0 = time.perf_counter()
            for _ in range(n):
                step()
            samples[fw].append((time.perf_counter() - t0) / n)
    return {
        fw: {"median_s": statistics.median(s), "min_s": min(s), "samples_s": s, "inner": inner[fw]}
        for fw, s in samples.items()
    }


def run_workload(
    w, libs: dict, peers: dict, quick: bool, reps: int, sample_s: float, warmup: int
) -> dict:
    """Build ``w`` for every available framework, time them, return one result record."""
    import tinygrad_edu as tg

    rec = {
        "key": w.key,
        "title": w.title,
        "unit": w.unit,
        "scale": w.scale,
        "target": w.target,
        "notes": [],
        "results": {},
    }
    reason = w.needs(tg) if w.needs else None
    if reason:
        rec["skipped"] = reason
        return rec
    steps = {}
    for fw, lib in libs.items():
        steps[fw] = w.build(lib, quick)
    for name in peers:
        if name in w.peers:
            try:
                steps[name] = w.peers[name](quick)
            except Exception as e:  # noqa: BLE001  (a peer lacking a feature is a note)
                rec["notes"].append(f"{name}: {type(e).__name__}: {e}")
    from .floor import gemms
    from .floor import steps as floor_steps

    shapes = gemms(w.key, quick)
    if shapes:  # the step's GEMMs alone, timed in the same interleaved rounds
        steps.update(floor_steps(shapes, libs["torch"]))
    gc.collect()
    timed = time_steps(steps, reps, sample_s, warmup)
    floor = {fw: timed.pop(fw) for fw in ("numpy_floor", "torch_floor") if fw in timed}
    base = timed["torch"]["median_s"]
    for fw, t in timed.items():
        t["median"] = t["median_s"] * w.scale
        t["ratio_vs_torch"] = t["median_s"] / base
        rec["results"][fw] = t
    ours = timed["tinygrad_edu"]["median_s"]
    rec["ratio"] = ours / base
    rec["met"] = None if w.target is None else rec["ratio"] <= w.target
    if floor:
        nf, tf = floor["numpy_floor"]["median_s"], floor["torch_floor"]["median_s"]
        rec["floor"] = {
            "gemms": len(shapes),
            "numpy_s": nf,
            "torch_s": tf,
            "ours_over_numpy_floor": ours / nf,
            "numpy_over_torch_gemm": nf / tf,
            "torch_over_torch_gemm": base / tf,
        }
    for name in PEERS:
        if name in timed:
            rec[f"speedup_vs_{name}"] = timed[name]["median_s"] / ours
    return rec


def memory_workload(peers: dict, quick: bool, threads: int) -> dict:
    """Workload (7): each framework trains the MLP in its own subprocess; peak and flat RSS."""
    from .rss import measure

    steps, batch = (20, 16) if quick else (10_000, 128)  # issue 14: flat over 10,000 steps
    rec = {
        "key": "rss",
        "title": f"peak RSS, MLP training {steps} steps at batch {batch}",
        "unit": "MB",
        "results": {},
    }
    for fw in ("torch", "tinygrad_edu", *peers):
        r = measure(fw, steps, batch, threads)
        if "error" not in r:
            s = r["samples"]
            # flat: RSS after the first tenth of the run vs at its end (allocator warm-up done)
            ref = next((v for i, v in s if i >= steps // 10), s[0][1])
            r["growth_mb"] = round(s[-1][1] - ref, 2)
        rec["results"][fw] = r
    t, o = rec["results"]["torch"], rec["results"]["tinygrad_edu"]
    if "error" not in t and "error" not in o:
        rec["ratio"] = o["peak_rss_mb"] / t["peak_rss_mb"]
        rec["met"] = rec["ratio"] <= 1.0 and abs(o["growth_mb"]) <= 5.0
    return rec


def cpu_name() -> str:
    """The CPU as /proc/cpuinfo names it, with its vendor, family and model numbers and its
    widest vector units (a VM often shows only a generic model name: "Intel(R) Xeon(R)
    Processor"); "" where there is no /proc/cpuinfo."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if not ln.strip():
                    break  # the first processor's block is enough
                key, _, val = ln.partition(":")
                info[key.strip()] = val.strip()
    except OSError:
        return ""
    flags = set(info.get("flags", "").split())
    units = [u for u, f in (("AVX-512", "avx512f"), ("AMX", "amx_tile")) if f in flags]
    if not units and "avx2" in flags:
        units = ["AVX2"]
    ident = " ".join(x for x in (info.get("vendor_id", ""), info.get("cpu family", "") and
                                 f"family {info['cpu family']}", info.get("model", "") and
                                 f"model {info['model']}") if x)
    return f"{info.get('model name', '?')} ({', '.join([ident] + units) if ident else ''})"


def machine_info(thread_info: dict, peers: dict) -> dict:
    import platform

    import numpy as np
    import torch

    import tinygrad_edu

    cpu = cpu_name() or platform.processor()
    from ..optim import _adam_kernel
    from .peers import version

    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "tinygrad_edu": getattr(tinygrad_edu, "__version__", "?"),
        # the optional compiled loops (the [fast] extra: Adam, LSTM, pooling, BatchNorm, RNG)
        "adam_kernel": (f"numba {version('numba')}" if _adam_kernel.kernel() is not None
                        else "none (numba not installed): the NumPy passes"),
        "numpy_blas": numpy_blas_kernel(),
        "peers": {n: version(n) for n in peers},
        "threads": thread_info,
    }


def _command(argv) -> str:
    """The command line that regenerates these results (printed in the report)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["bench"]:
        args = args[1:]
    return " ".join(["python3 -m tinygrad_edu.cli bench", *args])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="tinygrad-edu bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CI smoke mode: tiny sizes, seconds")
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads for torch AND NumPy's BLAS (default 1: with more, torch's "
        "OpenMP and OpenBLAS spin-wait against each other in one process)",
    )
    ap.add_argument("--reps", type=int, default=None, help="timed rounds per workload")
    ap.add_argument("--sample", type=float, default=None, help="seconds per timed sample")
    ap.add_argument("--only", nargs="*", default=None, help="workload keys to run (and 'rss')")
    ap.add_argument("--no-peers", action="store_true", help="skip DeZero and MyGrad")
    ap.add_argument("--no-rss", action="store_true", help="skip the memory workload")
    ap.add_argument("--no-plot", action="store_true", help="skip the PNG chart")
    ap.add_argument(
        "--no-solo",
        action="store_true",
        help="skip the second table (each framework alone in its own process, default threads)",
    )
    ap.add_argument("--out", type=Path, default=None,
                    help=f"results folder (default {DEFAULT_OUT}; with --quick {QUICK_OUT})")
    a = ap.parse_args(argv)
    if a.out is None:
        a.out = QUICK_OUT if a.quick else DEFAULT_OUT

    import torch

    import tinygrad_edu as tg

    from . import report
    from .peers import LABELS, load
    from .workloads import all_workloads

    if a.only is not None:  # an unknown key would silently run nothing
        known = [w.key for w in all_workloads()] + ["rss"]
        unknown = [k for k in a.only if k not in known]
        if unknown or not a.only:
            ap.error(f"--only: unknown workload {', '.join(unknown) or '(none given)'}; "
                     f"choose from {', '.join(known)}")
    thread_info = set_threads(a.threads)
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(f"[bench] note: NumPy's BLAS runs {numpy_blas_kernel()}; this machine's "
              "environment pins the kernels. For the CPU's own choice, run the bench with "
              "`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`", file=sys.stderr, flush=True)
    reps = a.reps or (3 if a.quick else 15)
    sample_s = a.sample or (0.002 if a.quick else 0.1)
    warmup = 1 if a.quick else 5
    peers, notes = {}, []
    if not a.no_peers:
        for name in PEERS:
            try:
                peers[name] = load(name)
            except Exception as e:  # noqa: BLE001
                notes.append(
                    f"{LABELS[name]} skipped: {type(e).__name__}: {e} (pip install {name})"
                )
    libs = {"torch": torch, "tinygrad_edu": tg}
    records = []
    for w in all_workloads():
        if a.only is not None and w.key not in a.only:
            continue
        print(f"[bench] {w.key}: {w.title}", file=sys.stderr, flush=True)
        records.append(run_workload(w, libs, peers, a.quick, reps, sample_s, warmup))
    solo = None
    if not a.no_solo:
        from .solo import measure_all

        print("[bench] solo: each framework alone, default threads", file=sys.stderr, flush=True)
        keys = [r["key"] for r in records if "skipped" not in r]
        solo = measure_all(keys, a.quick, reps, sample_s, warmup)
    if not a.no_rss and (a.only is None or "rss" in a.only):
        print("[bench] rss: peak memory (subprocesses)", file=sys.stderr, flush=True)
        records.append(memory_workload(peers, a.quick, a.threads))
    result = {
        "machine": machine_info(thread_info, peers),
        "quick": a.quick,
        "reps": reps,
        "sample_s": sample_s,
        "notes": notes,
        "workloads": records,
        "solo": solo,
        "command": _command(argv),
        "gpu": "no GPU on this machine: the CuPy vs torch-CUDA table is not filled",
    }
    paths = report.write(result, a.out, with_plot=not a.no_plot)
    print(report.markdown(result))
    for p in paths:
        print(f"[bench] wrote {p}", file=sys.stderr)
    return 0
