"""Splitting: split, split_with_sizes, tensor_split, hsplit/vsplit/dsplit, chunk, unbind, their
``unsafe_*`` twins and ``*_copy`` forms, and ``_chunk_cat``. Every piece is a view (a slice) of
the input, so each backward writes the piece's gradient back into its slice.
"""

from __future__ import annotations

import numpy as np

from .._args import require_tensor
from ..autograd.views import mark_multi_output
from ..tensor import Tensor, _wrap_dim
from ._util import named
from .index import getitem
from .join import cat, tensor_list, unbind
from .padding import constant_pad_nd
from .shape import reshape
from .unary import clone
from .views import narrow


def _pieces(input, d: int, sizes, name: str) -> tuple:
    out, start = [], 0
    for s in sizes:
        out.append(named(narrow(input, d, start, s), name))
        start += s
    return tuple(out)


def split_with_sizes(input, split_sizes, dim=0):
    """Pieces of the given sizes along ``dim`` (they must sum to its size; views). Raises
    RuntimeError for a negative size or a wrong sum.

    Shapes: input (..., n, ...) → tensors with ``dim`` of the listed sizes (summing to n).
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "split_with_sizes")
    d = _wrap_dim(dim, input._data.ndim, "split_with_sizes")
    n = input._data.shape[d]
    sizes = [int(s) for s in split_sizes]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, "
                           f"but got split_sizes={sizes}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                           f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    return mark_multi_output(_pieces(input, d, sizes, "SplitWithSizesBackward0"),
                             "SplitWithSizes")


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes.
    Raises RuntimeError for a negative size, or 0 on a non-empty dim.

    Shapes: input (..., n, ...) → tensors with ``dim`` of size ``split_size`` (the last may be
    smaller) or of the listed sizes.
    """
    if not isinstance(split_size_or_sections, (int, np.integer)):
        return split_with_sizes(tensor, split_size_or_sections, dim)
    d = _wrap_dim(dim, tensor._data.ndim, "split")
    n = tensor._data.shape[d]
    step = int(split_size_or_sections)
    if step < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
    if step == 0 and n:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {n}")
    sizes = [min(step, n - i) for i in range(0, n, step)] if n else [0]
    return mark_multi_output(_pieces(tensor, d, sizes, "SplitBackward0"), "Split")


def unsafe_split(tensor, split_size_or_sections, dim=0):
    """``split`` (torch's unsafe twin skips view tracking; here it is the same).

    Shapes: input (..., n, ...) → tensors with ``dim`` of size ``split_size`` (the last may be
    smaller) or of the listed sizes. Raises RuntimeError for a negative size; IndexError for ``dim``
    out of range. Raises TypeError when ``tensor`` is not a Tensor.
    """
    require_tensor(tensor, "unsafe_split", "tensor", 1)
    pieces = mark_multi_output(split(tensor, split_size_or_sections, dim), "", keep=False)
    return tuple(named(p, "UnsafeSplitBackward0") for p in pieces)


def chunk(input, chunks, dim=0):
    """``chunks`` pieces along ``dim`` of size ceil(n / chunks) (fewer when they run out; an
    empty dim gives ``chunks`` empty pieces). Raises RuntimeError for chunks < 1.

    Shapes: input (..., n, ...) → up to ``chunks`` tensors with ``dim`` of size ceil(n / chunks)
    (the last may be smaller). Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "chunk")
    chunks = int(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, input._data.ndim, "chunk")
    n = input._data.shape[d]
    if n == 0:
        return mark_multi_output(_pieces(input, d, [0] * chunks, "SplitBackward0"), "Split")
    return split(input, -(-n // chunks), d)


def unsafe_chunk(input, chunks, dim=0):
    """``chunk`` (torch's unsafe twin; the same here).

    Shapes: input (..., n, ...) → up to ``chunks`` tensors with ``dim`` of size ceil(n / chunks)
    (the last may be smaller). Raises RuntimeError for chunks < 1; IndexError for ``dim`` out of
    range. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "unsafe_chunk")
    pieces = mark_multi_output(chunk(input, chunks, dim), "", keep=False)
    return tuple(named(p, "UnsafeSplitBackward0") for p in pieces)


