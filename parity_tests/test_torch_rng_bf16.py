"""Same seed, same numbers as torch in bfloat16, bit for bit: what ``test_torch_rng.py`` (which
runs its dtype-parametrized checks in bfloat16 too) does not reach.

torch's CPU samplers treat ``c10::BFloat16`` as ``c10::Half``: float32 math (opmath) rounded
once at the end, float64 results through float32 (BFloat16 has no constructor from double),
the block normal path drawing no words for the partial row. Its 8-bit mantissa shows in the
integer samplers: ``random_()`` is w mod 257, bounds beyond ±2^8 are narrowed (with torch's
warning) and may cross, and ``randperm`` has no size limit for bfloat16 (values above 256
repeat). Errors name ``c10::BFloat16`` / ``BFloat16`` as torch's do.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from rng_compare import LIBS, SEEDS, SIZES, both, raise_alike

import tinygrad_edu as tg


def _bf(lib):
    return lib.bfloat16


def _e(lib, *shape):
    return lib.empty(*shape, dtype=lib.bfloat16)


@pytest.mark.parametrize("seed", SEEDS)
def test_bfloat16_is_torchs_opmath_kernels(seed):
    """rand is float32's rand rounded; randn's blocks draw 16 words each and the redone tail 16
    fresh ones (none for the partial row, as float16), so randn(25) is not randn(25) rounded."""
    torch.manual_seed(seed)
    a = torch.rand(25, dtype=torch.bfloat16)
    torch.manual_seed(seed)
    assert torch.equal(a, torch.rand(25).bfloat16())
    torch.manual_seed(seed)
    torch.randn(25, dtype=torch.bfloat16)
    b = torch.rand(1)
    torch.manual_seed(seed)
    torch.randn(25)
    assert not torch.equal(b, torch.rand(1))  # float32 drew 9 more words

    def run(lib):
        b = _bf(lib)
        return [lib.randn(25, dtype=b), lib.randn(3, dtype=b), lib.randn(33, dtype=b),
                lib.randn(5, 7, 3, dtype=b), _e(lib, 2001).normal_(3, 7),
                _e(lib, 1000, 2).t().normal_(1, 2), _e(lib, 1000).cauchy_(0, 1000),
                _e(lib, 1000).log_normal_(5, 3), _e(lib, 1000).exponential_(1e-3),
                _e(lib, 1000).geometric_(1e-3), _e(lib, 8, 125).t().uniform_(),
                _e(lib, 1000).uniform_(-1e30, 1e30), lib.rand(3, 1000, dtype=b).bernoulli(),
                _e(lib, 1000).bernoulli_(lib.rand(1000, dtype=b)),
                lib.empty(100).bernoulli_(lib.rand(100, dtype=b)), lib.rand(2)]

    both(run, seed, "bfloat16")


_RANGES = [(0, 10), (-300, 300), (255, 258), (1000, 1001), (0, 2**28), (0, 2**32),
           (-(2**25) - 1, 2**26 + 5), (-(2**40), 2**40), (-(2**62), 2**62), (0, 2**63 - 1),
           (-(2**63), 2**63 - 1)]


@pytest.mark.parametrize("low,high", _RANGES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.filterwarnings("ignore:.*is out of bounds:UserWarning")  # both warn, as torch
def test_integer_samplers(seed, low, high):
    """randint/random_ narrow bounds past ±2^8 (float32 first, then bfloat16, as torch's
    casts); a bound past int64 once rounded converts to INT64_MIN, as x86's cvttss2si."""
    both(lambda lib: [lib.randint(low, high, (33,), dtype=_bf(lib)),
                      _e(lib, 17).random_(low, high), _e(lib, 5).random_(),
                      _e(lib, 5).random_(max(high, 1)), lib.randint_like(_e(lib, 4), low, high),
                      lib.rand(2)], seed, f"[{low},{high})")


@pytest.mark.parametrize("seed", SEEDS)
def test_randperm_and_like_forms(seed):
    both(lambda lib: [lib.randperm(n, dtype=_bf(lib)) for n in SIZES + (0, 256, 257, 258, 3000)]
         + [lib.randn_like(_e(lib, 3, 7)), lib.rand_like(_e(lib, 17)),
            lib.randint_like(_e(lib, 9), 257), lib.randn_like(lib.zeros(16), dtype=_bf(lib)),
            lib.rand(2)], seed, "randperm/like")


@pytest.mark.parametrize("seed", SEEDS)
def test_normal_overloads_round_like_torch(seed):
    """normal(Tensor, Tensor) is normal_(0, 1).mul_(std).add_(mean), each step rounded; a float
    mean is a bfloat16 0-d tensor first."""
    def run(lib):
        m = lib.randn(40, dtype=_bf(lib))
        s = lib.rand(40, dtype=_bf(lib)) * 3
        return [lib.normal(m, s), lib.normal(m, 0.37), lib.normal(0.1, s),
                lib.normal(m[:1], s.reshape(40, 1)), lib.normal(1.3, 2.7, (55,), dtype=_bf(lib)),
                lib.normal(1.3, 2.7, (5,), dtype=_bf(lib)), lib.rand(2)]

    both(run, seed, "normal")


