"""The array behind the ``meta`` device: a shape and a dtype, and no data (torch's meta tensors).

An op on meta tensors runs its ordinary forward: ``xp = get_array_module(x)`` is NumPy, and
NumPy hands every call on a :class:`MetaArray` back to it through its two override protocols
(``__array_ufunc__`` for ufuncs, SciPy's special functions among them; ``__array_function__``
for the rest of ``np.*``). The answer is another MetaArray with the shape and dtype NumPy's
own rules give: elementwise ufuncs, reductions and ``matmul`` by shape rules (nothing is
allocated, so a (10⁵, 10⁵) weight costs nothing), everything else by running NumPy on
*stand-ins*, zero-memory arrays of the right shape and dtype (``np.broadcast_to`` of one zero),
and keeping only the result's shape and dtype. A result that shares memory with a stand-in is a
view, and its ``base`` is the input's (views share version counters, as on the CPU).

What needs values raises instead of making one up: ``item``, ``tolist``, ``bool`` and any
``np.asarray`` of the data (torch's messages), and every NumPy function whose result's shape
depends on the values (``nonzero``, ``unique``, boolean-mask indexing ...): NotImplementedError,
as torch raises for its data-dependent ops on meta.
"""

from __future__ import annotations

import sys

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from . import _meta_rules as _rules

NO_DATA = "Cannot copy out of meta tensor; no data!"
NO_ITEM = "Tensor.item() cannot be called on meta tensors"


def _data_dependent(what: str):
    op = _calling_op()
    return NotImplementedError(
        f"{op + ': ' if op else ''}{what} on the meta device: the result's shape depends on the "
        f"values, and a meta tensor has none (torch raises for its data-dependent ops too)")


# NumPy functions whose output shape (or Python value) is decided by the data.
_DATA_DEPENDENT = {getattr(np, n) for n in (
    "nonzero", "flatnonzero", "argwhere", "unique", "unique_all", "unique_counts",
    "unique_inverse", "unique_values", "extract", "compress", "bincount", "trim_zeros",
    "histogram", "histogram_bin_edges", "histogram2d", "histogramdd", "count_nonzero",
    "allclose", "array_equal", "array_equiv", "intersect1d", "union1d", "setdiff1d",
    "setxor1d", "place", "piecewise") if hasattr(np, n)}
# Functions whose non-array result depends only on shapes and dtypes.
_SHAPE_ONLY = {np.ndim, np.shape, np.size, np.result_type, np.can_cast, np.iscomplexobj,
               np.isrealobj, np.may_share_memory, np.shares_memory}
_WRITES = {np.put_along_axis, np.put, np.putmask, np.fill_diagonal}  # in place into args[0]
# Reductions and scans: NumPy's shape rule (the dtype from a one-element-per-dim stand-in),
# never a pass over a stand-in of the full size.
_REDUCE = {getattr(np, n) for n in (
    "sum", "prod", "mean", "amax", "amin", "max", "min", "any", "all", "argmax", "argmin",
    "std", "var", "ptp", "nansum", "nanprod", "nanmean", "nanmax", "nanmin", "nanstd", "nanvar",
    "nanargmax", "nanargmin")}
_SCAN = {np.cumsum, np.cumprod, np.nancumsum, np.nancumprod}
_METHODS_AS_FUNCTIONS = {"sum", "prod", "mean", "max", "min", "any", "all", "argmax",
                         "argmin", "std", "var", "ptp", "cumsum", "cumprod"}
_LIKE = {np.empty_like: None, np.zeros_like: None, np.ones_like: None, np.full_like: None}


# the Tensor methods through which a user asks for data: torch's exception, word for word
_DATA_ACCESS = {"item", "tolist", "numpy", "__array__", "__bool__", "__float__", "__int__",
                "__index__", "__format__", "to", "cpu", "cuda", "type", "_to_cpu"}
_WRAPPERS = {"wrapper", "inner", "wrapped", "<lambda>", "__call__", "_call_impl", "run"}
_PACKAGE = __file__.rsplit("/", 1)[0] + "/"
_NUMPY = np.__file__.rsplit("/", 1)[0] + "/"
_OUTSIDE = (_PACKAGE + "parity/", _PACKAGE + "inspect/", _PACKAGE + "testing/")


