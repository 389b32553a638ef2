"""In-place changes of shape: ``squeeze_``, ``unsqueeze_``, ``transpose_``, ``t_``,
``swapaxes_``/``swapdims_``, ``as_strided_`` (the tensor becomes a new view of its own memory,
no element moves), and ``resize_``/``resize_as_`` (a new shape over the same elements, in
row-major order; growing adds uninitialized elements, here zeros).

Under autograd the tensor's history becomes the view op applied to its old history, as for
every in-place op (ops/inplace.py), so gradients flow as through the out-of-place view.
"""

from __future__ import annotations

from .._args import require_tensor
from ..autograd import is_grad_enabled, no_grad
from ..autograd.views import take_history as _take_history
from ..backend import get_array_module
from ..tensor import Tensor
from .shape import squeeze, t, transpose, unsqueeze
from .views import as_strided


def _old_self(self: Tensor) -> Tensor:
    """Another Tensor object with self's storage, history and view chain."""
    a = Tensor._wrap(self._data, self._node)
    a._oi, a._rg, a._view = self._oi, self._rg, self._view
    a._share_version_with(self)
    return a


def _metadata(op: str, fn):
    def method(self, *args, **kwargs):
        record = is_grad_enabled() and self.requires_grad
        if record and self._node is None:
            raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        if record:
            out = fn(_old_self(self), *args, **kwargs)
        else:
            with no_grad():
                out = fn(_old_self(self), *args, **kwargs)
        self._data = out._data
        if self._view is not None:  # still a view of the same base, one more step along
            self._view = out._view
        if record:
            _take_history(self, out)
        return self

    method.__name__ = method.__qualname__ = op
    method.__doc__ = (f"In-place ``{op.rstrip('_')}``: this tensor becomes that view of its own "
                      "memory (no element is copied).\n\nShapes: as "
                      f"``torch.Tensor.{op.rstrip('_')}``. Raises as "
                      f"``torch.Tensor.{op.rstrip('_')}``.")
    return method


def resize_(self: Tensor, *sizes, memory_format=None) -> Tensor:
    """Give the tensor shape ``sizes``, keeping its elements in row-major order; new elements
    (when it grows) are uninitialized in torch, zeros here. Raises RuntimeError for a tensor
    that requires grad (torch: it cannot be resized) or a negative size.

    Shapes: any → ``sizes``.
    """
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(int(n) for n in sizes)
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(sizes)}")
    if self.requires_grad and is_grad_enabled():
        raise RuntimeError("cannot resize variables that require grad")
    d = self._data
    xp = get_array_module(d)
    n = 1
    for s in sizes:
        n *= s
    if n <= d.size and d.flags.c_contiguous:
        self._data = d.reshape(-1)[:n].reshape(sizes)  # same storage, as torch
    else:
        new = xp.zeros(n, dtype=d.dtype)
        k = min(n, d.size)
        new[:k] = d.reshape(-1)[:k]
        self._data = new.reshape(sizes)
    self._version += 1
    return self


def resize_as_(input: Tensor, the_template: Tensor, *, memory_format=None) -> Tensor:
    """``input.resize_(the_template.shape)``.

    Shapes: any → ``the_template``'s shape. Raises RuntimeError for an input that requires grad.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "resize_as_")
    require_tensor(the_template, "resize_as_", "the_template", 2)
    return resize_(input, tuple(the_template._data.shape))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["resize_as_"]

METHODS = {
    "squeeze_": _metadata("squeeze_", squeeze), "unsqueeze_": _metadata("unsqueeze_", unsqueeze),
    "transpose_": _metadata("transpose_", transpose), "t_": _metadata("t_", t),
    "swapaxes_": _metadata("swapaxes_", transpose), "swapdims_": _metadata("swapdims_", transpose),
    "as_strided_": _metadata("as_strided_", as_strided), "resize_": resize_,
    "resize_as_": resize_as_,
}
