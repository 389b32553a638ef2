"""The array backend: the ONLY module that imports CuPy.

Everything above this layer asks ``get_array_module(x)`` for ``xp`` (NumPy or CuPy) and never
names ``np``/``cp`` for array math itself, so one op body runs on both devices (DeZero's trick).
"""

from __future__ import annotations

import numpy as np
import scipy.special as _sc

from ._meta import NO_DATA, MetaArray, _needs_data
from ._meta_numpy import meta_numpy

try:  # CuPy is an optional extra (`pip install tinygrad_edu[cuda]`).
    import cupy as _cp  # type: ignore
    import cupyx as _cpx  # type: ignore
    import cupyx.scipy.special  # type: ignore  # noqa: F401 - binds _cpx.scipy.special

    try:
        _CUDA_OK = _cp.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - any driver failure means no GPU
        _CUDA_OK = False
except ImportError:  # pragma: no cover - depends on the machine
    _cp = _cpx = None
    _CUDA_OK = False


def _set_cuda_module(cupy_module, cupyx_module, available: bool = True):
    """Tests only: put a CuPy-compatible module pair behind device ``"cuda"`` (the simulated
    GPU of ``parity_tests/gpusim``). Returns the previous ``(cupy, cupyx, available)``, which
    restores it when passed back."""
    global _cp, _cpx, _CUDA_OK
    previous = (_cp, _cpx, _CUDA_OK)
    _cp, _cpx, _CUDA_OK = cupy_module, cupyx_module, bool(available)
    return previous


class device:
    """A device, as ``torch.device``: ``device("cpu")``, ``device("cuda")``, ``"cuda:0"``,
    ``device("meta")`` (tensors with a shape and a dtype and no data: ``_meta.MetaArray``).

    Raises RuntimeError for an unknown device type.
    """

    __slots__ = ("type", "index")

    def __init__(self, spec: "str | device" = "cpu", index: int | None = None):
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        if not isinstance(spec, str):
            raise TypeError(f"device(): expected a string like 'cpu' or 'cuda', got {spec!r}")
        kind, _, idx = spec.partition(":")
        if kind not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                f"Expected one of cpu, cuda, meta device type at start of device string: {spec}"
            )
        self.type = kind
        self.index = int(idx) if idx else index

    def __enter__(self) -> "device":
        """``with tg.device("meta"):`` makes this the default device of the factories (zeros,
        randn, arange, tensor, new modules' parameters ...) until the block ends, as torch's."""
        DEFAULT_DEVICE.append(self)
        return self

    def __exit__(self, *exc) -> None:
        DEFAULT_DEVICE.pop()

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type

    def __hash__(self) -> int:
        return hash(self.type)

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"


CPU = device("cpu")
CUDA = device("cuda")
META = device("meta")
DEFAULT_DEVICE = [CPU]  # the factories' device when none is given: the last entry (a stack)


def get_default_device() -> device:
    """``torch.get_default_device``: where factories make tensors when no device is given."""
    return DEFAULT_DEVICE[-1]


def cuda_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return _CUDA_OK


def _require_cuda(what: str) -> None:
    if _cp is None:
        raise RuntimeError(
            f"{what}: device 'cuda' needs CuPy, which is not installed "
            "(pip install 'tinygrad_edu[cuda]' on a machine with an NVIDIA GPU)"
        )
    if not _CUDA_OK:
        raise RuntimeError(f"{what}: CuPy is installed but no CUDA GPU is visible")


_ndarray = np.ndarray


def get_array_module(x):
    """Return the array module (``numpy`` or ``cupy``) that owns ``x`` (for a meta array,
    ``_meta.meta_numpy``: NumPy whose array makers make meta arrays)."""
    if type(x) is _ndarray:
        return np
    if _cp is not None and isinstance(x, _cp.ndarray):
        return _cp
    if type(x) is MetaArray:
        return meta_numpy
    return np


def gammainc(a, x, upper: bool = False):
    """The regularized incomplete gamma function P(a, x) (``upper``: Q(a, x) = 1 - P) of two
    arrays of one dtype: SciPy's ``gammainc``/``gammaincc`` on the host, cupyx's on the GPU
    (torch's ``igamma``/``igammac``)."""
    name = "gammaincc" if upper else "gammainc"
    if _cp is not None and isinstance(a, _cp.ndarray):
        cs = _cpx.scipy.special  # the active CuPy's (a test may swap in a simulated one)
        return getattr(cs, name)(a, x).astype(a.dtype, copy=False)
    sc = _sc
    with np.errstate(all="ignore"):
        return _host(getattr(sc, name)(a, x)).astype(np.result_type(a, x), copy=False)


def gammaln(a):
    """ln Γ(a) elementwise (SciPy's / cupyx's ``gammaln``), in ``a``'s dtype."""
    if _cp is not None and isinstance(a, _cp.ndarray):
        cs = _cpx.scipy.special  # the active CuPy's (a test may swap in a simulated one)
        return cs.gammaln(a)
    sc = _sc
    with np.errstate(all="ignore"):
        return _host(sc.gammaln(a)).astype(a.dtype, copy=False)


