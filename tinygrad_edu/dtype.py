"""Dtypes as torch names them, and torch's type-promotion rules.

NumPy and torch disagree on promotion: NumPy makes ``int64 + 0.5`` float64 and
``float32 + int64-array`` float64; torch keeps the default float dtype (float32 unless
``set_default_dtype`` changed it: :func:`default_float` is the one place that knows it). Tensor
ops therefore ask :func:`result_type` before touching arrays, so float32 stays float32.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

from ._argtypes import type_name
from ._meta import MetaArray
from ._type_names import (  # noqa: F401  (re-exported)
    CPP_TYPE_NAMES,
    TORCH_TYPE_NAMES,
    cpp_type_name,
    torch_type_name,
)


class dtype:
    """A tensor element type (``tg.float32`` ...). Wraps a NumPy dtype."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize", "_cat")

    def __init__(self, name: str, np_dtype, category: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.is_floating_point = category == 2
        self._cat = category  # 0 bool, 1 integer, 2 floating: torch's promotion categories

    def __repr__(self) -> str:
        return f"torch.{self.name}"  # printed as torch prints it, so seed output reads the same

    @property
    def is_signed(self) -> bool:
        """True when the dtype holds negative values: every float and int8..int64; False for
        bool and uint8 (as torch)."""
        return self._cat != 0 and self.np.kind != "u"

    def __reduce__(self):
        return (_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
# bfloat16: 1 sign, 8 exponent and 7 mantissa bits (the upper half of a float32). NumPy has no
# such type; ml_dtypes (the JAX team's package) registers one, and tensors store it as is.
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
REDUCED_FLOATS = (np.dtype(np.float16), bfloat16.np)  # torch computes both in float32 (opmath)
_FROM_NP = {d.np: d for d in ALL}
_BF16 = bfloat16.np


def kind_of(d: np.dtype) -> str:
    """NumPy's kind letter of the dtype ``d`` (``b`` bool, ``u``/``i`` integer, ``f`` float),
    where bfloat16 is the float it is: NumPy files ml_dtypes' types under ``V`` (void).
    Every kind test in the library asks this, not ``d.kind``."""
    k = d.kind
    return "f" if k == "V" and d == _BF16 else k


def widen_bfloat16(a):
    """A bfloat16 array as float32 (the type torch computes BFloat16 in); anything else as is."""
    return a.astype(np.float32) if getattr(a, "dtype", None) is _BF16 else a


def to_bfloat16(a):
    """A floating result of a bfloat16 computation rounded to bfloat16 (once); integer and bool
    results, and non-arrays, as they are."""
    dt = getattr(a, "dtype", None)
    if dt is not None and dt.kind == "f":
        return (a if type(a) is MetaArray else np.asarray(a)).astype(_BF16)
    return a


def finfo(d):
    """``np.finfo``, which also takes bfloat16 (through ml_dtypes' finfo)."""
    d = np.dtype(d)
    return ml_dtypes.finfo(d) if d == _BF16 else np.finfo(d)


_NAMES = {d.name: d for d in ALL}


_NAMES.update({"float": float32, "double": float64, "long": int64, "int": int32,
               "half": float16, "short": int16})


# a Python or NumPy number (what torch's argument parser takes as a Scalar)
NUMBERS = (int, float, bool, np.number, np.bool_)

# the C type torch names in "value cannot be converted to type ... without overflow"
_C_TYPES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
            "int64": "int64_t", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "float32": "float", "float64": "double"}


def checked_scalar(value, d, c_type: str | None = None, inf_ok: bool = False):
    """A Python number as a scalar of dtype ``d`` (a tg or NumPy dtype), by torch's checked
    conversion (``c10::checked_convert``), used where a number fills a tensor (full, fill_,
    masked_fill, scalar_tensor, tensor from a list):

    - integer dtypes: a float is truncated toward zero and must lie within the dtype's range
      (nan and ±inf never do); an int must lie within it too, except that an unsigned dtype
      also takes negative ints down to −max and wraps them (two's complement: −9 → 247 in
      uint8, as torch);
    - float dtypes: a finite value beyond the dtype's largest is an overflow (70000 in
      float16), except where torch converts float16/bfloat16 unchecked (``inf_ok``: setitem,
      scalar_tensor, and full/fill_ of a single element): there it becomes ±inf;
    - bool: any nonzero value (nan included) is True.

    Raises RuntimeError "value cannot be converted to type <C type> without overflow" (torch's
    message; ``c_type`` overrides the C type's name); OverflowError for a Python int no 64-bit
    integer holds (below −2⁶³, or 2⁶⁴ and up), whatever ``d``, as torch's argument parser.
    """
    npd = d.np if isinstance(d, dtype) else np.dtype(d)
    if type(value) is int and not -2**63 <= value < 2**64:  # torch reads int64 or uint64 first
        raise OverflowError("can't convert negative int to unsigned" if value < 0 else
                            "int too big to convert")
    if npd.kind == "b":
        return np.bool_(bool(value))
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    if npd.kind in "iu":
        info = np.iinfo(npd)
        if isinstance(value, (float, np.floating)):
            ok = info.min <= value <= info.max  # False for nan and ±inf
            value = int(value) if ok else 0
        else:
            value = int(value)
            ok = value <= info.max and (value >= info.min or (
                npd.kind == "u" and -value <= info.max))
        if ok:
            return npd.type(value % (info.max + 1) if npd.kind == "u" else value)
    else:
        value = float(value)
        if not (float(finfo(npd).max) < abs(value) < float("inf")):
            return npd.type(value)
        if inf_ok and npd in REDUCED_FLOATS:  # rounded as the cast does: 65519 -> 65504, 7e4 -> inf
            with np.errstate(over="ignore"):
                return npd.type(value)
    name = c_type or _C_TYPES.get(npd.name, npd.name)
    raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def check_integer_range(arr: np.ndarray, d, c_type: str | None = None) -> None:
    """Raise torch's overflow RuntimeError when numbers read from Python data (``arr``, int64
    or float64) do not fit the integer dtype ``d``: the vectorized rule of
    :func:`checked_scalar` (floats within the range, unsigned dtypes taking negative ints down
    to −max). Other dtypes are not checked (floats overflow to ±inf, as torch's tensor())."""
    npd = d.np if isinstance(d, dtype) else np.dtype(d)
    if npd.kind not in "iu" or arr.dtype.kind not in "iuf" or not arr.size:
        return
    info = np.iinfo(npd)
    with np.errstate(invalid="ignore"):
        if arr.dtype.kind == "f":
            ok = (arr >= info.min) & (arr <= info.max)  # nan and ±inf fail both
        else:
            ok = (arr <= info.max) & ((arr >= info.min) | (
                (npd.kind == "u") & (arr >= -int(info.max))))
    if not ok.all():
        name = c_type or npd.name
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def reduce_in_dtype(reduction, x: np.ndarray, axis, keepdims: bool):
    """``x.sum``/``x.prod`` (the bound ``reduction``) with torch's dtype rule: the result keeps
    x's dtype (NumPy would widen int8/16/32 to int64 and uint8 to uint64), and float16 and
    bfloat16 accumulate in float32, rounded once (torch's CPU accumulate type; torch's prod does
    not: ops/reduce.py's ProdFn multiplies half types itself). NumPy's ufunc
    reduce is called here, so ops/reduce.py can silence its IEEE warnings (torch's are silent)."""
    half = x.dtype in REDUCED_FLOATS
    acc = np.float32 if half else x.dtype
    if type(x) is np.ndarray:
        ufunc = np.add if reduction.__name__ == "sum" else np.multiply
        y = ufunc.reduce(x, axis=axis, keepdims=keepdims, dtype=acc)
    else:
        y = reduction(axis=axis, keepdims=keepdims, dtype=acc)
    return y.astype(x.dtype) if half else y


def _by_name(name: str) -> dtype:
    return _NAMES[name]


# The default floating dtype, process-global as torch's (torch.set_default_dtype). Read it only
# through default_float() outside this module; write it only through set_default_dtype().
_default_float = float32


def default_float() -> dtype:
    """The default floating dtype (``torch.get_default_dtype()``): float32 unless
    :func:`set_default_dtype` changed it. Every place where torch consults the default asks
    this: float Python data in ``tensor()``, factories without ``dtype=`` (``zeros``, ``rand``,
    ``arange(0.5)``, ``linspace`` ...), int/bool → float promotion (``int_tensor / 2``,
    ``sqrt(int_tensor)``, ``int_tensor * 1.5``) and new module parameters."""
    return _default_float


_DEFAULT_OK = (float32, float64, float16, bfloat16)


def set_default_dtype(d) -> None:
    """``torch.set_default_dtype(d)``: make ``d`` the default floating dtype, for the whole
    process (as torch; restore it with ``set_default_dtype(torch.float32)``).

    What changes: the dtype of float Python data in ``tensor()``/``as_tensor()`` (ints stay
    int64, bools bool; NumPy arrays and ``from_numpy`` keep theirs), of every factory called
    without ``dtype=`` (``zeros, ones, empty, full`` with a float fill, ``rand, randn``,
    ``arange`` with a float argument, ``linspace, logspace, eye, scalar_tensor``, the signal
    windows, ``Tensor(...)``), of int/bool tensors promoted to float (``int_tensor / 2``,
    ``int_tensor * 1.5``, ``sqrt(int_tensor)``), and of new ``nn`` parameters and buffers;
    ``repr`` omits ``dtype=`` for it; optimizers keep ``step`` in float64 under a float64
    default (else float32). Explicit conversions (``x.float()`` is float32), ``dtype=float``
    (float64), ``*_like`` factories (the input's dtype) and existing tensors do not change.

    dtype rule: ``d`` must be a floating tg dtype: float32, float64, float16 or bfloat16.
    Raises TypeError "only floating-point types are supported as the default type" for an
    integer or bool dtype, and "invalid dtype object: ..." for anything that is not a dtype
    (a string, ``float``, None), as torch.
    """
    global _default_float
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the "
                        "default type")
    if d not in _DEFAULT_OK:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


