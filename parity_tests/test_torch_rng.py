"""Same seed, same numbers as torch, bit for bit.

Every check seeds both libraries (or builds a Generator in both), runs the same calls, and
compares the results with ``==`` (``np.array_equal`` plus the dtype), never with a tolerance:
rand/randn/randint/randperm and their ``_like`` forms, normal's overloads, the in-place fills,
bernoulli, multinomial, dropout masks, nn.init, every module's default init, DataLoader
shuffling and random_split, and the generator state itself (torch's 5056-byte layout).
Seeds 0, 1, 42, 1337; sizes 1, 5, 15, 16, 17, 100, 1000 (torch switches randn's algorithm at 16
and recomputes a tail when the size is not a multiple of 16). The larger sweep is ``slow``.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu._rng import kernels as K

SEEDS = (0, 1, 42, 1337)
SIZES = (1, 5, 15, 16, 17, 25, 100, 1000)
DTYPES = ("float32", "float64", "float16")
LIBS = (tg, torch)


def _np(x):
    if isinstance(x, (list, tuple)):
        return [_np(v) for v in x]
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if isinstance(x, tg.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def _same(ours, ref, what=""):
    ours, ref = _np(ours), _np(ref)
    if isinstance(ref, list):
        assert len(ours) == len(ref), what
        for i, (a, b) in enumerate(zip(ours, ref)):
            _same(a, b, f"{what}[{i}]")
        return
    assert ours.dtype == ref.dtype, f"{what}: dtype {ours.dtype} != torch's {ref.dtype}"
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} != torch's {ref.shape}"
    bad = ~((ours == ref) | (np.isnan(ours) & np.isnan(ref)) if ours.dtype.kind == "f"
            else ours == ref)
    assert not bad.any(), (f"{what}: {int(bad.sum())} of {bad.size} differ from torch, first at "
                           f"{np.argwhere(bad)[0].tolist()}: {ours[bad][:3]} vs {ref[bad][:3]}")


def both(fn, seed=0, what=""):
    """Run ``fn(lib)`` after ``lib.manual_seed(seed)`` for tg and torch; assert equal results."""
    out = []
    for lib in LIBS:
        lib.manual_seed(seed)
        out.append(fn(lib))
    _same(out[0], out[1], what)
    return out[0]


def dt(lib, name):
    return getattr(lib, name)


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
        _same(states[0], states[1], "get_rng_state")
        assert tg.initial_seed() == torch.initial_seed()


def test_set_rng_state_continues_torch_stream_both_ways():
    torch.manual_seed(3)
    torch.randn(5)  # leaves a cached Box–Muller value in the state
    tg.set_rng_state(tg.tensor(torch.get_rng_state().numpy()))
    _same(tg.randn(7), torch.randn(7))
    tg.manual_seed(9)
    tg.rand(11)
    torch.set_rng_state(torch.from_numpy(tg.get_rng_state().numpy()))
    _same(tg.randn(40, dtype=tg.float64), torch.randn(40, dtype=torch.float64))
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
    _same(tg.rand(5), torch.rand(5))


def test_fork_rng_restores_the_default_stream():
    tg.manual_seed(4)
    with tg.random.fork_rng():
        tg.randn(100)
    torch.manual_seed(4)
    _same(tg.randn(3), torch.randn(3))


# ---- creation functions -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_rand_randn_successive_draws(seed, n, dtype):
    both(lambda lib: [lib.rand(n, dtype=dt(lib, dtype)), lib.randn(n, dtype=dt(lib, dtype)),
                      lib.randn(n, dtype=dt(lib, dtype)), lib.rand(n, dtype=dt(lib, dtype))],
         seed, f"rand/randn n={n} {dtype}")


@pytest.mark.parametrize("shape", [(2, 3), (4, 4), (3, 5, 7), (0,), (16, 1)])
def test_shapes_and_mixed_small_and_large_normal_share_the_cache(shape):
    both(lambda lib: [lib.randn(*shape), lib.randn(3), lib.randn(17, dtype=lib.float64),
                      lib.randn(1), lib.randn(shape)], 42, str(shape))


@pytest.mark.parametrize("seed", SEEDS)
def test_generator_objects(seed):
    def run(lib):
        lib.manual_seed(123)
        g = lib.Generator().manual_seed(seed)
        g2 = lib.Generator()  # torch's default seed for a new generator
        return [lib.randn(5, generator=g), lib.rand(20, generator=g, dtype=lib.float64),
                lib.randint(0, 9, (6,), generator=g), lib.randperm(17, generator=g),
                lib.randn(33, generator=g2), lib.rand(3),  # the default stream is untouched
                lib.empty(20).normal_(generator=g), lib.empty(4).uniform_(-1, 1, generator=g)]

    both(run, what="Generator")
    g = tg.Generator().manual_seed(seed)
    tg.rand(5, generator=g)
    r = torch.Generator()
    r.set_state(torch.from_numpy(g.get_state().numpy()))
    _same(tg.randn(20, generator=g), torch.randn(20, generator=r))
    assert tg.Generator().initial_seed() == torch.Generator().initial_seed()
    assert g.initial_seed() == seed and str(g.device) == "cpu"
    with pytest.raises(TypeError):
        tg.randn(3, generator=5)


@pytest.mark.parametrize("low,high", [(0, 10), (-5, 5), (3, 4), (0, 2**28 - 1), (0, 2**28),
                                      (0, 2**32), (-(2**25) - 1, 2**26 + 5), (-(2**60), 2**60)])
@pytest.mark.parametrize("seed", SEEDS)
def test_randint(seed, low, high):
    # float dtypes narrow bounds that the dtype cannot hold (torch's fix-up, with a warning)
    both(lambda lib: [lib.randint(low, high, (17,)), lib.randint(low, high, (3, 5)),
                      lib.randint(low, high, (4,), dtype=lib.float64),
                      lib.randint(low, high, (4,), dtype=lib.float32)], seed, f"[{low},{high})")


@pytest.mark.parametrize("seed", SEEDS)
def test_randint_forms_and_randperm(seed):
    both(lambda lib: [lib.randint(7, (5,)), lib.randint(low=2, high=9, size=(4,)),
                      lib.randint(100, (3,), dtype=lib.int32)] +
         [lib.randperm(n) for n in SIZES + (0,)] + [lib.randperm(12, dtype=lib.float32)],
         seed, "randint/randperm")
    with pytest.raises(RuntimeError, match="from=5 >= to=3"):
        tg.randint(5, 3, (2,))


@pytest.mark.parametrize("dtype", DTYPES)
def test_like_functions(dtype):
    def run(lib):
        x = lib.zeros(3, 7, dtype=dt(lib, dtype))
        i = lib.zeros(9, dtype=lib.int64)
        return [lib.rand_like(x), lib.randn_like(x), lib.randint_like(x, 10),
                lib.randint_like(i, -3, 3), lib.randn_like(lib.zeros(16, dtype=dt(lib, dtype)))]

    both(run, 7, "like")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", (5, 16, 100))
def test_normal_overloads(n, dtype):
    def run(lib):
        d = dt(lib, dtype)
        m = lib.tensor(np.arange(n) / 7, dtype=d)
        s = lib.tensor(np.linspace(0.1, 3.0, n), dtype=d)
        return [lib.normal(m, s), lib.normal(m, 2.5), lib.normal(-1.5, s),
                lib.normal(0.25, 3.0, (n,), dtype=d), lib.normal(m[:1], s.reshape(n, 1))]

    both(run, 1, f"normal n={n}")


# ---- in-place fills -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_uniform_normal_inplace(n, dtype):
    def run(lib):
        d = dt(lib, dtype)
        return [lib.empty(n, dtype=d).uniform_(-0.3, 0.7), lib.empty(n, dtype=d).uniform_(2, 5.5),
                lib.empty(n, dtype=d).normal_(0.3, 2.5 / 3), lib.empty(n, dtype=d).normal_(),
                lib.empty(n, dtype=d).uniform_()]

    both(run, 42, f"uniform_/normal_ n={n}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_noncontiguous_fills_walk_memory_order(dtype):
    def run(lib):
        d = dt(lib, dtype)
        a, b, c = (lib.zeros(8, 6, dtype=d) for _ in range(3))
        a.t().normal_(1, 2)  # 48 elements, not contiguous: torch's one-at-a-time path
        b.t().uniform_(-1, 1)
        c.t().bernoulli_(0.3)
        return [a, b, c]

    both(run, 5, "transposed fills")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", (1, 5, 17, 100))
def test_other_distributions(n, dtype):
    def run(lib):
        d = dt(lib, dtype)
        e = lambda: lib.empty(n, dtype=d)  # noqa: E731
        return [e().exponential_(), e().exponential_(2.5), e().geometric_(0.2),
                e().geometric_(1e-9), e().log_normal_(), e().log_normal_(0.5, 0.25),
                e().cauchy_(), e().cauchy_(0.5, 2.3), lib.randn(n, dtype=d),
                e().random_(), e().random_(10), e().random_(-3, 3),
                lib.empty(n, dtype=lib.int64).random_(), lib.empty(n, dtype=lib.int32).random_(),
                lib.empty(n, dtype=lib.int64).random_(0, 2**40),
                lib.empty(n, dtype=lib.bool).random_()]

    both(run, 1337, f"distributions n={n}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_bernoulli_forms(seed, dtype):
    def run(lib):
        d = dt(lib, dtype)
        p = lib.tensor(np.linspace(0, 1, 17), dtype=d)
        return [lib.bernoulli(p), p.bernoulli(), lib.bernoulli(lib.zeros(5, dtype=d), 0.4),
                lib.empty(17, dtype=d).bernoulli_(p), lib.empty(6, dtype=d).bernoulli_(0.7),
                lib.empty(4, 17, dtype=d).bernoulli_(p), lib.bernoulli(p.float()),
                lib.empty(5, dtype=lib.int64).bernoulli_(0.5)]

    both(run, seed, "bernoulli")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_multinomial(seed, dtype):
    def run(lib):
        d = dt(lib, dtype)
        w = lib.tensor([0.1, 2.0, 0.0, 3.5, 1.2, 0.7, 0.05], dtype=d)
        w2 = lib.rand(4, 9, dtype=d)
        return [lib.multinomial(w, 1), lib.multinomial(w, 4), lib.multinomial(w, 6),
                lib.multinomial(w, 30, replacement=True), lib.multinomial(w2, 3),
                lib.multinomial(w2, 12, True), w2.multinomial(1, True),
                lib.multinomial(w, 5, generator=lib.Generator().manual_seed(seed))]

    both(run, seed, "multinomial")
    with pytest.raises(RuntimeError, match="without replacement"):
        tg.multinomial(tg.tensor([1.0, 2.0]), 3)
    with pytest.raises(RuntimeError, match="inf"):
        tg.multinomial(tg.tensor([1.0, -2.0]), 1)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        tg.multinomial(tg.tensor([0.0, 0.0]), 1)


def test_errors_like_torch():
    cases = [
        (lambda lib: lib.empty(3).normal_(0, -1), RuntimeError),
        (lambda lib: lib.empty(3).uniform_(2, 1), RuntimeError),
        (lambda lib: lib.empty(3).bernoulli_(1.5), RuntimeError),
        (lambda lib: lib.empty(3).exponential_(-1), RuntimeError),
        (lambda lib: lib.empty(3).geometric_(0), RuntimeError),
        (lambda lib: lib.empty(3, dtype=lib.int64).uniform_(), NotImplementedError),
        (lambda lib: lib.empty(3, dtype=lib.int64).normal_(), NotImplementedError),
        (lambda lib: lib.rand(3, dtype=lib.int64), NotImplementedError),
        (lambda lib: lib.empty(3).random_(5, 2), RuntimeError),
        (lambda lib: lib.randperm(-1), RuntimeError),
    ]
    for fn, exc in cases:
        for lib in LIBS:
            with pytest.raises(exc):
                fn(lib)
    w = tg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.normal_()


# ---- dropout, nn.init, module defaults ----------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", (0.1, 0.25, 0.5, 0.9, 1.0))
def test_dropout_masks(p, dtype):
    def run(lib):
        x = lib.randn(6, 40, dtype=dt(lib, dtype))
        layer = lib.nn.Dropout(p)
        return [lib.nn.functional.dropout(x, p), layer(x), lib.nn.functional.dropout(x, p, False),
                lib.rand(2)]

    both(run, 3, f"dropout p={p}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_nn_init_functions(dtype):
    def run(lib):
        init, d = lib.nn.init, dt(lib, dtype)
        e = lambda *s: lib.empty(*s, dtype=d)  # noqa: E731
        g = lib.Generator().manual_seed(11)
        return [init.uniform_(e(5, 4), -2, 3), init.normal_(e(3, 7), 1, 0.5),
                init.xavier_uniform_(e(20, 30)), init.xavier_normal_(e(20, 30), gain=2.0),
                init.kaiming_uniform_(e(8, 3, 3, 3)),
                init.kaiming_uniform_(e(7, 5), mode="fan_out"),
                init.kaiming_normal_(e(16, 12), nonlinearity="relu"),
                init.kaiming_normal_(e(4, 9), a=0.2, mode="fan_out"),
                init.trunc_normal_(e(30, 40)), init.trunc_normal_(e(50), 0.5, 2.0, -1.0, 1.0),
                init.trunc_normal_(e(64), 0.0, 1.0, 2.0, 3.0),  # p < 0.3: uniform rejection
                init.sparse_(e(10, 6), 0.3), init.uniform_(e(9), generator=g),
                init.normal_(e(20), generator=g)]

    both(run, 0, "nn.init")


def test_orthogonal_draws_torch_normals_and_matches_to_rounding():
    outs = []
    for lib in LIBS:
        lib.manual_seed(2)
        outs.append([_np(lib.nn.init.orthogonal_(lib.empty(*s), gain=1.5))
                     for s in ((6, 4), (3, 8), (4, 2, 3))] + [_np(lib.rand(3))])
    for a, b in zip(outs[0][:-1], outs[1][:-1]):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
    _same(outs[0][-1], outs[1][-1], "stream after orthogonal_")


def _module_params(lib, dtype):
    nn, d = lib.nn, dt(lib, dtype)
    mods = [nn.Linear(5, 3, dtype=d), nn.Linear(40, 17, bias=False, dtype=d),
            nn.Conv2d(3, 8, 3, dtype=d), nn.Conv2d(4, 6, (2, 3), groups=2, dtype=d),
            nn.Embedding(10, 4, dtype=d), nn.Embedding(7, 3, padding_idx=2, dtype=d),
            nn.RNN(4, 6, num_layers=2, dtype=d), nn.LSTM(3, 5, bidirectional=True, dtype=d),
            nn.GRU(4, 3, num_layers=2, batch_first=True, dtype=d), nn.BatchNorm1d(4, dtype=d),
            nn.BatchNorm2d(3, dtype=d), nn.LayerNorm(6, dtype=d), nn.PReLU(dtype=d)]
    return [p for m in mods for p in m.parameters()] + [lib.rand(2)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_module_default_inits(dtype):
    both(lambda lib: _module_params(lib, dtype), 0, "module init")


def test_seed_listing_model_starts_from_torch_weights():
    def run(lib):
        nn = lib.nn
        model = nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(),
                              nn.Dropout(0.3), nn.Linear(128, 10))
        x = lib.randn(32, 64)
        return list(model.parameters()) + [model(x)]

    outs = []
    for lib in LIBS:
        lib.manual_seed(0)
        outs.append(_np(run(lib)))
    for a, b in zip(outs[0][:-1], outs[1][:-1]):
        _same(a, b, "parameter")
    # the forward pass (matmuls) agrees to rounding; the dropout mask exactly
    np.testing.assert_allclose(outs[0][-1], outs[1][-1], rtol=1e-5, atol=1e-5)
    assert np.array_equal(outs[0][-1] == 0, outs[1][-1] == 0)


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


@pytest.mark.skipif(not tg.cuda.is_available(), reason="needs a CUDA GPU (CuPy)")
def test_cuda_tensors_get_the_host_numbers():
    tg.manual_seed(0)
    a = tg.randn(100, device="cuda")
    tg.manual_seed(0)
    torch.manual_seed(0)
    _same(a.cpu(), torch.randn(100))
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
