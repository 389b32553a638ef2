"""Saved tensors are released after backward (engine v2): a kept loss tensor holds no
activations, so keeping every loss (``history.append(loss)``) grows memory about as slowly as
in torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.inspect import graph_stats

SCRIPT = Path(__file__).parent / "scripts" / "kept_losses_rss.py"


def _growth(lib: str, steps: int = 1000) -> float:
    out = subprocess.run([sys.executable, str(SCRIPT), lib, str(steps)], capture_output=True,
                         text=True, check=True, timeout=600)
    return float(out.stdout.strip().splitlines()[-1])


def test_keeping_every_loss_grows_memory_within_twice_torchs():
    torch_growth = _growth("torch")
    ours = _growth("tinygrad_edu")
    # bytes per kept loss; 2 KB of slack for the allocator's page granularity
    assert ours <= 2 * max(torch_growth, 0) + 2048, (ours, torch_growth)


def test_a_kept_loss_holds_no_saved_arrays_after_backward():
    rs = np.random.RandomState(0)
    model = tg.nn.Sequential(tg.nn.Linear(32, 64), tg.nn.ReLU(), tg.nn.Linear(64, 4))
    x = tg.tensor(rs.randn(128, 32).astype(np.float32))
    loss = tg.nn.functional.cross_entropy(model(x), tg.tensor(rs.randint(0, 4, 128)))
    before = graph_stats(loss, warn=False)
    assert before.saved_bytes > 128 * 64 * 4  # the activations, while the graph is alive
    loss.backward()
    after = graph_stats(loss, warn=False)
    assert after.saved_bytes == 0 and after.freed_nodes == before.nodes


def test_retain_graph_keeps_them_for_a_second_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).exp().sum()
    y.backward(retain_graph=True)
    assert graph_stats(y, warn=False).saved_bytes > 0
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 2 * np.array([1, 2]) * np.exp([1, 4]),
                               rtol=1e-6)