def from_numpy_dtype(np_dtype) -> dtype:
    """The tg dtype of a NumPy dtype (raises TypeError for unsupported ones)."""
    d = _FROM_NP.get(np.dtype(np_dtype))
    if d is None:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only "
                        "supported types are: float64, float32, float16, bfloat16, int64, int32, "
                        "int16, int8, uint8, and bool.")
    return d


def to_dtype(d, op: str | None = None) -> dtype:
    """Accept a tg dtype, a NumPy dtype/type, a Python type or a name; return a tg dtype.
    The Python types read as torch's argument parser reads them: ``float`` is float64 (a
    Python float is a double; not the default dtype), ``int`` int64, ``bool`` bool. With
    ``op`` (a user's ``dtype=`` of that op) only those, as torch's parser: anything else
    (``"float32"``, ``np.float32``) is TypeError "<op>(): argument 'dtype' must be torch.dtype"."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if op is not None:
        raise TypeError(f"{op}(): argument 'dtype' must be torch.dtype, not {type_name(d)}")
    if isinstance(d, str) and d in _NAMES:
        return _NAMES[d]
    try:
        return from_numpy_dtype(d)
    except TypeError:
        raise TypeError(f"invalid dtype: {d!r}") from None


def _promote_pair(a: dtype, b: dtype) -> dtype:
    """torch.promote_types of two dtypes of one category: NumPy's lattice, plus bfloat16, which
    NumPy does not know (with float16 it makes float32, neither holding the other's values)."""
    if a is b:
        return a
    if a is bfloat16 or b is bfloat16:
        other = b if a is bfloat16 else a
        return float32 if other is float16 else other  # float32/float64 hold every bfloat16
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _dtype_arg(op: str, name: str, pos: int, d) -> dtype:
    """A dtype argument of a torch function: a tg dtype, or a Python type as torch's argument
    parser reads it (float → float64, int → int64, bool → bool); else torch's TypeError."""
    if isinstance(d, dtype):
        return d
    py = {float: float64, int: int64, bool: bool_}.get(d) if isinstance(d, type) else None
    if py is None:
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be torch.dtype, not "
                        f"{type(d).__name__}")
    return py


