"""``torch.Size``: the type of ``x.shape``, a tuple of ints that prints as torch's."""

from __future__ import annotations

import operator


class Size(tuple):
    """``torch.Size``: a tuple that prints as ``torch.Size([2, 3])``. Raises TypeError for an
    argument that is not an iterable of ints (``Size([1.5])``; a 0-d integer tensor counts as an
    int, as in torch).

    Shapes: a shape, not a tensor (``Size([2, 3])`` describes a (2, 3) tensor)."""

    def __new__(cls, sizes=()):
        items = list(sizes)  # TypeError for a non-iterable, as torch
        try:
            return tuple.__new__(cls, [operator.index(s) for s in items])
        except TypeError:
            bad = next(i for i, s in enumerate(items) if not hasattr(s, "__index__"))
            raise TypeError(f"torch.Size() takes an iterable of 'int' (item {bad} is "
                            f"'{type(items[bad]).__name__}')") from None

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


def size_of(shape: tuple) -> Size:
    """``shape`` (already ints: an array's) as a Size without checking it again: ``x.shape``
    is called often, and the check above costs more than the tuple."""
    return tuple.__new__(Size, shape)
