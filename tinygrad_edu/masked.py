"""``tg.masked``: torch.masked's reductions and normalizations over the elements a boolean
``mask`` keeps (strided tensors; torch's MaskedTensor and sparse layouts are not here).

Each op first replaces the masked-out elements with the identity of its reduction (0 for
sum, 1 for prod, −inf for amax and logsumexp, +inf for amin, NaN for median) and then runs the
ordinary op, exactly as torch.masked does, so values and gradients are torch's: the masked-out
elements receive no gradient (``where`` sends it to the kept ones only). ``mask`` broadcasts to
the input's shape (it may have fewer dims, never more: IndexError). A reduction over only
masked-out elements gives the identity (sum 0, amax −inf) or NaN (mean, median, var, std).
"""

from __future__ import annotations

import numpy as np

from .backend import get_array_module
from .dtype import bool_, float32, int64, kind_of
from .ops._util import quiet
from .ops.activation import log_softmax as _log_softmax
from .ops.activation import softmax as _softmax
from .ops.extrema import amax as _amax
from .ops.extrema import amin as _amin
from .ops.extrema import argmax as _argmax
from .ops.extrema import argmin as _argmin
from .ops.masked_ops import VectorNormFn
from .ops.order import nanmedian as _nanmedian
from .ops.pointwise import LogaddexpFn
from .ops.reduce import logsumexp as _logsumexp
from .ops.reduce import sum as _sum
from .ops.scan import cumprod as _cumprod
from .ops.scan import cumsum as _cumsum
from .ops.select import maximum as _maximum
from .ops.select import where as _where
from .tensor import Tensor, _wrap_dim

_SMALL_INTS = ("uint8", "bool", "int8", "int16", "int32")


def _identity(op: str, input: Tensor, ord=None) -> Tensor:
    """The value that leaves ``op``'s result unchanged, as a 0-d tensor of input's dtype."""
    d = input._data.dtype
    xp = get_array_module(input._data)
    if op in ("sum", "cumsum") or (op == "norm" and ord != -np.inf):
        v = 0
    elif op in ("prod", "cumprod"):
        v = 1
    elif op in ("amax", "argmax", "logsumexp", "logaddexp"):
        v = -np.inf if kind_of(d) == "f" else np.iinfo(d).min
    elif op in ("amin", "argmin", "norm"):
        v = np.inf if kind_of(d) == "f" else np.iinfo(d).max
    elif op == "median":
        v = np.nan
    else:
        raise NotImplementedError(f"identity of {op} on {input.dtype.name} input")
    return Tensor._wrap(xp.asarray(v, dtype=d))


def _canonical_dim(dim, ndim: int) -> tuple:
    """``dim`` as a sorted tuple (None or ``()``: every dim), torch.masked's rules."""
    if dim == () or dim is None:
        return tuple(range(ndim))
    dims = []
    for d in (dim,) if isinstance(dim, int) else dim:
        if d in dims:
            raise RuntimeError(f"dim={d} appears multiple times in the list of dims")
        dims.append(_wrap_dim(d, ndim, "masked"))
    return tuple(sorted(dims))


def _input_mask(input: Tensor, mask: Tensor) -> Tensor:
    """``mask`` broadcast to input's shape, as bool."""
    if mask.shape != input.shape:
        if mask.ndim > input.ndim:
            raise IndexError("_input_mask expected broadcastable mask (got mask dimensionality "
                             "higher than of the input)")
        mask = mask.broadcast_to(input.shape)
    return mask.to(bool_)


def _masked_input(op: str, input: Tensor, mask, ord=None) -> Tensor:
    """input with the masked-out elements replaced by ``op``'s identity."""
    if mask is None:
        return input
    return _where(_input_mask(input, mask), input, _identity(op, input, ord))