def _calling_op() -> str | None:
    """The outermost tinygrad_edu function on the stack (the op the user called; None when
    the user's own code asked), found past this module's and NumPy's frames."""
    f, op = sys._getframe(1), None
    while f is not None and f.f_code.co_filename.startswith((_PACKAGE + "_meta", _NUMPY)):
        f = f.f_back
    while f is not None and f.f_code.co_filename.startswith(_PACKAGE) and \
            not f.f_code.co_filename.startswith(_OUTSIDE):
        if f.f_code.co_name not in _WRAPPERS:
            op = f.f_code.co_name
        f = f.f_back
    return op


def _needs_data(message: str, user_type=NotImplementedError):
    """The exception for asking a meta array for values: torch's (``user_type``, ``message``)
    when the user asked (``t.item()``, ``t.tolist()``, ``t.to("cpu")``); NotImplementedError
    naming the op when an op needs the values of a meta input (a value check, a host copy),
    where torch's meta kernel would not."""
    op = _calling_op()
    if op is None or op in _DATA_ACCESS:
        return user_type(message)
    return NotImplementedError(f"{op}: needs the values of a meta tensor, which has none "
                               f"(tinygrad_edu computes this op from its data) [{message}]")


class _Flags:
    """What the engine reads of ``ndarray.flags``: a meta array is laid out C-contiguous."""

    __slots__ = ("c_contiguous", "f_contiguous", "writeable", "owndata")

    def __init__(self, ndim: int, owns: bool):
        self.c_contiguous, self.f_contiguous = True, ndim <= 1
        self.writeable, self.owndata = True, owns

    def __getitem__(self, key):
        return getattr(self, {"C_CONTIGUOUS": "c_contiguous", "F_CONTIGUOUS": "f_contiguous",
                              "WRITEABLE": "writeable", "OWNDATA": "owndata"}[key.upper()])


