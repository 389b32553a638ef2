"""``cupy.ndarray`` of the simulated device: a NumPy array held behind a wall.

The wall is CuPy's: ``__array__`` raises TypeError (so ``np.asarray(x)`` fails), NumPy ufuncs
and functions dispatch through ``__array_ufunc__``/``__array_function__`` to the simulated CuPy
function of the same name (which refuses host arrays), reductions and integer indexing give
0-d device arrays, and every read of the value on the host (``.get()``, ``.item()``,
``float()``, ``bool()``, ``repr``) is a logged device-to-host transfer. Only the attributes and
methods that real ``cupy.ndarray`` has exist, with its keyword arguments.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _api
from ._convert import (  # noqa: F401 - re-exported for _funcs
    Device,
    _host_index,
    _index,
    _MemoryPointer,
    _unwrap_meta,
    convert_args,
    is_scalar,
    unwrap,
    wrap,
)
from ._transfers import TRANSFERS

TOP: dict = {}       # name -> callable of the simulated top-level ``cupy`` (filled by _module)
SPECIAL: dict = {}   # name -> ufunc of the simulated ``cupyx.scipy.special``
BY_MODULE: dict = {}  # NumPy module path ("numpy", "numpy.linalg") -> {name: callable}
def _should_use_rop(x, y) -> bool:
    """CuPy's rule (core.pyx): defer to ``y`` when it opts out of ufuncs or outranks us."""
    y_ufunc = getattr(y, "__array_ufunc__", _should_use_rop)
    if y_ufunc is not _should_use_rop:
        return y_ufunc is None
    return getattr(x, "__array_priority__", 0) < getattr(y, "__array_priority__", 0)


def _binop(name: str, np_ufunc):
    def op(x, y):
        if isinstance(y, ndarray):
            return TOP[name](x, y)
        if _should_use_rop(x, y):
            return NotImplemented
        return np_ufunc(x, y)

    def rop(self, other):  # Cython shares op and rop: __radd__(s, o) is __add__(o, s)
        return TOP[name](other, self)

    def iop(self, other):
        return TOP[name](self, other, self)

    return op, rop, iop


def _cmp(name: str, np_ufunc):
    def op(self, other):
        if isinstance(other, ndarray):
            return TOP[name](self, other)
        if _should_use_rop(self, other):
            return NotImplemented
        if isinstance(other, np.ndarray) and other.ndim == 0:
            other = other.item()
        if name in ("equal", "not_equal") and (
            other is None or type(other).__eq__ is object.__eq__
        ):
            fill = TOP["ones" if name == "not_equal" else "zeros"]
            return fill(self.shape, dtype=np.bool_)
        return np_ufunc(self, other)

    return op


def _method(name: str, sig):
    qual = f"cupy.ndarray.{name}"

    def method(self, *args, **kwargs):
        originals = {id(self._a): self}
        a, k = convert_args(qual, sig, args, kwargs, originals)
        return wrap(getattr(self._a, name)(*a, **k), originals)

    method.__name__ = name
    method.__qualname__ = f"ndarray.{name}"
    return method


