"""Inputs torch refuses (or reads its own way) by dtype, kind by kind, torch run beside each case:
where torch raises, tinygrad_edu raises the same exception type; where torch computes, the same
values in the same dtype. The members of each kind come from /work/scratch/errs7_probe.py.

1. ``requires_grad`` on an integer/bool tensor, a non-bool flag, a non-leaf;
2. Python ints no 64-bit integer holds (beyond [−2⁶³, 2⁶⁴)) in tensor-scalar ops, fills, tensor();
3. nn.functional ops whose parameters (weight, bias, running statistics) have another dtype;
4. losses whose input, target and weight have different float dtypes;
5. ``Module.to``/``Module.type`` with Python types (``float`` is float64) and bad types;
6. ``finfo``/``iinfo`` equality and hashing.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

FLOATS = ["float16", "bfloat16", "float32", "float64"]
PAIRS = [(a, b) for a, b in itertools.product(FLOATS, FLOATS) if a != b]


def outcome(fn, m):
    """``("raise", type)`` or ``("ok", result)`` of ``fn(m)``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn(m)
    except Exception as e:  # noqa: BLE001  (the type is what is compared)
        return "raise", type(e), str(e)


def _values(r):
    if hasattr(r, "detach"):
        r = r.detach()
        return str(r.dtype).split(".")[-1], r.double().numpy(), r.requires_grad
    return type(r).__name__, r, None


def same_outcome(fn, tol: float = 1e-6):
    """torch and tinygrad_edu both raise the same exception type, or both return the same
    values (and dtype, and requires_grad for tensors)."""
    theirs, ours = outcome(fn, torch), outcome(fn, tg)
    if theirs[0] == "raise":
        assert ours[0] == "raise", f"torch raises {theirs[1:]}; tinygrad_edu returns {ours[1]!r}"
        assert ours[1] is theirs[1], f"torch raises {theirs[1:]}; tinygrad_edu {ours[1:]}"
        return ours[2]
    assert ours[0] == "ok", f"torch computes {theirs[1]!r}; tinygrad_edu raises {ours[1:]}"
    (td, tv, tr), (od, ov, orq) = _values(theirs[1]), _values(ours[1])
    assert od == td and orq == tr, f"torch: {td} (requires_grad {tr}); ours {od} ({orq})"
    if isinstance(tv, np.ndarray):
        np.testing.assert_allclose(ov, tv, rtol=tol, atol=tol)
    else:
        assert ov == tv
    return None


def make(m, shape, d, seed=0, kind="n"):
    """The same numbers in torch and tinygrad_edu: normal, probabilities ('p') or signs ('s')."""
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    if kind == "p":
        a = 1 / (1 + np.exp(-a))
    elif kind == "s":
        a = np.where(a >= 0, 1.0, -1.0).astype(np.float32)
    return m.tensor(a).to(getattr(m, d))


def tol_of(*dtypes) -> float:
    return 2e-2 if {"float16", "bfloat16"} & set(dtypes) else 1e-5


# ---- kind 1: requires_grad -----------------------------------------------------------------
def _set(t, v):
    t.requires_grad = v
    return t


def _nonleaf(m, v):
    y = m.ones(2, requires_grad=True) * 2
    y.requires_grad = v
    return y


REQUIRES_GRAD = {
    "attribute": lambda m, d: _set(m.zeros(2, dtype=d), True),
    "attribute False": lambda m, d: _set(m.zeros(2, dtype=d), False),
    "requires_grad_()": lambda m, d: m.zeros(2, dtype=d).requires_grad_(),
    "detach().requires_grad_()": lambda m, d: m.zeros(2, dtype=d).detach().requires_grad_(),
    "tensor(requires_grad=True)": lambda m, d: m.tensor([1, 0], dtype=d, requires_grad=True),
    "zeros(requires_grad=True)": lambda m, d: m.zeros(2, dtype=d, requires_grad=True),
    "full(requires_grad=True)": lambda m, d: m.full((2,), 1, dtype=d, requires_grad=True),
    "new_ones(requires_grad=True)": lambda m, d: m.zeros(2).new_ones(2, dtype=d,
                                                                    requires_grad=True),
    "Parameter": lambda m, d: m.nn.Parameter(m.zeros(2, dtype=d)),
}
RG_DTYPES = ["int64", "int32", "uint8", "bool", "float16", "float32"]


