"""What the reductions, statistics, extremes and scans share: torch's argument forms (``axis=``
for ``dim=``, ``keepdims=`` for ``keepdim=``, repeated dims refused, ``dim=()`` meaning every
dim), restoring reduced dims for backward, and ``out=``.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import dtype as _dt
from .._args import not_tensor
from ..autograd import is_grad_enabled
from ..backend import get_array_module
from ..tensor import Tensor, _wrap_dim
from ._dual import xp_of


def torch_args(fn=None, *, dim_for=(), when=None, dim_type=""):
    """Accept torch's argument aliases: ``axis=`` for ``dim=`` and ``keepdims=`` for
    ``keepdim=`` (torch's argument parser accepts both spellings, as NumPy users write them).

    ``dim_for``: the keywords that only torch's overloads with a ``dim`` take (``sum(x,
    out=o)`` is a TypeError: its dim-less overload is ``(input, *, dtype)``); with ``when``,
    only once that keyword picks such an overload (``std(x, unbiased=False, out=o)``; a bool in
    dim's place is the legacy ``unbiased``). Checked on the keyword path only, so ``x.sum()``
    pays nothing.

    ``dim_type``: for an op whose overloads take a dim of that type or no dim at all (prod,
    max, median: ``"int"``; logsumexp: ``"tuple of ints"``), an explicit ``dim=None`` is
    torch's TypeError (``prod(x, None)``), where ``sum(x, None)`` reduces everything."""
    if fn is None:
        return functools.partial(torch_args, dim_for=dim_for, when=when, dim_type=dim_type)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not kwargs:  # the hot path: x.sum(), x.mean(1)
            if dim_type and len(args) > 1 and args[1] is None:
                _none_dim(fn.__name__, dim_type)
            try:
                return fn(*args)
            except AttributeError:  # tg.sum(3): torch's TypeError (free until it fires)
                _not_tensor_input(fn.__name__, args, kwargs)
                raise
        if "axis" in kwargs:
            if "dim" in kwargs:
                raise TypeError(f"{fn.__name__}() got both 'dim' and its alias 'axis'")
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            if "keepdim" in kwargs:
                raise TypeError(f"{fn.__name__}() got both 'keepdim' and its alias 'keepdims'")
            kwargs["keepdim"] = kwargs.pop("keepdims")
        if dim_for:
            _dim_needed(fn.__name__, args, kwargs, dim_for, when)
        if dim_type and (len(args) > 1 and args[1] is None or
                         "dim" in kwargs and kwargs["dim"] is None):
            _none_dim(fn.__name__, dim_type)
        try:
            return fn(*args, **kwargs)
        except AttributeError:
            _not_tensor_input(fn.__name__, args, kwargs)
            raise

    return wrapper


def _dim_needed(op: str, args, kwargs, dim_for, when) -> None:
    """torch's TypeError for a keyword of ``dim_for`` without a dim (see :func:`torch_args`)."""
    legacy = len(args) > 1 and isinstance(args[1], bool)  # std(x, False): unbiased
    if "dim" in kwargs or (len(args) > 1 and not legacy):
        return
    if when is not None and when not in kwargs and not legacy:
        return
    for k in dim_for:
        if k in kwargs:
            raise TypeError(f"{op}() received an invalid combination of arguments: {k}= is "
                            "taken only beside a dim (torch's overloads)")


def _none_dim(op: str, dim_type: str) -> None:
    """torch's TypeError for ``dim=None`` given to an op without a dim=None overload."""
    raise TypeError(f"{op}(): argument 'dim' must be {dim_type}, not NoneType (leave dim out to "
                    "reduce every element)")


def _not_tensor_input(op: str, args, kwargs) -> None:
    """Raise torch's TypeError when the reduction's input is not a Tensor (called only once an
    AttributeError shows something was not one; a genuine bug re-raises unchanged)."""
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, Tensor):
        raise not_tensor(op, x) from None


