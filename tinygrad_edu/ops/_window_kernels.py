"""Optional one-pass kernels for 2-d windows (max pooling, the convolution's col2im), compiled
by numba when it is installed (the ``[fast]`` extra; :mod:`tinygrad_edu._numba`).

Each is the same arithmetic as its NumPy path in ``ops/pool.py`` / ``ops/conv.py``, written as
one loop over the elements instead of one NumPy pass per kernel offset, so each float is the
one NumPy computes (max and comparisons are exact; the col2im sums add the same terms in the
same order), and the tests (``parity_tests/test_window_kernels.py``) check the results bit for
bit against the NumPy path, compiled and as plain Python.

* :func:`max_pool2x2`: 2×2 max pooling with stride 2 (the common CNN case; other windows take
  the NumPy path): the max of each window and its argmax offset, torch's rules (a tie keeps the
  FIRST maximum in row-major window order; a NaN wins, the last NaN). The NumPy path makes 3
  strided passes per kernel offset (compare, record the offset, take the max) and a NaN check;
  the kernel reads each element once.
* :func:`max_pool2x2_backward`: each input element gets 0 + g at its window's argmax and +0
  elsewhere (torch adds g into zeros, so a −0.0 gradient lands as +0.0), one write per
  element.
* :func:`col2im_rows`: the stride-1 convolution's input gradient, the ∏K shifted additions of
  ``conv._input_grad_stride1`` in one pass over the output.

Measured on the CNN benchmark's shapes (2-core Intel Xeon, one thread): see
``benchmarks/results/PROFILE.md``. Without numba, with ``TINYGRAD_EDU_NUMBA=0`` or with
``ENABLED = False``, :func:`kernel` answers None and the NumPy paths run. The kernels take NumPy
float32/float64 arrays of one dtype, C-contiguous (``_numba.takes``); anything else takes the
NumPy path.
"""

from __future__ import annotations

import numpy as np

from .._numba import load_kernel, takes  # noqa: F401  (takes: pool and conv ask it)

_KERNELS: dict = {}  # name -> compiled kernel (None: not available), filled on first use
ENABLED = True  # False: kernel() answers None (tests switch it off to run the NumPy paths)


def max_pool2x2(x, y, am):
    """y[n, c, i, j] = max of the 2×2 window x[n, c, 2i : 2i + 2, 2j : 2j + 2] and am[n, c, i, j]
    its argmax offset k = 2p + q (x (N, C, H, W) already padded with −∞; y, am (N, C, H/2, W/2)).

    The window's elements are taken in row-major order, as the NumPy path's scan: the first
    starts the max, a later one wins when it is greater (a tie keeps the first maximum) or when
    it is a NaN (v != v: a NaN wins, and a later NaN wins over it). Branch-free selects on one
    output row at a time, so the loop over j vectorizes (a window size known only at run time
    made a scalar chain per window, ~3× slower: hence the 2×2 case alone)."""
    n_batch, n_chan, oh, ow = y.shape
    for n in range(n_batch):
        for c in range(n_chan):
            xc, yc, ac = x[n, c], y[n, c], am[n, c]
            for i in range(oh):
                x0, x1, y_i, a_i = xc[2 * i], xc[2 * i + 1], yc[i], ac[i]
                for j in range(ow):
                    best, arg = x0[2 * j], 0
                    v = x0[2 * j + 1]
                    take = (v > best) | (v != v)
                    best, arg = (v, 1) if take else (best, arg)
                    v = x1[2 * j]
                    take = (v > best) | (v != v)
                    best, arg = (v, 2) if take else (best, arg)
                    v = x1[2 * j + 1]
                    take = (v > best) | (v != v)
                    best, arg = (v, 3) if take else (best, arg)
                    y_i[j] = best
                    a_i[j] = arg


def max_pool2x2_backward(g, am, gx):
    """gx[n, c, 2i + p, 2j + q] = 0 + g[n, c, i, j] where 2p + q is the window's argmax offset
    am[n, c, i, j], and +0 at the window's three other elements (torch adds g into zeros, so a
    −0.0 gradient lands as +0.0). The 2×2 windows do not overlap, so each element is written
    once: the two rows of a window row are zero-filled, then each window's g is stored at its
    argmax (an address computed from the offset: no branch, ~2.5× faster than selecting each
    of the four values). Rows outside every window (an odd H) are not written: the caller
    passes zeros there."""
    n_batch, n_chan, oh, ow = g.shape
    h, w = gx.shape[2], gx.shape[3]
    zero = gx.dtype.type(0)
    g_f, a_f, x_f = g.reshape(-1), am.reshape(-1), gx.reshape(-1)
    for nc in range(n_batch * n_chan):
        for i in range(oh):
            row = (nc * h + 2 * i) * w  # gx's flat index of row 2i
            for t in range(2 * w):  # rows 2i and 2i + 1
                x_f[row + t] = zero
            win = (nc * oh + i) * ow  # g's flat index of window (i, 0)
            for j in range(ow):
                k = int(a_f[win + j])  # the offset 2p + q: row 2i + p, column 2j + q
                x_f[row + (k >> 1) * w + 2 * j + (k & 1)] = zero + g_f[win + j]


def col2im_rows(gcols, offs, gx):
    """gx[n, c, off_k + t] += gcols[c, k, n, t] for every kernel offset k (in order) and every
    t with off_k + t inside the row: the shifted additions of ``conv._input_grad_stride1``
    (gcols (C, ∏K, N, L), offs (∏K,) int64, gx (N, C, F) zeros on entry)."""
    n_chan, n_k, n_batch, length = gcols.shape
    flat = gx.shape[2]
    for n in range(n_batch):
        for c in range(n_chan):
            out = gx[n, c]
            for k in range(n_k):
                off = offs[k]
                src = gcols[c, k, n]
                for t in range(min(length, flat - off)):
                    out[off + t] += src[t]


def kernel(fn):
    """The compiled kernel ``fn`` (one of this module's functions), or None: no numba,
    ``TINYGRAD_EDU_NUMBA=0``, ``ENABLED`` False, or numba could not compile it (then a
    RuntimeWarning says so and the NumPy path runs)."""
    return load_kernel(__name__, fn, _WARM_UP[fn.__name__], fn.__name__,
                       "its NumPy path is used")


def _warm_forward(fn):
    for dtype in (np.float32, np.float64):  # compile now, not inside someone's step
        fn(np.ones((1, 1, 2, 2), dtype), np.empty((1, 1, 1, 1), dtype),
           np.empty((1, 1, 1, 1), np.int8))


def _warm_backward(fn):
    for dtype in (np.float32, np.float64):
        fn(np.ones((1, 1, 1, 1), dtype), np.zeros((1, 1, 1, 1), np.int8),
           np.empty((1, 1, 2, 2), dtype))


def _warm_col2im(fn):
    for dtype in (np.float32, np.float64):
        fn(np.ones((1, 1, 1, 2), dtype), np.zeros(1, np.int64), np.zeros((1, 1, 2), dtype))


_WARM_UP = {"max_pool2x2": _warm_forward, "max_pool2x2_backward": _warm_backward,
            "col2im_rows": _warm_col2im}
