"""``assert_close``: torch.testing's comparison, on NumPy (no torch import).

The inputs are walked as torch does: sequences element by element, mappings key by key (the
keys must match), and at the leaves one of four pairs, tried in this order: ``None`` with
``None``; ``bool`` with ``bool``; Python/NumPy numbers; tensor-likes (Tensors, or anything
``tg.as_tensor`` takes, when the two types are directly related). Every pair is built first
(a structure or type error is raised before any value is compared), then compared; the first
failure is raised.
"""

from __future__ import annotations

import cmath
import collections.abc
import contextlib

import numpy as np

from ..creation import as_tensor
from ..dtype import dtype as _dtype_cls
from ..dtype import promote_types
from ..tensor import Tensor

# (rtol, atol) per dtype name; every other dtype (integers, bool) compares exactly
DTYPE_PRECISIONS = {
    "float16": (0.001, 1e-5),
    "bfloat16": (0.016, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex32": (0.001, 1e-5),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
_NUMBER_DTYPE = {int: "int64", float: "float64", complex: "complex128"}


class _Fail(Exception):
    """A failure found while building or comparing a pair: the exception type torch raises,
    its message, and where in the nested inputs it happened."""

    def __init__(self, type_, msg, id_=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type_, msg, id_

    def to_error(self, msg=None):
        if not isinstance(msg, str):
            text = self.msg
            if self.id:
                text += f"\n\nThe failure occurred for item {''.join(str([i]) for i in self.id)}"
            msg = msg(text) if callable(msg) else text
        return self.type(msg)


def default_tolerances(*inputs) -> tuple[float, float]:
    """The loosest ``(rtol, atol)`` over the dtypes of ``inputs`` (Tensors or dtypes): float16
    1e-3/1e-5, bfloat16 1.6e-2/1e-5, float32 1.3e-6/1e-5, float64 1e-7/1e-7, complex as their
    float parts, everything else 0/0 (exact). Raises TypeError for any other input."""
    names = []
    for x in inputs:
        if isinstance(x, Tensor):
            names.append(x.dtype.name)
        elif isinstance(x, _dtype_cls):
            names.append(x.name)
        elif isinstance(x, str):
            names.append(x)
        else:
            raise TypeError(
                f"Expected a torch.Tensor or a torch.dtype, but got {type(x)} instead.")
    rtols, atols = zip(*[DTYPE_PRECISIONS.get(n, (0.0, 0.0)) for n in names])
    return max(rtols), max(atols)


def _tolerances(*inputs, rtol, atol, id_=()):
    if (rtol is None) ^ (atol is None):
        raise _Fail(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                                f"but got no {'rtol' if rtol is None else 'atol'}.", id_)
    if rtol is not None:
        return rtol, atol
    return default_tolerances(*inputs)


def _diff_msg(kind, diff, idx, tol, equality):
    text = (f"{kind.title()} difference: {diff}" if idx is None
            else f"Greatest {kind} difference: {diff} at index {idx}")
    return text + ("" if equality else f" (up to {tol} allowed)") + "\n"


def _mismatch_msg(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol) -> str:
    equality = rtol == 0 and atol == 0
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += _diff_msg("absolute", abs_diff, abs_idx, atol, equality)
    msg += _diff_msg("relative", rel_diff, rel_idx, rtol, equality)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None,
                         atol, rel_diff, None, rtol)


def _item(x):
    return x.item() if hasattr(x, "item") else x


def _tensor_msg(a, e, matches, rtol, atol) -> str:
    """Torch's report: how many elements mismatch, and the greatest absolute and relative
    differences among them with their indices (computed in the compared dtype)."""
    total = matches.size
    bad = total - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    a, e, m = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if a.dtype.kind not in "fcV" and str(a.dtype) != "bfloat16":
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[m] = 0
        denom = np.abs(e)
        if abs_diff.dtype.kind == "i":  # integer true division gives the default float dtype
            rel_diff = abs_diff.astype(np.float32) / denom.astype(np.float32)
        else:
            rel_diff = abs_diff / denom
        rel_diff[m] = 0

    def greatest(d):
        k = int(np.argmax(np.isnan(d))) if np.isnan(d).any() else int(np.argmax(d))
        idx = tuple(int(v) for v in np.unravel_index(k, matches.shape)) if matches.shape else ()
        return _item(d[k]), idx

    (ad, ai), (rd, ri) = greatest(abs_diff), greatest(rel_diff)
    return _mismatch_msg("Tensor-likes", extra, ad, ai, atol, rd, ri, rtol)


def _isclose(a, e, rtol, atol, equal_nan) -> np.ndarray:
    """torch.isclose in the compared dtype: ``a == e`` or ``|a − e| ≤ atol + rtol·|e|`` (finite)."""
    with np.errstate(all="ignore"):
        close = a == e
        if rtol or atol:
            work = a.dtype if a.dtype.kind in "fc" or str(a.dtype) == "bfloat16" else np.float64
            x, y = a.astype(work), e.astype(work)
            diff = np.abs(x - y)
            allowed = (np.asarray(atol, work) + np.asarray(rtol, work) * np.abs(y)).astype(
                diff.dtype)
            close = close | (np.isfinite(diff) & (diff <= allowed))
        if equal_nan and (a.dtype.kind in "fc" or str(a.dtype) == "bfloat16"):
            close = close | (np.isnan(a) & np.isnan(e))
    return close


class _Unsupported(Exception):
    pass


def _none_pair(a, e, id_, **_):
    if a is not None and e is not None:
        raise _Unsupported

    def compare():
        if not (a is None and e is None):
            raise _Fail(AssertionError, f"None mismatch: {a} is not {e}", id_)
    return compare


def _bool_pair(a, e, id_, **_):
    kinds = (bool, np.bool_)
    if not (isinstance(a, kinds) and isinstance(e, kinds)):
        raise _Unsupported
    a, e = bool(a), bool(e)

    def compare():
        if a is not e:
            raise _Fail(AssertionError, f"Booleans mismatch: {a} is not {e}", id_)
    return compare


def _number_pair(a, e, id_, rtol, atol, equal_nan, check_dtype, **_):
    kinds = (int, float, complex, np.number)
    if not (isinstance(a, kinds) and isinstance(e, kinds)):
        raise _Unsupported
    a, e = (x.item() if isinstance(x, np.number) else x for x in (a, e))
    rtol, atol = _tolerances(*[_NUMBER_DTYPE.get(type(x), "int64") for x in (a, e)],
                             rtol=rtol, atol=atol, id_=id_)

    def compare():
        if check_dtype and type(a) is not type(e):
            raise _Fail(AssertionError,
                        f"The (d)types do not match: {type(a)} != {type(e)}.", id_)
        if a == e or (equal_nan and cmath.isnan(a) and cmath.isnan(e)):
            return
        diff = abs(a - e)
        if cmath.isfinite(diff) and diff <= atol + rtol * abs(e):
            return
        raise _Fail(AssertionError, _scalar_msg(a, e, rtol, atol), id_)
    return compare


def _tensor_pair(a, e, id_, allow_subclasses, rtol, atol, equal_nan, check_device, check_dtype,
                 check_layout, check_stride, **_):
    if not (isinstance(a, type(e)) or isinstance(e, type(a))):
        raise _Unsupported
    if not allow_subclasses and type(a) is not type(e):
        raise _Unsupported
    try:
        a, e = (x if isinstance(x, Tensor) else as_tensor(x) for x in (a, e))
    except Exception:
        raise _Unsupported from None
    rtol, atol = _tolerances(a, e, rtol=rtol, atol=atol, id_=id_)

    def attr_fail(name, x, y):
        raise _Fail(AssertionError,
                    f"The values for attribute '{name}' do not match: {x} != {y}.", id_)

    def compare():
        if a.shape != e.shape:
            attr_fail("shape", a.shape, e.shape)
        if check_stride and a.stride() != e.stride():
            attr_fail("stride()", a.stride(), e.stride())
        if check_device and a.device != e.device:
            attr_fail("device", a.device, e.device)
        if check_dtype and a.dtype != e.dtype:
            attr_fail("dtype", a.dtype, e.dtype)
        x, y = a.detach(), e.detach()
        if x.dtype != y.dtype:
            common = promote_types(x.dtype, y.dtype)
            x, y = x.to(common), y.to(common)
        xa, ya = np.asarray(x.cpu().numpy()), np.asarray(y.cpu().numpy())
        matches = _isclose(xa, ya, rtol, atol, equal_nan)
        if matches.all():
            return
        if xa.shape == ():
            msg = _scalar_msg(xa.item(), ya.item(), rtol, atol)
        else:
            msg = _tensor_msg(xa, ya, matches, rtol, atol)
        raise _Fail(AssertionError, msg, id_)
    return compare


_PAIRS = (_none_pair, _bool_pair, _number_pair, _tensor_pair)


def _originate(a, e, id_, options) -> list:
    seq, mapping = collections.abc.Sequence, collections.abc.Mapping
    if isinstance(a, seq) and not isinstance(a, str) and isinstance(e, seq) \
            and not isinstance(e, str):
        if len(a) != len(e):
            raise _Fail(AssertionError,
                        f"The length of the sequences mismatch: {len(a)} != {len(e)}", id_)
        return [p for i in range(len(a)) for p in _originate(a[i], e[i], (*id_, i), options)]
    if isinstance(a, mapping) and isinstance(e, mapping):
        ka, ke = set(a.keys()), set(e.keys())
        if ka != ke:
            raise _Fail(AssertionError,
                        "The keys of the mappings do not match:\n"
                        f"Missing keys in the actual mapping: {sorted(ke - ka)}\n"
                        f"Additional keys in the actual mapping: {sorted(ka - ke)}", id_)
        keys = list(ka)
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        return [p for k in keys for p in _originate(a[k], e[k], (*id_, k), options)]
    for make in _PAIRS:
        try:
            return [make(a, e, id_, **options)]
        except _Unsupported:
            continue
    raise _Fail(TypeError, f"No comparison pair was able to handle inputs of type {type(a)} "
                           f"and {type(e)}.", id_)


def assert_close(actual, expected, *, allow_subclasses: bool = True, rtol=None, atol=None,
                 equal_nan: bool = False, check_device: bool = True, check_dtype: bool = True,
                 check_layout: bool = True, check_stride: bool = False, msg=None) -> None:
    """Assert that ``actual`` and ``expected`` are close, as ``torch.testing.assert_close``.

    Tensors (and tensor-likes: NumPy arrays, ...) must have the same shape, and by default the
    same device and dtype; then every element must satisfy
    ``|actual − expected| ≤ atol + rtol·|expected|`` (or be equal; NaN equals NaN only with
    ``equal_nan``). ``rtol``/``atol`` default per dtype (the loosest of the two inputs): float16
    1e-3/1e-5, bfloat16 1.6e-2/1e-5, float32 1.3e-6/1e-5, float64 1e-7/1e-7, integers and bool
    exact. With ``check_dtype=False`` the values are compared in the promoted dtype. Python
    numbers compare with int64/float64/complex128 tolerances; sequences and mappings of any of
    these are compared element by element.

    Raises AssertionError with torch's report ("Tensor-likes are not close!", mismatched
    elements, greatest absolute and relative differences with their indices and the allowed
    tolerances; "The failure occurred for item [i]" inside containers); ``msg`` replaces it (a
    string) or edits it (a callable). ValueError when only one of ``rtol``/``atol`` is given;
    TypeError when no pair handles the inputs. ``check_layout`` is accepted (all tensors are
    strided here).
    """
    __tracebackhide__ = True
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype,
                   check_layout=check_layout, check_stride=check_stride)
    try:
        pairs = _originate(actual, expected, (), options)
    except _Fail as fail:
        raise fail.to_error() from None
    for compare in pairs:
        try:
            compare()
        except _Fail as fail:
            raise fail.to_error(msg) from None
