"""Specs of the binary family's operator forms that torch's OpInfos do not reach: the shift
operators, the in-place operators (``x &= y``, ``x %= y`` ...) and the ``arctan2`` alias. The
functions themselves are proven by their OpInfos (test_torch_ops.py) and by
test_binary_ops.py (every dtype pair, special values)."""

from __future__ import annotations

from hypothesis.extra import numpy as hnp
from registry import OpSpec, register

# in place: the result takes the first argument's shape
INTO = hnp.mutually_broadcastable_shapes(num_shapes=1, max_side=4).map(
    lambda b: (b.result_shape, b.input_shapes[0])
)
SHIFT = ((-50, 50), (0, 8))  # shift counts in [0, 8]

register(OpSpec("atan2", variant="arctan2", fn=lambda m, x, y: m.arctan2(x, y), shapes=2,
                aliases=("arctan2",)))
register(OpSpec("__lshift__", fn=lambda m, x, y: x << y, shapes=2, arg_kinds=("i", "i"),
                elements=SHIFT, grad_args=(), special=False, aliases=("__rlshift__",)))
register(OpSpec("__lshift__", variant="number", fn=lambda m, x: (3 << x) + (x << 2),
                arg_kinds=("i",), elements=(0, 8), grad_args=(), special=False))
register(OpSpec("__rshift__", fn=lambda m, x, y: x >> y, shapes=2, arg_kinds=("i", "i"),
                elements=SHIFT, grad_args=(), special=False, aliases=("__rrshift__",)))
register(OpSpec("__rshift__", variant="number", fn=lambda m, x: (-300 >> x) + (x >> 1),
                arg_kinds=("i",), elements=(0, 8), grad_args=(), special=False))


def _inplace_int(name, fn, kinds=("i", "i"), variant=""):
    register(OpSpec(name, variant=variant, fn=fn, shapes=INTO, arg_kinds=kinds,
                    elements=((-20, 20), (1, 5)), no_grad_only=True, grad_args=(), special=False))


def _iand(m, x, y):
    x &= y
    return x


def _ior(m, x, y):
    x |= y
    return x


def _ixor(m, x, y):
    x ^= y
    return x


def _ilshift(m, x, y):
    x <<= y
    return x


def _irshift(m, x, y):
    x >>= y
    return x


def _ifloordiv(m, x, y):
    x //= y
    return x


def _imod(m, x, y):
    x %= y
    return x


def _ipow(m, x, y):
    x **= y
    return x


for _name, _fn in (("__iand__", _iand), ("__ior__", _ior), ("__ixor__", _ixor),
                   ("__ilshift__", _ilshift), ("__irshift__", _irshift),
                   ("__ifloordiv__", _ifloordiv), ("__imod__", _imod)):
    _inplace_int(_name, _fn)
for _name, _fn in (("__iand__", _iand), ("__ior__", _ior), ("__ixor__", _ixor)):
    _inplace_int(_name, _fn, kinds=("b", "b"), variant="bool")
for _name, _fn in (("__ifloordiv__", _ifloordiv), ("__imod__", _imod), ("__ipow__", _ipow)):
    register(OpSpec(_name, variant="float", fn=_fn, shapes=INTO,
                    elements=((-10, 10), (0.5, 3.0)), no_grad_only=True))
