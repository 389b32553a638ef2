"""OpSpecs of ``tg.nn.functional``: the losses (module forms are tested in test_nn_losses.py),
cosine_similarity, linear, layer_norm, batch_norm, dropout (deterministic corners) and one_hot.

Samples are drawn with hypothesis: shapes (K-dimensional class inputs included), reductions,
class weights, ignore_index, label smoothing, probability targets, pos_weight, beta.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from registry import OpSpec, register
from registry import arrays as _arrays

RED = ("none", "mean", "sum")


def arrays(draw, dtype, shape, lo=-10.0, hi=10.0):
    """registry.arrays, always an ndarray (a 0-d draw can come back as a NumPy scalar)."""
    return np.array(_arrays(draw, dtype, shape, lo, hi), dtype=dtype)


def _shape(draw, min_dims=0, max_dims=3, max_side=4):
    n = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.lists(st.integers(1, max_side), min_size=n, max_size=n)))


def _class_input(draw, dtype, lo=-10.0, hi=10.0, unbatched=False):
    """(x, C, target shape) for a class loss: x (N, C, d1, ...) or (C,) when unbatched."""
    C = draw(st.integers(1, 5))
    if unbatched:
        return arrays(draw, dtype, (C,), lo, hi), C, ()
    N = draw(st.integers(1, 4))
    extra = _shape(draw, 0, 2, 3)
    return arrays(draw, dtype, (N, C) + extra, lo, hi), C, (N,) + extra


def _index_target(draw, C, shape, ignore_index):
    t = np.array(draw(st.lists(st.integers(0, C - 1), min_size=int(np.prod(shape)),
                               max_size=int(np.prod(shape)))), dtype=np.int64).reshape(shape)
    if ignore_index is not None and t.size:
        mask = np.array(draw(st.lists(st.booleans(), min_size=t.size, max_size=t.size)))
        t.reshape(-1)[mask & (np.arange(t.size) % 2 == 1)] = ignore_index  # some, not all
    return t


def _class_weight(draw, dtype, C):
    if not draw(st.booleans()):
        return None
    return arrays(draw, dtype, (C,), 0.125, 3.0)


# ---- pointwise regression losses -----------------------------------------------------------------
def _pair_sample(extra=lambda draw: {}):
    def sample(draw, dtype):
        shape = _shape(draw)
        x, t = arrays(draw, dtype, shape), arrays(draw, dtype, shape)
        return [x, t], {"reduction": draw(st.sampled_from(RED)), **extra(draw)}

    return sample


def _weighted_pair(draw, dtype):
    shape = _shape(draw, 1)
    return ([arrays(draw, dtype, shape), arrays(draw, dtype, shape),
             arrays(draw, dtype, shape, 0.125, 2.0)], {"reduction": draw(st.sampled_from(RED))})


register(OpSpec("mse_loss", fn=lambda m, x, t, **k: m.nn.functional.mse_loss(x, t, **k),
                sample=_pair_sample(), special=False))
register(OpSpec("mse_loss", variant="weight", sample=_weighted_pair, grad_args=(0, 1, 2),
                fn=lambda m, x, t, w, **k: m.nn.functional.mse_loss(x, t, weight=w, **k),
                special=False))
register(OpSpec("l1_loss", fn=lambda m, x, t, **k: m.nn.functional.l1_loss(x, t, **k),
                sample=_pair_sample(), kinks=(0.0,), smooth=False, special=False))
register(OpSpec("smooth_l1_loss",
                fn=lambda m, x, t, **k: m.nn.functional.smooth_l1_loss(x, t, **k),
                sample=_pair_sample(lambda d: {"beta": d(st.sampled_from([0.0, 0.5, 1.0, 3.0]))}),
                kinks=(0.0, 1.0), smooth=False, special=False))


# ---- binary cross-entropy ------------------------------------------------------------------------
def _bce_sample(draw, dtype):
    shape = _shape(draw)
    x = arrays(draw, dtype, shape, 0.0, 1.0)
    if x.size and draw(st.booleans()):  # exact 0 and 1: the −100 clamp and 1e-12 grad clamp
        flat = x.reshape(-1)
        for j in draw(st.lists(st.integers(0, x.size - 1), max_size=x.size)):
            flat[j] = float(j % 2)
    t = arrays(draw, dtype, shape, 0.0, 1.0)
    w = arrays(draw, dtype, shape[len(shape) - draw(st.integers(0, len(shape))):], 0.125, 2.0) \
        if draw(st.booleans()) else None
    return [x, t, w], {"reduction": draw(st.sampled_from(RED))}


register(OpSpec("binary_cross_entropy", sample=_bce_sample, grad_args=(0, 1), special=False,
                smooth=False,
                fn=lambda m, x, t, w, **k: m.nn.functional.binary_cross_entropy(x, t, w, **k)))


def _bce_logits_sample(lo, hi):
    def sample(draw, dtype):
        shape = _shape(draw)
        x = arrays(draw, dtype, shape, lo, hi)
        t = arrays(draw, dtype, shape, 0.0, 1.0)
        tail = shape[len(shape) - draw(st.integers(0, len(shape))):]
        w = arrays(draw, dtype, tail, 0.125, 2.0) if draw(st.booleans()) else None
        pw = arrays(draw, dtype, tail, 0.125, 4.0) if draw(st.booleans()) else None
        return [x, t, w, pw], {"reduction": draw(st.sampled_from(RED))}

    return sample


def _bcel(m, x, t, w, pw, **k):
    return m.nn.functional.binary_cross_entropy_with_logits(x, t, w, pos_weight=pw, **k)


register(OpSpec("binary_cross_entropy_with_logits", sample=_bce_logits_sample(-10, 10),
                grad_args=(0, 1), fn=_bcel, special=False))
register(OpSpec("binary_cross_entropy_with_logits", variant="large", fn=_bcel, special=False,
                sample=_bce_logits_sample(-1e4, 1e4), grad_args=(0, 1), smooth=False))


# ---- class losses ------------------------------------------------------------------------------
def _ce_index_sample(lo=-10.0, hi=10.0, unbatched=False, smoothing=True):
    def sample(draw, dtype):
        x, C, tshape = _class_input(draw, dtype, lo, hi, unbatched)
        ignore = draw(st.sampled_from([-100] + ([0, C - 1] if C > 1 else [])))
        t = _index_target(draw, C, tshape, ignore if not unbatched else None)
        if t.size and (t == ignore).all():  # keep one counted target: an all-ignored batch is
            t.reshape(-1)[0] = (ignore + 1) % C  # nan in both (tested in test_nn_losses.py)
        kw = {"reduction": draw(st.sampled_from(RED)), "ignore_index": ignore}
        if smoothing:
            kw["label_smoothing"] = draw(st.sampled_from([0.0, 0.0, 0.125, 0.5]))
        return [x, t, _class_weight(draw, dtype, C)], kw

    return sample


def _ce_prob_sample(draw, dtype):
    x, C, _ = _class_input(draw, dtype)
    p = arrays(draw, dtype, x.shape, 0.0, 1.0)
    p = (p / np.maximum(p.sum(axis=1, keepdims=True), 1e-3)).astype(dtype)
    kw = {"reduction": draw(st.sampled_from(RED)),
          "label_smoothing": draw(st.sampled_from([0.0, 0.2]))}
    return [x, p, _class_weight(draw, dtype, C)], kw


def _ce(m, x, t, w, **k):
    return m.nn.functional.cross_entropy(x, t, w, **k)


def _nll(m, x, t, w, **k):
    return m.nn.functional.nll_loss(x, t, w, **k)


register(OpSpec("cross_entropy", sample=_ce_index_sample(), grad_args=(0,), fn=_ce,
                special=False))
register(OpSpec("cross_entropy", variant="large", sample=_ce_index_sample(-1e4, 1e4), fn=_ce,
                grad_args=(0,), smooth=False, special=False))
register(OpSpec("cross_entropy", variant="unbatched", sample=_ce_index_sample(unbatched=True),
                grad_args=(0,), fn=_ce, special=False))
register(OpSpec("cross_entropy", variant="prob_target", sample=_ce_prob_sample, fn=_ce,
                grad_args=(0, 1), special=False))
register(OpSpec("nll_loss", sample=_ce_index_sample(smoothing=False), grad_args=(0,), fn=_nll,
                special=False))
register(OpSpec("nll_loss", variant="unbatched", fn=_nll, grad_args=(0,), special=False,
                sample=_ce_index_sample(unbatched=True, smoothing=False)))


# ---- cosine similarity ---------------------------------------------------------------------------
def _cos_sample(draw, dtype):
    from hypothesis.extra import numpy as hnp

    b = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=4))
    nd = len(b.result_shape)
    # values ≥ 0.5 away from 0: for tiny norms the gradient is a difference of ~1/‖x‖ terms
    # and torch's own float32 rounding noise exceeds any fair tolerance
    x1, x2 = ((a + np.where(a >= 0, 0.5, -0.5)).astype(dtype)
              for a in (arrays(draw, dtype, s, -10, 10) for s in b.input_shapes))
    return [x1, x2], {"dim": draw(st.integers(-nd, nd - 1)),
                      "eps": draw(st.sampled_from([1e-8, 1e-3]))}


register(OpSpec("cosine_similarity", sample=_cos_sample, special=False, smooth=False,
                fn=lambda m, a, b, **k: m.nn.functional.cosine_similarity(a, b, **k)))


# ---- layers ----------------------------------------------------------------------------------
def _linear_sample(draw, dtype):
    lead = _shape(draw, 0, 2)
    n_in, n_out = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    b = arrays(draw, dtype, (n_out,)) if draw(st.booleans()) else None
    return [arrays(draw, dtype, lead + (n_in,)), arrays(draw, dtype, (n_out, n_in)), b], {}


register(OpSpec("linear", variant="F", sample=_linear_sample, special=False,
                fn=lambda m, x, w, b: m.nn.functional.linear(x, w, b)))


def _layer_norm_sample(draw, dtype):
    norm = _shape(draw, 1, 2, 4)
    lead = _shape(draw, 0, 2, 3)
    x = arrays(draw, dtype, lead + norm)
    # a ramp over the normalized dims: no constant rows, whose zero variance turns float32
    # rounding of the mean into O(1) differences after the 1/√ε scaling (in torch too)
    x = (x + 25 * np.arange(int(np.prod(norm))).reshape(norm)).astype(dtype)
    w = arrays(draw, dtype, norm, -2, 2) if draw(st.booleans()) else None
    b = arrays(draw, dtype, norm, -2, 2) if draw(st.booleans()) else None
    return [x, norm, w, b], {"eps": draw(st.sampled_from([1e-5, 1e-2]))}


register(OpSpec("layer_norm", sample=_layer_norm_sample, special=False,
                fn=lambda m, x, s, w, b, **k: m.nn.functional.layer_norm(x, s, w, b, **k)))


def _batch_norm_sample(training):
    def sample(draw, dtype):
        N, C = draw(st.integers(2, 4)), draw(st.integers(1, 4))
        x = arrays(draw, dtype, (N, C) + _shape(draw, 0, 2, 3))
        ramp = 25 * np.arange(N).reshape((N,) + (1,) * (x.ndim - 1))  # no constant channels
        x = (x + ramp).astype(dtype)
        w = arrays(draw, dtype, (C,), -2, 2) if draw(st.booleans()) else None
        b = arrays(draw, dtype, (C,), -2, 2) if draw(st.booleans()) else None
        if training:  # no running buffers: inputs must not be mutated
            rm = rv = None
        else:
            rm, rv = arrays(draw, dtype, (C,), -2, 2), arrays(draw, dtype, (C,), 0.125, 3)
        return [x, rm, rv, w, b], {"training": training,
                                   "eps": draw(st.sampled_from([1e-5, 1e-1]))}

    return sample


def _bn(m, x, rm, rv, w, b, **k):
    return m.nn.functional.batch_norm(x, rm, rv, w, b, **k)


register(OpSpec("batch_norm", variant="train", sample=_batch_norm_sample(True), fn=_bn,
                grad_args=(0, 3, 4), special=False))
register(OpSpec("batch_norm", variant="eval", sample=_batch_norm_sample(False), fn=_bn,
                grad_args=(0, 3, 4), special=False))


def _dropout_sample(draw, dtype):
    # deterministic corners only (p = 0, p = 1, eval mode); the random mask's statistics are
    # tested in test_nn_modules.py
    p, training = draw(st.sampled_from([(0.0, True), (1.0, True), (0.5, False), (0.9, False)]))
    return [arrays(draw, dtype, _shape(draw))], {"p": p, "training": training}


register(OpSpec("dropout", sample=_dropout_sample, special=False,
                fn=lambda m, x, **k: m.nn.functional.dropout(x, **k)))


def _one_hot_sample(draw, dtype):
    shape = _shape(draw, 0, 2)
    C = draw(st.integers(1, 5))
    idx = np.array(draw(st.lists(st.integers(0, C - 1), min_size=int(np.prod(shape)),
                                 max_size=int(np.prod(shape)))), dtype=np.int64).reshape(shape)
    return [idx], {"num_classes": draw(st.sampled_from([-1, C, C + 2]))}


register(OpSpec("one_hot", variant="F", sample=_one_hot_sample, grad_args=(), special=False,
                dtypes=("float64",),
                fn=lambda m, t, **k: m.nn.functional.one_hot(t, **k)))
