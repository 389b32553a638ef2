"""The Tensor: an array, an optional gradient, and a link to the node that made it.

This file holds only what a tensor *is* (data, grad, dtype, device, version, printing). The
layers above attach behaviour: ``autograd/`` binds ``backward`` and the hooks, ``ops/`` binds
the math (``__add__``, ``relu`` ...), so layers stay one-way: backend -> tensor -> autograd ->
ops.
"""

from __future__ import annotations

import functools

import numpy as np

from . import dtype as _dt
from ._argtypes import require_bool
from ._format import tensor_repr
from ._grad_attr import data_to_assign as _data_to_assign
from ._grad_attr import detach_in_place as _detach_in_place
from ._grad_attr import grad_property, leaf_only, not_differentiable, requires_grad_property
from ._grad_attr import set_requires_grad_flag as _set_rg
from ._grad_attr import view_grad_fn as _view_grad_fn
from ._meta import _needs_data
from ._pydata import exact_ints, numpy_scalars_dtype
from ._pydata import flat as _flat
from ._pydata import nested_map as _nested_map
from ._size import Size, size_of  # noqa: F401  (Size: re-exported as tg.Size)
from .backend import device, device_of, get_array_module, to_device, to_numpy
from .dtype import kind_of


class Tensor:
    """A multi-dimensional array with reverse-mode autograd, shaped like ``torch.Tensor``."""

    # _data: the array; _grad: the ``grad`` property's Tensor or None; _rg: the
    # ``requires_grad`` property's bool (written directly by the engine); _node: the grad_fn (None
    # for a leaf); _oi: which output of _node this is; _vc: the version counter (a one-element
    # list shared by views); _view: (base, chain of view nodes) for a view; _accum: a leaf's
    # AccumulateGrad (weakref)
    __slots__ = (
        "_data", "_grad", "_rg", "_node", "_oi", "_vc", "_retains_grad", "_hooks",
        "_view", "_accum", "__weakref__",
    )
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected op

    # ---- construction -----------------------------------------------------------------------
    def __init__(self, *args, requires_grad: bool = False, device=None):
        """``tg.Tensor(data)`` makes a tensor of the default dtype (float32 unless
        ``set_default_dtype`` changed it); ``tg.Tensor(2, 3)`` an uninitialized (zero-filled
        here) one, as the legacy torch constructor does."""
        d = _dt.default_float()
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            arr = _as_array(args[0], d)
        else:
            arr = np.zeros(tuple(int(a) for a in args) or (0,), dtype=d.np)  # Tensor(): empty
        if device is not None:
            arr = to_device(arr, _device(device))
        self._init(arr, None)
        if requires_grad:
            self.requires_grad_(True)

    def _init(self, data, node) -> None:
        self._data = data
        self._grad = None
        self._rg = node is not None
        self._node = node
        self._oi = 0
        self._vc = None
        self._retains_grad = False
        self._hooks = None
        self._view = None
        self._accum = None

    @classmethod
    def _wrap(cls, data, node=None) -> "Tensor":
        """Fast internal constructor: wrap an array (no copy, no checks)."""
        t = object.__new__(cls)
        t._data = data
        t._grad = None
        t._rg = node is not None
        t._node = node
        t._oi = 0
        t._vc = None
        t._retains_grad = False
        t._hooks = None
        t._view = None
        t._accum = None
        return t

    # ---- what a tensor is ---------------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """A tensor sharing this one's storage, detached from the graph (as torch's ``.data``).
        (A new array object over the same memory: the engine tells saved values apart by
        identity, so ``x * x.data`` must not look like ``x * x``.)"""
        return Tensor._wrap(self._data.view())

    @data.setter
    def data(self, value) -> None:
        self._data = _data_to_assign(self, value._data if isinstance(value, Tensor) else
                                     _as_array(value, None))

    @property
    def shape(self) -> Size:
        return size_of(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape as a ``torch.Size`` (a tuple), or the length of dimension ``dim`` (negative
        dims count from the end). Raises IndexError for a dim out of range. Shapes: any; returns
        ``torch.Size`` of length ``dim()``, or an int with ``dim``."""
        if dim is None:
            return size_of(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def dtype(self) -> _dt.dtype:
        return _dt.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> device:
        return device_of(self._data)

    is_cuda = property(lambda self: self.device.type == "cuda")
    is_meta = property(lambda self: self.device.type == "meta", doc="on the meta device (no data)")

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        """The number of dimensions (0 for a scalar tensor); ``len(x.shape)``. Shapes: any; returns
        a Python int (bool for ``is_floating_point``)."""
        return self._data.ndim

    def numel(self) -> int:
        """The number of elements: the product of the shape (1 for a 0-d tensor, 0 if any
        dimension is 0). Shapes: any; returns a Python int (bool for ``is_floating_point``)."""
        return int(self._data.size)

    nelement = numel
    nbytes = property(lambda self: int(self._data.nbytes), doc="numel() · element_size(): the "
                      "bytes of the elements (not of the storage a view reads), as torch")
    itemsize = property(lambda self: self._data.itemsize, doc="element_size(), as a property")

    def element_size(self) -> int:
        """Bytes per element of the dtype (float32: 4, float64: 8, int64: 8, bool: 1). Shapes: any;
        returns a Python int (bool for ``is_floating_point``)."""
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        """True when the dtype is a floating dtype (float16/32/64), as torch.is_floating_point.
        Shapes: any; returns a Python int (bool for ``is_floating_point``)."""
        return kind_of(self._data.dtype) == "f"

    @property
    def is_leaf(self) -> bool:
        return (self._node if self._view is None else _view_grad_fn(self)) is None

    @property
    def grad_fn(self):
        return self._node if self._view is None else _view_grad_fn(self)

    # ---- the version counter: bumped by every in-place write. Views share it with their base
    # (as in torch), so writing through x[0:1] or x.view(...) also invalidates a backward that
    # saved x. Held lazily in a one-element list, made only when a view or a write needs it.
    @property
    def _version(self) -> int:
        vc = self._vc
        return 0 if vc is None else vc[0]

    @_version.setter
    def _version(self, value: int) -> None:
        if self._vc is None:
            self._vc = [value]
        else:
            self._vc[0] = value

    def _share_version_with(self, base: "Tensor") -> None:
        if base._vc is None:
            base._vc = [0]
        self._vc = base._vc

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous "
                f"(shape {list(self._data.shape)})"
            )
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if kind_of(self._data.dtype) not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:  # torch: np.asarray(t) would silently drop t's graph
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self.device.type != "cpu":  # as torch: no silent device-to-host copy
            raise TypeError(_NOT_HOST.format(_dev_name(self)))
        a = to_numpy(self._data)
        return a if dtype is None else a.astype(dtype)

    # ---- conversion -------------------------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number (float, int or bool by dtype).
        Raises RuntimeError when the tensor has more or fewer than one element. On the GPU this
        copies the value to the host (a synchronization). Shapes: one element (any number of dims) →
        a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        if self.is_meta:  # torch's RuntimeError (NotImplementedError naming an op that asks)
            raise _needs_data("Tensor.item() cannot be called on meta tensors", RuntimeError)
        return to_numpy(self._data).reshape(()).item()

    def tolist(self):
        """The values as (nested) Python lists of numbers; a 0-d tensor gives a plain number.
        Shapes: any; nested lists as deep as the tensor's dims (a number for 0-d)."""
        return to_numpy(self._data).tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a NumPy array, SHARING memory with the tensor on the CPU (a write to
        one shows in the other), as torch's ``.numpy()``. Raises RuntimeError when the tensor
        requires grad (``x.detach().numpy()``), TypeError on a CUDA tensor (``x.cpu().numpy()``);
        ``force=True`` does both for you and returns a copy; TypeError for a ``force`` that is not
        a bool (keyword-only, as torch's). Shapes: any; the array has the tensor's shape."""
        require_bool(force, "numpy", "force")
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if self.device.type != "cpu" and not force:
            raise TypeError(_NOT_HOST.format(_dev_name(self)))
        return to_numpy(self._data)

    def detach(self) -> "Tensor":
        """The same storage (and version counter, as torch), cut from the graph. Shapes: any; the
        output has the input's shape."""
        t = Tensor._wrap(self._data.view())  # same memory, a distinct array object: the
        t._share_version_with(self)  # engine tells saved values apart by identity (x * x.detach())
        return t

    def detach_(self) -> "Tensor":
        """Detach this tensor from the graph in place: it becomes a leaf that does not require
        grad (its grad_fn is dropped). Returns self. (torch refuses a view: prefer
        ``detach()`` on views.) Shapes: any; the output has the input's shape."""
        return _detach_in_place(self)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place and return self. Raises RuntimeError for a
        non-leaf when turning it off, and for a non-floating dtype when turning it on (only
        floating tensors can require gradients); TypeError when ``requires_grad`` is not a bool.
        Shapes: any; returns the tensor itself."""
        require_bool(requires_grad, "requires_grad_", "requires_grad", 1)
        if requires_grad and kind_of(self._data.dtype) != "f":
            raise RuntimeError(not_differentiable(self))
        if not requires_grad and self._node is not None:
            raise RuntimeError(leaf_only(False))
        _set_rg(self, bool(requires_grad))
        return self

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    # ---- printing ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        return tensor_repr(self)

    def __str__(self) -> str:
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 or self._data.size == 1 and spec:
            return format(self.item(), spec)
        return str(self)

    def __deepcopy__(self, memo):
        if self._node is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment"
            )
        new = type(self)._wrap(self._data.copy())
        new._rg = self._rg
        if self.grad is not None:
            new.grad = Tensor._wrap(self.grad._data.copy())
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):  # pickling by value (tg.save never pickles)
        return (_rebuild, (to_numpy(self._data), self.requires_grad, type(self),
                           str(self.device)))


def _rebuild(arr, requires_grad, cls=None, device_str="cpu"):
    """Unpickle: the values come back on the device they were pickled from (torch's rule)."""
    if device_str != "cpu":
        arr = to_device(arr, _device(device_str))
    t = (cls or Tensor)._wrap(arr)
    t._rg = requires_grad
    return t


Tensor.grad = grad_property(Tensor)  # x.grad = g checks g as torch does (see _grad_attr.py)
Tensor.requires_grad = requires_grad_property()  # x.requires_grad = b checks b, x as torch


# ---- helpers shared with the layers above ------------------------------------------------------
_NOT_HOST = ("can't convert {} device type tensor to numpy. Use Tensor.cpu() to copy the tensor "
             "to host memory first.")
_dev_name = lambda t: "cuda:0" if t.is_cuda else t.device.type  # noqa: E731 - torch's wording


def _device(d) -> device:
    return d if isinstance(d, device) else device(d)


def _wrap_dim(dim: int, ndim: int, op: str = "op") -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    return dim % n


def _as_array(data, dtype: _dt.dtype | None):
    """Array of ``data`` (lists, scalars, arrays, Tensors) with torch's default dtypes."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr if dtype is None else arr.astype(dtype.np, copy=False)
    if type(data).__module__.startswith("torch") and hasattr(data, "detach"):  # a torch tensor
        data = data.detach().cpu().numpy()
    xp = get_array_module(data)
    if xp is not np or isinstance(data, np.ndarray):
        if dtype is None:
            _dt.from_numpy_dtype(data.dtype)  # rejects unsupported dtypes with torch's message
            return data
        return data.astype(dtype.np, copy=False)
    if isinstance(data, np.generic):
        arr = np.asarray(data)
        return arr if dtype is None else arr.astype(dtype.np)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        if dtype is None:  # torch: each tensor's dtype, promoted with the numbers' defaults
            ts = [x.dtype for x in _flat(data) if isinstance(x, Tensor)]
            nums = [x for x in _flat(data) if not isinstance(x, Tensor)]
            dtype = functools.reduce(_dt.promote_types, ts + (
                [_dt.infer_python_dtype(nums)] if nums else []))
        data = _nested_map(data, lambda x: x.item() if isinstance(x, Tensor) else x)
    try:
        arr = np.asarray(data)
    except ValueError as e:
        raise ValueError(f"tensor(): could not make a tensor from ragged data: {e}") from None
    if arr.dtype.kind in "uO" and any(type(x) is int and not -2**63 <= x < 2**63
                                      for x in _flat([data])):  # NumPy: uint64, object
        if dtype is None or not (dtype.is_floating_point or dtype is _dt.bool_):
            raise ValueError(f"tensor(): Overflow when unpacking long long (a Python int beyond "
                             f"int64 in the data{'' if dtype is None else ' for ' + str(dtype)})")
        arr = np.asarray(data, dtype=np.float64)  # torch reads it as a double for these
    elif arr.dtype.type is np.float64 and isinstance(data, (list, tuple)):
        arr = exact_ints(data, arr, dtype)  # ints beside floats, or beyond int64
    if arr.dtype == object or arr.ndim == 0 and kind_of(arr.dtype) in "USV":  # torch: TypeError
        raise TypeError(f"tensor(): can't convert data of type {type(data).__name__}")
    if dtype is not None:  # Python numbers into an integer dtype: torch's overflow check
        _dt.check_integer_range(arr, dtype)
    elif isinstance(data, (list, tuple)):
        dtype = numpy_scalars_dtype(data, arr)  # NumPy scalars in the list keep their dtypes
        if dtype is not None:  # and their values are read exactly (not through NumPy's dtype)
            arr = np.asarray(data, dtype=(np.bool_, np.int64, np.float64)[dtype._cat])
    d = dtype or _dt.infer_python_dtype(arr)
    if arr.dtype is d.np:  # ints, bools, floats under a float64 default: no cast (errstate
        return arr  # alone costs 0.8 µs, a third of a small tensor())
    with np.errstate(over="ignore"):  # 1e40 in float32 is inf, silently (as torch)
        return arr.astype(d.np, copy=False)