def _sum_dtype(input, dtype):
    if dtype is not None:
        return dtype
    return int64 if input.dtype.name in _SMALL_INTS else input.dtype


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Σ of the kept elements over ``dim`` (identity 0). dtype: as torch.sum."""
    dims = _canonical_dim(dim, input.ndim)
    return _sum(_masked_input("sum", input, mask), dims, bool(keepdim),
                dtype=_sum_dtype(input, dtype))


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Π of the kept elements over ``dim`` (identity 1), one dim at a time."""
    out = _masked_input("prod", input, mask).to(_sum_dtype(input, dtype))
    for d in reversed(_canonical_dim(dim, input.ndim)):
        out = out.prod(dim=d, keepdim=bool(keepdim))
    return out


def cumsum(input, dim, *, dtype=None, mask=None):
    """Running Σ along ``dim``, masked-out elements counting as 0."""
    dtype = dtype or input.dtype
    d = _canonical_dim(dim, input.ndim)[0]
    return _cumsum(_masked_input("sum", input, mask), d, dtype=dtype).to(dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    """Running Π along ``dim``, masked-out elements counting as 1."""
    dtype = dtype or input.dtype
    d = _canonical_dim(dim, input.ndim)[0]
    return _cumprod(_masked_input("prod", input, mask), d, dtype=dtype).to(dtype)


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """The maximum of the kept elements (identity −inf); ties share the gradient."""
    x = _masked_input("amax", input, mask)
    return _amax(x, _canonical_dim(dim, x.ndim), bool(keepdim)).to(dtype or input.dtype)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """The minimum of the kept elements (identity +inf)."""
    x = _masked_input("amin", input, mask)
    return _amin(x, _canonical_dim(dim, x.ndim), bool(keepdim)).to(dtype or input.dtype)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Index of the maximum of the kept elements, in ``dtype`` (the input's, as torch)."""
    x = _masked_input("argmax", input, mask)
    return _argmax(x, dim, bool(keepdim)).to(dtype or input.dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Index of the minimum of the kept elements, in ``dtype`` (the input's, as torch)."""
    x = _masked_input("argmin", input, mask)
    return _argmin(x, dim, bool(keepdim)).to(dtype or input.dtype)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Σ kept / number kept over ``dim`` (NaN where nothing is kept). dtype: floating."""
    dtype = dtype or input.dtype
    if not dtype.is_floating_point:
        raise ValueError(f"mean(): Could not infer output dtype. Input dtype must be either a "
                         f"floating point or complex dtype. Got: {dtype.name}")
    if mask is None:
        count = sum(input.new_ones(input.shape, dtype=int64), dim, keepdim=keepdim)
        total = sum(input, dim, keepdim=keepdim, dtype=dtype)
    else:
        inmask = _input_mask(input, mask)
        count = inmask.sum(dim=_canonical_dim(dim, input.ndim), keepdim=bool(keepdim))
        total = sum(input, dim, keepdim=keepdim, dtype=dtype, mask=inmask)
    return total / count


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    """The lower median of the kept elements along ``dim`` (NaN where nothing is kept); the
    gradient goes to the chosen element."""
    dtype = dtype or input.dtype
    d = _canonical_dim(dim, input.ndim)[0]
    is_float = input.is_floating_point()
    if not is_float:
        input = input.to(float32)
    out = _nanmedian(_masked_input("median", input, mask), d, keepdim).values
    if is_float:
        return out
    if bool(out.isnan().any()):
        raise ValueError("masked median expects no fully masked out rows if dtype is not "
                         "floating point")
    return out.to(dtype)


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """log Σ exp over the kept elements (identity −inf)."""
    dims = _canonical_dim(dim, input.ndim)
    x = _masked_input("logsumexp", input, mask)
    return _logsumexp(x, dims, keepdim=keepdim).to(dtype or input.dtype)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    """log(eᵃ + eᵇ) elementwise, masked-out elements of each side counting as −inf.
    Derivative: ∂/∂a = 1/(1 + e^{b−a})."""
    a = _masked_input("logaddexp", input, input_mask)
    b = _masked_input("logaddexp", other, other_mask)
    return LogaddexpFn.apply(a, b).to(dtype or input.dtype)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    """The vector ``ord``-norm of the kept elements (identity 0; +inf for ord = −inf).
    ord: any real, ±inf, 0 (a count). Derivative: torch's norm_backward."""
    x = _masked_input("norm", input, mask, ord)
    if dtype is not None:
        x = x.to(dtype)
    dims = _canonical_dim(dim, input.ndim)
    axes = dims if x.ndim else None
    return VectorNormFn.apply(x, float(ord), axes or None, bool(keepdim))


def _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, take_sqrt):
    if unbiased is not None and correction is not None:
        raise ValueError("Only one of unbiased and correction may be given")
    c = 1.0 if unbiased is None else (1.0 if unbiased else 0.0)
    if correction is not None:
        c = float(correction)
    if dtype is None:
        dtype = input.dtype if input.dtype.is_floating_point else float32
    compute = dtype if dtype.is_floating_point else float32
    if mask is None:
        count = sum(input.new_ones(input.shape, dtype=int64), dim, keepdim=True)
        total = sum(input, dim, keepdim=True, dtype=dtype)
        inmask = None
    else:
        inmask = _input_mask(input, mask)
        count = inmask.sum(dim=_canonical_dim(dim, input.ndim), keepdim=True)
        total = sum(input, dim, keepdim=True, dtype=dtype, mask=inmask)
    x = input - total / count
    squares = sum(x * x, dim, keepdim=keepdim, dtype=compute, mask=inmask)
    if not keepdim:
        count = count.reshape(squares.shape)
    if c != 0:
        count = count.to(compute) - c
        count = _maximum(count, count.new_zeros([]))
    out = (squares / count).to(dtype)
    return out.sqrt() if take_sqrt else out


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None,
        mask=None):
    """Σ (x − x̄)² / max(n − correction, 0) over the kept elements (x̄ and n from them)."""
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, False)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None,
        mask=None):
    """√ of :func:`var`."""
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, True)


