"""``F.scaled_dot_product_attention``: softmax(Q Kᵀ · scale + bias) V, composed from matmul,
softmax and dropout (the backward is theirs: attention is not a new derivative).

Shapes: query (N, ..., L, E), key (N, ..., S, E), value (N, ..., S, Ev) -> (N, ..., L, Ev);
``attn_mask`` broadcastable to (N, ..., L, S): bool (True = take part; False → −inf) or float
(added to the scores). ``is_causal``: the top-left lower triangle of an (L, S) matrix takes part.
``enable_gqa``: grouped-query attention; key/value's head dim (−3) is repeated
``Hq // Hkv`` times, each head repeated in place (``repeat_interleave``).
``scale`` defaults to 1/√E. Rows whose every score is −inf give 0 (torch's ``_safe_softmax``),
not NaN. The result has query's dtype; q, k, v must share one floating dtype.
Raises RuntimeError for mixed dtypes, mismatched sizes, an attn_mask together with is_causal,
or heads that GQA cannot group.
"""

from __future__ import annotations

import math

from ...backend import get_array_module as _get_array_module
from ...creation import ones as _ones
from ...creation import zeros as _zeros
from ...dtype import bool_ as _bool
from ...ops.activation import softmax as _softmax
from ...ops.dropout import dropout as _dropout
from ...tensor import Tensor

__all__ = ["scaled_dot_product_attention"]


def _float_mask(mask: Tensor, dtype) -> Tensor:
    """A bool mask as an additive float bias: 0 where True, −inf where False."""
    if mask.dtype.is_floating_point:
        return mask
    return _zeros(*mask.shape, dtype=dtype, device=mask.device).masked_fill(
        mask.logical_not(), float("-inf"))


def _repeat_heads(x: Tensor, times: int) -> Tensor:
    """``x.repeat_interleave(times, -3)`` as unsqueeze + expand + reshape."""
    if times == 1:
        return x
    shape = tuple(x.shape)
    y = x.unsqueeze(-3).expand(*shape[:-2], times, *shape[-2:])
    return y.reshape(*shape[:-3], shape[-3] * times, *shape[-2:])


def safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim; a row that is all −inf gives zeros (and zero gradient)."""
    xp = _get_array_module(scores._data)
    dead = xp.all(scores._data == -xp.inf, axis=-1, keepdims=True)  # a constant, not recorded
    if not bool(dead.any()):
        return _softmax(scores, -1)
    dead_t = Tensor._wrap(dead)
    probs = _softmax(scores.masked_fill(dead_t, 0.0), -1)  # no NaN in forward or backward
    return probs.masked_fill(dead_t, 0.0)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q Kᵀ · scale + bias) V, with dropout(p) on the attention weights (always
    applied when ``dropout_p > 0``, as torch: pass 0.0 in eval mode). See the module docstring
    for shapes, masks and what is raised.

    Shapes: query (..., L, E), key (..., S, E), value (..., S, Ev) → (..., L, Ev); batch dims
    broadcast. Raises RuntimeError for key and value with different lengths.
    """
    name = "scaled_dot_product_attention"
    q, k, v = query, key, value
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(f"{name}: Expected query, key, and value to have the same dtype, but "
                           f"got query.dtype: {q.dtype} key.dtype: {k.dtype} and value.dtype: "
                           f"{v.dtype} instead.")
    if not q.dtype.is_floating_point:
        raise RuntimeError(f"{name}: expected a floating dtype, got {q.dtype}")
    if q.dim() < 2 or k.dim() < 2 or v.dim() < 2:
        raise RuntimeError(f"{name}: query, key and value must be at least 2-D, got "
                           f"{q.dim()}-D, {k.dim()}-D and {v.dim()}-D")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise RuntimeError(f"{name}: incompatible shapes query {list(q.shape)}, key "
                           f"{list(k.shape)}, value {list(v.shape)}")
    if is_causal and attn_mask is not None:
        raise RuntimeError(f"{name}: _scaled_dot_product_attention: Explicit attn_mask should "
                           "not be set when is_causal=True")
    if attn_mask is not None and not (attn_mask.dtype.is_floating_point
                                      or attn_mask.dtype == _bool):
        raise RuntimeError(f"{name}: Expected attn_mask dtype to be bool or float or to match "
                           f"query dtype, but got attn_mask.dtype: {attn_mask.dtype}")
    if enable_gqa and q.dim() >= 3 and k.dim() >= 3:
        hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError(f"{name}: number of heads in query ({hq}) must be divisible by "
                               f"the number of heads in key ({hk}) and value ({hv})")
        k, v = _repeat_heads(k, hq // hk), _repeat_heads(v, hq // hv)
    L, S = q.shape[-2], k.shape[-2]
    factor = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = (q @ k.transpose(-2, -1)) * factor  # (…, L, S)
    if is_causal:  # torch's math: the causal mask is an added −inf bias, not a masked_fill, so
        # a masked score's gradient is 0·(upstream), nan where the upstream is (as torch's)
        attn_mask = _ones(L, S, dtype=_bool, device=q.device).tril(0)
    if attn_mask is not None:
        scores = scores + _float_mask(attn_mask, q.dtype)
    weights = safe_softmax(scores)
    if dropout_p > 0.0:
        weights = _dropout(weights, dropout_p, True)
    return weights @ v
