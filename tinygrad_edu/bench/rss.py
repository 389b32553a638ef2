"""Workload (7): peak memory of a training run, one framework per subprocess.

``python tinygrad_edu/bench/rss.py --fw tinygrad_edu --steps 1000`` trains the seed-001 MLP
(batch 128, CrossEntropyLoss, Adam) and prints one JSON line: the peak RSS (VmHWM on Linux,
else ``ru_maxrss``), the RSS after importing the framework, and the RSS sampled along the run
(psutil when installed, else /proc/self/statm), so a graph that leaks shows up as RSS growing
with the step count. Each framework runs in its own process so none pays for another's imports.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

_THREAD_LIMITS = []  # keeps the threadpoolctl limiter alive


def numpy_blas_kernel() -> str:
    """Which BLAS NumPy runs and which CPU kernels it picked, e.g. "openblas 0.3.31,
    SkylakeX kernels". OpenBLAS chooses its kernels at load time from the CPU, unless
    ``OPENBLAS_CORETYPE`` pins them (some machine images pin an older core type, which slows
    every GEMM of ours: the bench says so, and the report prints this string)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    import numpy as np

    numpy_libs = os.path.dirname(os.path.dirname(np.__file__)) + os.sep + "numpy"
    for d in threadpool_info():
        if d.get("user_api") == "blas" and d.get("filepath", "").startswith(numpy_libs):
            arch = d.get("architecture")
            pinned = os.environ.get("OPENBLAS_CORETYPE")
            return (f"{d.get('internal_api')} {d.get('version')}"
                    + (f", {arch} kernels" if arch else "")
                    + (f" (pinned by OPENBLAS_CORETYPE={pinned})" if pinned else ""))
    return "unknown (NumPy's BLAS is not loaded)"


def set_threads(n: int, torch_too: bool = True) -> dict:
    """Use ``n`` threads in NumPy's BLAS (threadpoolctl) and, when loaded, in torch."""
    info = {"requested": n}
    try:
        from threadpoolctl import threadpool_info, threadpool_limits

        _THREAD_LIMITS.append(threadpool_limits(n))
        info["numpy_blas"] = sorted(
            {d["num_threads"] for d in threadpool_info() if d.get("user_api") == "blas"}
        )
    except ImportError:
        info["numpy_blas"] = "unknown (threadpoolctl not installed)"
    if torch_too and "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.set_num_threads(n)
        info["torch"] = torch.get_num_threads()
    return info


def current_rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    # Linux: VmHWM is this process's own high-water mark. ru_maxrss is not: after fork+exec it
    # starts from the PARENT's RSS (here the bench process with torch loaded).
    try:
        with open("/proc/self/status") as f:
            for ln in f:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1]) / 1024
    except OSError:
        pass
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20  # macOS reports bytes


def _run(fw: str, steps: int, batch: int, threads: int) -> dict:
    # Run as a script (see measure): the bench folder is sys.path[0] and the tinygrad_edu
    # package is NOT imported unless it is the framework being measured.
    import numpy as np  # noqa: F401  (counted in the baseline, as every framework needs it)

    if fw == "torch":
        import torch as lib
    elif fw == "tinygrad_edu":
        import tinygrad_edu as lib
    else:
        lib = None
    set_threads(threads, torch_too=fw == "torch")
    base = current_rss_mb()
    if lib is not None:
        from workloads import train_step

        step = train_step(lib, batch)
    else:
        import peers

        build = peers.dz_mlp(batch) if fw == "dezero" else peers.mg_mlp(batch)
        step = build(False)
    marks = sorted({1, *(int(steps * k / 10) for k in range(1, 11))})
    samples = []
    for i in range(1, steps + 1):
        step()
        if i in marks:
            samples.append((i, round(current_rss_mb(), 2)))
    return {
        "fw": fw,
        "steps": steps,
        "batch": batch,
        "import_rss_mb": round(base, 2),
        "peak_rss_mb": round(peak_rss_mb(), 2),
        "samples": samples,
    }


def measure(fw: str, steps: int, batch: int, threads: int, timeout: float = 900) -> dict:
    """Run one framework's training in a fresh interpreter and return its memory record."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--fw",
        fw,
        "--steps",
        str(steps),
        "--batch",
        str(batch),
        "--threads",
        str(threads),
    ]
    # the package next to this file, not whichever tinygrad_edu is installed
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if p.returncode != 0:
        return {"fw": fw, "error": (p.stderr or p.stdout).strip().splitlines()[-1:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fw", required=True, choices=["tinygrad_edu", "torch", "dezero", "mygrad"])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    print(json.dumps(_run(a.fw, a.steps, a.batch, a.threads)))


if __name__ == "__main__":
    main()
