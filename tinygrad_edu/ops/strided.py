"""Memory layout, torch's way: a tensor is a window on a *storage* (a flat run of elements),
given by a storage offset and a stride per dim; element (i₀, i₁, ...) lives at
``offset + Σ iₖ·strideₖ``. NumPy arrays are the same thing in bytes; here the storage of an
array is the NumPy array that owns its memory (the end of its ``.base`` chain).

Helpers for the ops that work on the layout itself (as_strided, unfold, diagonal views,
``Tensor.stride()``): no gradients here, only arrays.
"""

from __future__ import annotations

import numpy as np

from ..backend import get_array_module


def _address(a) -> int:
    """The address of ``a``'s first element (NumPy or CuPy)."""
    iface = getattr(a, "__cuda_array_interface__", None) or a.__array_interface__
    return iface["data"][0]


def storage_of(a):
    """``(root, offset)``: the array that owns ``a``'s memory (end of the ``.base`` chain) and
    the storage offset of ``a``'s first element in it, in elements of ``a``'s dtype."""
    xp = get_array_module(a)
    root = a
    while isinstance(root.base, xp.ndarray):
        root = root.base
    return root, (_address(a) - _address(root)) // a.dtype.itemsize


def strides_of(a) -> tuple:
    """``a``'s strides in elements (torch's ``stride()``); an empty array's are contiguous."""
    if a.size == 0 or a.ndim == 0:
        return contiguous_strides(a.shape)
    return tuple(s // a.dtype.itemsize for s in a.strides)


def contiguous_strides(shape) -> tuple:
    out, step = [], 1
    for n in reversed(tuple(shape)):
        out.append(step)
        step *= max(n, 1)
    return tuple(reversed(out))


def storage_size(root, itemsize: int) -> int:
    """How many elements of ``itemsize`` bytes the owning array ``root`` holds."""
    return root.nbytes // itemsize


def positions(shape, strides, offset, xp=np):
    """The storage position of every element of a window: ``offset + Σ iₖ·strideₖ`` (int64)."""
    pos = xp.full(tuple(shape), offset, dtype=np.int64)
    for k, (n, s) in enumerate(zip(shape, strides)):
        ax = [1] * len(shape)
        ax[k] = n
        pos = pos + (xp.arange(n, dtype=np.int64) * s).reshape(ax)
    return pos


def strided_view(a, shape, strides, offset):
    """A view on ``a``'s storage: element i = storage[offset + Σ iₖ·stridesₖ] (elements).

    The view's ``.base`` is the storage's owner, like every other view of it, so the autograd
    engine sees that it shares memory (version counter, in-place writes through views).
    """
    shape, strides = tuple(int(n) for n in shape), tuple(int(s) for s in strides)
    item = a.dtype.itemsize
    root, own = storage_of(a)
    xp = get_array_module(a)
    if xp is np:
        try:
            return np.ndarray(shape, a.dtype, buffer=root, offset=offset * item,
                              strides=tuple(s * item for s in strides))
        except (TypeError, ValueError):  # an owner without one contiguous buffer
            pass
    # CuPy, or memory NumPy cannot address as one buffer: step from a's own first element
    if offset < own and any(shape):
        raise NotImplementedError("as_strided: a window starting before the tensor's first "
                                  "element of a storage that NumPy cannot address as a whole")
    start = a.reshape(-1)[:1] if a.size else a
    return xp.lib.stride_tricks.as_strided(start, shape, tuple(s * item for s in strides))


def writable_diagonal(a, offset: int, dim1: int, dim2: int):
    """``a``'s diagonal as a view that can be written through (NumPy's is read-only)."""
    xp = get_array_module(a)
    d = xp.diagonal(a, offset, dim1, dim2)
    if xp is np and a.flags.writeable and not d.flags.writeable:
        d.flags.writeable = True
    return d