def _normalized(fn, x, dim, dtype):
    """``fn`` (softmax, log_softmax) along ``dim``; an empty input is its own (empty) result."""
    if x.numel() == 0:
        return x.to(dtype) * 1
    with quiet():  # a row with nothing kept: −inf − (−inf) = nan, silently (torch)
        return fn(x, dim, dtype=dtype)


def softmax(input, dim, *, dtype=None, mask=None):
    """softmax along ``dim`` over the kept elements (masked-out ones get 0; a row with
    nothing kept is NaN)."""
    d = _canonical_dim(dim, input.ndim)[0]
    return _normalized(_softmax, _masked_input("amax", input, mask), d, dtype or input.dtype)


def log_softmax(input, dim, *, dtype=None, mask=None):
    """log_softmax along ``dim`` over the kept elements (masked-out ones get −inf)."""
    d = _canonical_dim(dim, input.ndim)[0]
    x = _masked_input("amax", input, mask)
    return _normalized(_log_softmax, x, d, dtype or input.dtype)


def softmin(input, dim, *, dtype=None, mask=None):
    """softmax(−x) along ``dim`` over the kept elements."""
    d = _canonical_dim(dim, input.ndim)[0]
    return _normalized(_softmax, -_masked_input("amin", input, mask), d, dtype or input.dtype)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    """x / max(‖x‖_ord, eps) along ``dim``, the norm over the kept elements (masked-out
    elements become 0)."""
    x = _masked_input("sum", input, mask)
    nrm = norm(input, ord, dim, keepdim=True, dtype=dtype or input.dtype, mask=mask)
    return x / _maximum(nrm, nrm.new_full([], eps))


__all__ = ["amax", "amin", "argmax", "argmin", "cumprod", "cumsum", "log_softmax", "logaddexp",
           "logsumexp", "mean", "median", "norm", "normalize", "prod", "softmax", "softmin",
           "std", "sum", "var"]
