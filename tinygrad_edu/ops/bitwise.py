"""Bitwise ops on integer and bool tensors: bitwise_and/or/xor (``&``, ``|``, ``^``), the
shifts (``<<``, ``>>``), gcd and lcm, and ``~``. No gradient (they are not defined on floating
tensors: torch raises NotImplementedError naming its kernel).

dtype: torch's promotion (``int32 & 3`` stays int32; ``bool & int32`` is int32; a bool with a
bool is bool, where ``&`` is logical and). Shifts follow torch where C leaves them undefined: a
shift by a negative count or by the width of the type or more gives 0 (``>>`` of a negative
number gives -1).
"""

from __future__ import annotations

from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._out import check_cast_to, missing_kernel
from ._util import quiet
from .promotion import constant_binary, promote, require_tensor, write_out


def _kernel_check(a, b, kernel: str, out, op: str, bool_ok: bool = True) -> None:
    """torch has integer (and bool) kernels only: NotImplementedError naming the kernel; but
    first the promoted dtype must fit ``out`` (RuntimeError: torch checks the cast first)."""
    d = (a if isinstance(a, Tensor) else b)._data.dtype
    check_cast_to(out, d, op)
    k = kind_of(d)
    if k == "f" or (k == "b" and not bool_ok):
        raise missing_kernel(kernel, d)


def _bitwise(name: str, ufunc: str, kernel: str, symbol: str):
    def f(input, other, *, out=None):
        if not isinstance(input, Tensor):
            require_tensor(other, name, "other", 2)
        a, b = promote(input, other, name)
        _kernel_check(a, b, kernel, out, name)
        z = constant_binary(lambda xp, x, y: getattr(xp, ufunc)(x, y), a, b, name)
        return z if out is None else write_out(out, z, name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"``torch.{name}`` (``{symbol}``): input {symbol} other bit by bit (for bool "
                 f"tensors the logical {ufunc.removeprefix('bitwise_')}), broadcasting; one side "
                 "may be a number. dtype: torch's promotion. Raises NotImplementedError for "
                 "floating tensors, RuntimeError for shapes that do not broadcast. No gradient.\n\n"
                 "Shapes: ``input`` and ``other`` broadcast (torch's rules); the output has the "
                 "broadcast shape.")
    return f


bitwise_and = _bitwise("bitwise_and", "bitwise_and", "bitwise_and_cpu", "&")
bitwise_or = _bitwise("bitwise_or", "bitwise_or", "bitwise_or_cpu", "|")
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor", "bitwise_xor_cpu", "^")


def _shift(xp, x, n, left: bool):
    """x << n or x >> n with torch's result for counts outside [0, bits)."""
    bits = x.dtype.itemsize * 8 if hasattr(x, "dtype") else 64
    n = xp.asarray(n)
    ok = (n >= 0) & (n < bits)
    safe = xp.where(ok, n, 0).astype(getattr(x, "dtype", n.dtype))
    if left:
        return xp.where(ok, xp.left_shift(x, safe), 0).astype(safe.dtype)
    return xp.where(ok, xp.right_shift(x, safe), xp.where(x < 0, -1, 0)).astype(safe.dtype)


def _shifter(name: str, left: bool, kernel: str, symbol: str):
    def f(input, other, *, out=None):
        if not isinstance(input, Tensor):
            require_tensor(other, name, "other", 2)
        a, b = promote(input, other, name)
        _kernel_check(a, b, kernel, out, name, bool_ok=False)
        z = constant_binary(lambda xp, x, y: _shift(xp, x, y, left), a, b, name)
        return z if out is None else write_out(out, z, name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"``torch.{name}`` (``{symbol}``): input shifted {'left' if left else 'right'}"
                 f" by other bits ({'x·2ⁿ' if left else 'floor(x / 2ⁿ)'}); a count outside "
                 "[0, bits) gives 0 (-1 for a negative number shifted right). dtype: torch's "
                 "promotion. Raises NotImplementedError for floating and bool tensors, "
                 "RuntimeError for shapes that do not broadcast. No gradient.\n\nShapes: "
                 "``input`` and ``other`` broadcast (torch's rules); the output has the "
                 "broadcast shape.")
    return f


