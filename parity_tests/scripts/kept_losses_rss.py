"""Train a small MLP for N steps keeping every loss tensor (``history.append(loss)``) and
print the resident-memory growth per step between 20% and 100% of the run, in bytes.

Run as ``python kept_losses_rss.py torch|tinygrad_edu N``; each framework in its own process."""

import gc
import importlib
import sys

import numpy as np


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def main(lib_name: str, steps: int) -> None:
    lib = importlib.import_module(lib_name)
    if lib_name == "torch":
        lib.set_num_threads(1)
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    rs = np.random.RandomState(0)
    x = lib.tensor(rs.randn(64, 64).astype(np.float32))
    y = lib.tensor(rs.randint(0, 10, 64))
    history = []
    marks = {}
    for step in range(1, steps + 1):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        history.append(loss)  # the pattern under test: every loss kept, graph and all
        if step in (steps // 5, steps):
            gc.collect()
            marks[step] = rss()
    print((marks[steps] - marks[steps // 5]) / (steps - steps // 5))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
