"""Optional one-pass kernels for batch normalization's elementwise work, compiled by numba when
it is installed (the ``[fast]`` extra; :mod:`tinygrad_edu._numba`).

:class:`~tinygrad_edu.ops.normalization.BatchNormFn` makes its per-channel statistics with
NumPy's reductions (they stay NumPy's: a compiled sum would add in another order), and then
sweeps x several times with per-channel factors. These loops do those sweeps in one pass each,
every expression one of the NumPy passes on one element, in the same order and dtype, so the
results equal the NumPy path bit for bit (``parity_tests/test_norm_kernels.py``):

* :func:`bn_affine`: x̂ = (x − μ)·s in place, y = x̂·γ + β (three NumPy passes);
* :func:`bn_input_grad`: ∂L/∂x = ((g − x̂·a) − b)·γs with a = Σg·x̂/M, b = Σg/M per channel
  (four NumPy passes).

Arrays are (N, C, P) views of (N, C, ...) and the factors (C,). Without numba, with
``TINYGRAD_EDU_NUMBA=0`` or with ``ENABLED = False``, :func:`kernel` answers None and
BatchNormFn runs its NumPy passes.
"""

from __future__ import annotations

import numpy as np

from .._numba import MIN_ELEMENTS, load_kernel
from .._numba import takes as _takes

_KERNELS: dict = {}  # name -> compiled kernel (None: not available), filled on first use
ENABLED = True  # False: kernel() answers None (tests switch it off to run the NumPy passes)


def bn_affine(xc, s, w, b, y):
    """xc ← xc·s[c] (x̂, in place) and y = x̂·w[c] + b[c], as ``xc *= s; y = xhat * w;
    y += b`` round them (xc, y (N, C, P); s, w, b (C,))."""
    n_batch, n_chan, n_pos = xc.shape
    if n_pos == 1:  # (N, C): the channels are the inner, contiguous loop (it vectorizes)
        x2, y2 = xc.reshape(n_batch, n_chan), y.reshape(n_batch, n_chan)
        for n in range(n_batch):
            x_r, y_r = x2[n], y2[n]
            for c in range(n_chan):
                v = x_r[c] * s[c]
                x_r[c] = v
                y_r[c] = v * w[c] + b[c]
        return
    for n in range(n_batch):
        for c in range(n_chan):
            sc, wc, bc = s[c], w[c], b[c]
            x_r, y_r = xc[n, c], y[n, c]
            for p in range(n_pos):
                v = x_r[p] * sc
                x_r[p] = v
                y_r[p] = v * wc + bc


def bn_input_grad(g, xhat, a, b, ws, gx):
    """gx = ((g − x̂·a[c]) − b[c])·ws[c], as ``gx = xhat * a; gx = g − gx; gx −= b;
    gx *= ws`` round them (g, x̂, gx (N, C, P), gx may be x̂·g's buffer; a, b, ws (C,))."""
    n_batch, n_chan, n_pos = g.shape
    if n_pos == 1:  # (N, C): the channels are the inner, contiguous loop (it vectorizes)
        g2 = g.reshape(n_batch, n_chan)
        x2 = xhat.reshape(n_batch, n_chan)
        o2 = gx.reshape(n_batch, n_chan)
        for n in range(n_batch):
            g_r, x_r, o_r = g2[n], x2[n], o2[n]
            for c in range(n_chan):
                o_r[c] = ((g_r[c] - x_r[c] * a[c]) - b[c]) * ws[c]
        return
    for n in range(n_batch):
        for c in range(n_chan):
            ac, bc, wc = a[c], b[c], ws[c]
            g_r, x_r, o_r = g[n, c], xhat[n, c], gx[n, c]
            for p in range(n_pos):
                o_r[p] = ((g_r[p] - x_r[p] * ac) - bc) * wc


def kernel(fn):
    """The compiled ``fn`` (:func:`bn_affine` or :func:`bn_input_grad`), or None: no numba,
    ``TINYGRAD_EDU_NUMBA=0``, ``ENABLED`` False, or numba could not compile it (then a
    RuntimeWarning says so and the NumPy passes run)."""
    return load_kernel(__name__, fn, _WARM_UP[fn.__name__], fn.__name__,
                       "BatchNorm uses its NumPy passes")


MIN_SIZE = MIN_ELEMENTS  # below this many elements NumPy's passes are faster than a call


def takes(*arrays) -> bool:
    """``_numba.takes`` with the first array holding at least MIN_SIZE elements."""
    return _takes(*arrays, min_size=MIN_SIZE)


def _warm_affine(fn):
    for dtype in (np.float32, np.float64):  # compile now, not inside someone's step
        for shape in ((1, 2, 3), (1, 2, 1)):  # images, and (N, C) rows
            a, v = np.ones(shape, dtype), np.ones(2, dtype)
            fn(a, v, v, v, a.copy())


def _warm_grad(fn):
    for dtype in (np.float32, np.float64):
        for shape in ((1, 2, 3), (1, 2, 1)):
            a, v = np.ones(shape, dtype), np.ones(2, dtype)
            fn(a, a, v, v, v, a.copy())


_WARM_UP = {"bn_affine": _warm_affine, "bn_input_grad": _warm_grad}
