"""nn.RNNCell, nn.LSTMCell, nn.GRUCell: one time step of RNN/LSTM/GRU, torch's names and init.

A cell is the loop body of :mod:`.rnn` run once, so it reuses that module's step functions
(``_rnn_cell``, ``_lstm_cell``, ``_gru_cell``): x' = W_ih x + b_ih is computed here, the
recurrent half W_hh h + b_hh and the gates there. Formulas (⊙ the elementwise product):

    RNNCell:  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)                 (or relu)
    LSTMCell: i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh)        (gate order i, f, g, o)
              c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g),  h' = σ(o) ⊙ tanh(c')
    GRUCell:  r, z from σ(W_i· x + b_i· + W_h· h + b_h·);
              n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h

Shapes: input (N, H_in) or unbatched (H_in,); hidden (N, H) or (H,); weight_ih
(chunks·H, H_in), weight_hh (chunks·H, H), biases (chunks·H,) with chunks 1 / 4 / 3.
Init (torch's): every parameter ~ U(−1/√H, 1/√H). The result has the input's dtype; the
backward is the engine's ordinary one through the composed ops.
Raises ValueError for an input or hidden state that is not 1-D or 2-D, RuntimeError for an
inconsistent input_size / hidden_size / batch size (torch's messages).
"""

from __future__ import annotations

import math

from ...creation import zeros as _zeros
from ...ops.activation import relu as _relu
from ...ops.activation import tanh as _tanh
from ...ops.matmul import linear as _linear
from ...tensor import Tensor
from .. import init
from ..parameter import Parameter
from ..parameter import uninitialized as _empty
from .module import Module
from .rnn import _gru_cell, _lstm_cell, _rnn_cell


class RNNCellBase(Module):
    """The shared parameters, init and repr of the three cells (torch's ``nn.RNNCellBase``)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_empty((num_chunks * hidden_size, input_size), device, dtype))
        self.weight_hh = Parameter(_empty((num_chunks * hidden_size, hidden_size), device, dtype))
        if bias:
            self.bias_ih = Parameter(_empty((num_chunks * hidden_size,), device, dtype))
            self.bias_hh = Parameter(_empty((num_chunks * hidden_size,), device, dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, input: Tensor, hx, n_states: int):
        """Check dims, add the batch dim of an unbatched call, default hx to zeros."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        states = None if hx is None else (tuple(hx) if n_states == 2 else (hx,))
        for idx, value in enumerate(states or ()):
            if value.dim() not in (1, 2):
                what = f"hx[{idx}]" if n_states == 2 else "hidden"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {value.dim()}D "
                                 "instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if states is None:
            z = _zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device)
            states = (z,) * n_states
        elif not batched:
            states = tuple(s.unsqueeze(0) for s in states)
        if input.shape[1] != self.input_size:  # ATen's check_rnn_cell_forward_input/_hidden
            raise RuntimeError(f"{name}: input has inconsistent input_size: got "
                               f"{input.shape[1]} expected {self.input_size}")
        for k, s in enumerate(states):
            if s.shape[0] != input.shape[0]:
                raise RuntimeError(f"{name}: Input batch size {input.shape[0]} doesn't match "
                                   f"hidden{k} batch size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"{name}: hidden{k} has inconsistent hidden_size: got "
                                   f"{s.shape[1]}, expected {self.hidden_size}")
        return input, states, batched

    def _step(self, step, input: Tensor, state):
        x_proj = _linear(input, self.weight_ih, self.bias_ih)  # W_ih x + b_ih
        return step(x_proj, state, self.weight_hh, self.bias_hh)


class RNNCell(RNNCellBase):
    """An Elman RNN cell: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (``nonlinearity="relu"``:
    relu). forward(input, hx=None) -> h'.

    Shapes: input (N, H_in) or (H_in,), hx (N, H) or (H,) → h' (N, H) or (H,). Raises RuntimeError
    for an input whose last dim is not input_size; ValueError for an input that is not 1-D or 2-D.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, (h,), batched = self._prepare(input, hx, 1)
        if self.nonlinearity == "tanh":
            act = _tanh
        elif self.nonlinearity == "relu":
            act = _relu
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        out = self._step(_rnn_cell(act), input, h)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """A long short-term memory cell. forward(input, (h, c)=None) -> (h', c').

    Shapes: input (N, H_in) or (H_in,), h and c (N, H) or (H,) → h', c' (N, H) or (H,). Raises
    RuntimeError for an input whose last dim is not input_size; ValueError for an input that is not
    1-D or 2-D.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx=None):
        input, state, batched = self._prepare(input, hx, 2)
        h, c = self._step(_lstm_cell, input, state)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """A gated recurrent unit cell. forward(input, hx=None) -> h'.

    Shapes: input (N, H_in) or (H_in,), hx (N, H) or (H,) → h' (N, H) or (H,). Raises RuntimeError
    for an input whose last dim is not input_size; ValueError for an input that is not 1-D or 2-D.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, (h,), batched = self._prepare(input, hx, 1)
        out = self._step(_gru_cell, input, h)
        return out if batched else out.squeeze(0)
