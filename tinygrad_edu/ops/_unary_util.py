"""What the elementwise one-tensor functions share: torch's argument checks, the integer-to-float
rule, ``out=``, and the constant (no-gradient) result of an op torch does not differentiate.
"""

from __future__ import annotations

from .. import dtype as _dt
from ..autograd import is_grad_enabled
from ..backend import get_array_module
from ..tensor import Tensor
from .promotion import cast

_TORCH_NAMES = {"f": "Float", "i": "Long", "u": "Byte", "b": "Bool"}


def check_tensor(t, op: str, arg: str = "input") -> Tensor:
    """torch's TypeError for a non-Tensor argument (``sin(2.0)``)."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position 1) must be Tensor, not "
                        f"{type(t).__name__}")
    return t


def floatify(t, op: str = "op") -> Tensor:
    """``t`` for a floating function: bool and integer tensors compute in the default float
    dtype (float32), as torch's ``exp(tensor([1, 2]))`` does; float16/32/64 stay."""
    check_tensor(t, op)
    if t._data.dtype.kind != "f":
        return cast(t, _dt.float32)
    return t


def dtype_name(t: Tensor) -> str:
    """torch's spelling of a dtype in its kernel errors: ``Float``, ``Long``, ``Bool`` ..."""
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(t._data.dtype.name, t._data.dtype.name)


def into(out, result: Tensor, op: str) -> Tensor:
    """``op(..., out=out)``: write ``result`` into ``out`` and return ``out`` (torch resizes an
    ``out`` of another shape). Raises RuntimeError when ``result``'s dtype cannot be cast to
    ``out``'s (a float result into an integer tensor), or when a gradient would be needed
    (torch: out= arguments don't support automatic differentiation)."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    r, d = result._data, out._data
    if (d.dtype.kind in "iub" and r.dtype.kind == "f") or (d.dtype.kind == "b" and
                                                            r.dtype.kind in "iu"):
        raise RuntimeError(f"{op}: result type {_TORCH_NAMES[r.dtype.kind]} can't be cast to "
                           f"the desired output type {dtype_name(out)}")
    xp = get_array_module(d)
    if d.shape != r.shape:  # torch resizes out (with a deprecation warning when non-empty)
        out._data = d = xp.empty(r.shape, dtype=d.dtype)
    xp.copyto(d, r, casting="unsafe")
    out._version += 1
    return out


def constant(array) -> Tensor:
    """A result outside the graph: torch defines no derivative for the op (``signbit``, the
    Bessel functions ...), so the output does not require grad, as in torch."""
    return Tensor._wrap(get_array_module(array).asarray(array))