def promote_types(type1, type2) -> dtype:
    """``torch.promote_types``: the smallest dtype both ``type1`` and ``type2`` convert to
    without leaving their category (bool < integer < floating: the higher category's dtype wins,
    ``promote_types(int64, float16)`` is float16); within one, torch's lattice
    (``uint8, int8 → int16``; ``bfloat16, float16 → float32``). Raises TypeError for an argument
    that is not a dtype."""
    a = _dtype_arg("promote_types", "type1", 1, type1)
    b = _dtype_arg("promote_types", "type2", 2, type2)
    if a._cat != b._cat:
        return a if a._cat > b._cat else b
    return _promote_pair(a, b)


def can_cast(from_, to) -> bool:
    """``torch.can_cast``: whether torch's type promotion may convert ``from_`` to ``to`` —
    never a float to an integer or bool, never an integer to bool (a narrowing within a category,
    ``int64 → int8``, is allowed). Raises TypeError for an argument that is not a dtype."""
    a = _dtype_arg("can_cast", "from_", 1, from_)
    b = _dtype_arg("can_cast", "to", 2, to)
    return a._cat <= b._cat


def _promote(dtypes) -> dtype:
    r = dtypes[0]
    for d in dtypes[1:]:
        r = _promote_pair(r, d)
    return r