class MetaArray(NDArrayOperatorsMixin):
    """An array with a shape and a dtype and no data: what a ``device='meta'`` tensor holds.

    The rule: every operation computes only the shape and dtype NumPy would give (for ufuncs,
    reductions and matmul by NumPy's shape rules; otherwise by running NumPy on zero-memory
    stand-ins of the same shape and dtype); anything whose result depends on the values
    (``item()``, ``tolist()``, ``bool()``, ``np.asarray``, ``nonzero``, ``unique``, boolean
    masks) raises NotImplementedError (RuntimeError for ``item``/``bool``, as torch), never a
    made-up value. In-place writes (``a[i] = v``, ``np.copyto``, ``ufunc.at``) check shapes
    and do nothing else.
    """

    __slots__ = ("shape", "dtype", "base")
    __array_priority__ = 20  # above ndarray's, below Tensor's (1000)

    def __init__(self, shape, dtype, base: "MetaArray | None" = None):
        self.shape = tuple(int(n) for n in shape)
        self.dtype = np.dtype(dtype)
        self.base = base

    # ---- what an array is (no data needed) ----------------------------------------------------
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))
    itemsize = property(lambda self: self.dtype.itemsize)
    nbytes = property(lambda self: self.size * self.dtype.itemsize)
    flags = property(lambda self: _Flags(len(self.shape), self.base is None))
    T = property(lambda self: self.transpose())
    real = property(lambda self: self)

    @property
    def strides(self) -> tuple:
        out, step = [], self.dtype.itemsize
        for n in reversed(self.shape):
            out.append(step)
            step *= max(n, 1)
        return tuple(reversed(out))

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        return f"MetaArray(shape={self.shape}, dtype={self.dtype})"

    # ---- what needs the data: raise as torch does ---------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise _needs_data(NO_DATA)

    def item(self, *args):
        raise _needs_data(NO_ITEM, RuntimeError)

    def __bool__(self):  # a value check inside an op: NotImplementedError naming the op
        if self.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        raise _needs_data(NO_ITEM, RuntimeError)

    __float__ = __int__ = __index__ = __complex__ = item

    def tolist(self):
        raise _needs_data(NO_DATA)

    tobytes = tofile = dump = dumps = tolist

    def nonzero(self):
        raise _data_dependent("nonzero")

    @property
    def __array_interface__(self):  # no memory to point at
        raise _needs_data(NO_DATA)

    # ---- in place: shapes checked, nothing written ----------------------------------------------
    def __setitem__(self, key, value) -> None:
        target = _standin(self)[_standins(key, index=True)]
        vshape = np.shape(value) if not isinstance(value, MetaArray) else value.shape
        np.broadcast_shapes(vshape, target.shape)  # ValueError as NumPy's for a bad value shape

    def fill(self, value) -> None:
        return None

    sort = fill

    def __copy__(self):
        return MetaArray(self.shape, self.dtype)

    def __deepcopy__(self, memo):
        return MetaArray(self.shape, self.dtype)

    copy = __copy__

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        dtype = np.dtype(dtype)
        if not np.can_cast(self.dtype, dtype, casting):
            raise TypeError(f"Cannot cast array data from {self.dtype!r} to {dtype!r} according "
                            f"to the rule '{casting}'")
        return self if dtype == self.dtype and not copy else MetaArray(self.shape, dtype)

    # ---- everything else: NumPy's own rules, on stand-ins ---------------------------------------
    def __getitem__(self, key):
        s = _standin(self)
        return _wrap(s[_standins(key, index=True)], {id(s): (s, self)})

    def __getattr__(self, name):
        method = getattr(np.ndarray, name, None)
        if method is None or name.startswith("_"):
            raise AttributeError(f"'MetaArray' object has no attribute {name!r}")
        if name in _METHODS_AS_FUNCTIONS:  # x.sum(axis=1) as np.sum(x, axis=1): shape rule
            return lambda *args, **kwargs: getattr(np, name)(self, *args, **kwargs)

        def run(*args, **kwargs):
            s = _standin(self)
            seen = {id(s): (s, self)}
            return _wrap(method(s, *_standins(args, seen), **_standins(kwargs, seen)), seen)

        return run

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "at":  # an in-place scatter into a meta array writes nothing
            if not isinstance(inputs[0], MetaArray):
                raise _needs_data(NO_DATA)
            return None
        if not all(isinstance(x, _OPERANDS) for x in inputs):
            return NotImplemented  # a Tensor beside an array: its own operator runs
        out = kwargs.pop("out", None)
        if method == "__call__":
            res = _ufunc_call(ufunc, inputs, kwargs)
        elif method in ("reduce", "accumulate"):
            res = MetaArray(*_rules.ufunc_reduce(ufunc, method, inputs[0], kwargs))
        elif method == "outer":
            dts = _rules.dtypes(getattr(ufunc, method), inputs, kwargs)
            res = _metas(np.shape(inputs[0]) + np.shape(inputs[1]), dts)
        else:
            seen: dict = {}
            res = _wrap(getattr(ufunc, method)(*_standins(inputs, seen), **kwargs), seen)
        return res if out is None else _into(out, res)

    def __array_function__(self, func, types, args, kwargs):
        if func in _DATA_DEPENDENT or (func is np.where and len(args) + len(kwargs) == 1):
            raise _data_dependent(f"np.{func.__name__}")
        if func in _WRITES:  # (target, ...): a write into a meta array writes nothing
            if not isinstance(args[0], MetaArray):
                raise _needs_data(NO_DATA)
            return None
        if func is np.copyto:  # (dst, src): a write into a meta array checks shapes only
            dst, src = args[0], args[1] if len(args) > 1 else kwargs["src"]
            if not isinstance(dst, MetaArray):
                raise _needs_data(NO_DATA)
            np.broadcast_shapes(np.shape(src), dst.shape)
            return None
        if func in _REDUCE or func in _SCAN:
            return _reduce_function(func, args, kwargs)
        if func in _LIKE:
            shape = kwargs.get("shape", args[0].shape)
            dtype = kwargs.get("dtype", args[2] if func is np.full_like and len(args) > 2
                               else args[1] if func is not np.full_like and len(args) > 1
                               else None)
            return MetaArray(shape, args[0].dtype if dtype is None else dtype)
        seen: dict = {}
        eye = func.__module__ == "numpy.linalg"  # identity stand-ins: not singular
        res = func(*_standins(args, seen, eye=eye), **_standins(kwargs, seen, eye=eye))
        if func in _SHAPE_ONLY or isinstance(res, (np.ndarray, np.generic, np.dtype, tuple,
                                                   list, type(None))):
            return _wrap(res, seen)
        raise _data_dependent(f"np.{func.__name__}")


