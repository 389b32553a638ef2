"""``torch.nn.parameter``: ``Parameter`` (a Tensor that a Module registers as learnable),
``Buffer``, and the uninitialized ones of the Lazy modules (``UninitializedParameter``,
``UninitializedBuffer``, ``is_lazy``)."""

from __future__ import annotations

import sys
from types import MethodType

import numpy as np

from ..backend import asarray, device_of, full, get_default_device
from ..dtype import default_float as _default_float
from ..dtype import to_dtype as _to_dtype
from ..tensor import Tensor, _device


class Parameter(Tensor):
    """A leaf Tensor that ``Module.__setattr__`` registers in ``_parameters``.

    ``Parameter(data)`` shares ``data``'s storage (as torch does) and requires grad.

    Shapes: data's shape. Raises AttributeError when ``data`` is not a Tensor (torch calls
    ``data.detach()``: a list or an array has none).
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            arr = np.empty((0,), dtype=_default_float().np)  # torch.empty(0)
        elif isinstance(data, Tensor):
            arr = data._data
        else:  # torch: AttributeError (it calls data.detach()); a clear one here
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach' "
                                 f"(nn.Parameter(data) takes a Tensor: wrap it with "
                                 f"tg.tensor(data))")
        self._init(arr, None)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        new = Parameter(Tensor._wrap(self._data.copy()), self.requires_grad)
        if self.grad is not None:
            new.grad = Tensor._wrap(self.grad._data.copy())
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        """Pickled by value on the host; unpickled on the device it was on (as torch)."""
        from ..backend import to_numpy

        return (_rebuild_parameter, (to_numpy(self._data), self.requires_grad, str(self.device)))


def _rebuild_parameter(arr, requires_grad, device="cpu"):
    from ..backend import device as _device
    from ..backend import to_device

    return Parameter(Tensor._wrap(to_device(arr, _device(device))), requires_grad)


class Buffer(Tensor):
    """``nn.Buffer(data=None, *, persistent=True)``: a Tensor a Module registers as a buffer
    when assigned to one of its attributes; ``persistent=False`` keeps it out of state_dict.

    Shares ``data``'s storage and keeps its ``requires_grad`` (torch: ``data.detach()
    .requires_grad_(data.requires_grad)``); no data gives an empty tensor of the default dtype.

    Shapes: data's shape. Raises AttributeError when ``data`` is not a Tensor (torch calls
    ``data.detach()``: a list or an array has none).
    """

    __slots__ = ("persistent",)

    def __init__(self, data=None, *, persistent: bool = True):
        if data is None:
            arr, grad = np.empty((0,), dtype=_default_float().np), False
        elif isinstance(data, Tensor):
            arr, grad = data._data, data.requires_grad
        else:  # torch: AttributeError (it calls data.detach())
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach' "
                                 f"(nn.Buffer(data) takes a Tensor: wrap it with "
                                 f"tg.tensor(data))")
        self._init(arr, None)
        self._rg = grad
        self.persistent = persistent


def uninitialized(shape, device=None, dtype=None) -> Tensor:
    """An uninitialized (zero-filled) tensor for a new parameter, on ``device`` in ``dtype``
    (the default dtype, ``get_default_dtype()``, when None: every module's parameters and
    float buffers are made here). Raises RuntimeError for a negative size, as torch.empty does."""
    d = _to_dtype(dtype, "empty") if dtype is not None else _default_float()  # torch's check
    dev = _device(device) if device is not None else get_default_device()
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(n < 0 for n in shape):  # torch: RuntimeError, not NumPy's ValueError
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(shape)}: {list(shape)}")
    if dev.type == "meta":  # nothing allocated: a (10⁵, 10⁵) weight costs no memory
        return Tensor._wrap(full(shape, 0, d.np, dev))
    return Tensor._wrap(asarray(np.zeros(shape, dtype=d.np), dev=dev))


# ---- uninitialized parameters and buffers (the Lazy modules') ---------------------------------
_SLOT = Tensor.__dict__["_data"]  # the array slot itself, read and written past the guard below


def _entry_point() -> str:
    """The op the user called, for the error: the outermost public function of the tensor
    layers (tensor, autograd, ops, nn.functional ...) on the stack above the guard (``add``
    for ``p + 1``, ``linear`` inside ``Linear.forward``); a Module's own code ends the walk
    (then the function that read the array is named)."""
    f = sys._getframe(1)
    while f.f_globals.get("__name__") == __name__:
        f = f.f_back
    name = f.f_code.co_qualname
    while f is not None:
        mod = f.f_globals.get("__name__", "")
        if not mod.startswith("tinygrad_edu.") or mod.startswith("tinygrad_edu.nn.modules"):
            break
        q = f.f_code.co_qualname
        if "<" not in q and not any(p[:1] == "_" and p[:2] != "__" for p in q.split(".")):
            name = q
        f = f.f_back
    return name


def _use_error(t, op: str) -> ValueError:
    """torch's ValueError for an uninitialized ``t`` used in ``op``."""
    cls = type(t).__name__
    return ValueError(
        f"Attempted to use an uninitialized parameter in {op} (an {cls} of dtype "
        f"{_SLOT.__get__(t).dtype}, no shape yet). This error happens when you are using a "
        f"`LazyModule` or explicitly manipulating `torch.nn.parameter.{cls}` objects. When using "
        f"LazyModules Call `forward` with a dummy batch to initialize the parameters before "
        f"calling torch functions")


