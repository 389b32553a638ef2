"""Optional one-pass kernels for one step of the LSTM layer, compiled by numba: the backward's
gate gradients (:func:`lstm_gate_grads`, below) and the forward's gate passes around exp and
tanh (:func:`lstm_gates_in`, :func:`lstm_gates_out`: 15 NumPy calls per step become 7).

:meth:`LSTMLayerFn.backward <tinygrad_edu.nn.modules._lstm_cell.LSTMLayerFn.backward>` on NumPy
forms every step's gate gradients with about 15 array passes: the local derivatives of all T
steps first (σ′ = σ(1 − σ) of i, f, o and 1 − g² of g, each times its partner), then per step
``dh + dout``, ``dh·E + dc``, the four gate products and ``dct·f``. :func:`lstm_gate_grads`
below is the same arithmetic for one step written as one loop over the (N, H) elements: each
expression is one of those NumPy passes on one element, in the same order and in the arrays'
dtype, so every float is rounded where NumPy rounds it and the gate gradients equal the NumPy
path's bit for bit (``parity_tests/test_lstm_kernel.py`` checks it). Between two calls the
layer's backward still does the one thing that needs BLAS, ``dh = dG_t W_hh``.

Measured at N = 64, H = 128, float32, on a 2-core AMD EPYC (one thread): the NumPy passes cost
~1.5 ms of a 32-step backward, the kernel ~0.2 ms.

numba is optional (see :mod:`tinygrad_edu._numba`): without it, with ``TINYGRAD_EDU_NUMBA=0``
or with ``ENABLED = False``, :func:`kernel` answers None and the layer runs its NumPy passes.
The kernel takes NumPy float32/float64 arrays, all C-contiguous, of one dtype
(:func:`takes`); anything else takes the NumPy path.
"""

from __future__ import annotations

import numpy as np

from ..._numba import load_kernel, takes  # noqa: F401  (takes: the layer asks it)

_KERNELS: dict = {}  # the compiled kernel (None: not available), filled on first use
ENABLED = True  # False: kernel() answers None (tests and the benchmark's A/B switch it off)


def lstm_gate_grads(dh, dout_t, dc, s_t, g_t, tc_t, c_prev, dg_t, one):
    """One step of backpropagation through an LSTM cell, element by element.

    In: ``dh`` (N, H) the gradient reaching h_t from step t + 1, ``dout_t`` (N, H) the one from
    the output at t, ``dc`` (N, H) the one reaching c_t from step t + 1; the saved forward
    values of step t: ``s_t`` (N, 3H) σ of the gate pre-activations i, f, o, ``g_t`` =
    tanh g, ``tc_t`` = tanh c_t, ``c_prev`` = c_{t−1}; ``one`` is 1 in the arrays' dtype.
    Out: ``dg_t`` (N, 4H) the gate pre-activations' gradient (gate order i, f, g, o) and ``dc``
    (overwritten) the gradient reaching c_{t−1}::

        dh' = dh + dout_t                     dc' = dh'·o(1 − tanh²c_t) + dc
        dG_i = dc'·i(1 − i)·g                 dG_f = dc'·f(1 − f)·c_{t−1}
        dG_g = dc'·(1 − g²)·i                 dG_o = dh'·o(1 − o)·tanh c_t
        dc  ← dc'·f
    """
    n_rows, h = dh.shape
    for n in range(n_rows):
        # speed: 1-D row views, so numba (LLVM) vectorizes the inner loop (2-D indexing with
        # the gate offsets did not: 17 µs against 5 µs per step at N = 64, H = 128)
        dh_n, dout_n, dc_n, s_n, g_n, tc_n, cp_n, dg_n = (
            dh[n], dout_t[n], dc[n], s_t[n], g_t[n], tc_t[n], c_prev[n], dg_t[n])
        s_i, s_f, s_o = s_n[:h], s_n[h : 2 * h], s_n[2 * h :]
        d_i, d_f, d_g, d_o = dg_n[:h], dg_n[h : 2 * h], dg_n[2 * h : 3 * h], dg_n[3 * h :]
        for j in range(h):
            i, f, o, g, tc = s_i[j], s_f[j], s_o[j], g_n[j], tc_n[j]
            d = dh_n[j] + dout_n[j]  # dh = dh + dout[t]
            dct = d * ((one - tc * tc) * o) + dc_n[j]  # E = (1 − tc·tc)·o; dct = dh·E; += dc
            d_i[j] = dct * ((one - i) * i * g)  # A_i = σ(1 − σ)·g
            d_f[j] = dct * ((one - f) * f * cp_n[j])  # A_f = σ(1 − σ)·c_{t−1}
            d_g[j] = dct * ((one - g * g) * i)  # A_g = (1 − g·g)·i
            d_o[j] = d * ((one - o) * o * tc)  # A_o = σ(1 − σ)·tanh c_t
            dc_n[j] = dct * f  # dc = dct·f