_OPERANDS = (MetaArray, np.ndarray, np.generic, int, float, bool, complex, type(None))


def _standin(m: MetaArray, eye: bool = False) -> np.ndarray:
    """A zero-memory array of ``m``'s shape and dtype (every element the same zero; with
    ``eye``, stacked identities for square matrices, so linalg sees no singular input)."""
    if eye and m.ndim >= 2 and m.shape[-1] == m.shape[-2] and 0 < m.shape[-1] <= 4096:
        return np.broadcast_to(np.eye(m.shape[-1], dtype=m.dtype), m.shape)
    return np.broadcast_to(np.zeros((), m.dtype), m.shape)


def _standins(obj, seen: dict | None = None, index: bool = False, eye: bool = False):
    """``obj`` with each MetaArray replaced by a stand-in (recording it in ``seen``); a boolean
    MetaArray used as an index is data-dependent."""
    if isinstance(obj, MetaArray):
        if index and obj.dtype == np.bool_:
            raise _data_dependent("indexing with a boolean mask")
        s = _standin(obj, eye)
        if seen is not None:
            seen[id(s)] = (s, obj)
        return s
    if isinstance(obj, (list, tuple)):
        return type(obj)(_standins(o, seen, index, eye) for o in obj)
    if isinstance(obj, dict):
        return {k: _standins(v, seen, index, eye) for k, v in obj.items()}
    return obj


def _wrap(res, seen: dict):
    """A NumPy result as MetaArrays (``seen``: id of each stand-in -> (stand-in, MetaArray)): a
    result that shares memory with a stand-in is a view of its MetaArray."""
    if isinstance(res, np.ndarray):
        for s, m in seen.values():
            if res is s:
                return m
            if np.may_share_memory(res, s):
                return MetaArray(res.shape, res.dtype, m.base if m.base is not None else m)
        return MetaArray(res.shape, res.dtype)
    if isinstance(res, np.generic):
        return MetaArray((), res.dtype)
    if isinstance(res, (list, tuple)):
        items = [_wrap(r, seen) for r in res]
        return type(res)(*items) if hasattr(res, "_fields") else type(res)(items)
    return res


def _metas(shape, dtypes):
    out = tuple(MetaArray(shape, d) for d in dtypes)
    return out[0] if len(out) == 1 else out


def _ufunc_call(ufunc, inputs, kwargs):
    if ufunc.signature is not None and ufunc is not np.matmul:  # other gufuncs: on stand-ins
        seen: dict = {}
        return _wrap(ufunc(*_standins(list(inputs), seen), **kwargs), seen)
    return _metas(*_rules.ufunc_call(ufunc, inputs, kwargs))


def _reduce_function(func, args, kwargs):
    res = MetaArray(*_rules.reduction(func, func in _SCAN, args[0], args[1:], kwargs))
    return res if kwargs.get("out") is None else _into(kwargs["out"], res)


def _into(out, res):
    """``out=`` of a ufunc: the result must fit the meta output(s); a real output would need
    the data."""
    outs = out if isinstance(out, tuple) else (out,)
    ress = res if isinstance(res, tuple) else (res,)
    for o, r in zip(outs, ress):
        if not isinstance(o, MetaArray):
            raise _needs_data(NO_DATA)
        np.broadcast_shapes(r.shape, o.shape)
    return out if isinstance(out, MetaArray) or len(outs) > 1 else outs[0]