# the Tensor methods torch allows before materialization (its _allowed_methods)
_ALLOWED = {"size", "is_floating_point", "to", "cpu", "cuda", "float", "double", "half", "int",
            "long", "short", "char", "materialize"}


class UninitializedTensorMixin:
    """What an uninitialized tensor allows before :meth:`materialize` (torch's mixin of the
    same name): its dtype, device, ndim, ``size()``, ``.data``, ``requires_grad``, ``grad``,
    the dtype/device casts (``to``, ``float``, ``double``, ``cpu`` ...; one that changes nothing
    returns the tensor itself) and ``is_floating_point``.

    Everything else raises torch's ValueError ("Attempted to use an uninitialized parameter in
    add ..."), and ``.shape`` torch's RuntimeError. The guard lives on this class only (a
    property shadowing the array slot that every op reads, and the method lookup), so plain
    tensors' ops pay nothing for it.
    """

    __slots__ = ()
    cls_to_become = None

    @property
    def _data(self):  # every op reads the array here: the guard for functions (tg.add(p, 1))
        raise _use_error(self, _entry_point())

    @_data.setter
    def _data(self, value) -> None:
        _SLOT.__set__(self, value)

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into "
            "an initialized one. Call `forward` to initialize the parameters before accessing "
            "their attributes.")

    def __getattribute__(self, name: str):  # the guard for methods that check other things first
        value = object.__getattribute__(self, name)
        if name[0] != "_" and name not in _ALLOWED and isinstance(value, MethodType):
            raise _use_error(self, f"Tensor.{name}")
        return value

    def _plain(self) -> Tensor:
        """A plain tensor on this one's (empty) array: what the allowed attributes read."""
        t = Tensor._wrap(_SLOT.__get__(self))
        t._rg = self._rg
        return t

    dtype = property(lambda self: self._plain().dtype)
    device = property(lambda self: self._plain().device)
    ndim = property(lambda self: self._plain().ndim)
    is_cuda = property(lambda self: self._plain().is_cuda)
    data = property(lambda self: self._plain().detach(), Tensor.data.fset)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor ``shape`` (zeros, on its device in its dtype unless given) and make
        it a ``cls_to_become`` (Parameter, Buffer); the owner then initializes the values.
        Raises RuntimeError for a negative size."""
        like = _SLOT.__get__(self)
        new = uninitialized(shape, device_of(like) if device is None else device,
                            _to_dtype(like.dtype) if dtype is None else dtype)
        _SLOT.__set__(self, new._data)
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __deepcopy__(self, memo):
        new = object.__new__(type(self))
        new._init(_SLOT.__get__(self).copy(), None)
        new._rg = self._rg
        if hasattr(type(self), "persistent"):
            new.persistent = self.persistent
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):  # torch: only requires_grad survives pickling
        return (type(self), (self.requires_grad,))


def _allowed(name: str):
    def method(self, *args, **kwargs):
        plain = self._plain()
        out = getattr(plain, name)(*args, **kwargs)
        return self if out is plain else out

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``Tensor.{name}``, allowed before materialization (as torch)."
    return method


for _name in ("size", "is_floating_point", "to", "cpu", "cuda", "float", "double", "half",
              "int", "long", "short", "char"):
    setattr(UninitializedTensorMixin, _name, _allowed(_name))


def _empty(requires_grad, device, dtype):
    arr = uninitialized((0,), device, dtype)._data
    if requires_grad:  # torch's RuntimeError for a non-floating dtype
        Tensor._wrap(arr).requires_grad_(True)
    return arr


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (``torch.nn.UninitializedParameter``): it holds
    only a dtype and a device until :meth:`materialize` gives it a shape, turning it into a
    plain :class:`Parameter`. Raises ValueError when used in an op before that, RuntimeError
    for ``.shape`` (see :class:`UninitializedTensorMixin`)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device=None, dtype=None) -> None:
        self._init(_empty(requires_grad, device, dtype), None)
        self._rg = bool(requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (``torch.nn.UninitializedBuffer``); becomes a
    :class:`Buffer` (a Tensor) on :meth:`materialize`. Raises as
    :class:`UninitializedParameter`."""

    __slots__ = ("persistent",)
    cls_to_become = Buffer

    def __init__(self, requires_grad: bool = False, device=None, dtype=None,
                 persistent: bool = True) -> None:
        self._init(_empty(requires_grad, device, dtype), None)
        self._rg = bool(requires_grad)
        self.persistent = persistent


def is_lazy(param) -> bool:
    """``torch.nn.parameter.is_lazy``: is ``param`` uninitialized (no shape yet)?"""
    return isinstance(param, UninitializedTensorMixin)