@pytest.mark.parametrize("dtype", RG_DTYPES)
@pytest.mark.parametrize("form", sorted(REQUIRES_GRAD))
def test_requires_grad_needs_a_floating_dtype(form, dtype):
    msg = same_outcome(lambda m: REQUIRES_GRAD[form](m, getattr(m, dtype)))
    assert msg is None or "floating point" in msg and dtype in msg, msg


@pytest.mark.parametrize("value", [1, 0, None, "yes", 1.0, True, False])
def test_requires_grad_takes_only_a_bool(value):
    same_outcome(lambda m: _set(m.ones(2), value))


@pytest.mark.parametrize("value", [True, False])
def test_requires_grad_of_a_non_leaf_is_fixed(value):
    assert "leaf" in same_outcome(lambda m: _nonleaf(m, value))


# ---- kind 2: Python ints beyond 64 bits ------------------------------------------------------
BIG = [2**64, 2**70, -2**63 - 1, -10**30]
BIG_OPS = {
    "t + v": lambda m, t, v: t + v, "v + t": lambda m, t, v: v + t,
    "t - v": lambda m, t, v: t - v, "t * v": lambda m, t, v: t * v,
    "t / v": lambda m, t, v: t / v, "t // v": lambda m, t, v: t // v,
    "t ** v": lambda m, t, v: t ** v, "t == v": lambda m, t, v: t == v,
    "t < v": lambda m, t, v: t < v, "t % v": lambda m, t, v: t % v,
    "add": lambda m, t, v: m.add(t, v), "add alpha": lambda m, t, v: m.add(t, 1, alpha=v),
    "mul": lambda m, t, v: m.mul(t, v), "clamp": lambda m, t, v: m.clamp(t, max=v),
    "fmod": lambda m, t, v: m.fmod(t, v), "where": lambda m, t, v: m.where(t > 0, t, v),
    "fill_": lambda m, t, v: t.clone().fill_(v), "add_": lambda m, t, v: t.clone().add_(v),
    "full": lambda m, t, v: m.full((2,), v, dtype=t.dtype), "full (no dtype)": lambda m, t, v:
    m.full((2,), v), "full_like": lambda m, t, v: m.full_like(t, v),
    "masked_fill": lambda m, t, v: t.masked_fill(t > 0, v),
    "index_fill_": lambda m, t, v: t.clone().index_fill_(0, m.tensor([0]), v),
    "tensor([v])": lambda m, t, v: m.tensor([v]), "tensor(v)": lambda m, t, v: m.tensor(v),
    "tensor([1, v], dtype)": lambda m, t, v: m.tensor([1, v], dtype=t.dtype),
    "new_tensor": lambda m, t, v: t.new_tensor([v]), "Tensor([v])": lambda m, t, v: m.Tensor([v]),
}
BIG_DTYPES = ["float32", "float16", "bfloat16", "float64", "int64", "uint8", "bool"]


# (t ** v checks the 64-bit range first: ops/arithmetic.py pow, branch fix15; so does bool
# t - v before sub's bool refusal: check_sub_operands, branch fix17)
BIG_CASES = [(op, d) for op in sorted(BIG_OPS) for d in BIG_DTYPES]


@pytest.mark.parametrize(("op", "dtype"), BIG_CASES)
def test_python_int_beyond_64_bits(op, dtype):
    for v in BIG:
        same_outcome(lambda m, v=v: BIG_OPS[op](m, m.ones(2, dtype=getattr(m, dtype)), v))


@pytest.mark.parametrize("v", [2**63, 2**64 - 1, 2**63 - 1, -2**63, 10**18])
@pytest.mark.parametrize("dtype", ["float32", "float16", "float64"])
def test_python_int_within_64_bits_still_computes(v, dtype):
    for op in ("t + v", "t * v", "t / v", "t == v", "add"):
        same_outcome(lambda m, op=op: BIG_OPS[op](m, m.ones(2, dtype=getattr(m, dtype)), v),
                     1e-3)


