#!/usr/bin/env python
"""Time a 1M-element ``randn`` (and friends) in tinygrad_edu against torch, one thread each.

Both draw the same numbers for the same seed (tinygrad_edu rebuilds torch's CPU generator); this
measures what that costs. Times are the best of ``--reps`` runs of this process's CPU time
(``time.process_time``: single-threaded work, unaffected by other processes on a busy machine;
``--wall`` for wall-clock). Prints a table; ``--json PATH`` also writes the numbers.

python benchmarks/rng_randn.py              # 1M elements, best of 7
python benchmarks/rng_randn.py --n 100000 --reps 3
(from a checkout that is not installed: PYTHONPATH=. python benchmarks/rng_randn.py)
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np


def best_time(fn, reps: int, clock=time.process_time) -> float:
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(reps):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--json", default=None)
    ap.add_argument("--wall", action="store_true", help="wall-clock instead of CPU time")
    args = ap.parse_args(argv)

    import torch

    import tinygrad_edu as tg
    from tinygrad_edu._rng.kernels import capability

    torch.set_num_threads(1)
    n = args.n
    cases = [
        ("randn float32", lambda lib: lib.randn(n)),
        ("randn float64", lambda lib: lib.randn(n, dtype=lib.float64)),
        ("rand float32", lambda lib: lib.rand(n)),
        ("randperm", lambda lib: lib.randperm(n)),
        ("nn.Linear(1000, 1000) init", lambda lib: lib.nn.Linear(1000, 1000)),
        ("dropout mask float32", lambda lib: lib.nn.functional.dropout(lib.ones(n), 0.5)),
    ]
    clock = time.perf_counter if args.wall else time.process_time
    rows = []
    for name, fn in cases:
        t_tg = best_time(lambda fn=fn: fn(tg), args.reps, clock)
        t_th = best_time(lambda fn=fn: fn(torch), args.reps, clock)
        rows.append({"case": name, "n": n, "tinygrad_edu_ms": t_tg * 1e3,
                     "torch_ms": t_th * 1e3, "ratio": t_tg / t_th})
    tg.manual_seed(0)
    torch.manual_seed(0)
    same = bool(np.array_equal(tg.randn(n).numpy(), torch.randn(n).numpy()))
    print(f"machine: {platform.processor() or platform.machine()}, torch "
          f"{torch.__version__} capability {torch.backends.cpu.get_cpu_capability()}, "
          f"tinygrad_edu follows {capability()}; randn({n}) equal to torch: {same}")
    print(f"{'case':<22}{'tinygrad_edu ms':>16}{'torch ms':>10}{'ratio':>8}")
    for r in rows:
        print(f"{r['case']:<22}{r['tinygrad_edu_ms']:>16.2f}{r['torch_ms']:>10.2f}"
              f"{r['ratio']:>8.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "equal": same, "date": time.strftime("%Y-%m-%d")}, f,
                      indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
