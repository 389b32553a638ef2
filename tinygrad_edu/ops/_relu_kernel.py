"""Optional one-pass ReLU backward, compiled by numba when it is installed (the ``[fast]``
extra; :mod:`tinygrad_edu._numba`).

``ReluFn.backward`` forms torch's ``threshold_backward``, g where y > 0 or y is nan and +0.0
elsewhere (never −0.0, never a nan from a blocked unit), with four NumPy passes: the mask
``~(y <= 0)`` (two) and ``select_grad``'s branch-free bit AND (two). :func:`relu_backward` is
one loop over the elements with the same rule, so its floats are the NumPy path's bit for bit
(``parity_tests/test_relu_kernel.py``). Without numba, with ``TINYGRAD_EDU_NUMBA=0`` or with
``ENABLED = False``, :func:`relu_grad` answers None and the NumPy passes run.
"""

from __future__ import annotations

import numpy as np

from .._numba import MIN_ELEMENTS, load_kernel, takes

_KERNELS: dict = {}  # name -> compiled kernel (None: not available), filled on first use
ENABLED = True  # False: relu_grad() answers None (tests switch it off to run the NumPy passes)
MIN_SIZE = MIN_ELEMENTS  # below this many elements NumPy's passes are faster than a call


def relu_backward(y, g, out):
    """out = g where not (y ≤ 0), else +0.0 (y the ReLU's output; flat arrays of one size)."""
    zero = out.dtype.type(0)
    for i in range(y.size):
        out[i] = zero if y[i] <= 0 else g[i]  # relu'(x) = [x > 0]; a nan y lets g through


def relu_grad(y, g):
    """∂L/∂x of y = relu(x) for the upstream ``g`` in one compiled pass, or None (numba
    missing or off, small or non-contiguous arrays, dtypes other than one float32/float64)."""
    if not (takes(y, g, min_size=MIN_SIZE) and y.shape == g.shape):
        return None
    fn = load_kernel(__name__, relu_backward, _warm_up, "ReLU", "ReLU uses its NumPy passes")
    if fn is None:
        return None
    out = np.empty_like(g)
    fn(y.reshape(-1), g.reshape(-1), out.reshape(-1))
    return out


def _warm_up(fn):
    for dtype in (np.float32, np.float64):  # compile now, not inside someone's step
        a = np.ones(2, dtype)
        fn(a, a, a.copy())
