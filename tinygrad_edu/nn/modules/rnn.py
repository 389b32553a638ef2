"""nn.RNN, nn.LSTM, nn.GRU with torch's parameter names, gate order, init and I/O shapes.

The cells are composed from differentiable ops (linear, sigmoid, tanh, *, +, stack), so the
engine's ordinary backward IS backpropagation through time: the graph of the unrolled loop
is walked in reverse, and h_t's gradient collects contributions from the output at t and from
step t + 1. Per layer and direction the input projection x_t W_ihᵀ + b_ih is one GEMM over all
time steps at once; only h_{t−1} W_hhᵀ + b_hh runs inside the loop.

Cells (torch's formulas; ⊙ is the elementwise product):

    RNN:   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)              (or relu)
    LSTM:  i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh)     (gate order i, f, g, o)
           c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g),   h' = σ(o) ⊙ tanh(c')
           (proj_size > 0: h' = W_hr (σ(o) ⊙ tanh(c')), W_hr of shape (proj_size, hidden))
    GRU:   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
           n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h
                                                               (gate order r, z, n)
"""

from __future__ import annotations

import math
import numbers
import warnings

from ...autograd import Function
from ...creation import zeros as _zeros
from ...ops._dual import xp_of
from ...ops.activation import relu as _relu
from ...ops.activation import sigmoid as _sigmoid
from ...ops.activation import tanh as _tanh
from ...ops.join import cat as _cat
from ...ops.join import stack as _stack
from ...ops.matmul import linear as _linear
from ...ops.shape import transpose as _transpose
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..parameter import uninitialized as _empty
from ..utils.rnn import PackedSequence
from ._lstm_cell import LSTMCellFn, LSTMLayerFn
from ._rnn_packed import packed_forward
from .module import Module

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class _SplitFn(Function):
    """(x₀, x₁, …) = equal pieces of x along ``axis`` (n pieces) — one node for all of them.

    The same values as ``x.unbind(axis)`` / ``x.chunk(n, axis)``, whose pieces are each a
    ``getitem``/``narrow`` node: each of those sends back a FULL-size zero array with its
    piece filled in, so splitting the (T, N, 4H) input projection into T steps costs T
    full-size zero arrays and T full-size additions in the backward — O(T²) memory traffic.
    Here the backward is one concatenation of the pieces' gradients: O(T). ``squeeze`` drops
    the split axis (unbind) or keeps it (chunk). Internal to the cells: the pieces are views
    that no caller writes to.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, n, axis, squeeze):
        ctx.axis, ctx.squeeze = axis, squeeze
        step = x.shape[axis] // n
        lead = (slice(None),) * axis
        if squeeze:
            return tuple(x[lead + (i,)] for i in range(n))
        return tuple(x[lead + (slice(i * step, (i + 1) * step),)] for i in range(n))

    @staticmethod
    def backward(ctx, *gs):
        xp = xp_of(gs[0])
        return (xp.stack(gs, ctx.axis) if ctx.squeeze else xp.concatenate(gs, ctx.axis),
                None, None, None)


def _unbind(x, axis):
    """x.unbind(axis) with an O(T) backward (see _SplitFn)."""
    return _SplitFn.apply(x, x.shape[axis], axis, True)


def _chunk(x, n, axis):
    """x.chunk(n, axis) for a size divisible by n, with one node (see _SplitFn)."""
    return _SplitFn.apply(x, n, axis, False)


def _rnn_cell(act):
    def step(x_proj, state, w_hh, b_hh):
        return act(x_proj + _linear(state, w_hh, b_hh))  # h' = act(W_ih x + b_ih + W_hh h + b_hh)

    return step


def _lstm_cell_reference(x_proj, state, w_hh, b_hh):
    """The LSTM cell composed of plain ops: the readable reference of :func:`_lstm_cell`."""
    h, c = state
    i, f, g, o = _chunk(x_proj + _linear(h, w_hh, b_hh), 4, 1)  # torch's gate order i, f, g, o
    c = _sigmoid(f) * c + _sigmoid(i) * _tanh(g)
    return _sigmoid(o) * _tanh(c), c


# nn.LSTM runs each layer and direction as ONE LSTMLayerFn node (False: the loop of cells below)
_FUSED_LSTM_LAYER = True


def _lstm_cell(x_proj, state, w_hh, b_hh):
    """The same cell as ONE fused node (fast path; see _lstm_cell.py): same outputs, bitwise."""
    return LSTMCellFn.apply(x_proj, state[0], state[1], w_hh, b_hh)


def _gru_cell(x_proj, h, w_hh, b_hh):
    i_r, i_z, i_n = _chunk(x_proj, 3, 1)  # torch's gate order r, z, n
    h_r, h_z, h_n = _chunk(_linear(h, w_hh, b_hh), 3, 1)
    r = _sigmoid(i_r + h_r)
    z = _sigmoid(i_z + h_z)
    n = _tanh(i_n + r * h_n)  # the reset gate scales W_hn h + b_hn (b_hn inside, as torch)
    return n + z * (h - n)  # = (1 − z) ⊙ n + z ⊙ h


def _projected_lstm_cell(w_hr):
    def step(x_proj, state, w_hh, b_hh):
        h, c = _lstm_cell_reference(x_proj, state, w_hh, b_hh)  # the fused cell wants h, c alike
        return _linear(h, w_hr), c  # LSTM(proj_size): h' = W_hr (σ(o) ⊙ tanh(c'))

    return step


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU (torch's ``nn.RNNBase``).

    Shapes: as :class:`RNN`, :class:`LSTM` and :class:`GRU`; a ``PackedSequence`` input gives a
    PackedSequence output and h_n at each sequence's last step (see _rnn_packed.py). Raises
    ValueError for a ``mode`` other than 'LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU' or a size that
    is not positive, TypeError for a size or flag of the wrong type.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: "
                            f"{type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if mode not in _GATES:  # torch: ValueError (a KeyError here once)
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size  # LSTM(proj_size): h' = W_hr h
        dirs = 2 if bidirectional else 1
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else real_hidden * dirs
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                shapes = [("weight_ih", (gate_size, layer_in)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                for name, shape in shapes:
                    setattr(self, name + sfx, Parameter(_empty(shape, device, dtype)))
                    self._flat_weights_names.append(name + sfx)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # torch: every weight and bias ~ U(±1/√hidden_size)
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op (torch uses it to make cuDNN's weight buffer contiguous)."""

    @property
    def all_weights(self) -> list:
        per = (4 if self.bias else 2) + (1 if self.proj_size > 0 else 0)
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + per]] for i in range(0, len(names), per)]

    # ---- forward --------------------------------------------------------------------------
    def _cell(self, sfx: str = ""):
        if self.proj_size > 0:
            return _projected_lstm_cell(getattr(self, "weight_hr" + sfx))
        return {"LSTM": _lstm_cell, "GRU": _gru_cell, "RNN_TANH": _rnn_cell(_tanh),
                "RNN_RELU": _rnn_cell(_relu)}[self.mode]

    def _check(self, input: Tensor, hx, is_lstm: bool):
        name = type(self).__name__
        w = getattr(self, self._flat_weights_names[0])
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                             f"model: model.to({input.dtype})")
        nd = input.dim()
        if nd not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {nd}D tensor instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        if hx is not None:
            hs = hx if is_lstm else (hx,)
            if is_lstm and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
                raise RuntimeError(f"{name}: hx must be a tuple (h_0, c_0)")
            for k, h in enumerate(hs):
                if h.dtype != input.dtype:  # torch raises too; the layer would cast silently
                    what = f"hidden[{k}]" if is_lstm else "hidden"
                    raise RuntimeError(f"{name}: expected {what} of dtype {input.dtype} (the "
                                       f"input's), got {h.dtype}")
                if h.dim() != nd:
                    raise RuntimeError(f"For {'unbatched' if nd == 2 else 'batched'} {nd}-D "
                                       f"input, hx should also be {nd}-D but got {h.dim()}-D "
                                       "tensor")

    def forward(self, input: Tensor, hx=None):
        if isinstance(input, PackedSequence):  # see _rnn_packed.py
            return packed_forward(self, input, hx)
        is_lstm = self.mode == "LSTM"
        self._check(input, hx, is_lstm)
        unbatched = input.dim() == 2
        x = input.unsqueeze(1) if unbatched else (
            _transpose(input, 0, 1) if self.batch_first else input)  # (T, B, F)
        if unbatched and hx is not None:
            hx = tuple(h.unsqueeze(1) for h in hx) if is_lstm else hx.unsqueeze(1)
        T, B = x.shape[0], x.shape[1]
        dirs = 2 if self.bidirectional else 1
        expect = (self.num_layers * dirs, B, self.proj_size or self.hidden_size)
        expect_c = (self.num_layers * dirs, B, self.hidden_size)
        if hx is None:
            h0 = _zeros(*expect, dtype=input.dtype, device=input.device)
            hx = (h0, _zeros(*expect_c, dtype=input.dtype, device=input.device)) if is_lstm else h0
        for k, (h, want) in enumerate(zip(hx if is_lstm else (hx,), (expect, expect_c))):
            if tuple(h.shape) != want:
                what = f"hidden[{k}]" if is_lstm else "hidden"
                raise RuntimeError(f"Expected {what} size {want}, got {list(h.shape)}")
        h_init = _unbind(hx[0] if is_lstm else hx, 0)
        c_init = _unbind(hx[1], 0) if is_lstm else None
        finals_h, finals_c = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                w_ih, w_hh = getattr(self, "weight_ih" + sfx), getattr(self, "weight_hh" + sfx)
                b_ih = getattr(self, "bias_ih" + sfx) if self.bias else None
                b_hh = getattr(self, "bias_hh" + sfx) if self.bias else None
                if is_lstm and _FUSED_LSTM_LAYER and not self.proj_size:  # fast: one node
                    out_d, h_t, c_t = LSTMLayerFn.apply(layer_in, h_init[k], c_init[k], w_ih,
                                                        w_hh, b_ih, b_hh, reverse=d == 1)
                    outs.append(out_d)
                    finals_h.append(h_t)
                    finals_c.append(c_t)
                    continue
                proj = _unbind(_linear(layer_in, w_ih, b_ih), 0)  # W_ih x_t + b_ih, all t at once
                cell = self._cell(sfx)
                state = (h_init[k], c_init[k]) if is_lstm else h_init[k]
                steps = range(T - 1, -1, -1) if d == 1 else range(T)
                hs = [None] * T
                for t in steps:  # the unrolled loop: autograd backpropagates through time
                    state = cell(proj[t], state, w_hh, b_hh)
                    hs[t] = state[0] if is_lstm else state
                outs.append(_stack(hs, 0))
                finals_h.append(state[0] if is_lstm else state)
                if is_lstm:
                    finals_c.append(state[1])
            layer_in = outs[0] if dirs == 1 else _cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)  # between layers only
        out = layer_in
        h_n = _stack(finals_h, 0)
        c_n = _stack(finals_c, 0) if is_lstm else None
        if unbatched:
            out = out.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if is_lstm else None
        elif self.batch_first:
            out = _transpose(out, 0, 1)
        return (out, (h_n, c_n)) if is_lstm else (out, h_n)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)


