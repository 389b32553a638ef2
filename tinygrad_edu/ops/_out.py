"""``out=``: writing an op's result into a tensor the caller gives, with torch's checks."""

from __future__ import annotations

from ..autograd import is_grad_enabled
from ..backend import get_array_module
from ..dtype import kind_of, torch_type_name
from ..tensor import Tensor


def cannot_cast(result, dest) -> bool:
    """torch's canCast for a result of NumPy dtype ``result`` written into ``dest``: a float
    into an integer or bool tensor, an integer into a bool one."""
    r, d = kind_of(result), kind_of(dest)
    return (d in "iub" and r == "f") or (d == "b" and r in "iu")


def check_cast_to(dest, result, op: str) -> None:
    """torch's TensorIterator checks, before any kernel runs, that the result type ``result``
    (a NumPy dtype) can be cast to the destination ``dest`` (an ``out=`` or the tensor an
    in-place op writes; None passes): so ``x &= 0.5`` of an int64 x raises RuntimeError "result
    type Float can't be cast to the desired output type Long", not the kernel's
    NotImplementedError."""
    if isinstance(dest, Tensor) and cannot_cast(result, dest._data.dtype):
        raise cast_error(result, dest._data.dtype, op)


def cast_error(result, dest, op: str) -> RuntimeError:
    return RuntimeError(f"{op}: result type {torch_type_name(result)} can't be cast to the "
                        f"desired output type {torch_type_name(dest)}")


def missing_kernel(kernel: str, d) -> NotImplementedError:
    """torch's error for a kernel with no loop for the NumPy dtype ``d``, to raise; it keeps
    ``d`` as ``.dtype``, so that an in-place op (ops/inplace.py) raises torch's cast error first
    when ``d`` cannot be written back."""
    e = NotImplementedError(f"\"{kernel}\" not implemented for '{torch_type_name(d)}'")
    e.dtype = d
    return e


def check_same_dtype_out(out, input) -> None:
    """The ops torch builds to keep their dtype (abs, ceil, frac, bitwise_not, ...) refuse an
    ``out`` of another dtype before their kernel runs (RuntimeError "Found dtype Long but
    expected Bool" for ``abs(bool_x, out=int64_out)``, not the missing bool kernel's error)."""
    if isinstance(out, Tensor) and out._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {torch_type_name(out._data.dtype)} but expected "
                           f"{torch_type_name(input._data.dtype)}")


def _overlaps(a, b) -> bool:
    xp = get_array_module(a)
    if a.size == 0 or b.size == 0:
        return False
    try:
        return bool(xp.shares_memory(a, b, max_work=10_000))
    except Exception:  # too hard to decide (torch's TOO_HARD): not an error, as in torch
        return False


def write_out(out, result: Tensor, op: str, *inputs) -> Tensor:
    """``result`` itself when ``out`` is None; else ``result`` copied into ``out`` (resized to
    result's shape when it differs), and ``out`` returned.

    Raises RuntimeError as torch does: out= under autograd (an argument requires grad), an out
    of another dtype, an out whose elements share memory with each other or with an input."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out.dtype != result.dtype:
        raise RuntimeError(f"{op}(): Expected out tensor to have dtype {result.dtype.name}, but "
                           f"got {out.dtype.name} instead")
    d = out._data
    if d.size > 1 and 0 in d.strides:
        raise RuntimeError(f"{op}(): unsupported operation: more than one element of the "
                           "written-to tensor refers to a single memory location. Please clone() "
                           "the tensor before performing the operation.")
    for t in inputs:
        if isinstance(t, Tensor) and (t is out or _overlaps(t._data, d)):
            raise RuntimeError(f"{op}(): unsupported operation: some elements of the input "
                               "tensor and the written-to tensor refer to a single memory "
                               "location. Please clone() the tensor before performing the "
                               "operation.")
    if d.shape != result._data.shape:  # torch resizes out to the result's shape
        out._data = get_array_module(d).empty(result._data.shape, dtype=d.dtype)
    out._data[...] = result._data
    out._version += 1
    return out


def honour_out(op: str):
    """Decorator for an op computed out of place whose signature takes ``out=``: the result
    (a tensor, or a tuple / named tuple of tensors, whose ``out`` is a tuple of as many) is
    written into ``out`` by ``write_out`` and ``out`` returned, as torch does. Without it an
    ``out=`` the function accepted would be silently left unwritten."""
    import functools

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, out=None, **kwargs):
            result = fn(*args, **kwargs)
            if out is None:
                return result
            if isinstance(result, tuple):
                if not isinstance(out, (tuple, list)) or len(out) != len(result):
                    raise TypeError(f"{op}(): argument 'out' must be tuple of {len(result)} "
                                    f"Tensors, not {type(out).__name__}")
                outs = [write_out(o, r, op, *args) for o, r in zip(out, result)]
                return type(result)(*outs) if hasattr(result, "_fields") else tuple(outs)
            return write_out(out, result, op, *args)
        return wrapper
    return deco


def write_out_same_dtype(out, result: Tensor, op: str, message: str = "") -> Tensor:
    """``promotion.write_out`` for the ops torch builds to keep their dtype (abs, sign, ceil,
    floor, trunc, frac, round, bitwise_not, clamp with number bounds, nan_to_num, where): an
    ``out`` of another dtype is refused with RuntimeError ("Found dtype Double but expected
    Long"; ``message`` overrides it) instead of being cast into."""
    if isinstance(out, Tensor) and out.dtype != result.dtype:
        got, want = (torch_type_name(t._data.dtype) for t in (out, result))
        raise RuntimeError(message.format(got=got, want=want) if message else
                           f"Found dtype {got} but expected {want}")
    from .promotion import write_out as _into
    return _into(out, result, op)
