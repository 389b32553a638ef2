"""Ufuncs and functions of the simulated CuPy: NumPy's math behind CuPy's calling rules.

- A ufunc takes device arrays and Python/NumPy scalars only (CuPy's ``_preprocess_args``: a
  NumPy array, even 0-d, or a list raises ``TypeError: Unsupported type``), and the keywords
  ``out``/``dtype``/``casting`` only (no ``where=``).
- A function is checked against CuPy's recorded signature, refuses host arrays anywhere in its
  arguments, and returns device arrays (0-d ones where NumPy returns a scalar).
- ``array``/``asarray``/``asanyarray`` are the explicit host-to-device copies (logged);
  ``asnumpy`` the explicit device-to-host one.
"""

from __future__ import annotations

import numpy as np

from . import _api
from ._array import _uninitialized, _unwrap_meta, convert_args, is_scalar, ndarray, unwrap, wrap
from ._transfers import TRANSFERS


class NotSimulated:
    """A name real CuPy has but the simulation does not implement: calling it fails loudly."""

    def __init__(self, qualname: str):
        self.qualname = qualname

    def __call__(self, *args, **kwargs):
        raise NotImplementedError(
            f"{self.qualname} exists in CuPy {_api.CUPY_VERSION} but gpusim does not simulate "
            "it (parity_tests/gpusim/_module.py lists what it does)"
        )

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return NotSimulated(f"{self.qualname}.{name}")

    def __repr__(self):
        return f"<gpusim: {self.qualname} (not simulated)>"


class ufunc:
    """The simulated ``cupy.ufunc`` (also ``cupyx.scipy.special``'s ufuncs)."""

    def __init__(self, qualname: str, impl, nin: int, nout: int):
        self.qualname = qualname
        self.name = self.__name__ = qualname.rsplit(".", 1)[-1]
        self._impl = impl
        self._plain = isinstance(impl, np.ufunc)
        self.nin, self.nout, self.nargs = nin, nout, nin + nout

    def __repr__(self):
        return f"<ufunc '{self.name}'>"

    def _inputs(self, args, originals):
        out = []
        for x in args:
            if isinstance(x, ndarray):
                originals[id(x._a)] = x
                out.append(x._a)
            elif is_scalar(x):
                out.append(x)
            else:
                raise TypeError(
                    f"{self.qualname}: Unsupported type {type(x)}"
                    + (" (a host array: CuPy refuses implicit host-to-device conversion)"
                       if isinstance(x, np.ndarray) else "")
                )
        return out

    def __call__(self, *args, **kwargs):
        if not kwargs and len(args) == self.nin and self._plain:  # the hot path
            ins = []
            for x in args:
                if type(x) is ndarray:
                    ins.append(x._a)
                elif is_scalar(x):
                    ins.append(x)
                else:
                    break
            else:
                return wrap(self._impl(*ins))
        bad = set(kwargs) - _api.UFUNC_KWARGS
        if bad:
            raise TypeError(f"{self.qualname}: Wrong arguments {dict((k, kwargs[k]) for k in bad)}")
        if not self.nin <= len(args) <= self.nargs:
            raise TypeError(f"Wrong number of arguments for '{self.name}'. It must be either "
                            f"{self.nin} or {self.nargs} (with outputs), but given {len(args)}.")
        originals: dict = {}
        ins = self._inputs(args[: self.nin], originals)
        outs = args[self.nin:]
        if "out" in kwargs:
            if outs:
                raise ValueError("Cannot specify 'out' as both a positional and keyword argument")
            o = kwargs.pop("out")
            outs = o if isinstance(o, tuple) else (o,)
        outs = [o for o in outs if o is not None]
        for o in outs:
            if not isinstance(o, ndarray):
                raise TypeError(f"{self.qualname}: out must be a cupy.ndarray, not {type(o)}")
        np_outs = self._inputs(outs, originals)
        if np_outs:
            kwargs["out"] = tuple(np_outs) if self.nout > 1 else np_outs[0]
        if isinstance(self._impl, np.ufunc):
            res = self._impl(*ins, **kwargs)
        else:  # a NumPy/SciPy function standing in for a CuPy ufunc (sinc, i0, fix)
            res = _call_plain(self._impl, ins, kwargs)
        return wrap(res, originals)

    def _method(self, method: str):
        def call(*args, **kwargs):
            originals: dict = {}
            a = [unwrap(x, f"{self.qualname}.{method}", originals) for x in args]
            k = {n: unwrap(v, f"{self.qualname}.{method}", originals) for n, v in kwargs.items()}
            return wrap(getattr(self._impl, method)(*a, **k), originals)

        return call

    def __getattr__(self, name):
        if name in _api.UFUNC_METHODS and isinstance(self.__dict__.get("_impl"), np.ufunc):
            return self._method(name)
        raise AttributeError(f"'cupy.ufunc' object has no attribute {name!r}")