def _split_args(cls_name, args, kwargs, names):
    """torch's RNN/LSTM/GRU take (input_size, hidden_size, num_layers, ...) positionally too."""
    vals = dict(zip(names, args))
    for k in vals:
        if k in kwargs:
            raise TypeError(f"{cls_name}: got multiple values for argument '{k}'")
    vals.update(kwargs)
    return vals


_ARGS = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
         "bidirectional")


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (or relu).

    Shapes: input (L, N, H_in) ((N, L, H_in) with ``batch_first``; (L, H_in) unbatched), h_0
    (D·num_layers, N, H_out) → output (L, N, D·H_out), h_n (D·num_layers, N, H_out); D = 2 if
    bidirectional else 1. Raises RuntimeError for an input whose last dim is not input_size;
    ValueError for an input that is not 2-D or 3-D.
    """

    def __init__(self, *args, **kwargs) -> None:
        names = _ARGS[:3] + ("nonlinearity",) + _ARGS[3:]
        vals = _split_args("RNN", args, kwargs, names)
        nl = vals.pop("nonlinearity", "tanh")
        if nl == "tanh":
            mode = "RNN_TANH"
        elif nl == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nl}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, **vals)
        self.nonlinearity = nl


class LSTM(RNNBase):
    """Long short-term memory; forward(input, (h_0, c_0)) -> (output, (h_n, c_n)).

    Shapes: input (L, N, H_in) ((N, L, H_in) with ``batch_first``; (L, H_in) unbatched), h_0
    (D·num_layers, N, H_out), c_0 (D·num_layers, N, H_cell) → output (L, N, D·H_out), (h_n, c_n) of
    h_0's and c_0's shapes; D = 2 if bidirectional else 1, H_out = proj_size or hidden_size. Raises
    RuntimeError for an input whose last dim is not input_size; ValueError for an input that is not
    2-D or 3-D.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", **_split_args("LSTM", args, kwargs, _ARGS + ("proj_size",)))


class GRU(RNNBase):
    """Gated recurrent unit; forward(input, h_0) -> (output, h_n).

    Shapes: input (L, N, H_in) ((N, L, H_in) with ``batch_first``; (L, H_in) unbatched), h_0
    (D·num_layers, N, H_out) → output (L, N, D·H_out), h_n (D·num_layers, N, H_out); D = 2 if
    bidirectional else 1. Raises RuntimeError for an input whose last dim is not input_size;
    ValueError for an input that is not 2-D or 3-D.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("GRU", **_split_args("GRU", args, kwargs, _ARGS))
