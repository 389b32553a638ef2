"""In-place ops (``add_``, ``x += y``, ``x[mask] = 0``, ``relu(x, inplace=True)`` ...), with
torch's semantics.

An in-place op writes into the tensor's own storage, so views and everyone holding the tensor
see the new values, and its version counter goes up (in every grad mode): a backward that
saved the old values then refuses to run instead of computing a wrong gradient.

When the graph is recorded, the tensor's history is *rebased*: ``x.mul_(y)`` computes
``mul(x_old, y)`` as an ordinary recorded op (from a snapshot of x's old values) and makes its
node x's ``grad_fn``. A write through a view of a tensor ``b`` (``b[0].mul_(2)``,
``b.view(-1).add_(1)``) rebases ``b`` too: :class:`CopySlices` is ``b`` with the view's region
replaced by the new values — its gradient sends the region's part to the new values and the
rest to ``b``'s old history (torch's CopySlicesFn).

torch's errors: in-place on a leaf that requires grad (or a view of one) while recording; a
write into an expanded tensor whose elements share memory; a result whose dtype cannot be cast
to the tensor's, or whose shape is not the tensor's.
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from .._args import require_tensor
from ..autograd import Function, is_grad_enabled, no_grad
from ..autograd.function import replay_view
from ..autograd.views import after_untracked_write, no_grad_view_error, view_op_name
from ..autograd.views import refresh as refresh_views
from ..autograd.views import take_history as _take_history
from ..backend import get_array_module, to_device
from ..dtype import kind_of
from ..tensor import Tensor
from ._dual import xp_of
from ._inplace_checks import check_inplace, untracked
from ._out import cannot_cast, cast_error
from ._overlap import check_no_partial_overlap
from ._setitem_index import in_bounds, setitem_index
from ._util import named, raise_broadcast_error
from .view_scatter import IndexPutFn


class CopySlicesFn(Function):
    """b_new = b with the region a view covers replaced by v (the view's new values)

    ∂b_new/∂b = 1 outside the region, 0 inside; ∂b_new/∂v = 1 inside (read back through the
    same view)."""

    array_io = True

    @staticmethod
    def forward(ctx, base, value, chain):
        ctx.chain = chain
        region = get_array_module(base).zeros(base.shape, dtype=bool)
        replay_view(chain, region)[...] = True  # which elements of b the view covers
        ctx.save_for_backward(region)
        return base  # the values were already written through the view

    @staticmethod
    def backward(ctx, g):
        (region,) = ctx.saved_tensors
        gb = xp_of(g).where(region, 0, g)  # the old b lives on outside the region
        return gb, replay_view(ctx.chain, g), None  # the new values fill the region


def records_write(self: Tensor, inputs=()) -> bool:
    """Whether an in-place write into ``self`` is recorded in the graph: grad mode is on and
    ``self``, the base it is a view of, or a Tensor among ``inputs`` requires grad."""
    return is_grad_enabled() and (
        self.requires_grad or (self._view is not None and self._view[0].requires_grad)
        or any(isinstance(a, Tensor) and a.requires_grad for a in inputs))


def inplace(self: Tensor, op: str, fn, *args, **kwargs) -> Tensor:
    """Write ``fn(self, *args, **kwargs)`` into ``self`` (the recipe of every ``op_``)."""
    record = records_write(self, args + tuple(kwargs.values()))
    if record and self._view is not None and self._view[2]:  # a view made under no_grad
        raise no_grad_view_error(self)
    check_inplace(self, op)
    reads = [a._data for a in args + tuple(kwargs.values()) if isinstance(a, Tensor)]
    if reads and type(self._data) is np.ndarray and op != "__setitem__":  # (it checks its region)
        check_no_partial_overlap(self._data, reads, op)
    if not record:
        with no_grad():
            try:
                out = fn(self, *args, **kwargs)
            except NotImplementedError as e:
                _cast_first(self, e, op)
                raise
        write(self, out, op)
        after_untracked_write(self)  # views' hooks: autograd/views.py
        return self
    node = self._node
    if self._view is not None and node is not None and (
            node.hooks or any(n.hooks for n in self._view[1])):
        # torch's CopySlices sends the gradient straight to the base's history, past the
        # view's grad_fn: hooks on the views never see it. A hook-free twin of the view
        node = replay_view(self._view[1], self._view[0])._node
    old = Tensor._wrap(self._data.copy(), node)  # the values before the write, as saved
    old._oi, old._rg = self._oi, self._rg
    try:
        out = fn(old, *args, **kwargs)
    except NotImplementedError as e:
        _cast_first(self, e, op)
        raise
    write(self, out, op)
    if self._view is None:  # rebase: self's history is now the op's
        _take_history(self, out)
        refresh_views(self)  # and its views show it (autograd/views.py)
    else:
        base, chain = self._view[0], self._view[1]
        new_base = CopySlicesFn.apply(_alias(base), out, chain)
        _take_history(base, new_base)
        _take_history(self, replay_view(chain, base))
        refresh_views(base, skip=self)
    return self


def _cast_first(self: Tensor, e: NotImplementedError, op: str) -> None:
    """A kernel missing for the result type (``e.dtype``, ops/_out.py missing_kernel): torch
    checks first that the result type can be cast to ``self`` (``x &= 0.5`` of an int64 x:
    RuntimeError "result type Float can't be cast to the desired output type Long")."""
    d = getattr(e, "dtype", None)
    if d is not None and cannot_cast(d, self._data.dtype):
        raise cast_error(d, self._data.dtype, op) from None


def write(self: Tensor, value, op: str) -> Tensor:
    """Copy ``value`` into self's storage (the same array: views and saved refs see it) and
    bump the version counter."""
    d = self._data
    xp = get_array_module(d)
    v = value._data if isinstance(value, Tensor) else value
    if hasattr(v, "dtype") and type(v) is not type(d) and getattr(v, "ndim", 0):
        v = to_device(v, self.device)
    vd = getattr(v, "dtype", None)
    vk = kind_of(vd) if vd is not None else ("f" if isinstance(v, float) else "i")
    if kind_of(d.dtype) in "iub" and vk == "f" or kind_of(d.dtype) == "b" and vk in "iu":
        result = _dt.torch_type_name(vd) if vd is not None else {"f": "Float"}.get(vk, "Long")
        raise RuntimeError(f"{op}: result type {result} can't be cast to the desired output "
                           f"type {_dt.torch_type_name(d.dtype)}")
    vshape = tuple(getattr(v, "shape", ()))
    if vshape != d.shape and (len(vshape) > d.ndim or any(
            a != 1 and a != b for a, b in zip(vshape[::-1], d.shape[::-1]))):
        raise RuntimeError(f"{op}: output with shape {list(d.shape)} doesn't match the "
                           f"broadcast shape {list(vshape)}")
    if d.ndim == 0:
        d[...] = v
    else:
        xp.copyto(d, v, casting="unsafe")
    self._version += 1
    return self


def _alias(t: Tensor) -> Tensor:
    """Another Tensor object standing for ``t``'s current history (same storage)."""
    a = Tensor._wrap(t._data, t._node)
    a._oi, a._rg = t._oi, t._rg
    if t.requires_grad and t._node is None:  # a leaf (only one without grad reaches here)
        return t
    return a


class FillFn(Function):
    """y = v everywhere (fill_, zero_): ∂y/∂x = 0; ∂y/∂v = Σ g when v is a 0-d tensor"""

    array_io = True

    @staticmethod
    def forward(ctx, x, value):
        ctx.shape = x.shape
        return get_array_module(x).full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        # x's old values are overwritten: a zero gradient, but a gradient (torch's
        # zeros_like(grad)), so the history before the write still gets zeros, not None
        gx = xp_of(g).zeros_like(g) if ctx.needs_input_grad[0] else None
        gv = xp_of(g).sum(g) if ctx.needs_input_grad[1] else None
        return gx, gv


class CopyFromFn(Function):
    """y = src broadcast to x's shape, in x's dtype (copy_): ∂y/∂x = 0, ∂y/∂src = 1"""

    node_name = "torch::autograd::CopyBackwards"  # torch's name for this node
    array_io = True

    @staticmethod
    def forward(ctx, x, src):
        xp = get_array_module(x)
        if type(src) is not type(x):
            src = to_device(src, Tensor._wrap(x).device)
        return xp.broadcast_to(src, x.shape).astype(x.dtype, copy=True)

    @staticmethod
    def backward(ctx, g):  # x's old values are overwritten: a zero gradient, as torch's
        gx = xp_of(g).zeros_like(g) if ctx.needs_input_grad[0] else None  # ∂y/∂x = 0
        return gx, g  # ∂y/∂src = 1 (the engine sums the broadcast copies back to src's shape)


def _fill(x, value):
    return FillFn.apply(x, value if isinstance(value, Tensor) else
                        _dt.checked_scalar(value, x._data.dtype, inf_ok=x._data.size == 1))


def fill(input, value):
    """``torch.fill``: a new tensor of input's shape and dtype holding ``value`` everywhere
    (a number, or a 0-d tensor whose gradient is the sum of g). Raises RuntimeError for a
    value tensor with dims. Derivative: 0 for input, Σ g for the value.

    Shapes: any; ``input`` keeps its shape (``value`` a number or a 0-d tensor).
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "fill")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    return _fill(input, value)


def zero_(input):
    """``torch.zero_``: fill ``input`` with zeros in place (``input.zero_()``).

    Shapes: any; ``input`` keeps its shape. Raises RuntimeError for a leaf that requires grad (while
    recording). Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "zero_")
    return input.zero_()