def device_of(array) -> device:
    if _cp is not None and isinstance(array, _cp.ndarray):
        return CUDA
    return META if type(array) is MetaArray else CPU


def is_meta(array) -> bool:
    """True for a meta device array (a shape and a dtype, no data)."""
    return type(array) is MetaArray


def to_device(array, dev: device):
    """Move an array to ``dev`` (a copy only when the device changes). To ``meta``: only the
    shape and dtype go; from ``meta`` to a real device: NotImplementedError (no data)."""
    if dev.type == "meta":
        return array if type(array) is MetaArray else MetaArray(array.shape, array.dtype)
    if type(array) is MetaArray:
        raise _needs_data(NO_DATA)
    if dev.type == "cpu":
        return to_numpy(array)
    _require_cuda("to('cuda')")
    _no_bfloat16_on_gpu(getattr(array, "dtype", None))
    return _cp.asarray(array)


def _no_bfloat16_on_gpu(dtype) -> None:
    """CuPy has no bfloat16 (NumPy neither: tensors store ml_dtypes' type on the host), so a
    bfloat16 tensor stays on the CPU: TypeError, instead of CuPy's own refusal."""
    if dtype is not None and np.dtype(dtype).name == "bfloat16":
        raise TypeError("to('cuda'): a bfloat16 tensor can not move to the GPU here (CuPy has "
                        "no bfloat16); convert it first, e.g. t.float().to('cuda')")


def to_numpy(array) -> np.ndarray:
    """Host copy of an array (no copy for NumPy arrays); NotImplementedError for a meta array
    (torch's "no data")."""
    if _cp is not None and isinstance(array, _cp.ndarray):
        return _cp.asnumpy(array)
    if type(array) is MetaArray:
        raise _needs_data(NO_DATA)
    return array


def asarray(data, dtype=None, dev: device = CPU):
    """Make an array of ``data`` on ``dev`` (on ``meta``: its shape and dtype only)."""
    if dev.type == "meta":
        return to_device(np.asarray(data, dtype=dtype), dev)
    if dev.type == "cuda":
        _require_cuda("tensor(device='cuda')")
        _no_bfloat16_on_gpu(dtype if dtype is not None else getattr(data, "dtype", None))
        return _cp.asarray(data, dtype=dtype)
    return np.asarray(data, dtype=dtype)


def full(shape, fill, dtype, dev: device = CPU):
    """An array of ``fill`` made directly on ``dev`` (on a GPU: no host array, no transfer; on
    ``meta``: nothing allocated)."""
    if dev.type == "meta":
        shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
        return MetaArray(shape, np.result_type(dtype) if dtype is not None else
                         np.asarray(fill).dtype)
    if dev.type == "cuda":
        _require_cuda("tensor(device='cuda')")
        _no_bfloat16_on_gpu(dtype)
        return _cp.full(shape, fill, dtype=dtype)
    return np.full(shape, fill, dtype=dtype)


def scatter_add(target, indices, values) -> None:
    """``target[indices] += values`` with repeated indices summed (backward of gather/index)."""
    if _cp is not None and isinstance(target, _cp.ndarray):
        _cpx.scatter_add(target, indices, values)
    else:
        np.add.at(target, indices, values)


# ---- special functions: SciPy on the host, cupyx.scipy.special on the GPU ------------------------
# What NumPy lacks and where each backend finds it. NumPy has no special functions beyond
# ``np.i0`` (not a ufunc) and ``np.sinc``; SciPy (a core dependency) has them all; CuPy mirrors
# SciPy in ``cupyx.scipy.special`` except where the third column says False: those run on the
# host (one transfer each way), until CuPy grows them.
#   torch's name            scipy.special / cupyx.scipy.special name   in CuPy (13)?
SPECIAL = {
    "erf":                  ("erf", True),
    "erfc":                 ("erfc", True),
    "erfcx":                ("erfcx", True),
    "erfinv":               ("erfinv", True),
    "lgamma":               ("gammaln", True),
    "digamma":              ("digamma", True),
    "polygamma":            ("polygamma", True),   # (n, x)
    "zeta":                 ("zeta", True),        # Hurwitz zeta (x, q)
    "i0":                   ("i0", True),
    "i0e":                  ("i0e", True),
    "i1":                   ("i1", True),
    "i1e":                  ("i1e", True),
    "modified_bessel_k0":   ("k0", True),
    "modified_bessel_k1":   ("k1", True),
    "scaled_modified_bessel_k0": ("k0e", True),
    "scaled_modified_bessel_k1": ("k1e", True),
    "bessel_j0":            ("j0", True),
    "bessel_j1":            ("j1", True),
    "bessel_y0":            ("y0", True),
    "bessel_y1":            ("y1", True),
    "ndtr":                 ("ndtr", True),
    "ndtri":                ("ndtri", True),
    "log_ndtr":             ("log_ndtr", True),
    "entr":                 ("entr", True),
    "xlog1py":              ("xlog1py", True),
    "airy_ai":              ("airy", False),       # airy(x) -> (Ai, Ai', Bi, Bi'); CuPy lacks it
    "eval_laguerre":        ("eval_laguerre", False),  # (n, x): Lₙ(x) by recurrence in C
    "eval_legendre":        ("eval_legendre", False),  # (n, x): Pₙ(x) by recurrence in C
}


