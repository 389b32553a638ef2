"""The Tensor: an array, an optional gradient, and a link to the node that made it.

This file holds only what a tensor *is* (data, grad, dtype, device, backward, printing).
The math lives in ``ops/``, which binds methods such as ``__add__`` and ``relu`` onto Tensor,
so that layers stay clean: backend -> autograd -> tensor -> ops.
"""

from __future__ import annotations

import numpy as np

from . import autograd
from . import dtype as _dt
from .backend import device, device_of, get_array_module, to_device, to_numpy


class Size(tuple):
    """``torch.Size``: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    """A multi-dimensional array with reverse-mode autograd, shaped like ``torch.Tensor``."""

    __slots__ = (
        "_data", "grad", "requires_grad", "_node", "_vc", "_retains_grad", "_hooks",
        "__weakref__",
    )
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected op

    # ---- construction -----------------------------------------------------------------------
    def __init__(self, *args, requires_grad: bool = False, device=None):
        """``tg.Tensor(data)`` makes a float32 tensor; ``tg.Tensor(2, 3)`` an uninitialized
        (zero-filled here) one, as the legacy torch constructor does."""
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            arr = _as_array(args[0], _dt.float32)
        else:
            arr = np.zeros(tuple(int(a) for a in args), dtype=np.float32)
        if device is not None:
            arr = to_device(arr, _device(device))
        self._init(arr, None)
        if requires_grad:
            self.requires_grad_(True)

    def _init(self, data, node) -> None:
        self._data = data
        self.grad = None
        self.requires_grad = node is not None
        self._node = node
        self._vc = None
        self._retains_grad = False
        self._hooks = None

    @classmethod
    def _wrap(cls, data, node=None) -> "Tensor":
        """Fast internal constructor: wrap an array (no copy, no checks)."""
        t = object.__new__(cls)
        t._data = data
        t.grad = None
        t.requires_grad = node is not None
        t._node = node
        t._vc = None
        t._retains_grad = False
        t._hooks = None
        return t

    # ---- what a tensor is ---------------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """A tensor sharing this one's storage, detached from the graph (as torch's ``.data``)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value) -> None:
        self._data = value._data if isinstance(value, Tensor) else _as_array(value, None)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def dtype(self) -> _dt.dtype:
        return _dt.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> device:
        return device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self):
        return self._node

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
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        if self.device.type != "cpu":  # as torch: no silent device-to-host copy
            raise TypeError(
                "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
                "tensor to host memory first."
            )
        a = to_numpy(self._data)
        return a if dtype is None else a.astype(dtype)

    # ---- conversion -------------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return to_numpy(self._data).reshape(()).item()

    def tolist(self):
        return to_numpy(self._data).tolist()

    def numpy(self, force: bool = False) -> np.ndarray:
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if self.device.type != "cpu" and not force:
            raise TypeError(
                "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
                "tensor to host memory first."
            )
        return to_numpy(self._data)

    def detach(self) -> "Tensor":
        """The same storage (and version counter, as torch), cut from the graph."""
        t = Tensor._wrap(self._data)
        t._share_version_with(self)
        return t

    def detach_(self) -> "Tensor":
        self._node = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients "
                f"(got {self.dtype})"
            )
        if not requires_grad and self._node is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._node is not None:
            import weakref

            self._retains_grad = True
            self._node.out_ref = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._node is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            lst = self._hooks
        else:
            self._node.register_hook(hook)
            lst = self._node.hooks
        return _RemovableHandle(lst, hook)

    # ---- autograd ---------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None,
                 _only=None):
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad."""
        if create_graph:
            raise NotImplementedError("backward(create_graph=True): higher-order gradients are "
                                      "not supported by tinygrad_edu")
        if not self.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs "
                    f"(backward() called on a tensor of shape {list(self._data.shape)}; "
                    "pass gradient=)"
                )
            g = get_array_module(self._data).ones_like(self._data)
        else:
            g = gradient._data if isinstance(gradient, Tensor) else _as_array(gradient, None)
            if g.shape != self._data.shape:
                raise RuntimeError(
                    f"backward(): gradient has shape {list(g.shape)} but the tensor has shape "
                    f"{list(self._data.shape)}"
                )
            if type(g) is not type(self._data):
                raise RuntimeError(
                    f"backward(): gradient is on {device_of(g)} but the tensor is on "
                    f"{self.device}"
                )
            g = g.astype(self._data.dtype, copy=False)
        if inputs is not None and _only is None:  # accumulate into these tensors only
            inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
            _only = autograd._Only(inputs, accumulate=True)
        autograd.run_backward(self, g, bool(retain_graph), _only)

    # ---- printing ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        return _format(self)

    def __str__(self) -> str:
        return _format(self)

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
        new.requires_grad = self.requires_grad
        if self.grad is not None:
            new.grad = Tensor._wrap(self.grad._data.copy())
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):  # pickling by value (tg.save never pickles)
        return (_rebuild, (to_numpy(self._data), self.requires_grad, type(self)))


def _rebuild(arr, requires_grad, cls=None):
    t = (cls or Tensor)._wrap(arr)
    t.requires_grad = requires_grad
    return t


class _RemovableHandle:
    def __init__(self, lst, item):
        self._lst, self._item = lst, item

    def remove(self) -> None:
        if self._item in self._lst:
            self._lst.remove(self._item)


autograd.Tensor = Tensor  # autograd wraps op outputs in Tensors


# ---- helpers shared with the layers above ------------------------------------------------------
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


def _infer_python_dtype(data) -> _dt.dtype:
    """torch's inference for Python data: any float -> float32; ints -> int64; bools -> bool."""
    kind = np.asarray(data).dtype.kind
    if kind == "b":
        return _dt.bool_
    if kind in "iu":
        return _dt.int64
    if kind == "f":
        return _dt.float32
    raise TypeError(f"tensor(): could not infer a dtype from data of NumPy kind '{kind}'")


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
        data = _nested_map(data, lambda x: x.item() if isinstance(x, Tensor) else x)
    try:
        arr = np.asarray(data)
    except ValueError as e:
        raise ValueError(f"tensor(): could not make a tensor from ragged data: {e}") from None
    if arr.dtype == object:
        raise TypeError(f"tensor(): can't convert data of type {type(data).__name__}")
    d = dtype or _infer_python_dtype(arr)
    return arr.astype(d.np, copy=False)


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _nested_map(data, fn):
    if isinstance(data, (list, tuple)):
        return [_nested_map(x, fn) for x in data]
    return fn(data)


# ---- printing in torch's style ------------------------------------------------------------------
def _format(t: Tensor) -> str:
    from ._format import format_tensor

    a = to_numpy(t._data)
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append("device='cuda:0'")
    if a.size == 0 and a.ndim != 1:
        suffixes.append(f"size={tuple(a.shape)}")
    d = t.dtype
    if d not in (_dt.float32, _dt.int64, _dt.bool_) or (a.size == 0 and d is not _dt.float32):
        suffixes.append(f"dtype={d!r}")
    if t._node is not None:
        suffixes.append(f"grad_fn=<{t._node.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return format_tensor(a, "tensor(", suffixes)
