"""``nn.utils.rnn``: batches of variable-length sequences, padded or packed, as torch.

A batch of B sequences of lengths L_0 ≥ L_1 ≥ … (after sorting) is held two ways:

- padded: one tensor (T, B, *) ((B, T, *) with ``batch_first``), T = max length, the tail of
  each shorter sequence filled with ``padding_value``;
- packed (:class:`PackedSequence`): ``data`` (ΣL_b, *) holds the valid steps time-major —
  step 0 of every sequence, then step 1 of every sequence still running, … — and
  ``batch_sizes[t]`` = how many sequences are still running at step t (an int64 CPU tensor).
  ``sorted_indices`` maps sorted position → original batch index (None when the input was
  already sorted), ``unsorted_indices`` is its inverse.

Every conversion is ONE ``index_select`` of rows (the padded case first gets an extra row
holding ``padding_value``), so gradients flow through pack and pad as through any gather:
each valid element gets its own gradient, padded positions get zero.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable

import numpy as np

from ...creation import full as _full
from ...creation import tensor as _tensor
from ...dtype import float16, float32, float64, int8, int16, int32, int64, uint8
from ...ops.join import cat as _cat
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]

_CPU_MSG = ("batch_sizes should always be on CPU. Instances of PackedSequence should never be "
            "created manually. They should be instantiated by functions like pack_sequence and "
            "pack_padded_sequences in nn.utils.rnn. "
            "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")


def _np(t) -> np.ndarray:
    """An int64 NumPy copy of an index tensor (on any device) or a list."""
    if isinstance(t, Tensor):
        return np.asarray(t.detach().cpu().numpy()).astype(np.int64)
    return np.asarray(t).astype(np.int64)


def _index(a: np.ndarray, device) -> Tensor:
    return _tensor(a.astype(np.int64), device=device)


def invert_permutation(permutation):
    """The inverse permutation p⁻¹ (p⁻¹[p[i]] = i) of a 1-D int64 tensor; None for None."""
    if permutation is None:
        return None
    p = _np(permutation)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size)
    return _index(inv, permutation.device)


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A packed batch of sequences: (data (ΣL_b, *), batch_sizes (T,) int64 on the CPU,
    sorted_indices (B,) or None, unsorted_indices (B,) or None).

    Made by :func:`pack_padded_sequence` / :func:`pack_sequence`, not by hand. Raises
    ValueError for ``batch_sizes`` not on the CPU.
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes), sorted_indices)
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError(_CPU_MSG)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> "PackedSequence":
        """``data.to(...)``; the indices follow data's device, batch_sizes stays on the CPU.
        Returns ``self`` when data is unchanged."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = (lambda t: None if t is None else t.to(data.device))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def cuda(self, *args, **kwargs) -> "PackedSequence":
        return self.to("cuda", *args, **kwargs)

    def cpu(self, *args, **kwargs) -> "PackedSequence":
        return self.to("cpu", *args, **kwargs)

    def double(self):
        return self.to(dtype=float64)

    def float(self):
        return self.to(dtype=float32)

    def half(self):
        return self.to(dtype=float16)

    def long(self):
        return self.to(dtype=int64)

    def int(self):
        return self.to(dtype=int32)

    def short(self):
        return self.to(dtype=int16)

    def char(self):
        return self.to(dtype=int8)

    def byte(self):
        return self.to(dtype=uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def _lengths(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1 or lengths.device.type != "cpu":
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.dim()}D {lengths.device.type} {lengths.dtype} tensor")
    return _np(lengths).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch: input (T, B, *) ((B, T, *) with ``batch_first``) and the B lengths
    (a list or a 1-D int64 CPU tensor) → :class:`PackedSequence` with data (ΣL_b, *) of
    input's dtype and device.

    ``enforce_sorted=True`` wants lengths in decreasing order (sorted_indices None); False
    sorts them (stably, as torch). Raises RuntimeError for unsorted lengths under
    ``enforce_sorted``, a length ≤ 0 or longer than T, or len(lengths) ≠ B.
    """
    lens = _lengths(lengths)
    if input.dim() < 2:
        raise RuntimeError(f"pack_padded_sequence: expected input of at least 2 dims (T, B, *), "
                           f"got shape {list(input.shape)}")
    T, B = (input.shape[1], input.shape[0]) if batch_first else input.shape[:2]
    if lens.size != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lens.size} (batch_size={B})")
    if enforce_sorted:
        if np.any(lens[:-1] < lens[1:]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        order, sorted_indices = np.arange(B), None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = _index(order, input.device)
    slens = lens[order]
    if slens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if slens[0] > T:  # torch reads past the end here; we refuse
        raise RuntimeError(f"pack_padded_sequence: a length ({int(slens[0])}) exceeds the padded "
                           f"sequence length {T} of input {list(input.shape)}")
    steps = np.arange(slens[0])
    batch_sizes = (slens[None, :] > steps[:, None]).sum(1)  # (T',) sequences running at step t
    t, j = np.meshgrid(steps, np.arange(B), indexing="ij")
    valid = j < batch_sizes[:, None]
    rows = order[j] * T + t if batch_first else t * B + order[j]  # row of (t, j) in input
    flat = input.reshape(T * B, *input.shape[2:])
    data = flat.index_select(0, _index(rows[valid], input.device))
    return PackedSequence(data, _index(batch_sizes, "cpu"), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length=None):
    """Inverse of :func:`pack_padded_sequence`: → (padded (T, B, *) or (B, T, *), lengths (B,)
    int64 on the CPU), in the batch's original order; T = ``total_length`` or the longest.

    Padded positions hold ``padding_value`` (data's dtype) and pass no gradient. Raises
    ValueError for a ``total_length`` below the longest sequence.
    """
    bs = _np(sequence.batch_sizes)
    T = bs.size
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {T}")
        T = total_length
    data = sequence.data
    B, N = int(bs[0]), data.shape[0]
    offset = np.concatenate([[0], np.cumsum(bs)[:-1]])
    unsorted = (np.arange(B) if sequence.unsorted_indices is None
                else _np(sequence.unsorted_indices))
    t, b = np.meshgrid(np.arange(T), np.arange(B), indexing="ij")
    j = unsorted[b]  # sorted position of original sequence b
    bs_t = np.concatenate([bs, np.zeros(T - bs.size, np.int64)])
    rows = np.where(j < bs_t[t], np.concatenate([offset, np.zeros(T - bs.size, np.int64)])[t] + j,
                    N)  # N: the padding row
    if batch_first:
        rows = rows.T
    pad = _full((1, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    ext = _cat([data, pad], 0)
    padded = ext.index_select(0, _index(rows.reshape(-1), data.device))
    padded = padded.reshape(*rows.shape, *data.shape[1:])
    lengths = (bs[None, :] > np.arange(B)[:, None]).sum(1)[unsorted]
    return padded, _index(lengths, "cpu")


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack B tensors (L_b, *) into (T, B, *) ((B, T, *) with ``batch_first``), T = max L_b,
    filling with ``padding_value`` on the right (or the left).

    dtype and device: those of ``sequences[0]`` (others are converted). Raises RuntimeError
    for a non-iterable, an empty list, trailing dims that do not broadcast to the
    first's, or a bad ``padding_side``.
    """
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of "
                           f"type: {type(sequences)}")
    seqs = tuple(sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    first = seqs[0]
    rest = tuple(first.shape[1:])
    pieces = []
    for s in seqs:  # as torch, trailing dims must broadcast to the first sequence's
        try:
            s = s if tuple(s.shape[1:]) == rest else s.expand(s.shape[0], *rest)
        except RuntimeError:
            raise RuntimeError(f"pad_sequence: trailing dims of shape {list(s.shape)} do not "
                               f"broadcast to the first sequence's {list(rest)}") from None
        pieces.append(s if s.dtype == first.dtype and s.device == first.device
                      else s.to(device=first.device, dtype=first.dtype))
    lens = np.array([s.shape[0] for s in seqs], np.int64)
    T, B = int(lens.max()), len(seqs)
    pad = _full((1, *rest), padding_value, dtype=first.dtype, device=first.device)
    ext = _cat(pieces + [pad], 0)
    N = int(lens.sum())
    offset = np.concatenate([[0], np.cumsum(lens)[:-1]])
    t, b = np.meshgrid(np.arange(T), np.arange(B), indexing="ij")
    start = 0 if padding_side == "right" else T - lens[b]  # where sequence b begins
    k = t - start
    rows = np.where((k >= 0) & (k < lens[b]), offset[b] + k, N)
    if batch_first:
        rows = rows.T
    out = ext.index_select(0, _index(rows.reshape(-1), first.device))
    return out.reshape(*rows.shape, *rest)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """Split a padded batch (T, B, *) ((B, T, *) with ``batch_first``) into B tensors (L_b, *)
    (copies). Unlike torch we do not transpose ``padded_sequences`` in place."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    lens = _np(lengths).reshape(-1)
    if lens.size != x.shape[0]:
        raise ValueError(f"unpad_sequence: {lens.size} lengths for a batch of {x.shape[0]}")
    return [x[b, :int(n)].clone() for b, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """``pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=...)``: B tensors
    (L_b, *) → :class:`PackedSequence`."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """Inverse of :func:`pack_sequence`: a list of B tensors (L_b, *) in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
