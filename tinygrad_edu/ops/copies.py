"""The ``*_copy`` twins of the view ops (``view_copy``, ``permute_copy``, ``diagonal_copy`` ...):
torch lists them for code that must not alias. Each is the view followed by a copy, so its
values and gradient are the view's; the result owns its memory.
"""

from __future__ import annotations

from ._util import named
from .diagonal import diagonal
from .shape import expand, permute, squeeze, t, transpose, unsqueeze, view
from .unary import clone
from .views import as_strided, narrow, unfold


def copy_named(view):
    """A copy of ``view`` whose node carries torch's name for the *_copy op: the view's node
    name + ``_copy`` (``PermuteBackward0_copy``)."""
    node = getattr(view, "_node", None)
    out = clone(view)
    return named(out, node.name() + "_copy") if node is not None else out


def _copy_of(fn, name: str):
    def copy(input, *args, **kwargs):
        return copy_named(fn(input, *args, **kwargs))

    copy.__name__ = copy.__qualname__ = name
    copy.__doc__ = (f"``{fn.__name__}`` into a new tensor (no memory shared with the input). "
                    f"Values, errors and gradient: those of ``{fn.__name__}``.\n\nShapes: as "
                    f"``torch.{fn.__name__}``. Raises as ``torch.{fn.__name__}``.")
    return copy


def _alias(input):
    return input[...]


def _expand(input, size, *, implicit=False):
    return expand(input, *size)


_alias.__name__ = "alias"
_expand.__name__ = "expand"

alias_copy = _copy_of(_alias, "alias_copy")
as_strided_copy = _copy_of(as_strided, "as_strided_copy")
diagonal_copy = _copy_of(diagonal, "diagonal_copy")
expand_copy = _copy_of(_expand, "expand_copy")


def narrow_copy(input, dim, start, length):
    """``narrow`` into a new tensor. torch checks this one differently: a dim past the end
    raises RuntimeError, and a negative length reports the range it would exceed.

    Shapes: input (*) → the shape with ``dim`` of size ``length``.
    """
    nd = input._data.ndim
    if nd and int(dim) >= nd:
        raise RuntimeError(f"narrow_copy(): Expected dim < {nd} (the number of dims) to be true, "
                           f"but got dim = {dim}")
    if int(length) < 0 and nd:
        n = input._data.shape[int(dim)]
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return named(clone(narrow(input, dim, start, length)), "NarrowCopyBackward0")

permute_copy = _copy_of(permute, "permute_copy")
squeeze_copy = _copy_of(squeeze, "squeeze_copy")
t_copy = _copy_of(t, "t_copy")
transpose_copy = _copy_of(transpose, "transpose_copy")
unfold_copy = _copy_of(unfold, "unfold_copy")
unsqueeze_copy = _copy_of(unsqueeze, "unsqueeze_copy")
view_copy = _copy_of(view, "view_copy")

# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["alias_copy", "as_strided_copy", "diagonal_copy", "expand_copy", "narrow_copy",
           "permute_copy", "squeeze_copy", "t_copy", "transpose_copy", "unfold_copy",
           "unsqueeze_copy", "view_copy"]

METHODS = {"narrow_copy": narrow_copy}