def lstm_gates_in(G, b, has_b, x_proj, s, g):
    """Before the forward's exp: the gate pre-activations (G + b) + x_proj (b skipped when
    ``has_b`` is False) of i, f, o negated into ``s`` (N, 3H) and g's copied into ``g``
    (N, H), element by element, as the NumPy passes ``G += b; G += x_proj;
    negative(G[:, gate], out=s[:, gate]); g[...] = G[:, 2H:3H]`` round them (G is scratch:
    left as it was)."""
    n_rows, h = g.shape
    for n in range(n_rows):
        g_n, p_n, s_n, o_n = G[n], x_proj[n], s[n], g[n]
        for j in range(2 * h):  # i, f
            v = g_n[j] + b[j] if has_b else g_n[j]
            s_n[j] = -(v + p_n[j])
        for j in range(2 * h, 3 * h):  # g
            v = g_n[j] + b[j] if has_b else g_n[j]
            o_n[j - 2 * h] = v + p_n[j]
        for j in range(3 * h, 4 * h):  # o
            v = g_n[j] + b[j] if has_b else g_n[j]
            s_n[j - h] = -(v + p_n[j])


def lstm_gates_out(s, c, g, c_new, one):
    """After the forward's exp (s = e^{−G} of the gates i, f, o; g = tanh of the g gate):
    σ = 1/(1 + s) in place, then c' = f ⊙ c + i ⊙ g, as the NumPy passes ``s += 1;
    divide(1, s, out=s); multiply(f, c, out=c_new); c_new += i * g`` round them."""
    n_rows, h = c.shape
    for n in range(n_rows):
        s_n, c_n, g_n, o_n = s[n], c[n], g[n], c_new[n]
        for j in range(3 * h):
            s_n[j] = one / (s_n[j] + one)
        s_i, s_f = s_n[:h], s_n[h : 2 * h]
        for j in range(h):
            o_n[j] = s_f[j] * c_n[j] + s_i[j] * g_n[j]


def kernel(fn=None):
    """The compiled ``fn`` (default :func:`lstm_gate_grads`; or :func:`lstm_gates_in`,
    :func:`lstm_gates_out`), or None (no numba, ``TINYGRAD_EDU_NUMBA=0``, ``ENABLED`` False,
    or numba could not compile it: then a RuntimeWarning says so)."""
    fn = lstm_gate_grads if fn is None else fn
    return load_kernel(__name__, fn, _WARM_UPS[fn.__name__], "LSTM",
                       "the LSTM uses its NumPy passes")


def _warm_up(fn):
    for dtype in (np.float32, np.float64):  # compile now, not inside someone's step
        a = np.ones((2, 1), dtype)
        fn(a, a.copy(), a.copy(), np.ones((2, 3), dtype), a, a, a, np.ones((2, 4), dtype),
           a.dtype.type(1))


def _warm_in(fn):
    for dtype in (np.float32, np.float64):
        a = np.ones((2, 4), dtype)
        fn(a, np.ones(4, dtype), True, a.copy(), np.ones((2, 3), dtype), np.ones((2, 1), dtype))


def _warm_out(fn):
    for dtype in (np.float32, np.float64):
        a = np.ones((2, 1), dtype)
        fn(np.ones((2, 3), dtype), a, a.copy(), a.copy(), a.dtype.type(1))


_WARM_UPS = {"lstm_gate_grads": _warm_up, "lstm_gates_in": _warm_in,
             "lstm_gates_out": _warm_out}