def _copy(x, src):
    if not isinstance(src, Tensor):
        src = Tensor._wrap(get_array_module(x._data).asarray(src))
    try:
        return CopyFromFn.apply(x, src)
    except ValueError:  # NumPy's broadcast_to refused: torch's RuntimeError, naming the shapes
        shapes = (x._data.shape, src._data.shape)
        try:
            both = np.broadcast_shapes(*shapes)
        except ValueError:
            raise_broadcast_error("copy_", *shapes)
        raise RuntimeError(f"copy_: output with shape {list(shapes[0])} doesn't match the "
                           f"broadcast shape {list(both)}") from None


def _method(op: str, fn):
    def method(self, *args, **kwargs):
        return inplace(self, op, fn, *args, **kwargs)

    method.__name__ = method.__qualname__ = op
    method.__doc__ = (
        f"In-place ``{op.rstrip('_')}``: writes the result into this tensor.\n\nShapes: the "
        "result must have this tensor's shape (the other operands broadcast to it). Raises "
        "RuntimeError when the result's dtype cannot be cast to this tensor's, or, while "
        "recording, when this tensor is a leaf that requires grad (or a view of one).")
    return method


# in-place forms torch has, each = the out-of-place method of the same name, written back
def _by_name(name: str):
    """The out-of-place method ``name``, looked up when called (ops bind it onto Tensor)."""
    return lambda x, *a, **k: getattr(x, name)(*a, **k)


