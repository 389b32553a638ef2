"""nn.RNN / nn.LSTM / nn.GRU on a :class:`PackedSequence`, as torch.

torch runs step t on the first ``batch_sizes[t]`` sequences only (they are sorted by length,
longest first), so each sequence's recurrence stops at its own last step and h_n / c_n are the
states there. Here the packed data is unpacked to a padded (T, B, F) batch in sorted order,
and the usual unrolled loop runs with a mask: at step t, sequence j takes the cell's new state
if t < L_j and keeps its old one otherwise,

    state_t = where(t < L_j, cell(x_t, state_{t−1}), state_{t−1})

so the forward direction freezes at the last valid step and the reverse direction starts
from h_0 at it (padded steps leave h_0 untouched). ``where`` sends no gradient into the cell
at a padded step, and unpacking gives padded inputs zero gradient. The output is packed
again with the input's batch_sizes and indices; h_0 is taken in the caller's batch order
(permuted by sorted_indices) and h_n / c_n are returned in it (unsorted_indices), as torch.

Dropout between layers draws its mask on the padded batch, so under training it uses other
random numbers than torch (which draws on the packed data).
"""

from __future__ import annotations

import numpy as np

from ...creation import tensor as _tensor
from ...creation import zeros as _zeros
from ...ops.join import cat as _cat
from ...ops.join import stack as _stack
from ...ops.matmul import linear as _linear
from ...ops.select import where as _where
from .. import functional as F
from ..utils.rnn import PackedSequence, pad_packed_sequence


def _check(rnn, data, hx, is_lstm, batch):
    w = getattr(rnn, rnn._flat_weights_names[0])
    if data.dtype != w.dtype:
        raise ValueError(f"RNN input dtype ({data.dtype}) does not match weight dtype "
                         f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                         f"model: model.to({data.dtype})")
    if data.dim() != 2:
        raise ValueError(f"{type(rnn).__name__}: packed data should be 2-D (sum of lengths, "
                         f"input_size), got {data.dim()}-D")
    if data.shape[-1] != rnn.input_size:
        raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                           f"{rnn.input_size}, got {data.shape[-1]}")
    dirs = 2 if rnn.bidirectional else 1
    want = [(rnn.num_layers * dirs, batch, rnn.proj_size or rnn.hidden_size)]
    if is_lstm:
        want.append((rnn.num_layers * dirs, batch, rnn.hidden_size))
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise RuntimeError(f"{type(rnn).__name__}: hx must be a tuple (h_0, c_0)")
    if hx is not None:
        for k, (h, shape) in enumerate(zip(hx if is_lstm else (hx,), want)):
            if tuple(h.shape) != shape:
                what = f"hidden[{k}]" if is_lstm else "hidden"
                raise RuntimeError(f"Expected {what} size {shape}, got {list(h.shape)}")
    return want


def packed_forward(rnn, packed: PackedSequence, hx):
    """``rnn(packed, hx)`` → (PackedSequence output, h_n) or (…, (h_n, c_n)) for LSTM.

    Shapes: packed.data (ΣL_b, H_in), h_0 (D·num_layers, B, H_out) in the batch's original
    order → output data (ΣL_b, D·H_out) with the input's batch_sizes and indices, h_n / c_n
    as h_0 / c_0. ``batch_first`` does not apply. Raises as the padded forward does.
    """
    is_lstm = rnn.mode == "LSTM"
    data, batch_sizes, sorted_idx, unsorted_idx = packed
    bs = np.asarray(batch_sizes.numpy()).astype(np.int64)
    B, dev, dt = int(bs[0]), data.device, data.dtype
    want = _check(rnn, data, hx, is_lstm, B)
    x, _ = pad_packed_sequence(PackedSequence(data, batch_sizes))  # (T, B, F), sorted order
    T = x.shape[0]
    if hx is None:
        hx = tuple(_zeros(*w, dtype=dt, device=dev) for w in want)
    else:
        hx = tuple(hx) if is_lstm else (hx,)
        if sorted_idx is not None:  # h_0 comes in the caller's order
            hx = tuple(h.index_select(1, sorted_idx) for h in hx)
    running = [_tensor((np.arange(B) < bs[t]).reshape(B, 1), device=dev) for t in range(T)]
    dirs = 2 if rnn.bidirectional else 1
    finals = ([], [])
    layer_in = x
    for layer in range(rnn.num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
            w_hh = getattr(rnn, "weight_hh" + sfx)
            b_ih = getattr(rnn, "bias_ih" + sfx) if rnn.bias else None
            b_hh = getattr(rnn, "bias_hh" + sfx) if rnn.bias else None
            proj = _linear(layer_in, getattr(rnn, "weight_ih" + sfx), b_ih).unbind(0)
            cell = rnn._cell(sfx)
            state = (hx[0][k], hx[1][k]) if is_lstm else hx[0][k]
            hs = [None] * T
            for t in (range(T - 1, -1, -1) if d == 1 else range(T)):
                new = cell(proj[t], state, w_hh, b_hh)
                if is_lstm:
                    state = tuple(_where(running[t], n, s) for n, s in zip(new, state))
                else:
                    state = _where(running[t], new, state)
                hs[t] = state[0] if is_lstm else state
            outs.append(_stack(hs, 0))
            finals[0].append(state[0] if is_lstm else state)
            if is_lstm:
                finals[1].append(state[1])
        layer_in = outs[0] if dirs == 1 else _cat(outs, 2)
        if rnn.dropout and rnn.training and layer < rnn.num_layers - 1:
            layer_in = F.dropout(layer_in, rnn.dropout, True)
    # pack the (T, B, H) output with the input's batch_sizes: rows (t, j) for j < bs[t]
    t, j = np.meshgrid(np.arange(T), np.arange(B), indexing="ij")
    rows = (t * B + j)[j < bs[:, None]]
    out = layer_in.reshape(T * B, layer_in.shape[-1]).index_select(0, _tensor(rows, device=dev))
    h_n = [_stack(f, 0) for f in finals[:2 if is_lstm else 1]]
    if unsorted_idx is not None:
        h_n = [h.index_select(1, unsorted_idx) for h in h_n]
    out = PackedSequence(out, batch_sizes, sorted_idx, unsorted_idx)
    return (out, tuple(h_n)) if is_lstm else (out, h_n[0])