def special(name: str, *arrays):
    """torch's special function ``name`` (a key of :data:`SPECIAL`) elementwise on arrays of
    one device (numbers allowed), as an array of the last array's dtype."""
    fname, on_gpu = SPECIAL[name]
    ref = [a for a in arrays if hasattr(a, "dtype")][-1]
    if _cp is not None and isinstance(ref, _cp.ndarray):
        if on_gpu:
            cs = _cpx.scipy.special  # the active CuPy's (a test may swap in a simulated one)
            out = getattr(cs, fname)(*arrays)
            return out.astype(ref.dtype, copy=False)
        host = special(name, *(to_numpy(a) for a in arrays))
        return _cp.asarray(host)
    sc = _sc
    with np.errstate(all="ignore"):  # torch: domain errors give nan/inf silently
        out = getattr(sc, fname)(*arrays)
    if name == "airy_ai":
        out = out[0]
    return _host(out).astype(ref.dtype, copy=False)


def _host(out):
    """A SciPy result as a NumPy array (a 0-d result comes back as a scalar); a meta result
    (SciPy's ufuncs on meta arrays give meta arrays) as it is."""
    return out if type(out) is MetaArray else np.asarray(out)


def erf(x):
    """The error function, elementwise (SciPy's / CuPy's)."""
    return special("erf", x)


_LIBM: dict = {}


def libm_float(name: str, x):
    """The C library's float32 function ``name`` (``"acos"`` calls ``acosf``) elementwise on a
    float32 array. torch's scalar CPU kernels (the special polynomials) call these, and they are
    not always correctly rounded (glibc 2.36's acosf is an ulp off for ~6% of inputs), while
    NumPy's own float32 versions differ again; where the result amplifies that ulp, only the C
    library's value reproduces torch's. Falls back to the float64 function rounded to float32
    (on the GPU, or without a loadable C math library)."""
    xp = get_array_module(x)
    fallback = getattr(xp, "arc" + name[1:] if name.startswith("a") else name)
    if xp is not np or not x.size:
        return fallback(x.astype(xp.float64)).astype(xp.float32)
    if name not in _LIBM:
        try:
            import ctypes
            import ctypes.util

            fn = getattr(ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6"), name + "f")
            fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
            _LIBM[name] = np.frompyfunc(fn, 1, 1)
        except (OSError, AttributeError, TypeError):  # no C math library to load
            _LIBM[name] = None
    f = _LIBM[name]
    if f is None:
        return fallback(x.astype(np.float64)).astype(np.float32)
    return np.asarray(f(x), dtype=np.float32)


def ufunc_at(op: str, target, indices, values) -> None:
    """``target[indices] = op(target[indices], values)`` applied once per index, repeats included
    (NumPy's ``np.<op>.at``: ``multiply``, ``maximum``, ``minimum`` for scatter_reduce). CuPy
    has ``maximum.at``/``minimum.at`` but no ``multiply.at``: prod there raises."""
    if _cp is not None and isinstance(target, _cp.ndarray):
        if op == "multiply":
            raise NotImplementedError("scatter_reduce(reduce='prod') has no CuPy kernel")
        getattr(_cp, op).at(target, indices, values)
    else:
        getattr(np, op).at(target, indices, values)




# ---- what NumPy has that CuPy lacks, or the reverse (and what the ops do about it) -------------
# linalg rows (ops/linalg/). "batched": stacks (..., m, n) in one call. CuPy's column is from its
# documentation (cuSOLVER underneath); not yet run on a GPU here.
#
# | need                    | NumPy                | CuPy                 | tinygrad_edu          |
# |-------------------------|----------------------|----------------------|-----------------------|
# | inv solve det slogdet   | batched              | batched              | xp.linalg             |
# | cholesky eigh eigvalsh  | batched              | batched              | xp.linalg             |
# | svd, qr (incl. 'raw')   | batched              | batched              | xp.linalg             |
# | eig, eigvals (non-sym.) | yes, complex results | recent CuPy only     | not offered (complex) |
# | lstsq                   | 2-D only             | 2-D only             | pinv(A) B, batched    |
# | LU with pivots (getrf)  | none (SciPy, 2-D)    | cupyx.scipy (2-D)    | _lu_core.py, batched  |
# | triangular solve (trsm) | none (SciPy, 2-D)    | cupyx.scipy (2-D)    | substitution on xp    |
# | expm                    | none (SciPy)         | cupyx.scipy (2-D)    | Pade 13 on xp         |
# | LDL (sytrf, sytrs)      | none (SciPy: ldl)    | none                 | ldl.py (dsytf2) on xp |
# | cross                   | numpy.cross          | cupy.cross           | xp.cross              |
# Signs of eigen/singular vectors: each LAPACK picks its own (torch's CPU wheel: MKL's; NumPy:
# OpenBLAS's; CuPy: cuSOLVER's); tinygrad_edu returns what the array library gives.
