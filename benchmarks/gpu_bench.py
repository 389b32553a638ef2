#!/usr/bin/env python
"""GPU benchmark: tinygrad_edu on CuPy against torch CUDA eager, with synchronized timing.

python benchmarks/gpu_bench.py --out benchmarks/results/gpu_bench.md      # on a GPU machine
python benchmarks/gpu_bench.py --device cpu --quick --out /tmp/b.md        # harness smoke test

Workloads (the same code for both libraries, as in ``tinygrad_edu/bench/workloads.py``):
MLP 784-512-256-128-10 train step (Adam, CrossEntropyLoss) at batch 1024 and 8192, the per-op
overhead chain (200 small elementwise ops forward and backward), and the seed-001-style CNN
(conv-BN-ReLU-pool x2, linear) at batch 32.

Timing: each sample synchronizes the device, runs enough steps to last ~``--min-time`` seconds,
synchronizes again; the report gives the median over ``--reps`` samples, torch and ours
interleaved (so drifts hit both), and ratio = ours / torch (lower is better). Issue 13's
target: MLP at batch 8192 ≤ 1.5x torch CUDA. Without a CUDA torch (the project pins the CPU
wheel) the torch column says why it is empty.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from tinygrad_edu.bench.workloads import CHAIN_OPS, batch_data, make_mlp  # noqa: E402

TARGETS = {"mlp_b8192": 1.5}


def _sync(lib, device: str):
    if device != "cuda":
        return lambda: None
    return lib.cuda.synchronize


def mlp(lib, device: str, batch: int):
    model = make_mlp(lib).to(device)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    x, y = (t.to(device) for t in batch_data(lib, batch))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def per_op(lib, device: str):
    r = np.random.RandomState(0)
    ps = [lib.tensor(r.randn(4, 4).astype(np.float32), device=device, requires_grad=True)
          for _ in range(4)]
    x, w, b, c = ps

    def step():
        y = x
        for _ in range(CHAIN_OPS // 4):
            y = (y * w + b).tanh() - c
        y.sum().backward()
        for p in ps:
            p.grad = None

    return step


def cnn(lib, device: str, batch: int = 32):
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
    ).to(device)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    r = np.random.RandomState(0)
    x = lib.tensor(r.randn(batch, 1, 28, 28).astype(np.float32), device=device)
    y = lib.tensor(r.randint(0, 10, size=batch).astype(np.int64), device=device)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


WORKLOADS = [  # key, title, unit, seconds -> unit, build(lib, device, quick)
    ("mlp_b1024", "MLP 784-512-256-128-10 train step, batch 1024", "ms", 1e3,
     lambda lib, d, q: mlp(lib, d, 64 if q else 1024)),
    ("mlp_b8192", "MLP 784-512-256-128-10 train step, batch 8192", "ms", 1e3,
     lambda lib, d, q: mlp(lib, d, 128 if q else 8192)),
    ("per_op", f"per-op overhead: chain of {CHAIN_OPS} 4x4 ops, fwd+bwd", "µs/op",
     1e6 / CHAIN_OPS, lambda lib, d, q: per_op(lib, d)),
    ("cnn", "CNN (conv-BN-ReLU-pool x2, linear) train step, batch 32", "ms", 1e3,
     lambda lib, d, q: cnn(lib, d, 4 if q else 32)),
]


def _sample(step, sync, min_time: float) -> float:
    """Seconds per step: synchronize, run steps for >= min_time, synchronize."""
    n = 1
    while True:
        sync()
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        sync()
        dt = time.perf_counter() - t0
        if dt >= min_time or n >= 1 << 14:
            return dt / n
        n = max(n * 2, int(n * min_time / max(dt, 1e-9)) + 1)


def torch_reason(torch, device: str):
    """None when torch can run on ``device``, else why not (shown in the report)."""
    if device == "cuda" and not torch.cuda.is_available():
        return f"torch {torch.__version__} has no CUDA here (the project pins the CPU wheel)"
    return None


def run(device: str = "cuda", quick: bool = False, reps: int = 7, min_time: float = 0.2,
        only=None, log=print) -> dict:
    """Time every workload; returns {key: {"title", "unit", "torch", "ours", "ratio"}}."""
    import torch

    import tinygrad_edu as tg

    why = torch_reason(torch, device)
    libs = [("ours", tg)] + ([("torch", torch)] if why is None else [])
    results = {}
    for key, title, unit, scale, build in WORKLOADS:
        if only and key not in only:
            continue
        steps = {name: build(lib, device, quick) for name, lib in libs}
        syncs = {name: _sync(lib, device) for name, lib in libs}
        for name in steps:  # warm up (CuPy compiles its kernels on first use)
            for _ in range(2 if quick else 5):
                steps[name]()
            syncs[name]()
        samples = {name: [] for name in steps}
        for _ in range(reps):
            for name in steps:
                samples[name].append(_sample(steps[name], syncs[name], min_time))
        med = {name: statistics.median(v) * scale for name, v in samples.items()}
        ratio = med["ours"] / med["torch"] if "torch" in med else None
        results[key] = {"title": title, "unit": unit, "ours": med["ours"],
                        "torch": med.get("torch"), "ratio": ratio, "target": TARGETS.get(key)}
        log(f"{key:10s} ours {med['ours']:.4g} {unit}"
            + (f"  torch {med['torch']:.4g} {unit}  ratio {ratio:.2f}" if ratio else ""))
    results["_meta"] = {"device": device, "quick": quick, "reps": reps, "torch_note": why,
                        "machine": _machine(device, torch, tg)}
    return results


def _machine(device, torch, tg) -> str:
    parts = [platform.python_version(), f"NumPy {np.__version__}", f"torch {torch.__version__}"]
    if device == "cuda":
        from tinygrad_edu import backend

        cp = backend._cp
        try:
            name = cp.cuda.runtime.getDeviceProperties(0)["name"]
            name = name.decode() if isinstance(name, bytes) else name
        except Exception:  # noqa: BLE001 - the simulated device has no properties
            name = "simulated device" if getattr(cp, "__gpusim__", False) else "unknown GPU"
        parts = [name, f"CuPy {cp.__version__}"] + parts
    return ", ".join(parts)


def markdown(results: dict) -> str:
    meta = results["_meta"]
    lines = [
        f"Device: {meta['device']} ({meta['machine']}); median of {meta['reps']} synchronized "
        f"samples{'; QUICK MODE: numbers meaningless' if meta['quick'] else ''}.",
        "",
    ]
    if meta["torch_note"]:
        lines += [f"Reference: none — {meta['torch_note']}.", ""]
    ref = "torch CUDA" if meta["device"] == "cuda" else "torch CPU"
    lines += [f"| workload | unit | {ref} | tinygrad_edu | **ours / torch** | target |",
              "|---|---|---:|---:|---:|---:|"]
    for key, r in results.items():
        if key.startswith("_"):
            continue
        torch_s = f"{r['torch']:.4g}" if r["torch"] is not None else "—"
        ratio = f"**{r['ratio']:.2f}**" if r["ratio"] is not None else "—"
        if r["ratio"] is not None and r["target"] is not None:
            ratio += " ✅" if r["ratio"] <= r["target"] else " ❌"
        target = f"≤ {r['target']}" if r["target"] else ""
        lines.append(f"| {r['title']} | {r['unit']} | {torch_s} | {r['ours']:.4g} | {ratio} | "
                     f"{target} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    p.add_argument("--quick", action="store_true", help="tiny sizes, few samples (smoke test)")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--min-time", type=float, default=0.2, help="seconds per timing sample")
    p.add_argument("--only", nargs="*", help="workload keys to run")
    p.add_argument("--out", help="write the Markdown table here (else print it)")
    args = p.parse_args(argv)
    if args.device == "cuda":
        import tinygrad_edu as tg

        if not tg.cuda.is_available():
            print("gpu_bench: no CUDA GPU visible (or CuPy missing); use --device cpu to test "
                  "the harness", file=sys.stderr)
            return 2
    reps, min_time = (2, 0.01) if args.quick else (args.reps, args.min_time)
    res = run(args.device, args.quick, reps, min_time, args.only)
    text = markdown(res)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