class ndarray:
    """The simulated ``cupy.ndarray`` (see the module docstring)."""

    __slots__ = ("_a", "__weakref__")
    __array_priority__ = 100
    __hash__ = None

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        if memptr is not None or strides is not None:
            raise NotImplementedError("gpusim: ndarray(memptr=, strides=) is not simulated")
        self._a = _uninitialized(shape, dtype, order)

    # ---- the wall: no implicit host conversion ------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. "
            "Please use `.get()` to construct a NumPy array explicitly."
        )

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inout = inputs
        if "out" in kwargs:
            out = kwargs["out"]
            if len(out) != 1:
                raise ValueError("The 'out' parameter must have exactly one array value")
            inout += out
            kwargs["out"] = out[0]
        if method not in ("__call__", "outer", "at", "reduce", "accumulate", "reduceat"):
            return NotImplemented
        name = ufunc.__name__
        func = TOP.get(name) or SPECIAL.get(name)
        if func is None:
            return NotImplemented
        if method != "__call__":
            func = getattr(func, method, None)
            if func is None:
                return NotImplemented
        for x in inout:
            if not (is_scalar(x) or isinstance(x, (ndarray, np.ndarray))):
                return NotImplemented
        if name in ("greater", "greater_equal", "less", "less_equal", "equal", "not_equal"):
            inputs = tuple(
                x.item() if isinstance(x, np.ndarray) and x.ndim == 0 else x for x in inputs
            )
        return func(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        cupy_func = BY_MODULE.get(func.__module__, {}).get(func.__name__)
        if cupy_func is None:
            return NotImplemented
        if not all(issubclass(t, (ndarray, np.ndarray)) for t in types):
            return NotImplemented
        return cupy_func(*args, **kwargs)

    # ---- explicit transfers (logged) -----------------------------------------------------------
    def get(self, stream=None, order="C", out=None, blocking=True):
        TRANSFERS.record("d2h", "ndarray.get", self._a.nbytes)
        if out is not None:
            if not isinstance(out, np.ndarray):
                raise TypeError("Only numpy.ndarray can be obtained from cupy.ndarray")
            np.copyto(out, self._a)
            return out
        return np.array(self._a, copy=True, order=order)

    def set(self, arr, stream=None):
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"Only numpy.ndarray can be set to cupy.ndarray, not {type(arr)}")
        if arr.shape != self._a.shape or arr.dtype != self._a.dtype:
            raise ValueError(f"Shape/dtype mismatch: {arr.shape} {arr.dtype} into "
                             f"{self._a.shape} {self._a.dtype}")
        TRANSFERS.record("h2d", "ndarray.set", arr.nbytes)
        np.copyto(self._a, arr)

    def item(self):
        if self._a.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        TRANSFERS.record("d2h", "ndarray.item", self._a.nbytes)
        return self._a.item()

    def tolist(self):
        TRANSFERS.record("d2h", "ndarray.tolist", self._a.nbytes)
        return self._a.tolist()

    def tobytes(self, order="C"):
        TRANSFERS.record("d2h", "ndarray.tobytes", self._a.nbytes)
        return self._a.tobytes(order)

    def __bool__(self):
        if self._a.size == 0:
            warnings.warn("The truth value of an empty array is ambiguous.", DeprecationWarning,
                          stacklevel=2)
            return False
        if self._a.size == 1:
            TRANSFERS.record("d2h", "bool(ndarray)", self._a.nbytes)
            return bool(self._a)
        raise ValueError("The truth value of an array with more than one element is "
                         "ambiguous. Use a.any() or a.all()")

    def __int__(self):
        TRANSFERS.record("d2h", "int(ndarray)", self._a.nbytes)
        return int(np.array(self._a))

    def __float__(self):
        TRANSFERS.record("d2h", "float(ndarray)", self._a.nbytes)
        return float(np.array(self._a))

    def __complex__(self):
        TRANSFERS.record("d2h", "complex(ndarray)", self._a.nbytes)
        return complex(np.array(self._a))

    def __repr__(self):
        TRANSFERS.record("d2h", "repr(ndarray)", self._a.nbytes)
        return repr(self._a)

    def __str__(self):
        TRANSFERS.record("d2h", "str(ndarray)", self._a.nbytes)
        return str(self._a)

    def __format__(self, spec):
        TRANSFERS.record("d2h", "format(ndarray)", self._a.nbytes)
        return format(self._a, spec)

    def __reduce__(self):
        TRANSFERS.record("d2h", "pickle(ndarray)", self._a.nbytes)
        from ._funcs import array  # a module-level function, so pickle finds it by name

        return (array, (np.array(self._a, copy=True),))

    # ---- containers ----------------------------------------------------------------------------
    def __len__(self):
        if self._a.ndim == 0:
            raise TypeError("len() of unsized object")
        return self._a.shape[0]

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self._a.shape[0]))

    def __getitem__(self, key):
        k, advanced = _index(key)
        r = self._a[k]
        if isinstance(r, np.generic):  # CuPy returns a 0-d view, never a host scalar
            r = self._a[k + (Ellipsis,)]
        return wrap(r)

    def __setitem__(self, key, value):
        k, advanced = _index(key)
        if isinstance(value, ndarray):
            value = value._a
        elif not is_scalar(value):
            if advanced:  # _scatter_op_single: core.array(value) (implicit, logged)
                value = _host_index(value, "implicit setitem value")
            else:  # y.fill(value): host non-scalars refused (cupy gh-2079)
                value = np.asarray(value, dtype=self._a.dtype)
                if value.shape != ():
                    raise ValueError("non-scalar numpy.ndarray cannot be used for fill")
        self._a[k] = value

    def fill(self, value):
        if isinstance(value, ndarray):
            if value._a.shape != ():
                raise ValueError("non-scalar cupy.ndarray cannot be used for fill")
            self._a.fill(value._a[()])  # a device-side copy, no transfer
            return
        value = np.asarray(value, dtype=self._a.dtype)
        if value.shape != ():
            raise ValueError("non-scalar numpy.ndarray cannot be used for fill")
        self._a.fill(value[()])

    def _scatter(self, slices, value, np_ufunc):
        k, _ = _index(slices)
        if isinstance(value, ndarray):
            value = value._a
        elif not is_scalar(value):
            value = _host_index(value, "implicit scatter value")
        np_ufunc.at(self._a, k, value)

    def scatter_add(self, slices, value):
        self._scatter(slices, value, np.add)

    def scatter_max(self, slices, value):
        self._scatter(slices, value, np.maximum)

    def scatter_min(self, slices, value):
        self._scatter(slices, value, np.minimum)

    # ---- copies and attributes -----------------------------------------------------------------
    def __copy__(self):
        return wrap(self._a.copy())

    def __deepcopy__(self, memo):
        return wrap(self._a.copy())

    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    strides = property(lambda self: self._a.strides)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: wrap(self._a.T))
    mT = property(lambda self: wrap(np.swapaxes(self._a, -1, -2)))
    real = property(lambda self: wrap(self._a.real))
    imag = property(lambda self: wrap(self._a.imag))
    base = property(lambda self: None if self._a.base is None else wrap(self._a.base))
    device = property(lambda self: Device(0))
    data = property(lambda self: _MemoryPointer(self._a))

    def __neg__(self):
        return TOP["negative"](self)

    def __pos__(self):
        return TOP["positive"](self)

    def __abs__(self):
        return TOP["absolute"](self)

    def __invert__(self):
        return TOP["invert"](self)

    def __pow__(self, y, modulo=None):
        fast, dt = None, None  # CuPy 14.2's fast paths (core.pyx), same dtype rules
        if type(y) is int and y == 2:
            fast = TOP["square"]
            dt = None if self.dtype.kind in "ifc" else np.result_type(self.dtype, y)
        elif type(y) is float and y in (0.5, 2.0, -1.0):
            fast = TOP[{0.5: "sqrt", 2.0: "square", -1.0: "reciprocal"}[y]]
            dt = None if self.dtype.kind in "fc" else np.result_type(self.dtype, y)
        if fast is not None:
            return fast(self, dtype=dt)
        if isinstance(y, ndarray):
            return TOP["power"](self, y)
        if _should_use_rop(self, y):
            return NotImplemented
        return np.power(self, y)

    def __rpow__(self, other):
        return TOP["power"](other, self)

    def __ipow__(self, other):
        return TOP["power"](self, other, self)


