"""Pairwise distances: cdist, pdist, pairwise_distance.

Two ways, as torch: the p-norm of every difference x1ᵢ − x2ⱼ (vector_norm's gradient, torch's
subgradients), or for p = 2 and many rows the "mm" form ‖a‖² + ‖b‖² − 2a·b, one matmul instead
of P·R differences (faster, but it cancels: distances near 0 lose digits). Its backward is
torch's _euclidean_dist_backward: with r = g / d (0 where d = 0),
x̄1 = x1 Σⱼ rᵢⱼ − r x2 and x̄2 = x2 Σᵢ rᵢⱼ − rᵀ x1. cdist with p = 0 and p = inf follows
torch's own kernels (ZeroInfDistFn: nan, the max and their gradients differ from vector_norm's),
and so does pdist (PdistZeroInfFn; its max propagates nan, cdist's skips it).

pdist (other p) and pairwise_distance are vector_norm of gathered / subtracted rows, so their
gradient is vector_norm's, which is torch's (_pdist_backward and norm_backward use the same
subgradients: 0 where a distance is 0, sign(d)|d|^(p−1)/‖d‖^(p−1) elsewhere).
"""

from __future__ import annotations

import numpy as np

from ..._args import no_kernel, require_tensor
from ...autograd import Function
from ...backend import get_array_module
from ...dtype import kind_of
from .._dual import xp_of
from .._util import half_opmath, quiet
from ..shape import unsqueeze
from ._common import mT
from .norms import vector_norm

_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
          "donot_use_mm_for_euclid_dist")


class EuclideanDistFn(Function):
    """dᵢⱼ = √max(‖x1ᵢ‖² + ‖x2ⱼ‖² − 2 x1ᵢ·x2ⱼ, 0)  (one matmul of padded rows, as torch)"""

    node_name = "CdistBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x1, x2):
        xp = get_array_module(x1)
        n1 = (x1 * x1).sum(axis=-1, keepdims=True)
        n2 = (x2 * x2).sum(axis=-1, keepdims=True)
        # torch's layout: [−2·x1, ‖x1‖², 1] · [x2, 1, ‖x2‖²]ᵀ = ‖x1‖² + ‖x2‖² − 2 x1·x2
        a = xp.concatenate([-2 * x1, n1, xp.ones_like(n1)], axis=-1)
        b = xp.concatenate([x2, xp.ones_like(n2), n2], axis=-1)
        with quiet():
            d = xp.sqrt(xp.maximum(a @ xp.swapaxes(b, -1, -2), 0))
        ctx.save_for_backward(x1, x2, d)
        return d

    @staticmethod
    def backward(ctx, g):
        x1, x2, d = ctx.saved_tensors
        xp = xp_of(g)
        with quiet():
            r = xp.where(d == 0, 0, g / d)  # ∂dᵢⱼ/∂(x1ᵢ − x2ⱼ) = (x1ᵢ − x2ⱼ)/dᵢⱼ
        g1 = x1 * xp.sum(r, axis=-1, keepdims=True) - r @ x2
        g2 = x2 * xp.expand_dims(xp.sum(r, axis=-2), -1) - mT(r) @ x1
        return g1, g2