# ---- kind 3: parameters of another dtype than the input --------------------------------------
def _f(m):
    return m.nn.functional


def _inorm(x):
    return x.reshape(3, 2, 1).expand(3, 2, 4).contiguous()


MIXED_PARAMS = {
    "batch_norm weight": lambda m, x, p: _f(m).batch_norm(
        x, make(m, (2,), "float32", 5).abs(), make(m, (2,), "float32", 6).abs() + 1,
        weight=p((2,)), bias=p((2,))),
    "batch_norm running stats": lambda m, x, p: _f(m).batch_norm(x, p((2,)), p((2,)).abs() + 1),
    "batch_norm training": lambda m, x, p: _f(m).batch_norm(
        x, p((2,)), p((2,)).abs() + 1, p((2,)), p((2,)), training=True),
    "layer_norm": lambda m, x, p: _f(m).layer_norm(x, (2,), p((2,)), p((2,))),
    "layer_norm weight": lambda m, x, p: _f(m).layer_norm(x, (2,), p((2,))),
    "group_norm": lambda m, x, p: _f(m).group_norm(x, 1, p((2,)), p((2,))),
    "instance_norm weight": lambda m, x, p: _f(m).instance_norm(_inorm(x), weight=p((2,)),
                                                                 bias=p((2,))),
    "instance_norm running stats": lambda m, x, p: _f(m).instance_norm(
        _inorm(x), p((2,)), p((2,)).abs() + 1),
    "rms_norm": lambda m, x, p: _f(m).rms_norm(x, (2,), p((2,))),
    "linear weight": lambda m, x, p: _f(m).linear(x, p((4, 2))),
    "linear bias": lambda m, x, p: _f(m).linear(x, make(m, (4, 2), str(x.dtype)[6:], 7),
                                                  p((4,))),
    "bilinear": lambda m, x, p: _f(m).bilinear(x, x, p((4, 2, 2))),
    "conv1d": lambda m, x, p: _f(m).conv1d(x.reshape(3, 2, 1), p((4, 2, 1))),
    "conv2d bias": lambda m, x, p: _f(m).conv2d(
        x.reshape(3, 2, 1, 1), make(m, (4, 2, 1, 1), str(x.dtype)[6:], 7), p((4,))),
    "conv_transpose1d": lambda m, x, p: _f(m).conv_transpose1d(x.reshape(3, 2, 1), p((2, 4, 1))),
    "prelu": lambda m, x, p: _f(m).prelu(x, p((2,))),
    "BatchNorm1d module": lambda m, x, p: m.nn.BatchNorm1d(2).to(p((1,)).dtype).eval()(x),
    "Linear module": lambda m, x, p: m.nn.Linear(2, 3).to(p((1,)).dtype)(x),
}


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
@pytest.mark.parametrize("op", sorted(MIXED_PARAMS))
def test_parameters_of_another_dtype(op, pair):
    dx, dp = pair
    same_outcome(lambda m: MIXED_PARAMS[op](m, make(m, (3, 2), dx, 1),
                                            lambda shape: make(m, shape, dp, 2)), tol_of(dx, dp))


def test_batchnorm_module_half_on_float_names_the_op_and_dtypes():
    with pytest.raises(RuntimeError, match=r"mixed dtype.*batch_norm.*float32.*float16"):
        tg.nn.BatchNorm1d(2).half()(tg.randn(3, 2))


# ---- kind 4: losses over mixed float dtypes ---------------------------------------------------
def _x(m, d, kind="n", seed=1):
    return make(m, (3, 2), d, seed, kind)