def reduce_dims(dim, ndim: int, op: str):
    """The axes a reduction runs over, as a sorted tuple, or None for every axis.

    ``dim`` is None, an int, or a list/tuple of ints; an empty list means every dim (torch).
    A dim given twice (``(0, 0)``, ``(0, -2)`` on 2-D) is torch's RuntimeError. On a 0-d
    tensor, dims 0 and -1 are valid and reduce nothing (None is returned).
    """
    if dim is None:
        return None
    if isinstance(dim, Tensor):
        dim = dim.tolist()
    many = isinstance(dim, (list, tuple))
    raw = list(dim) if many else [dim]
    if many and not raw:
        return None
    seen = []
    for d in raw:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"{op}(): dim must be an int or a tuple of ints, got "
                            f"{type(d).__name__}")
        a = _wrap_dim(int(d), ndim, op)
        if a in seen:
            raise RuntimeError(f"{op}(): dim {a} appears multiple times in the list of dims")
        seen.append(a)
    if ndim == 0:
        return None
    return tuple(sorted(seen))


def one_dim(dim, ndim: int, op: str) -> int:
    """A single dim, wrapped (0 on a 0-d tensor, where torch accepts 0 and -1)."""
    if isinstance(dim, (list, tuple)) or isinstance(dim, bool):
        raise TypeError(f"{op}(): dim must be an int, got {type(dim).__name__}")
    return _wrap_dim(int(dim), ndim, op)


def keep(g, axes, keepdim: bool, ndim: int):
    """Restore the reduced dims (as size 1) so a reduced value broadcasts against the input."""
    if keepdim or axes is None and g.ndim == ndim:
        return g
    if axes is None:
        return g.reshape((1,) * ndim)
    return xp_of(g).expand_dims(g, axes)


def evenly_distribute(xp, g, x, y):
    """torch's ``evenly_distribute_backward`` (max(), min(), median() of a whole tensor): g
    divided among the elements equal to the result ``y`` (a nan result: among the nans), put
    into zeros, so every other element gets +0 even for a nan g. ``xp`` is the arrays' module
    (tensor_xp under create_graph)."""
    mask = (x == y) | (xp.isnan(x) & xp.isnan(y))
    return xp.where(mask, g / xp.sum(mask), 0)


def count(shape, axes) -> int:
    """How many elements each output of a reduction over ``axes`` combines."""
    if axes is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in axes]))


