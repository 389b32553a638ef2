"""``F.ctc_loss``: Connectionist Temporal Classification (Graves et al., 2006), the forward
(α) recursion in log space, composed of differentiable tensor ops, one step per time frame.

The target y (length S) is extended with blanks: l' = (b, y₁, b, y₂, …, y_S, b), length 2S+1.
α₀(0) = x₀(b), α₀(1) = x₀(y₁), and for t > 0

    α_t(s) = x_t(l'_s) + logsumexp(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2))

where the s−2 term is allowed only for a label that differs from the label two states back.
The loss is −logsumexp(α_{T−1}(2S), α_{T−1}(2S−1)). Its gradient and second derivative come
from the ops (autograd through the recursion, instead of the α·β formula torch's kernel uses).

Unreachable states hold a large finite negative number instead of −inf, so that exp(·) is an
exact 0 and no 0·inf reaches a gradient; an infeasible alignment gives loss = inf, as torch.
"""

from __future__ import annotations

import numpy as np

from ...backend import to_device, to_numpy
from ...ops.join import cat, stack
from ...ops.select import where
from ...tensor import Tensor
from .loss import _check_reduction

_NEG = -1e30  # "log 0" that stays finite


def _ints(v, n: int, what: str) -> np.ndarray:
    a = to_numpy(v._data) if isinstance(v, Tensor) else np.asarray(v)
    a = np.broadcast_to(a.astype(np.int64).reshape(-1), (n,)) if a.size in (1, n) else None
    if a is None:
        raise RuntimeError(f"ctc_loss: expected {what} to have {n} entries (one per batch "
                           f"element)")
    return a


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """``F.ctc_loss``: −log p(y | x), summed over every alignment of y to the T frames.

    Shapes: log_probs (T, N, C) (or (T, C) unbatched) of log-softmax outputs; targets (N, S)
    padded, or 1-D concatenated (sum(target_lengths)); input_lengths and target_lengths (N)
    ints or tensors. Result: (N) with 'none'; 'mean' divides each loss by its target length
    (at least 1) and averages over the batch; 'sum' sums. zero_infinity=True replaces infinite
    losses (and their gradients) by 0. Raises ValueError for an unknown reduction and
    RuntimeError for mismatched lengths.
    """
    _check_reduction(reduction)
    unbatched = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    T, N, _C = lp.shape
    in_len = _ints(input_lengths, N, "input_lengths")
    tl = _ints(target_lengths, N, "target_lengths")
    tv = to_numpy(targets._data) if isinstance(targets, Tensor) else np.asarray(targets)
    if tv.ndim == 1 and not unbatched:  # concatenated targets
        offs = np.concatenate([[0], np.cumsum(tl)])
        rows = [tv[offs[i]:offs[i + 1]] for i in range(N)]
    else:
        tv2 = tv.reshape(N, -1)
        rows = [tv2[i, :tl[i]] for i in range(N)]
    if (in_len > T).any():
        raise RuntimeError(f"ctc_loss: Expected input_lengths to have value at most {T}, but "
                           f"got value {in_len.max()}")
    S = max([len(r) for r in rows] + [0])
    L = 2 * S + 1
    ext = np.full((N, L), blank, dtype=np.int64)
    for i, r in enumerate(rows):
        ext[i, 1:2 * len(r):2] = r
    skip = np.zeros((N, L), dtype=bool)  # s−2 allowed: a label unlike the one two back
    skip[:, 3::2] = ext[:, 3::2] != ext[:, 1:-2:2]
    valid = np.arange(L)[None, :] < (2 * tl[:, None] + 1)

    dev = lp.device
    const = lambda a: Tensor._wrap(to_device(a, dev))  # noqa: E731
    idx = const(np.broadcast_to(ext[None], (T, N, L)).copy())
    em = lp.gather(2, idx)  # (T, N, L): x_t(l'_s)
    em = where(const(valid[None]), em, _NEG)
    init = np.zeros((N, L), dtype=bool)
    init[:, 0] = True
    init[:, 1] = tl > 0
    alpha = where(const(init), em[0], _NEG)
    neg1 = alpha[:, :1] * 0 + _NEG
    skip_t = const(skip)
    for t in range(1, T):
        a1 = cat([neg1, alpha[:, :-1]], 1)
        a2 = where(skip_t, cat([neg1, neg1, alpha[:, :-2]], 1) if L > 2 else alpha * 0 + _NEG,
                   _NEG)
        new = stack([alpha, a1, a2], 2).logsumexp(2) + em[t]
        new = where(const(valid), new, _NEG)
        alpha = where(const((t < in_len)[:, None]), new, alpha)  # frozen past the input's end
    last = const(2 * tl[:, None])
    ends = cat([alpha.gather(1, last), where(const(tl[:, None] > 0),
                                            alpha.gather(1, const(np.maximum(2 * tl - 1, 0)
                                                                  [:, None])), _NEG)], 1)
    ll = ends.logsumexp(1)
    infeasible = const(to_numpy(ll.detach()._data) < _NEG / 2)
    loss = where(infeasible, 0.0 if zero_infinity else float("inf"), -ll)
    # torch's gradient is the one w.r.t. the logits before log_softmax: it adds e^{x_t(c)} for
    # every frame t < input_length (aten LossCTC.cpp). Add that term with value 0.
    frames = const((np.arange(T)[:, None] < in_len[None, :])[:, :, None])
    extra = where(frames, lp.exp(), 0.0).sum(dim=(0, 2))
    if zero_infinity:
        extra = where(infeasible, 0.0, extra)
    loss = loss + (extra - extra.detach())
    if reduction == "mean":
        loss = (loss / const(np.maximum(tl, 1).astype(lp._data.dtype))).mean()
    elif reduction == "sum":
        loss = loss.sum()
    elif unbatched:
        loss = loss.reshape(())
    return loss