def inplace_methods(names) -> dict:
    """``exp_`` for each ``exp`` in ``names``: the out-of-place method, written back with torch's
    in-place semantics (each ops module lists its ops that have an in-place form in INPLACE)."""
    return {f"{n}_": untracked(_method(f"{n}_", _by_name(n))) for n in names}


def _methods() -> dict:
    """The in-place operators and writes that are not an op written back."""
    ops = {"zero_": lambda x: named(_fill(x, 0), "ZeroBackward0"),
           "fill_": lambda x, value: named(fill(x, value), "FillBackward3" if isinstance(
               value, Tensor) else "FillBackward2"),
           "copy_": lambda x, src, non_blocking=False: _copy(x, src),
           "__iadd__": _by_name("add"), "__isub__": _by_name("sub"),
           "__imul__": _by_name("mul"), "__itruediv__": _by_name("div")}
    methods = {name: _method(name, fn) for name, fn in ops.items()}
    methods["__setitem__"] = setitem
    return methods


def setitem(self: Tensor, idx, value) -> None:
    """``x[idx] = value``: an in-place write (rebases x's history when recording)."""
    m = idx._data if isinstance(idx, Tensor) else idx
    if getattr(m, "dtype", None) is not None and kind_of(m.dtype) == "b" and m.ndim == 0:
        if not bool(m):  # x[False] = v writes nothing (torch's checks still apply; and it is
            check_inplace(self, "__setitem__")  # recorded: v's gradient is 0); x[True] = v all
            if not (isinstance(value, Tensor) and records_write(self, (value,))):
                return
            nidx, advanced = (get_array_module(m).zeros(self._data.shape, bool),), True
        else:
            nidx, advanced = (Ellipsis,), False
    else:
        nidx, advanced = setitem_index(self, idx, check_inplace)
    if isinstance(value, _dt.NUMBERS):
        if type(value) is int and not -2**63 <= value < 2**63:  # torch reads it as an int64
            raise ValueError(f"__setitem__: Overflow when unpacking long long (the value {value} "
                             f"is beyond int64)")
        value = _dt.checked_scalar(value, self._data.dtype, inf_ok=True)  # torch's rule
    elif isinstance(value, Tensor) and advanced and value._data.dtype != self._data.dtype and not (
            value._data.size == 1 and isinstance(idx, Tensor) and kind_of(idx._data.dtype) == "b"):
        # torch's index_put_ takes no other dtype (a one-element value under one bool mask is
        # masked_fill_, which casts); the in-place checks and the index come first
        check_inplace(self, "__setitem__")
        in_bounds(self._data, nidx)
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{_dt.torch_type_name(self._data.dtype)} for the destination and "
                           f"{_dt.torch_type_name(value._data.dtype)} for the source.")
    v = value if isinstance(value, Tensor) else Tensor._wrap(
        get_array_module(self._data).asarray(value, dtype=self._data.dtype))
    if (self._view is not None and self._view[2] and not advanced and is_grad_enabled()
            and self._view[0].requires_grad):  # torch writes through self[idx]: its name
        raise no_grad_view_error(self, view_op_name(_Probe(nidx)))

    def put(x, v):
        lead = next((k for k, n in enumerate(v.shape) if n != 1), v.ndim)
        if lead:  # torch drops the value's leading size-1 dims first (its gradient too)
            v = v.reshape(v.shape[lead:])
        try:
            return IndexPutFn.apply(x, v, nidx, advanced)
        except IndexError as e:
            if advanced:  # an index out of range: torch's IndexError
                raise IndexError(f"__setitem__: {e}".replace(" axis ", " dimension ")) from None
            raise RuntimeError(f"__setitem__: cannot assign a value of shape {list(v.shape)} "
                               f"into tensor of shape {list(x.shape)} at {idx!r}: {e}") from None
        except ValueError as e:  # (recorded: torch checks the value's shape first)
            raise RuntimeError(f"__setitem__: cannot assign a value of shape {list(v.shape)} "
                               f"into tensor of shape {list(x.shape)} at {idx!r}: {e}") from None

    check_inplace(self, "__setitem__")
    d, va = self._data, v._data
    if not advanced and isinstance(va, np.ndarray) and type(d) is np.ndarray:
        check_no_partial_overlap(d[nidx], [va], "__setitem__")  # torch's copy_ into the region
    if records_write(self, (v,)):
        inplace(self, "__setitem__", put, v)  # recorded: IndexPut, then the rebase
        return
    # not recorded: write only the region, in place (the whole tensor is not copied, and
    # the write is correct on views whose windows overlap, such as unfold's)
    if type(va) is not type(d) and getattr(va, "ndim", 0):
        va = to_device(va, self.device)
    try:
        d[nidx] = va
    except IndexError as e:
        if advanced:  # an index out of range: torch's IndexError
            raise IndexError(f"__setitem__: {e}".replace(" axis ", " dimension ")) from None
        raise RuntimeError(f"__setitem__: cannot assign a value of shape {list(v.shape)} into "
                           f"tensor of shape {list(self.shape)} at {idx!r}: {e}") from None
    except ValueError as e:
        if advanced:  # not recorded: torch checks the index before the value's shape
            in_bounds(d, nidx)
        raise RuntimeError(f"__setitem__: cannot assign a value of shape {list(v.shape)} into "
                           f"tensor of shape {list(self.shape)} at {idx!r}: {e}") from None
    self._version += 1
    after_untracked_write(self)


class _Probe:
    """What :func:`view_op_name` reads of a ``x[idx]`` node, for the view setitem writes
    through."""

    def __init__(self, idx):
        self.__dict__["node_name"] = "GetItemBackward0"
        self.__dict__["idx"] = idx if isinstance(idx, tuple) else (idx,)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["fill", "zero_"]

METHODS = _methods()