class L1DistFn(Function):
    """dᵢⱼ = Σₘ |δᵢⱼₘ| of the differences δ (..., M) -> (...): cdist / pdist with p = 1"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once (as vector_norm)
    def forward(ctx, diff):
        ctx.save_for_backward(diff)
        return get_array_module(diff).abs(diff).sum(axis=-1)

    @staticmethod
    def backward(ctx, g):
        (diff,) = ctx.saved_tensors
        # ∂d/∂δ = sign(δ): torch's _cdist_backward / _pdist_backward take a sign that is nan
        # at nan (vector_norm's sgn is 0 there), NumPy's sign
        return xp_of(g).expand_dims(g, -1) * xp_of(g).sign(diff)


class ZeroInfDistFn(Function):
    """cdist for p = 0 and p = inf, with torch's kernels (x1 (..., P, M), x2 (..., R, M)):
    p = 0:   dᵢⱼ = Σₘ min(⌈|δᵢⱼₘ|⌉, 1), nan where a δ is nan; its gradient is 0 (torch's)
    p = inf: dᵢⱼ = maxₘ |δᵢⱼₘ| over the δ that are not nan (0 if none), δ = x1ᵢ − x2ⱼ"""

    node_name = "CdistBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once (as vector_norm)
    def forward(ctx, x1, x2, p):
        xp = get_array_module(x1)
        ctx.p, ctx.shapes = p, (x1.shape, x2.shape)
        with quiet():
            a = xp.abs(x1[..., :, None, :] - x2[..., None, :, :])  # |δ|: (..., P, R, M)
            if p == 0:  # min(⌈|δ|⌉, 1): a nan δ (inf − inf too) makes the distance nan
                return xp.minimum(xp.ceil(a), 1).sum(axis=-1)
            d = xp.fmax.reduce(a, axis=-1, initial=0)  # max, skipping nan (torch's max(agg, |δ|))
        ctx.save_for_backward(x1, x2, d)
        return d

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        if ctx.p == 0:  # torch's cdist backward for p = 0: zeros
            return xp.zeros(ctx.shapes[0], g.dtype), xp.zeros(ctx.shapes[1], g.dtype), None
        x1, x2, d = ctx.saved_tensors
        # ∂dᵢⱼ/∂x1ᵢ = sign(δ)·[|δ| = dᵢⱼ]: every coordinate at the max (nan at a nan δ, and
        # at |δ| = dᵢⱼ = inf); x2's from δ' = x2ⱼ − x1ᵢ, as torch (no −0.0 from negating)
        return _at_max(xp, x1, x2, d, g), _at_max(xp, x2, x1, mT(d), mT(g)), None


def _at_max(xp, a, b, dist, g):
    """Σ over b's rows of g·sign(a − b)·[|a − b| = dist] (cdist's p = inf gradient for a)."""
    with quiet():
        delta = a[..., :, None, :] - b[..., None, :, :]
        return (g[..., None] * _sign_at_max(xp, delta, dist[..., None])).sum(axis=-2)


def _sign_at_max(xp, delta, dist):
    """sign(δ)·[|δ| = dist], the indicator written as torch's kernels write it:
    1 − min(1, ⌈||δ| − dist|⌉) (nan where |δ| − dist is, as inf − inf, and at a nan δ)."""
    return xp.sign(delta) * (1 - xp.minimum(1, xp.ceil(xp.abs(xp.abs(delta) - dist))))


class PdistZeroInfFn(Function):
    """pdist for p = 0 and p = inf, with torch's kernels (input (N, M), the pairs i < j of
    rows in row-major order, δₖ = xᵢ − xⱼ (N(N−1)/2, M)):
    p = 0:   dₖ = Σₘ min(⌈|δₖₘ|⌉, 1), nan where a δ is nan; its gradient is 0 (torch's)
    p = inf: dₖ = maxₘ |δₖₘ|, nan where a δ is nan (unlike cdist's, torch's vector max)"""

    node_name = "PdistBackward0"  # torch's name for this node

    array_io = True

    @staticmethod
    def forward(ctx, x, p):
        xp = get_array_module(x)
        i, j = np.triu_indices(x.shape[0], 1)
        ctx.p, ctx.pairs, ctx.shape = p, (i, j), x.shape
        with quiet():
            a = xp.abs(x[i] - x[j])  # |δ|: (N(N−1)/2, M)
            if p == 0:
                return xp.minimum(xp.ceil(a), 1).sum(axis=-1)
            d = xp.max(a, axis=-1, initial=0)  # nan propagates
        ctx.save_for_backward(x, d)
        return d

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        if ctx.p == 0:  # torch's pdist backward for p = 0: zeros
            return xp.zeros(ctx.shape, g.dtype), None
        x, d = ctx.saved_tensors
        i, j = ctx.pairs
        with quiet():  # ∂dₖ/∂xᵢ = sign(δₖ)·[|δₖ| = dₖ] = −∂dₖ/∂xⱼ at every coordinate at the max
            gk = g[:, None] * _sign_at_max(xp, x[i] - x[j], d[:, None])
            # torch's order: pair by pair, + into row i then − from row j, from zeros
            out = xp.zeros(x.shape, g.dtype)
            rows = xp.stack([i, j], 1).ravel()
            xp.add.at(out, rows, xp.stack([gk, -gk], 1).reshape(len(rows), x.shape[1]))
        return out, None


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """``torch.cdist``: the p-norm distance between every row of x1 and every row of x2.
    Shapes: x1 (..., P, M), x2 (..., R, M), batch dims broadcast -> (..., P, R). dtype:
    floating, both the same. p ≥ 0 (0 counts differing coordinates, inf is the max). For p = 2
    it uses the matmul form when ``compute_mode`` says so (by default when P or R > 25).
    Derivative: vector_norm's of x1ᵢ − x2ⱼ; for p = 0 zero, for p = inf sign(δ) at every
    coordinate at the max (torch's kernels; p = inf skips nan differences).
    Raises RuntimeError for p < 0, 1-D input, integer input or different column counts.
    Raises TypeError when ``x1`` is not a Tensor."""
    require_tensor(x1, "cdist", "x1", 1)
    require_tensor(x2, "cdist", "x2", 2)
    if x1.ndim < 2 or x2.ndim < 2:
        bad, nd = ("X1", x1.ndim) if x1.ndim < 2 else ("X2", x2.ndim)
        raise RuntimeError(f"cdist only supports at least 2D tensors, {bad} got: {nd}D")
    for name, t in (("X1", x1), ("X2", x2)):
        if kind_of(t._data.dtype) != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{t.dtype.name}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"cdist: expected both inputs to have the same dtype, got "
                           f"{x1.dtype.name} and {x2.dtype.name}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _MODES and compute_mode is not None:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    batch = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    x1 = x1.expand(*batch, *x1.shape[-2:])
    x2 = x2.expand(*batch, *x2.shape[-2:])
    rows1, rows2 = x1.shape[-2], x2.shape[-2]
    mm = p == 2 and (compute_mode == "use_mm_for_euclid_dist" or (
        compute_mode in (None, _MODES[0]) and (rows1 > 25 or rows2 > 25)))
    if mm:
        return EuclideanDistFn.apply(x1, x2)
    if p == 0 or p == float("inf"):  # torch's kernels: nan and max differ from vector_norm's
        return ZeroInfDistFn.apply(x1, x2, p)
    diff = unsqueeze(x1, -2) - unsqueeze(x2, -3)  # (..., P, R, M)
    return L1DistFn.apply(diff) if p == 1 else vector_norm(diff, p, -1)


def pdist(input, p=2):
    """``torch.pdist`` (also ``F.pdist``): the p-norm distance between every pair of rows i < j
    of ``input`` (N, M), in row-major order (0,1), (0,2), …, (1,2), … -> (N(N−1)/2,); the
    condensed upper triangle of cdist(input, input). dtype: float32 or float64, kept. Raises
    RuntimeError for input that is not 2-D or not floating, and for p < 0; NotImplementedError
    for float16/bfloat16 (torch's CPU kernel has none). Derivative: that of vector_norm of
    xᵢ − xⱼ (0 where the distance is 0); for p = 0 zero, for p = inf sign(δ) at every
    coordinate at the max (torch's kernels; p = 0 and p = inf are nan at a nan difference).

    Shapes: input (N, M) → (N(N−1)/2,). Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "pdist")
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if kind_of(input._data.dtype) != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    no_kernel(input, "pdist", "e")  # torch's CPU kernel is float32/float64 only
    if p == 0 or p == float("inf"):  # torch's kernels: nan and max differ from vector_norm's
        return PdistZeroInfFn.apply(input, p)
    i, j = np.triu_indices(input.shape[0], 1)
    diff = input[i] - input[j]  # (N(N−1)/2, M)
    return L1DistFn.apply(diff) if p == 1 else vector_norm(diff, p, -1)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``torch.pairwise_distance`` (also ``F.pairwise_distance``): ‖x1 − x2 + ε‖ₚ over the last
    dim (of the operand with more dims); x1 and x2 broadcast. Shapes: (..., D), (..., D) ->
    (...) (or (..., 1) with keepdim). dtype: the promoted floating type of x1 − x2 + ε (integer
    inputs give the default float). p: any real (p < 0 and ±inf as vector_norm). Derivative:
    vector_norm's at x1 − x2 + ε, −that for x2. Raises RuntimeError when the shapes do not
    broadcast. Raises TypeError when ``x1`` is not a Tensor."""
    require_tensor(x1, "pairwise_distance", "x1", 1)
    require_tensor(x2, "pairwise_distance", "x2", 2)
    dim = max(x1.ndim, x2.ndim) - 1
    return vector_norm(x1 - x2 + eps, p, dim, keepdim)


__all__ = ["cdist", "pdist", "pairwise_distance"]

METHODS: dict = {}