LOSSES = {
    "mse_loss": lambda m, a, b: _f(m).mse_loss(_x(m, a), _x(m, b, seed=2)),
    "l1_loss": lambda m, a, b: _f(m).l1_loss(_x(m, a), _x(m, b, seed=2)),
    "huber_loss": lambda m, a, b: _f(m).huber_loss(_x(m, a), _x(m, b, seed=2)),
    "smooth_l1_loss": lambda m, a, b: _f(m).smooth_l1_loss(_x(m, a), _x(m, b, seed=2)),
    "binary_cross_entropy": lambda m, a, b: _f(m).binary_cross_entropy(_x(m, a, "p"),
                                                                       _x(m, b, "p", 2)),
    "binary_cross_entropy weight": lambda m, a, b: _f(m).binary_cross_entropy(
        _x(m, a, "p"), _x(m, a, "p", 3), weight=_x(m, b, "p", 2)),
    "bce_with_logits": lambda m, a, b: _f(m).binary_cross_entropy_with_logits(
        _x(m, a), _x(m, b, "p", 2)),
    "bce_with_logits weight": lambda m, a, b: _f(m).binary_cross_entropy_with_logits(
        _x(m, a), _x(m, a, "p", 3), weight=_x(m, b, "p", 2)),
    "bce_with_logits pos_weight": lambda m, a, b: _f(m).binary_cross_entropy_with_logits(
        _x(m, a), _x(m, a, "p", 3), pos_weight=_x(m, b, "p", 2)),
    "kl_div": lambda m, a, b: _f(m).kl_div(_x(m, a), _x(m, b, "p", 2), reduction="batchmean"),
    "kl_div log_target": lambda m, a, b: _f(m).kl_div(_x(m, a), _x(m, b, seed=2),
                                                      log_target=True),
    "poisson_nll_loss": lambda m, a, b: _f(m).poisson_nll_loss(_x(m, a), _x(m, b, "p", 2)),
    "gaussian_nll_loss var": lambda m, a, b: _f(m).gaussian_nll_loss(_x(m, a), _x(m, a, seed=3),
                                                                     _x(m, b, "p", 2)),
    "soft_margin_loss": lambda m, a, b: _f(m).soft_margin_loss(_x(m, a), _x(m, b, "s", 2)),
    "multilabel_soft_margin_loss": lambda m, a, b: _f(m).multilabel_soft_margin_loss(
        _x(m, a), _x(m, b, "p", 2)),
    "hinge_embedding_loss": lambda m, a, b: _f(m).hinge_embedding_loss(_x(m, a),
                                                                       _x(m, b, "s", 2)),
    "margin_ranking_loss": lambda m, a, b: _f(m).margin_ranking_loss(_x(m, a), _x(m, b, seed=2),
                                                                     _x(m, a, "s", 3)),
    "cosine_embedding_loss": lambda m, a, b: _f(m).cosine_embedding_loss(
        _x(m, a), _x(m, b, seed=2), m.tensor([1, -1, 1])),
    "triplet_margin_loss": lambda m, a, b: _f(m).triplet_margin_loss(_x(m, a), _x(m, b, seed=2),
                                                                     _x(m, a, seed=3)),
    "nll_loss weight": lambda m, a, b: _f(m).nll_loss(_x(m, a), m.tensor([0, 1, 1]),
                                                      weight=_x(m, b, "p", 2)[0]),
    "cross_entropy weight": lambda m, a, b: _f(m).cross_entropy(_x(m, a), m.tensor([0, 1, 1]),
                                                                weight=_x(m, b, "p", 2)[0]),
    "cross_entropy probabilities": lambda m, a, b: _f(m).cross_entropy(_x(m, a),
                                                                       _x(m, b, "p", 2)),
    "cross_entropy probabilities weight": lambda m, a, b: _f(m).cross_entropy(
        _x(m, a), _x(m, a, "p", 3), weight=_x(m, b, "p", 2)[0]),
    "multi_margin_loss": lambda m, a, b: _f(m).multi_margin_loss(_x(m, a), m.tensor([0, 1, 1])),
    "multi_margin_loss weight": lambda m, a, b: _f(m).multi_margin_loss(
        _x(m, a), m.tensor([0, 1, 1]), weight=_x(m, b, "p", 2)[0]),
    "cosine_similarity": lambda m, a, b: _f(m).cosine_similarity(_x(m, a), _x(m, b, seed=2)),
    "BCELoss module": lambda m, a, b: m.nn.BCELoss()(_x(m, a, "p"), _x(m, b, "p", 2)),
}


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_loss_with_mixed_dtypes(loss, pair):
    same_outcome(lambda m: LOSSES[loss](m, *pair), tol_of(*pair))


