"""Specs of torch's older linear-algebra names (``ops/linalg/aliases.py``): inverse, orgqr, ger,
adjoint. Each is the torch.linalg function itself; these prove the name, signature and method
forms against torch (values and gradients). torch's removed eig/symeig raise its RuntimeError
(test_linalg_aliases.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from registry import OpSpec, arrays, register


def _square(draw, dtype):
    n = draw(st.integers(1, 4))
    batch = draw(st.sampled_from([(), (2,)]))
    a = arrays(draw, dtype, (*batch, n, n), -1.0, 1.0) + 4 * np.eye(n, dtype=dtype)
    return [a], {}


def _householder(draw, dtype):
    m = draw(st.integers(1, 4))
    n = draw(st.integers(1, m))
    k = draw(st.integers(1, n))  # (k = 0: see the report, grad_fn name differs)
    # |tau| < 0.45 keeps each reflector I - tau v vT invertible (tau |v|^2 = 2 makes it
    # singular, |v|^2 <= 4 here): there torch's backward, which inverts it, gives nan while
    # the derivative is finite (a 1x1 A with tau = 1: torch nan, the derivative -1)
    return [arrays(draw, dtype, (m, n), -1.0, 1.0), arrays(draw, dtype, (k,), -0.45, 0.45)], {}


def _vectors(draw, dtype):
    a, b = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return [arrays(draw, dtype, (a,)), arrays(draw, dtype, (b,))], {}


def _matrix(draw, dtype):
    shape = (*draw(st.sampled_from([(), (2,)])), draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return [arrays(draw, dtype, shape)], {}


# special values: linalg.inv's own behaviour (a NaN in a 2x2 matrix raises LinAlgError where
# torch returns NaNs: reported, not an alias matter)
register(OpSpec("inverse", fn=lambda m, a: m.inverse(a), aliases=("Tensor.inverse",),
                sample=_square, special=False))
register(OpSpec("inverse", variant="method", dtypes=("float64",), fn=lambda m, a: a.inverse(),
                sample=_square, special=False))
register(OpSpec("orgqr", fn=lambda m, a, t: m.orgqr(a, t), aliases=("Tensor.orgqr",),
                dtypes=("float64",), sample=_householder, special=False))
register(OpSpec("ger", fn=lambda m, x, y: m.ger(x, y), aliases=("Tensor.ger",),
                sample=_vectors))
register(OpSpec("adjoint", fn=lambda m, x: m.adjoint(x), aliases=("Tensor.adjoint",),
                sample=_matrix))
