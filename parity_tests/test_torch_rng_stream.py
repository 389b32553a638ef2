"""Same seed, same stream as torch: the generator state (torch's 5056-byte layout, seeding,
set/get both ways, fork_rng), DataLoader shuffling and the samplers, the CPU build torch picks
(ATEN_CPU_CAPABILITY, checked in a subprocess for the DEFAULT build), and the larger sweep
(slow). Compared with ``==`` (``rng_compare``); the samplers are ``test_torch_rng.py``."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from rng_compare import DTYPES, LIBS, SEEDS, both, dt, same

import tinygrad_edu as tg
from tinygrad_edu._rng import kernels as K


# ---- the engine and its state -------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS + (67280421310721, 2**64 - 1, -5))
def test_state_bytes_match_torch_after_seed_and_draws(seed):
    for draw in (lambda lib: None, lambda lib: lib.rand(7), lambda lib: lib.randn(3),
                 lambda lib: lib.rand(700, dtype=lib.float64)):
        states = []
        for lib in LIBS:
            lib.manual_seed(seed)
            draw(lib)
            states.append(lib.get_rng_state())
        same(states[0], states[1], "get_rng_state")
        assert tg.initial_seed() == torch.initial_seed()


def test_set_rng_state_continues_torch_stream_both_ways():
    torch.manual_seed(3)
    torch.randn(5)  # leaves a cached Box–Muller value in the state
    tg.set_rng_state(tg.tensor(torch.get_rng_state().numpy()))
    same(tg.randn(7), torch.randn(7))
    tg.manual_seed(9)
    tg.rand(11)
    torch.set_rng_state(torch.from_numpy(tg.get_rng_state().numpy()))
    same(tg.randn(40, dtype=tg.float64), torch.randn(40, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="size 5056"):
        tg.set_rng_state(tg.zeros(10, dtype=tg.uint8))
    with pytest.raises(TypeError, match="ByteTensor"):
        tg.set_rng_state(tg.zeros(5056))


def test_seed_bounds_like_torch():
    for bad in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError):
            tg.manual_seed(bad)
        with pytest.raises(ValueError):
            torch.manual_seed(bad)
    assert tg.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    assert tg.manual_seed(5) is tg.default_generator


def test_unseeded_processes_differ_and_seed_returns_the_seed():
    code = "import tinygrad_edu as tg; print(tg.initial_seed(), tg.rand(3).tolist())"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(outs) == 2, "unseeded runs must differ, as torch's do"
    s = tg.seed()
    assert isinstance(s, int) and tg.initial_seed() == s
    torch.manual_seed(s)
    same(tg.rand(5), torch.rand(5))


def test_fork_rng_restores_the_default_stream():
    tg.manual_seed(4)
    with tg.random.fork_rng():
        tg.randn(100)
    torch.manual_seed(4)
    same(tg.randn(3), torch.randn(3))


# ---- data loading -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_dataloader_shuffle_and_samplers(seed):
    def run(lib):
        D = lib.utils.data
        ds = D.TensorDataset(lib.arange(23))
        out = []
        loader = D.DataLoader(ds, batch_size=5, shuffle=True)
        for _ in range(3):  # each epoch: a base seed, then a fresh generator's randperm
            out.append([b[0].tolist() for b in loader])
        g = lib.Generator().manual_seed(seed)
        out.append([b[0].tolist() for b in D.DataLoader(ds, batch_size=4, shuffle=True,
                                                          generator=g)])
        out.append(list(D.RandomSampler(range(10), replacement=True, num_samples=70)))
        out.append(list(D.RandomSampler(range(10), num_samples=23)))
        out.append(list(D.SubsetRandomSampler([3, 9, 4, 1, 7])))
        out.append(list(D.WeightedRandomSampler([0.1, 0.9, 0.4, 0.0, 2.0], 12)))
        out.append(list(D.WeightedRandomSampler([0.1, 0.9, 0.4, 0.2], 3, replacement=False)))
        splits = D.random_split(range(30), [0.5, 0.3, 0.2])
        splits2 = D.random_split(range(9), [4, 5], generator=lib.Generator().manual_seed(seed))
        out.append([list(s.indices) for s in splits + splits2])
        out.append(lib.rand(3).tolist())  # the default stream afterwards
        return out

    res = []
    for lib in LIBS:
        lib.manual_seed(seed)
        res.append(run(lib))
    assert res[0] == res[1]


def test_iterator_draws_its_base_seed_when_made():
    def run(lib):
        D = lib.utils.data
        it = iter(D.DataLoader(D.TensorDataset(lib.arange(8)), batch_size=3, shuffle=True))
        x = lib.rand(2)  # drawn between iter() and the first batch
        return [x, next(it)[0]]

    both(run, 1, "iter order")


# ---- the platform -------------------------------------------------------------------------------
def test_cpu_capability_is_torchs():
    cap = torch.backends.cpu.get_cpu_capability()
    if cap not in ("DEFAULT", "AVX2", "AVX512"):
        pytest.skip(f"torch reports {cap}, a build tinygrad_edu does not model")
    assert K.capability() == cap


_DEFAULT_BUILD = """
import numpy as np, torch, tinygrad_edu as tg
from tinygrad_edu._rng import kernels
assert torch.backends.cpu.get_cpu_capability() == kernels.capability() == "DEFAULT"
bad = []
for name in ("float32", "float64", "float16", "bfloat16"):
    for n in (5, 16, 25, 100):
        out = []
        for lib in (tg, torch):
            lib.manual_seed(n)
            d = getattr(lib, name)
            out.append([lib.randn(n, dtype=d), lib.empty(n, dtype=d).normal_(0.3, 2.5 / 3),
                        lib.empty(n, dtype=d).uniform_(-0.3, 0.7), lib.rand(3)])
        if not all(np.array_equal(a.numpy(), b.view(torch.int16).numpy().view(a.numpy().dtype)
                                  if b.dtype == torch.bfloat16 else b.numpy())
                   for a, b in zip(*out)):
            bad.append((name, n))
print(bad)
"""


def test_default_build_matches_torch_in_a_subprocess():
    """``ATEN_CPU_CAPABILITY=default`` (set before either library loads) switches both to torch's
    DEFAULT kernels: glibc's logf/cosf/sinf, separate multiplies and adds, except the normal
    blocks' ``std::fma(z, std, mean)``."""
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    run = subprocess.run([sys.executable, "-c", _DEFAULT_BUILD], env=env, capture_output=True,
                         text=True, cwd=Path(__file__).resolve().parents[1])
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stdout + run.stderr[-2000:]


@pytest.mark.skipif(not tg.cuda.is_available(), reason="needs a CUDA GPU (CuPy)")
def test_cuda_tensors_get_the_host_numbers():
    tg.manual_seed(0)
    a = tg.randn(100, device="cuda")
    tg.manual_seed(0)
    torch.manual_seed(0)
    same(a.cpu(), torch.randn(100))
    w = tg.nn.Linear(20, 7).to("cuda")
    with tg.no_grad():
        w.weight.normal_()
    assert w.weight.device.type == "cuda"


# ---- the larger sweep ---------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS + (7, 2024))
def test_large_sweep(seed, dtype):
    def run(lib):
        d = dt(lib, dtype)
        return [lib.randn(100_003, dtype=d), lib.rand(4099, dtype=d),
                lib.empty(5000, dtype=d).normal_(-2.0, 0.3),
                lib.empty(3001, dtype=d).uniform_(-math.pi, math.e),
                lib.randperm(20000), lib.randint(-7, 2**33, (999,))]

    both(run, seed, "sweep")