def _call_plain(fn, ins, kwargs):
    out, dtype = kwargs.pop("out", None), kwargs.pop("dtype", None)
    kwargs.pop("casting", None)
    res = np.asarray(fn(*ins))
    if dtype is not None:
        res = res.astype(dtype)
    if out is not None:
        np.copyto(out, res, casting="same_kind")
        return out
    return res


# NumPy returns a Python bool/int for these; CuPy a 0-d device array.
_DEVICE_SCALAR_RESULT = {"allclose", "array_equal", "array_equiv", "count_nonzero"}


class function:
    """A CuPy function with NumPy's math: signature-checked, host arrays refused."""

    def __init__(self, qualname: str, impl, sig):
        self.qualname = qualname
        self.__name__ = qualname.rsplit(".", 1)[-1]
        self._impl = impl
        self._sig = sig

    def __repr__(self):
        return f"<gpusim function {self.qualname}>"

    def __call__(self, *args, **kwargs):
        originals: dict = {}
        a, k = convert_args(self.qualname, self._sig, args, kwargs, originals)
        res = self._impl(*a, **k)
        if self.__name__ in _DEVICE_SCALAR_RESULT and not isinstance(res, np.ndarray):
            res = np.asarray(res)
        return wrap(res, originals)


# ---- the functions whose behaviour is CuPy's own, not NumPy's ------------------------------------
def _to_device(obj, dtype, copy, api):
    """``cupy.array``/``asarray``: device arrays stay (copied if asked), host data is copied
    to the device (logged, even a Python scalar: it is a host-to-device memcpy)."""
    if isinstance(obj, ndarray):
        a = obj._a.astype(dtype) if dtype is not None else obj._a
        if copy and a is obj._a:
            a = a.copy()
        return obj if a is obj._a else wrap(a)
    if isinstance(obj, (list, tuple)) and _holds_device(obj):
        if _holds_host(obj):
            raise TypeError(f"{api}: a sequence mixing device and host arrays")
        return wrap(np.array(unwrap(obj, api, {}), dtype=dtype))  # stacked on the device
    host = np.array(obj, dtype=dtype, copy=True)
    if host.dtype == object:
        raise ValueError(f"{api}: Unsupported dtype object")
    TRANSFERS.record("h2d", api, host.nbytes)
    return wrap(host)


def _holds_device(seq) -> bool:
    return any(isinstance(v, ndarray) or (isinstance(v, (list, tuple)) and _holds_device(v))
               for v in seq)


def _holds_host(seq) -> bool:
    return any(isinstance(v, np.ndarray) or (isinstance(v, (list, tuple)) and _holds_host(v))
               for v in seq)


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    out = _to_device(obj, dtype, copy, "cupy.array")
    if ndmin > out.ndim:
        out = wrap(out._a.reshape((1,) * (ndmin - out.ndim) + out.shape))
    return out