def check_nonempty_dims(input: Tensor, axes, op: str, exc=IndexError) -> None:
    """A reduction without identity (max, argmax, median, ...) over a size-0 dim: torch's
    IndexError ("Expected reduction dim 1 to have non-zero size"); over every dim of an empty
    tensor: the error asking for a dim (RuntimeError; IndexError for argmax/argmin)."""
    shape = input._data.shape
    if axes is None:
        if input._data.size == 0:
            if op in ("argmax", "argmin"):  # torch's type differs for these two
                raise IndexError(f"{op}(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return
    for a in axes:
        if shape[a] == 0:
            raise exc(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def refuse_grad_dtype(input, dtype, op: str) -> None:
    """torch's RuntimeError for a sum/prod/nansum/cumsum/cumprod whose ``dtype=`` is not
    floating while ``input`` requires grad (and grad mode is on): its autograd has no integer
    or bool gradients ("Autograd not support dtype: Long")."""
    if dtype is None or not (isinstance(input, Tensor) and input._rg):
        return
    from ..autograd import is_grad_enabled
    d = _dt.to_dtype(dtype, op)
    if not d.is_floating_point and is_grad_enabled():
        raise RuntimeError(f"Autograd not support dtype: {_dt.torch_type_name(d.np)} ({op} of a "
                           f"{input.dtype.name} tensor of shape {list(input.shape)} that "
                           f"requires grad, dtype={d}; detach it or use a floating dtype)")


def refuse_out_grad(input, out, op: str) -> None:
    """torch's first check of a differentiable op's ``out=`` form, before any dtype rule:
    RuntimeError when grad mode is on and ``input`` or ``out`` requires grad (``sum(x,
    out=int64_out)`` of an x that requires grad raises; it does not sum x cast to int64)."""
    if (input._rg or out._rg) and is_grad_enabled():
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad (an input "
                           f"of dtype {input.dtype} and shape {list(input.shape)}, out= of dtype "
                           f"{out.dtype}); detach it or leave out= out.")


def dtype_from_out(dtype, out, op: str, floats_only: str = "", input=None):
    """torch's ``get_dtype_from_result``: a sum/prod/mean without ``dtype=`` computes in its
    ``out``'s dtype (sum(x, out=int64) sums x cast to int64). ``floats_only``: the kernel name
    whose integer ``out`` raises NotImplementedError (nansum's). ``input`` given: first
    :func:`refuse_out_grad`."""
    if not isinstance(out, Tensor):
        return dtype
    if input is not None:
        refuse_out_grad(input, out, op)
    if dtype is not None:
        return dtype
    if floats_only and not out.dtype.is_floating_point:
        raise NotImplementedError(f'"{floats_only}" not implemented for '
                                  f"'{_dt.torch_type_name(out._data.dtype)}'")
    return out.dtype


def accumulate_dtype(input, dtype, op: str, out=None):
    """``input`` cast for a sum or product: to ``dtype`` (or ``out``'s) when given (refused
    beside grad when not floating; any ``out`` beside grad: :func:`refuse_out_grad`), else ints
    and bools to int64 (uint8 [200, 100]: 300)."""
    from .promotion import cast
    dtype = dtype_from_out(dtype, out, op, input=input)
    refuse_grad_dtype(input, dtype, op)
    if dtype is not None:
        return cast(input, _dt.to_dtype(dtype, op))
    if _dt.kind_of(input._data.dtype) in "biu":
        return cast(input, _dt.int64)
    return input


def float_out(result, out):
    """``result`` cast to a floating ``out``'s dtype (var/std/logsumexp write into any float
    out, as torch); anything else is left to write_out's check."""
    if isinstance(out, Tensor) and out.dtype != result.dtype and out.dtype.is_floating_point \
            and result.dtype.is_floating_point:
        from .promotion import cast
        return cast(result, out.dtype)
    return result


def write_out(result, out, op: str, same_dtype_as=None, inputs=()):
    """torch's ``out=``: the result is written into ``out`` (resized when its shape differs)
    and ``out`` is returned. ``out`` must have the result's dtype (or ``same_dtype_as``'s, when
    torch requires the input's dtype), must not overlap one of ``inputs``, and cannot require
    grad when the op records a graph."""
    if out is None:
        return result
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{op}(): out= must be a tuple of {len(result)} tensors")
        return type(result)(*(write_out(r, o, op, inputs=inputs) for r, o in zip(result, out)))
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    for t in inputs:
        if isinstance(t, Tensor) and get_array_module(out._data).shares_memory(t._data,
                                                                               out._data):
            raise RuntimeError(f"{op}(): unsupported operation: some elements of the input "
                               "tensor and the written-to tensor refer to a single memory "
                               "location. Please clone() the tensor before performing the "
                               "operation.")
    if (result.requires_grad or out.requires_grad) and is_grad_enabled():  # (first, as torch)
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    want = same_dtype_as.dtype if same_dtype_as is not None else result.dtype
    if out.dtype != want:
        if same_dtype_as is not None:
            raise RuntimeError(
                f"{op}(): Expected the dtype for input and out to match, but got "
                f"{want.name.capitalize()} for input's dtype and {out.dtype.name.capitalize()} "
                "for out's dtype.")
        raise RuntimeError(f"{op}(): Expected out tensor to have dtype {want.name}, but got "
                           f"{out.dtype.name} instead")
    if out._data.shape != result._data.shape:
        out._data = result._data.copy()
    else:
        out._data[...] = result._data
    out._version += 1
    return out