@pytest.mark.parametrize("seed", SEEDS)
def test_multinomial_and_dropouts(seed):
    def run(lib):
        F = lib.nn.functional
        w = lib.rand(3, 500, dtype=_bf(lib))  # many tied p/q scores in bfloat16
        x = lib.randn(4, 6, 5, 7, dtype=_bf(lib))
        return [lib.multinomial(w, 1), lib.multinomial(w, 400), lib.multinomial(w, 100, True),
                lib.multinomial(w[0], 20, True), F.dropout(x, 0.3), F.dropout1d(x[0], 0.3),
                F.dropout2d(x, 0.4), F.dropout3d(x, 0.2), F.alpha_dropout(x, 0.3, True),
                F.feature_alpha_dropout(x, 0.3, True), lib.nn.Dropout(0.25)(x), lib.rand(2)]

    both(run, seed, "multinomial/dropout")


@pytest.mark.parametrize("dtype", ("bfloat16", "float32", "float64"))
@pytest.mark.parametrize("seed", SEEDS)
def test_rrelu_training_draws_and_gradient(seed, dtype):
    """torch draws r from U(lower, upper) with the bounds rounded to the opmath type (float32
    for float32 and bfloat16), multiplies in that type, and scales the gradient by r rounded
    to the tensor's dtype (its saved noise)."""
    def run(lib):
        d = getattr(lib, dtype)
        x = lib.randn(3000, dtype=d).requires_grad_(True)
        y = lib.nn.functional.rrelu(x, 0.1, 0.7, training=True)
        (y * lib.arange(3000, dtype=d)).sum().backward()
        return [y, lib.nn.functional.rrelu(x.detach(), training=True), x.grad, lib.rand(2)]

    both(run, seed, f"rrelu {dtype}")


@pytest.mark.parametrize("seed", SEEDS)
def test_nn_init(seed):
    def run(lib):
        i = lib.nn.init
        return [i.trunc_normal_(_e(lib, 3000)),
                i.trunc_normal_(_e(lib, 2000), 0.0, 1.0, 2.0, 3.0),  # the rejection sampler
                i.trunc_normal_(_e(lib, 500), 0.5, 2.0, -1.0, 1.0),
                i.kaiming_normal_(_e(lib, 50, 30)),
                i.xavier_uniform_(_e(lib, 40, 20)), i.sparse_(_e(lib, 10, 6), 0.3),
                lib.nn.Linear(30, 20, dtype=_bf(lib)).weight, lib.rand(3)]

    both(run, seed, "nn.init")


_ERRORS = [
    lambda lib: _e(lib, 3).uniform_(-3.4e38, 3.4e38),  # from is out of bounds for c10::BFloat16
    lambda lib: _e(lib, 3).uniform_(0, 3.5e38),
    lambda lib: _e(lib, 3).uniform_(-3e38, 3e38),  # to-from <= numeric_limits<BFloat16>::max()
    lambda lib: _e(lib, 3).uniform_(-float("inf"), 0),
    lambda lib: _e(lib, 3).uniform_(2, 1),
    lambda lib: _e(lib, 3).normal_(0, -1),
    lambda lib: lib.randint(1048579, 1049476, (3,), dtype=_bf(lib)),  # bounds cross once rounded
    lambda lib: _e(lib, 3).random_(1048579, 1049476),
    lambda lib: _e(lib, 3).random_(5, 2),
    lambda lib: _e(lib, 3).bernoulli_(1.5),
    lambda lib: _e(lib, 3).exponential_(-1),
    lambda lib: _e(lib, 3).geometric_(0),
    lambda lib: _e(lib, 3).log_normal_(0, 0),
    lambda lib: _e(lib, 3).cauchy_(0, 0),
    lambda lib: lib.multinomial(lib.tensor([1.0, -2.0], dtype=_bf(lib)), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, float("inf")], dtype=_bf(lib)), 3, True),
    lambda lib: lib.multinomial(lib.tensor([0.0, 0.0], dtype=_bf(lib)), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, 2.0], dtype=_bf(lib)), 1,
                                out=_e(lib, 1)),
    lambda lib: lib.nn.init.orthogonal_(_e(lib, 4, 3)),  # geqrf_cpu: no BFloat16 kernel
    lambda lib: lib.nn.functional.rrelu(lib.randn(3, dtype=lib.float16), training=True),
]


@pytest.mark.parametrize("case", range(len(_ERRORS)))
def test_errors_like_torch(case):
    raise_alike(_ERRORS[case])


def test_error_types_where_messages_differ():
    for fn in (lambda lib: lib.bernoulli(lib.full((3,), 1.5, dtype=_bf(lib))),
               lambda lib: lib.multinomial(lib.tensor([1.0, 2.0], dtype=_bf(lib)), 3),
               lambda lib: lib.normal(0.0, lib.tensor([-1.0], dtype=_bf(lib)))):
        for lib in LIBS:
            with pytest.raises(RuntimeError):
                fn(lib)


def test_stream_after_failed_orthogonal_and_bound_warning():
    def after_failed_orthogonal(lib):  # torch has drawn the normals before its QR fails
        with pytest.raises(NotImplementedError):
            lib.nn.init.orthogonal_(_e(lib, 4, 3))
        return lib.rand(2)

    both(after_failed_orthogonal, 5, "stream after orthogonal_")
    for lib in LIBS:
        with pytest.warns(UserWarning, match=r"\[-\(2\^8\), 2\^8\].*c10::BFloat16"):
            lib.randint(0, 1000, (2,), dtype=_bf(lib))
    assert tg.randperm(300, dtype=tg.bfloat16).numpy().max() == 300  # 299 rounds up to 300
    assert np.unique(tg.randperm(300, dtype=tg.bfloat16).numpy()).size < 300
