"""Same seed, same numbers as torch, bit for bit: the samplers.

Every check seeds both libraries (or builds a Generator in both), runs the same calls, and
compares the results with ``==`` (``rng_compare``: values, dtype, shape), never with a
tolerance: rand/randn/randint/randperm and their ``_like`` forms, normal's overloads, the
in-place fills, bernoulli, multinomial, dropout masks, nn.init, every module's default init,
in float32, float64 and float16. Seeds 0, 1, 42, 1337; sizes 1, 5, 15, 16, 17, 25, 100, 1000
(torch switches randn's algorithm at 16 and recomputes a tail when the size is not a multiple
of 16; for float16 it draws that tail differently). Each check draws again afterwards, so the
stream position must match too. The generator state, DataLoader shuffling and the platform
are ``test_torch_rng_stream.py``.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
import torch
from rng_compare import DTYPES, LIBS, SEEDS, SIZES, both, dt, raise_alike, same, to_np

import tinygrad_edu as tg


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
    same(tg.randn(20, generator=g), torch.randn(20, generator=r))
    assert tg.Generator().initial_seed() == torch.Generator().initial_seed()
    assert g.initial_seed() == seed and str(g.device) == "cpu"
    with pytest.raises(TypeError):
        tg.randn(3, generator=5)


@pytest.mark.parametrize("low,high", [(0, 10), (-5, 5), (3, 4), (0, 2**28 - 1), (0, 2**28),
                                      (0, 2**32), (-(2**25) - 1, 2**26 + 5), (-(2**60), 2**60)])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.filterwarnings("ignore:.*is out of bounds:UserWarning")  # both warn, as torch
def test_randint(seed, low, high):
    # float dtypes narrow bounds that the dtype cannot hold (torch's fix-up, with a warning)
    both(lambda lib: [lib.randint(low, high, (17,)), lib.randint(low, high, (3, 5)),
                      lib.randint(low, high, (4,), dtype=lib.float64),
                      lib.randint(low, high, (4,), dtype=lib.float32),
                      lib.randint(max(low, -2048), min(high, 2048), (9,), dtype=lib.float16)],
         seed, f"[{low},{high})")


@pytest.mark.parametrize("seed", SEEDS)
def test_randint_forms_and_randperm(seed):
    both(lambda lib: [lib.randint(7, (5,)), lib.randint(low=2, high=9, size=(4,)),
                      lib.randint(100, (3,), dtype=lib.int32)] +
         [lib.randperm(n) for n in SIZES + (0,)] + [lib.randperm(12, dtype=lib.float32)] +
         [lib.randperm(n, dtype=lib.float16) for n in SIZES + (2049,)],
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
@pytest.mark.parametrize("n", (5, 16, 25, 100))
def test_normal_overloads(n, dtype):
    def run(lib):
        d = dt(lib, dtype)
        m = lib.tensor(np.arange(n) / 7, dtype=d)
        s = lib.tensor(np.linspace(0.1, 3.0, n), dtype=d)
        return [lib.normal(m, s), lib.normal(m, 2.5), lib.normal(-1.5, s),
                lib.normal(0.25, 3.0, (n,), dtype=d), lib.normal(m[:1], s.reshape(n, 1)),
                lib.normal(0.1, s), lib.normal(m, 0.3)]  # 0.1: not a float16 value

    both(run, 1, f"normal n={n}")


# ---- in-place fills -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_uniform_normal_inplace(n, dtype):
    def run(lib):
        d = dt(lib, dtype)
        return [lib.empty(n, dtype=d).uniform_(-0.3, 0.7), lib.empty(n, dtype=d).uniform_(2, 5.5),
                lib.empty(n, dtype=d).normal_(0.3, 2.5 / 3), lib.empty(n, dtype=d).normal_(),
                lib.empty(n, dtype=d).uniform_(), lib.empty(n, dtype=d).uniform_(-100, 100),
                # about half of these round to `to`, which torch turns into `from`
                lib.empty(n, dtype=d).uniform_(1, 1 + float(ml_dtypes.finfo(dtype).eps))]

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
        w3 = lib.tensor([0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 1.0, 0.0], dtype=d)  # ties at p/q = 0
        w4 = lib.rand(2, 400, dtype=d)  # float16: many tied scores
        return [lib.multinomial(w, 1), lib.multinomial(w, 4), lib.multinomial(w, 6),
                lib.multinomial(w3, 7), lib.multinomial(w4, 300), lib.multinomial(w4, 5),
                lib.multinomial(w4, 50, True),
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


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_bound_errors_like_torch():
    h = "float16"
    for fn in (lambda lib: lib.empty(3, dtype=dt(lib, h)).uniform_(-65504, 65504),
               lambda lib: lib.empty(3, dtype=dt(lib, h)).uniform_(0, 7e4),
               lambda lib: lib.empty(3).uniform_(-3e38, 3e38),
               lambda lib: lib.empty(3, dtype=lib.float64).uniform_(-float("inf"), 0),
               lambda lib: lib.randint(0, 70000, (3,), dtype=dt(lib, h)),
               lambda lib: lib.empty(3, dtype=dt(lib, h)).random_(-70000, 0),
               lambda lib: lib.randint(0, 300, (3,), dtype=lib.int8),
               lambda lib: lib.randint(-1, 1, (3,), dtype=lib.uint8),
               lambda lib: lib.randperm(2050, dtype=dt(lib, h)),
               lambda lib: lib.randperm(129, dtype=lib.int8),
               lambda lib: lib.randperm(3, dtype=lib.bool),
               lambda lib: lib.nn.init.orthogonal_(lib.empty(4, 3, dtype=dt(lib, h)))):
        raise_alike(fn)

    def after_failed_orthogonal(lib):  # torch has drawn the normals before its QR fails
        with pytest.raises(NotImplementedError):
            lib.nn.init.orthogonal_(lib.empty(4, 3, dtype=dt(lib, h)))
        return lib.rand(2)

    both(after_failed_orthogonal, 5, "stream after orthogonal_")
    with pytest.warns(UserWarning, match=r"2\^11"):
        tg.randint(0, 5000, (2,), dtype=tg.float16)


@pytest.mark.parametrize("seed", SEEDS)
def test_float16_is_torchs_half_kernels(seed):
    """float16 samplers compute in float32 (opmath) and round at the end: rand is float32's
    rand rounded; randn's blocks draw 16 words each and the redone tail 16 fresh ones (no words
    for the partial row, unlike float32), so randn(25) is not randn(25).half(); the float64
    samplers round through float32 (``Half`` has no constructor from double)."""
    torch.manual_seed(seed)
    a = torch.rand(25, dtype=torch.float16)
    torch.manual_seed(seed)
    assert torch.equal(a, torch.rand(25).half())
    torch.manual_seed(seed)
    a = torch.randn(25, dtype=torch.float16)
    torch.manual_seed(seed)
    assert not torch.equal(a, torch.randn(25).half())

    def run(lib):
        h = lib.float16
        e = lambda *n: lib.empty(*n, dtype=h)  # noqa: E731
        return [lib.randn(25, dtype=h), lib.randn(3, dtype=h), lib.randn(33, dtype=h),
                e(1000).normal_(0.5, 3.0), e(1000, 2).t().normal_(1, 2),
                e(1000).cauchy_(0, 1000), e(1000).log_normal_(5, 3),
                e(1000).exponential_(1e-3), e(1000).geometric_(1e-3), e(8, 125).t().uniform_(),
                lib.rand(3, 1000, dtype=h).bernoulli(), e(1000).bernoulli_(
                    lib.rand(1000, dtype=h)), lib.nn.functional.dropout(lib.ones(1000, dtype=h),
                                                                        0.3)]

    both(run, seed, "float16")


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
        outs.append([to_np(lib.nn.init.orthogonal_(lib.empty(*s), gain=1.5))
                     for s in ((6, 4), (3, 8), (4, 2, 3))] + [to_np(lib.rand(3))])
    for a, b in zip(outs[0][:-1], outs[1][:-1]):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
    same(outs[0][-1], outs[1][-1], "stream after orthogonal_")


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
        outs.append(to_np(run(lib)))
    for a, b in zip(outs[0][:-1], outs[1][:-1]):
        same(a, b, "parameter")
    # the forward pass (matmuls) agrees to rounding; the dropout mask exactly
    np.testing.assert_allclose(outs[0][-1], outs[1][-1], rtol=1e-5, atol=1e-5)
    assert np.array_equal(outs[0][-1] == 0, outs[1][-1] == 0)