def infer_python_dtype(data) -> dtype:
    """torch's inference for Python data: any float -> the default dtype (:func:`default_float`,
    float32 unless changed); ints -> int64; bools -> bool."""
    kind = (data if type(data) is np.ndarray else np.asarray(data)).dtype.kind
    if kind == "b":
        return bool_
    if kind in "iu":
        return int64
    if kind == "f":
        return _default_float
    raise TypeError(f"tensor(): could not infer a dtype from data of NumPy kind '{kind}'")


def scalar_dtype(x) -> dtype:
    """The dtype a Python scalar takes when it meets a tensor (torch's default dtypes: a float
    takes :func:`default_float`)."""
    if isinstance(x, (bool, np.bool_)):
        return bool_
    if isinstance(x, (int, np.integer)):
        return int64
    return _default_float


def result_type(*operands) -> dtype:
    """torch.result_type: promotion across dimensioned tensors, 0-d tensors and Python scalars.

    The highest category (bool < integer < float) wins. Within it, dimensioned tensors take
    priority over 0-d tensors, which take priority over Python scalars: a float32 vector times a
    float64 0-d tensor is float32; an int64 vector times 0.5 is the default dtype (float32
    unless changed).
    """
    groups: tuple[list, list, list] = ([], [], [])  # dimensioned, zero-dim, scalars
    for op in operands:
        d = getattr(op, "dtype", None)
        if isinstance(d, dtype):
            groups[0 if op.ndim else 1].append(d)
        else:
            groups[2].append(scalar_dtype(op))
    top = max(d._cat for g in groups for d in g)
    for g in groups:
        best = [d for d in g if d._cat == top]
        if best:
            return _promote(best)
    raise AssertionError("unreachable")


# memory formats live beside the dtypes in torch's namespace (tg.contiguous_format ...)
from ._memory_format import (  # noqa: E402,F401
    _FORMATS,
    _format_by_name,
    channels_last,
    channels_last_3d,
    contiguous_format,
    memory_format,
    preserve_format,
)
