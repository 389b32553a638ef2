"""Specs of the inverse trigonometric and hyperbolic functions through their NumPy-style
aliases (``arcsin`` ...) and of ``fix`` (trunc). torch's OpInfos prove the torch names (their
reference samples hold the extremal values); these prove the aliases, with the OpSpec suite's
drawn shapes, special values and invariants."""

from __future__ import annotations

from registry import OpSpec, register

UNIT = (-0.99, 0.99)

register(OpSpec("asin", variant="alias", fn=lambda m, x: m.arcsin(x), elements=UNIT,
                aliases=("arcsin",)))
register(OpSpec("acos", variant="alias", fn=lambda m, x: m.arccos(x), elements=UNIT,
                aliases=("arccos",)))
register(OpSpec("atan", variant="alias", fn=lambda m, x: m.arctan(x), aliases=("arctan",)))
register(OpSpec("asinh", variant="alias", fn=lambda m, x: m.arcsinh(x), aliases=("arcsinh",)))
register(OpSpec("acosh", variant="alias", fn=lambda m, x: m.arccosh(x), elements=(1.01, 10.0),
                aliases=("arccosh",)))
register(OpSpec("atanh", variant="alias", fn=lambda m, x: m.arctanh(x), elements=UNIT,
                aliases=("arctanh",)))
register(OpSpec("trunc", variant="alias", fn=lambda m, x: m.fix(x), aliases=("fix",),
                kinks=(1.0, -1.0), smooth=False))