bitwise_left_shift = _shifter("bitwise_left_shift", True, "lshift_cpu", "<<")
bitwise_right_shift = _shifter("bitwise_right_shift", False, "rshift_cpu", ">>")


def _gcd_lcm(name: str, ufunc: str, doc: str):
    def f(input, other, *, out=None):
        require_tensor(input, name, "input", 1)
        require_tensor(other, name, "other", 2)
        a, b = promote(input, other, name)
        _kernel_check(a, b, f"{name}_cpu", out, name, bool_ok=False)
        z = constant_binary(_gcd if ufunc == "gcd" else _lcm, a, b, name)
        return z if out is None else write_out(out, z, name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"``torch.{name}``: the {doc} of two integer tensors elementwise (≥ 0; "
                 f"{name}(0, 0) = 0). dtype: torch's promotion. Raises NotImplementedError for "
                 "floating and bool tensors, TypeError for a number, RuntimeError for shapes "
                 "that do not broadcast. No gradient.\n\nShapes: ``input`` and ``other`` "
                 "broadcast (torch's rules); the output has the broadcast shape.")
    return f


def _gcd(xp, x, y):
    """NumPy's gcd, except where |x| or |y| overflows (the most negative integer): there
    torch's Euclid on C remainders gives its own (negative) answer, reproduced here."""
    g = xp.gcd(x, y)
    a, b = xp.abs(x), xp.abs(y)
    odd = (a < 0) | (b < 0)
    if not bool(odd.any()):
        return g
    a, b = xp.broadcast_to(a, g.shape).copy(), xp.broadcast_to(b, g.shape).copy()
    while bool((a != 0).any()):  # torch's calc_gcd: while (a != 0) {c = a; a = b % a; b = c;}
        c = a
        a = xp.where(c != 0, xp.fmod(b, xp.where(c != 0, c, 1)), 0)
        b = xp.where(c != 0, c, b)
    return xp.where(odd, b, g)


def _lcm(xp, x, y):
    """torch's calc_lcm: |x / gcd · y|, the product wrapping before the abs, in C's int for the
    8- and 16-bit types, then cast back (NumPy's lcm keeps a wrapped product's sign:
    lcm(-(2**63 - 1), 6) gave -6, torch 6; int16 lcm(-32767, 6) is -6 in torch)."""
    g = _gcd(xp, x, y)
    d = g.dtype
    w = d if d.itemsize >= 4 else xp.int32
    x, y, g = (xp.asarray(v).astype(w) for v in (x, y, g))
    with quiet():
        return xp.where(g == 0, 0, xp.abs(x // xp.where(g == 0, 1, g) * y)).astype(d)


gcd = _gcd_lcm("gcd", "gcd", "greatest common divisor")
lcm = _gcd_lcm("lcm", "lcm", "least common multiple")


def invert(input):
    """``~input``: bitwise not (for bool tensors logical not; ~x = -x - 1 for integers). Raises
    TypeError for floating tensors, as torch's operator does. No gradient."""
    if kind_of(input._data.dtype) == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors (got {input.dtype})")
    xp = get_array_module(input._data)
    return Tensor._wrap(xp.asarray(xp.invert(input._data)))


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["bitwise_and", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift",
           "bitwise_xor", "gcd", "lcm"]

# ops that also have an in-place form (``bitwise_and_``), made by ops/inplace.py
INPLACE = ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
           "bitwise_right_shift", "gcd", "lcm")

METHODS = {
    "bitwise_and": bitwise_and, "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
    "gcd": gcd, "lcm": lcm,
}
