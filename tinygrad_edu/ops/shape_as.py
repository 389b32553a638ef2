"""The views shaped after something else: another tensor's shape (``expand_as``, ``view_as``,
``reshape_as``), a target size (``broadcast_to``, and its adjoint ``sum_to_size``) or each other's
(``broadcast_tensors``). Each is :mod:`.shape`'s ``expand``/``view``/``reshape`` with the shape
worked out first.
"""

from __future__ import annotations

import numpy as np

from .._args import require_tensor, require_tensors
from ._util import raise_broadcast_error
from .shape import _shape_arg, expand, reshape, view


def broadcast_to(input, size):
    """``expand`` to ``size``. Shapes: input (*) → ``size``: size-1 dims stretched, new dims added
    in front, -1 keeps a dim. Raises RuntimeError for a size the input cannot be broadcast to.
    Raises TypeError when ``input`` is not a Tensor."""
    require_tensor(input, "broadcast_to")
    return expand(input, *size)


def expand_as(input, other):
    """``expand`` to ``other``'s shape. Shapes: input (*) → ``other``'s shape (size-1 dims
    stretched, new dims in front). Raises RuntimeError for an other the input cannot be broadcast
    to, TypeError when ``other`` is not a Tensor."""
    require_tensor(other, "expand_as", "other")
    return expand(input, *other._data.shape)


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape (views). Shapes: all the tensors → their
    common broadcast shape (torch's rules). Raises TypeError for an argument that is not a Tensor,
    RuntimeError for shapes that do not broadcast."""
    require_tensors(tensors, "broadcast_tensors")
    try:
        shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    except ValueError:
        raise_broadcast_error("broadcast_tensors", *(t._data.shape for t in tensors))
    return tuple(expand(t, *shape) for t in tensors)


def view_as(self, other):
    """``Tensor.view_as``: ``self.view(other.shape)`` — a view (shares memory) with ``other``'s
    shape. Raises RuntimeError when the element counts differ or self's strides cannot be
    viewed that way (call ``.reshape_as``). Gradient: reshaped back. Shapes: input (*) → ``other``'s
    shape, with the same number of elements. TypeError when ``other`` is not a Tensor."""
    require_tensor(other, "view_as", "other")
    return view(self, *other.shape)


def reshape_as(self, other):
    """``Tensor.reshape_as``: ``self.reshape(other.shape)`` — ``other``'s shape, a view when
    possible, else a copy. Raises RuntimeError when the element counts differ. Gradient:
    reshaped back. Shapes: input (*) → ``other``'s shape, with the same number of elements.
    TypeError when ``other`` is not a Tensor."""
    require_tensor(other, "reshape_as", "other")
    return reshape(self, *other.shape)


def sum_to_size(input, *size):
    """``Tensor.sum_to_size``: sum the broadcast copies down to ``size`` (the adjoint of
    expand: ``size`` must be expandable to the input's shape, else RuntimeError). Shapes: input (*)
    → ``size`` (which must broadcast to the input's shape). Raises RuntimeError for a size that does
    not broadcast to the input's shape."""
    size = _shape_arg(size, "sum_to_size", "size")
    shp = input._data.shape
    lead = len(shp) - len(size)
    if lead < 0 or any(n != 1 and n != shp[lead + i] for i, n in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shp)}}}.")
    if not size:  # torch's sum_to: an empty size is a full sum (int → int64 even for 0-d)
        return input.sum()
    if size == shp:
        return input
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(size)
                                      if n == 1 and shp[lead + i] != 1)
    out = input.sum(axes, keepdim=True) if axes else input  # method: no import of reduce
    return reshape(out, size) if out._data.shape != size else out


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["broadcast_tensors", "broadcast_to"]

METHODS = {"expand_as": expand_as, "broadcast_to": broadcast_to, "view_as": view_as,
           "reshape_as": reshape_as, "sum_to_size": sum_to_size}