def asarray(a, dtype=None, order=None, *, copy=None, blocking=False):
    return _to_device(a, dtype, bool(copy), "cupy.asarray")


def asanyarray(a, dtype=None, order=None, *, blocking=False):
    return _to_device(a, dtype, False, "cupy.asanyarray")


def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    if isinstance(a, ndarray):
        return a.get(stream=stream, order=order, out=out)
    if out is not None:
        out[...] = a
        return out
    return np.asarray(a, order=order)


def get_array_module(*args):
    from . import _module

    return _module.cupy if any(isinstance(a, ndarray) for a in args) else np


def _empty(shape, dtype=float, order="C"):
    return wrap(_uninitialized(shape, dtype, order))


def _empty_like(a, dtype=None, order="K", subok=None, shape=None):
    base = a._a if isinstance(a, ndarray) else np.asarray(a)
    return wrap(_uninitialized(base.shape if shape is None else shape,
                               base.dtype if dtype is None else dtype))


def _like(np_fn):
    """``zeros_like``/``ones_like``/``full_like``: CuPy reads only the metadata of ``a``, so
    a host ``a`` is accepted (no transfer) and the result is on the device."""

    def impl(a, *args, **kwargs):
        base = a._a if isinstance(a, ndarray) else a
        rest = [v._a if isinstance(v, ndarray) else v for v in args]
        kw = {k: (v._a if isinstance(v, ndarray) else v) for k, v in kwargs.items()}
        return wrap(np_fn(base, *rest, **kw))

    return impl


def _meta(np_fn):
    def impl(*args, **kwargs):
        originals: dict = {}
        return np_fn(*_unwrap_meta(args, originals),
                     **{k: _unwrap_meta(v, originals) for k, v in kwargs.items()})

    return impl


def scatter(np_ufunc):
    def impl(a, slices, value):
        if not isinstance(a, ndarray):
            raise TypeError(f"cupyx.scatter_*: a must be a cupy.ndarray, not {type(a)}")
        a._scatter(slices, value, np_ufunc)

    return impl


def copyto(dst, src, casting="same_kind", where=None):
    """CuPy's copyto: a host ``src`` is allowed only with one element (used as a scalar)."""
    if not isinstance(dst, ndarray):
        raise TypeError(f"cupy.copyto: dst must be a cupy.ndarray, not {type(dst)}")
    if isinstance(src, np.ndarray):
        if src.size != 1:
            raise ValueError("non-scalar numpy.ndarray cannot be used for copyto")
        if not np.can_cast(src, dst.dtype, casting):
            raise TypeError(f"Cannot cast {src.dtype} to {dst.dtype} in {casting} casting mode")
        src = src.squeeze()[()]
    elif isinstance(src, ndarray):
        src = src._a
    elif not is_scalar(src):
        raise TypeError(f"cupy.copyto: Unsupported type {type(src)}")
    if isinstance(where, np.ndarray):
        raise TypeError("cupy.copyto: where must be a cupy.ndarray or a scalar, not a host array")
    np.copyto(dst._a, src, casting=casting,
              where=where._a if isinstance(where, ndarray) else (True if where is None else where))


# Host-accepting or CuPy-specific implementations (everything else maps to NumPy's function).
CUSTOM = {
    "array": array, "asarray": asarray, "asanyarray": asanyarray, "asnumpy": asnumpy,
    "get_array_module": get_array_module, "empty": _empty, "empty_like": _empty_like,
    "zeros_like": _like(np.zeros_like), "ones_like": _like(np.ones_like),
    "full_like": _like(np.full_like), "copyto": copyto,
}
# Functions that read only metadata (shape, dtype) and so take host arrays too, as in CuPy.
for _n in ("shape", "ndim", "size", "isscalar", "result_type", "can_cast", "iscomplexobj",
           "isrealobj", "min_scalar_type", "common_type"):
    CUSTOM[_n] = _meta(getattr(np, _n))