def tensor_split(input, indices_or_sections, dim=0):
    """Split at the given indices (pieces x[:i₀], x[i₀:i₁], ..., x[iₖ:], clamped like Python
    slices) or into ``sections`` pieces as equal as possible (the first n % sections one
    larger). A tensor argument: 0-d means sections, 1-d indices. Raises RuntimeError for
    sections < 1 or a bad tensor argument.

    Shapes: input (..., n, ...) → tensors with ``dim`` cut at the indices (or into ``sections``
    near-equal pieces). Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "tensor_split")
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        a = ios._data
        if a.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {a.ndim} dims")
        if a.dtype != np.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {ios.dtype.name.capitalize()}")
        ios = int(a) if a.ndim == 0 else [int(v) for v in a.tolist()]
    d = _wrap_dim(dim, input._data.ndim, "tensor_split")
    n = input._data.shape[d]
    if isinstance(ios, (int, np.integer)):
        k = int(ios)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        return _pieces(input, d, sizes, "SplitBackward0")
    edges = [0] + [int(i) for i in ios] + [n]
    out = []
    for a, b in zip(edges, edges[1:]):
        a, b = min(max(a, 0), n), min(max(b, 0), n)
        key = (slice(None),) * d + (slice(a, max(a, b)),)
        out.append(named(getitem(input, key), "SliceBackward0"))
    return tuple(out)


def _direction_split(op: str, input, ios, dim: int, min_dims: int):
    nd = input._data.ndim
    if nd < min_dims:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dims} dimension, but "
                           f"got a tensor with {nd} dimensions!")
    if isinstance(ios, (int, np.integer)):
        n = input._data.shape[dim]
        if ios == 0 or n % ios:
            raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {n} is not divisible by the split_size "
                               f"{ios}!")
    elif not isinstance(ios, (list, tuple, Tensor)):
        raise TypeError(f"{op}() received an invalid combination of arguments: "
                        f"indices_or_sections must be an int or a list of ints, not "
                        f"{type(ios).__name__}")
    return tensor_split(input, ios, dim)


def hsplit(input, indices_or_sections):
    """``tensor_split`` along dim 1 (dim 0 for a 1-D tensor); an int must divide the size.

    Shapes: input (a, b, ...) → tensors (a, bᵢ, ...) along dim 1 ((aᵢ,) for 1-D). Raises
    RuntimeError for a 0-d input or sections that do not divide the size.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "hsplit")
    dim = 1 if input._data.ndim > 1 else 0
    return _direction_split("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input, indices_or_sections):
    """``tensor_split`` along dim 0 of a tensor with at least 2 dims.

    Shapes: input (a, b, ...) → tensors (aᵢ, b, ...) along dim 0. Raises RuntimeError for an input
    below 2 dims or sections that do not divide the size.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "vsplit")
    return _direction_split("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """``tensor_split`` along dim 2 of a tensor with at least 3 dims.

    Shapes: input (a, b, c, ...) → tensors (a, b, cᵢ, ...) along dim 2. Raises RuntimeError for an
    input below 3 dims. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "dsplit")
    return _direction_split("dsplit", input, indices_or_sections, 2, 3)


def _copies(fn, name):
    def copy(*args, **kwargs):
        require_tensor(args[0] if args else kwargs.get("input", kwargs.get("tensor")), name)
        return tuple(named(clone(p), p._node.name() + "_copy") if p._node is not None
                     else clone(p) for p in fn(*args, **kwargs))

    copy.__name__ = copy.__qualname__ = name
    copy.__doc__ = (f"``{fn.__name__}``, each piece a copy instead of a view.\n\nShapes: as "
                    f"``torch.{fn.__name__}``. Raises as ``torch.{fn.__name__}``.")
    return copy


split_copy = _copies(split, "split_copy")
split_with_sizes_copy = _copies(split_with_sizes, "split_with_sizes_copy")
unbind_copy = _copies(unbind, "unbind_copy")


def _chunk_cat(tensors, dim, num_chunks, *, out=None):
    """torch's ``_chunk_cat``: each tensor is cut into ``num_chunks`` equal chunks along ``dim``
    (zero-padded to a multiple of num_chunks), each chunk flattened after ``dim``; the results
    are joined along dim + 1: shape (*leading, num_chunks, Σ per-tensor chunk sizes)."""
    ts = tensor_list(tensors, "_chunk_cat")
    if not ts:
        raise RuntimeError("_chunk_cat expects a non-empty input tensor list")
    if num_chunks < 1:
        raise RuntimeError(f"_chunk_cat expects positive num_chunks, got {num_chunks}")
    nds = {t._data.ndim for t in ts}
    if dim < 0 and len(nds) > 1:
        raise RuntimeError("_chunk_cat expects non-negative dim when input tensors have "
                           "different ndims")
    for t in ts:
        if t._data.size == 0:
            raise RuntimeError("_chunk_cat expects non-empty tensor")
        if not -t._data.ndim <= dim < t._data.ndim:
            raise RuntimeError("_chunk_cat expects dim < ndim for all input tensors")
    d = dim % ts[0]._data.ndim
    lead = ts[0]._data.shape[:d]
    parts = []
    for t in ts:
        if t._data.shape[:d] != lead:
            raise RuntimeError("_chunk_cat expects same sizes of 0,...,dim-1 dimensions for all "
                               "tensors")
        n = t._data.shape[d]
        pad = -n % num_chunks
        if pad:
            widths = [0, 0] * (t._data.ndim - d - 1) + [0, pad]
            t = constant_pad_nd(t, widths, 0.0)
        parts.append(reshape(t, lead + (num_chunks, -1)))
    return cat(parts, d + 1, out=out)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["_chunk_cat", "chunk", "dsplit", "hsplit", "split", "split_copy",
           "split_with_sizes", "split_with_sizes_copy", "tensor_split", "unbind_copy",
           "unsafe_chunk", "unsafe_split", "vsplit"]

METHODS = {"split": split, "split_with_sizes": split_with_sizes, "tensor_split": tensor_split,
           "hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit, "chunk": chunk,
           "unsafe_chunk": unsafe_chunk, "unsafe_split": unsafe_split}