def test_bce_names_the_dtypes():
    with pytest.raises(RuntimeError, match=r"Found dtype Float but expected Half"):
        tg.nn.functional.binary_cross_entropy(tg.rand(3).half(), tg.rand(3))


# ---- kind 5: Module.to / Module.type with Python types ----------------------------------------
def _param(module):
    return str(next(module.parameters()).dtype)  # (initial values differ: random)


def _bn_buffers(m, cast):
    return tuple(str(b.dtype) for b in cast(m.nn.BatchNorm1d(2)).buffers())


TO_ARGS = [float, int, bool, "float64", "cpu", None]
TO_FORMS = {
    "Module.to(T)": lambda m, T: _param(m.nn.Linear(2, 2).to(T)),
    "Module.to(dtype=T)": lambda m, T: _param(m.nn.Linear(2, 2).to(dtype=T)),
    "Module.to('cpu', T)": lambda m, T: _param(m.nn.Linear(2, 2).to("cpu", T)),
    "Module.type(T)": lambda m, T: _param(m.nn.Linear(2, 2).type(T)),
    "Tensor.to(T)": lambda m, T: m.ones(2).to(T),
    "Tensor.type(T)": lambda m, T: m.ones(2).type(T),
}


@pytest.mark.parametrize("arg", TO_ARGS, ids=lambda a: getattr(a, "__name__", repr(a)))
@pytest.mark.parametrize("form", sorted(TO_FORMS))
def test_to_with_python_types(form, arg):
    same_outcome(lambda m: TO_FORMS[form](m, arg))


@pytest.mark.parametrize("cast", ["to(float)", "type(float64)", "type('torch.DoubleTensor')",
                                  "double()"])
def test_module_cast_of_buffers(cast):
    fns = {"to(float)": lambda m: lambda mod: mod.to(float),
           "type(float64)": lambda m: lambda mod: mod.type(m.float64),
           "type('torch.DoubleTensor')": lambda m: lambda mod: mod.type("torch.DoubleTensor"),
           "double()": lambda m: lambda mod: mod.double()}
    ours, theirs = _bn_buffers(tg, fns[cast](tg)), _bn_buffers(torch, fns[cast](torch))
    assert ours == theirs


# ---- kind 6: finfo / iinfo --------------------------------------------------------------------
FINFO = ["float16", "half", "bfloat16", "float32", "float", "float64", "double"]
IINFO = ["uint8", "int8", "int16", "short", "int32", "int", "int64", "long"]


@pytest.mark.parametrize("a", FINFO)
def test_finfo_equality(a):
    for b in FINFO:
        same_outcome(lambda m, b=b: m.finfo(getattr(m, a)) == m.finfo(getattr(m, b)))
        same_outcome(lambda m, b=b: m.finfo(getattr(m, a)) != m.finfo(getattr(m, b)))
    same_outcome(lambda m: repr(m.finfo(getattr(m, a))))


@pytest.mark.parametrize("a", IINFO)
def test_iinfo_equality(a):
    for b in IINFO:
        same_outcome(lambda m, b=b: m.iinfo(getattr(m, a)) == m.iinfo(getattr(m, b)))
    same_outcome(lambda m: repr(m.iinfo(getattr(m, a))))


TYPEINFO_MISC = {
    "hash finfo": lambda m: hash(m.finfo(m.float16)),
    "hash iinfo": lambda m: hash(m.iinfo(m.int8)),
    "finfo in a set": lambda m: {m.finfo()},
    "finfo == iinfo": lambda m: m.finfo() == m.iinfo(m.int32),
    "finfo == 1": lambda m: m.finfo() == 1,
    "finfo() == finfo(float32)": lambda m: m.finfo() == m.finfo(m.float32),
}


@pytest.mark.parametrize("case", sorted(TYPEINFO_MISC))
def test_typeinfo_hash_and_foreign_equality(case):
    same_outcome(TYPEINFO_MISC[case])