def _uninitialized(shape, dtype, order="C") -> np.ndarray:
    """CuPy's ``empty`` memory is garbage: here NaN (floats) or a loud pattern (ints), so a read
    of uninitialized memory shows up instead of reading NumPy's usual zeros."""
    a = np.empty(shape, dtype=dtype, order=order)
    if a.dtype.kind in "fc":
        a.fill(np.nan)
    elif a.dtype.kind in "iu":
        a.fill(np.iinfo(a.dtype).max // 3)
    return a


for _name, _uf in [
    ("add", np.add), ("sub", np.subtract), ("mul", np.multiply), ("truediv", np.true_divide),
    ("floordiv", np.floor_divide), ("mod", np.remainder), ("matmul", np.matmul),
    ("lshift", np.left_shift), ("rshift", np.right_shift), ("and", np.bitwise_and),
    ("or", np.bitwise_or), ("xor", np.bitwise_xor),
]:
    _op, _rop, _iop = _binop(_uf.__name__, _uf)
    setattr(ndarray, f"__{_name}__", _op)
    setattr(ndarray, f"__r{_name}__", _rop)
    if _name != "matmul":  # CuPy has no __imatmul__
        setattr(ndarray, f"__i{_name}__", _iop)
for _name, _uf in [("lt", np.less), ("le", np.less_equal), ("eq", np.equal),
                   ("ne", np.not_equal), ("gt", np.greater), ("ge", np.greater_equal)]:
    setattr(ndarray, f"__{_name}__", _cmp(_uf.__name__, _uf))

# Every other public ``cupy.ndarray`` method that NumPy's ndarray also has, signature-checked.
for _name, _entry in _api.NDARRAY.items():
    if _name.startswith("_") or _entry["kind"] != "method" or _name in ndarray.__dict__:
        continue
    if hasattr(np.ndarray, _name):
        setattr(ndarray, _name, _method(_name, _api.signature(_entry["sig"])))
