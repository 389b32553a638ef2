"""The LSTM cell as ONE fused op (the fast path of nn.LSTM), beside its plain reference.

Composed from ordinary ops (``reference`` below) one time step is 12 graph nodes, each with its
own temporaries and engine bookkeeping, forward and backward. ``LSTMCellFn`` computes the same
numbers in one node: the forward does the very same float operations as the reference on the
whole (N, 4H) gate buffer (so the outputs are bitwise equal), and the backward writes
the four gate gradients into one (N, 4H) array from the saved activations:

    gates = x_proj + h Wᵀ + b,   i, f, g, o = σ(gates_i), σ(gates_f), tanh(gates_g), σ(gates_o)
    c' = f ⊙ c + i ⊙ g,          h' = o ⊙ tanh(c')

    dc' += dh' ⊙ o ⊙ (1 − tanh²c')               (the total gradient reaching c')
    di = dc' ⊙ g ⊙ i(1 − i)      df = dc' ⊙ c ⊙ f(1 − f)
    dg = dc' ⊙ i ⊙ (1 − g²)      do = dh' ⊙ tanh c' ⊙ o(1 − o)
    dx_proj = dgates,  dh = dgates W,  dW = dgatesᵀ h,  db = Σₙ dgates,  dc = dc' ⊙ f

Shapes: x_proj (N, 4H), h and c (N, H), W (4H, H), b (4H,) or None; gate order i, f, g, o
(torch's). The dtype is the inputs' (float32 or float64). Under ``create_graph=True`` the engine
differentiates ``reference`` instead (the parity tests check both agree).
"""

from __future__ import annotations

from ...autograd import Function
from ...backend import get_array_module
from ...ops._util import quiet
from . import _lstm_kernel


class LSTMCellFn(Function):
    """(h', c') = LSTM cell(x_proj, h, c, W_hh, b_hh): see the module docstring."""

    array_io = True

    @staticmethod
    def reference(x_proj, h, c, w_hh, b_hh):
        """The plain twin, composed of differentiable ops (torch's formulas)."""
        from ...ops.activation import sigmoid, tanh
        from ...ops.matmul import linear

        i, f, g, o = (x_proj + linear(h, w_hh, b_hh)).chunk(4, 1)  # gate order i, f, g, o
        c = sigmoid(f) * c + sigmoid(i) * tanh(g)
        return sigmoid(o) * tanh(c), c

    @staticmethod
    def forward(ctx, x_proj, h, c, w_hh, b_hh):
        xp = get_array_module(x_proj)
        H = h.shape[1]
        G = h @ w_hh.T  # the gate pre-activations
        if b_hh is not None:
            G += b_hh
        xp.add(x_proj, G, out=G)
        # σ over all four gates in one pass (g's is unused): 1/(1 + e^{-x}), SigmoidFn's ops.
        # Not in place on the gate slices: NumPy 2.4 float32 unary ufuncs with out= aliasing a
        # column view such as G[:, 3:] of a (2, 4) array give wrong numbers.
        with quiet():
            S = 1 / (1 + xp.exp(-G))
        g = xp.tanh(G[:, 2 * H : 3 * H])
        i, f, o = S[:, :H], S[:, H : 2 * H], S[:, 3 * H :]
        c_new = f * c
        c_new += i * g
        tc = xp.tanh(c_new)
        ctx.save_for_backward(S, g, h, c, tc, w_hh)
        return o * tc, c_new

    @staticmethod
    def backward(ctx, dh, dc):
        S, g, h, c, tc, w_hh = ctx.saved_tensors
        xp = get_array_module(S)
        H = h.shape[1]
        i, f, o = S[:, :H], S[:, H : 2 * H], S[:, 3 * H :]
        dct = dc + dh * o * (1 - tc * tc)  # all of c′'s gradient
        dG = xp.empty_like(S)
        dG[:, :H] = dct * g * i * (1 - i)
        dG[:, H : 2 * H] = dct * c * f * (1 - f)
        dG[:, 2 * H : 3 * H] = dct * i * (1 - g * g)
        dG[:, 3 * H :] = dh * tc * o * (1 - o)
        need = ctx.needs_input_grad
        dh_prev = dG @ w_hh if need[1] else None
        dc_prev = dct * f if need[2] else None
        dw = dG.T @ h if need[3] else None
        db = dG.sum(axis=0) if len(need) > 4 and need[4] else None
        return dG, dh_prev, dc_prev, dw, db


class LSTMLayerFn(Function):
    """(out, h_T, c_T) = one LSTM layer in one direction over all T steps, as ONE node.

    x (T, N, F) is the layer's input, h0 and c0 (N, H) its initial state, w_ih (4H, F),
    w_hh (4H, H), b_ih and b_hh (4H,) or both None; out (T, N, H) holds every h_t. The input
    projection x W_ihᵀ of all T steps is ONE GEMM; each step adds h_{t−1} W_hhᵀ and the bias
    b_ih + b_hh and does :class:`LSTMCellFn`'s gate formulas (outputs equal to the cell loop's
    up to rounding: BLAS may sum the products in another order, and the bias is added as
    (h W_hhᵀ + (b_ih + b_hh)) + x W_ihᵀ instead of (x W_ihᵀ + b_ih) + (h W_hhᵀ + b_hh)).

    The backward walks the steps in reverse with the cell's gate formulas (one compiled loop
    per step with numba, :mod:`._lstm_kernel`; NumPy passes without) and writes every step's
    gate gradient into one (T, N, 4H) array dG (the gradient of x W_ihᵀ + b_ih too). Then
    every weight gradient is ONE GEMM over all steps, and the bias gradient one sum::

        dW_hh = Σ_t dG_tᵀ h_{t−1} = dGᵀ H_prev      ((4H, T·N) @ (T·N, H))
        dW_ih = Σ_t dG_tᵀ x_t     = dGᵀ X           ((4H, T·N) @ (T·N, F))
        dx    = dG W_ih,          db_ih = db_hh = Σ_{t,n} dG

    ``reverse=True`` runs t = T−1 … 0 (the backward direction of a bidirectional LSTM).
    """

    array_io = True

    @staticmethod
    def reference(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse=False):
        """The plain twin: one Linear for the input projection, then the composed cell, step
        by step (the unrolled loop)."""
        from ...ops.join import stack
        from ...ops.matmul import linear

        proj = linear(x, w_ih, b_ih)  # W_ih x_t + b_ih for every t
        T = proj.shape[0]
        hs, h, c = [None] * T, h0, c0
        for t in range(T - 1, -1, -1) if reverse else range(T):
            h, c = LSTMCellFn.reference(proj[t], h, c, w_hh, b_hh)
            hs[t] = h
        return stack(hs, 0), h, c

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse=False):
        xp = get_array_module(x)
        T, N, H = x.shape[0], x.shape[1], h0.shape[1]
        dt = x.dtype
        # the input projection of every step at once (the bias joins b_hh below)
        proj = (x.reshape(T * N, -1) @ w_ih.T).reshape(T, N, 4 * H)
        bs = [v for v in (b_ih, b_hh) if v is not None]
        b = bs[0] + bs[1] if len(bs) == 2 else (bs[0] if bs else None)
        # saved for the backward: σ of the gates i, f, o (N, 3H) and tanh g, tanh c_t (N, H)
        # of every step, and the states in (T + 1, N, H) buffers that start (or, reversed, end)
        # with h0, c0: the step writing index t + 1 (reversed: t) reads index t (t + 1), and
        # out and H_prev are both views of hb, no copies
        S = xp.empty((T, N, 3 * H), dt)
        gs, tcs = xp.empty((T, N, H), dt), xp.empty((T, N, H), dt)
        hb, cb = xp.empty((T + 1, N, H), dt), xp.empty((T + 1, N, H), dt)
        first = T if reverse else 0
        hb[first], cb[first] = h0, c0
        # speed: h W_hhᵀ against a C-ordered copy of W_hhᵀ, made once: OpenBLAS's kernel for
        # a plain (N, H) @ (H, 4H) product is ~25 % faster than for a transposed operand
        # (44 against 58 µs at N = 64, H = 128), into one reused buffer G
        w_t = xp.ascontiguousarray(w_hh.T)
        G = xp.empty((N, 4 * H), dt)
        fused = _forward_kernels(proj, hb, cb, w_t, b)
        one = dt.type(1)
        with quiet():  # e^{-G} may overflow to inf: σ is then 0, as it must be
            for t in range(T - 1, -1, -1) if reverse else range(T):
                prv, nxt = (t + 1, t) if reverse else (t, t + 1)
                xp.matmul(hb[prv], w_t, out=G)
                s, g = S[t], gs[t]
                if fused:  # the same passes as below, fused around exp and tanh (numba)
                    fused[0](G, G[0] if b is None else b, b is not None, proj[t], s, g)
                    xp.exp(s, out=s)
                    xp.tanh(g, out=g)
                    fused[1](s, cb[prv], g, cb[nxt], one)
                else:
                    if b is not None:
                        G += b
                    G += proj[t]  # gates = (h W_hhᵀ + b) + x W_ihᵀ
                    xp.negative(G[:, : 2 * H], out=s[:, : 2 * H])  # −i, −f
                    xp.negative(G[:, 3 * H :], out=s[:, 2 * H :])  # −o
                    g[...] = G[:, 2 * H : 3 * H]
                    xp.exp(s, out=s)  # σ = 1/(1 + e^{-G}) of i, f, o
                    xp.tanh(g, out=g)
                    s += 1
                    xp.divide(1, s, out=s)
                    c_new = xp.multiply(s[:, H : 2 * H], cb[prv], out=cb[nxt])  # f ⊙ c
                    c_new += s[:, :H] * g  # c' = f ⊙ c + i ⊙ g
                tc = xp.tanh(cb[nxt], out=tcs[t])
                xp.multiply(s[:, 2 * H :], tc, out=hb[nxt])  # h' = o ⊙ tanh c'
        out = hb[:T] if reverse else hb[1:]
        ctx.save_for_backward(x, S, gs, tcs, cb, out, h0, w_ih, w_hh)
        ctx.reverse = reverse
        last = 0 if reverse else T
        return out, hb[last].copy(), cb[last].copy()

    @staticmethod
    def backward(ctx, dout, dh_last, dc_last):
        x, S, gs, tcs, cb, out, h0, w_ih, w_hh = ctx.saved_tensors
        xp = get_array_module(S)
        rev = ctx.reverse
        T, N, H = out.shape
        cp = cb[1:] if rev else cb[:-1]  # c_{t−1} of every step t
        hb = out.base  # h_{t−1} of every step, a view of the forward's (T + 1, N, H) buffer
        if hb is None or hb.shape != (T + 1, N, H):  # a saved-tensor hook copied out: rebuild
            hb = xp.concatenate((out, h0[None]) if rev else (h0[None], out))
        hp = hb[1:] if rev else hb[:-1]
        # walking t backwards, each step's gate gradients (σ′ = σ(1 − σ), i f g o the gates):
        #   dh ← dh + dout_t,   dc′ = dh·o(1 − tanh²c_t) + dc
        #   dG_t = [dc′·i(1−i)·g, dc′·f(1−f)·c_{t−1}, dc′·(1 − g²)·i, dh·o(1−o)·tanh c_t]
        #   dh ← dG_t W_hh,     dc ← dc′·f           (what reaches step t − 1)
        # as NumPy passes (_gate_grads_numpy) or one compiled loop per step (_gate_grads_fused)
        fused = _lstm_kernel.kernel()
        args = (S, gs, tcs, cp, dout, dh_last, dc_last, w_hh, rev)
        if fused is not None and _lstm_kernel.takes(S, gs, tcs, cb, w_hh):
            dG, dh, dc = _gate_grads_fused(fused, *args)
        else:
            dG, dh, dc = _gate_grads_numpy(xp, *args)
        need = ctx.needs_input_grad
        flat = dG.reshape(T * N, 4 * H)
        dx = (flat @ w_ih).reshape(x.shape) if need[0] else None
        dw_ih = flat.T @ x.reshape(T * N, -1) if need[3] else None
        dw_hh = flat.T @ hp.reshape(T * N, H) if need[4] else None
        db_ih = db_hh = None
        if need[5] or need[6]:  # db_ih = db_hh: each bias enters every gate sum once
            db = flat.sum(axis=0)
            db_ih = db if need[5] else None
            db_hh = (db.copy() if need[5] else db) if need[6] else None
        return (dx, dh if need[1] else None, dc if need[2] else None, dw_ih, dw_hh,
                db_ih, db_hh)


def _forward_kernels(proj, hb, cb, w_t, b):
    """(:func:`lstm_gates_in`, :func:`lstm_gates_out`) compiled, when numba is there and the
    arrays suit them (NumPy, one float dtype, C order), else None: the NumPy passes."""
    arrays = (proj, hb, cb, w_t) + (() if b is None else (b,))
    if not _lstm_kernel.takes(*arrays):
        return None
    k_in = _lstm_kernel.kernel(_lstm_kernel.lstm_gates_in)
    k_out = _lstm_kernel.kernel(_lstm_kernel.lstm_gates_out)
    return None if k_in is None or k_out is None else (k_in, k_out)


def _gate_grads_numpy(xp, S, gs, tcs, cp, dout, dh_last, dc_last, w_hh, rev):
    """(dG, dh_0, dc_0) of :meth:`LSTMLayerFn.backward` in NumPy passes: the reference of the
    compiled :func:`_gate_grads_fused` (the same floats, bit for bit). S (T, N, 3H) holds σ of
    the gates i, f, o; cp (T, N, H) is c_{t−1} of every step."""
    T, N, H = gs.shape
    S3 = S.reshape(T, N, 3, H)
    i, f, o = S3[:, :, 0], S3[:, :, 1], S3[:, :, 2]
    # the local derivatives of every step at once (few large passes instead of many
    # per-step ones): dG = [dct·g·i(1−i), dct·c·f(1−f), dct·i(1−g²), dh·tc·o(1−o)]
    A = xp.empty((T, N, 4, H), S.dtype)
    for k, (s, partner) in enumerate(((i, gs), (f, cp), (None, i), (o, tcs))):
        a = A[:, :, k]
        if s is None:  # g's: 1 − g²
            xp.multiply(gs, gs, out=a)
            xp.subtract(1, a, out=a)
        else:  # σ′ = σ(1 − σ)
            xp.subtract(1, s, out=a)
            a *= s
        a *= partner
    E = tcs * tcs  # ∂h/∂c′ = o(1 − tanh²c′)
    xp.subtract(1, E, out=E)
    E *= o
    dG = xp.empty((T, N, 4 * H), S.dtype)
    dG4 = dG.reshape(T, N, 4, H)
    dh, dc = dh_last, dc_last
    for t in range(T) if rev else range(T - 1, -1, -1):
        dh = dh + dout[t]  # from the output at t and from step t + 1
        dct = dh * E[t]
        dct += dc  # all of c′'s gradient
        xp.multiply(dct[:, None, :], A[t, :, :3], out=dG4[t, :, :3])  # i, f, g
        xp.multiply(dh, A[t, :, 3], out=dG4[t, :, 3])  # o
        dh = dG[t] @ w_hh
        dc = dct * f[t]
    return dG, dh, dc


def _gate_grads_fused(kernel, S, gs, tcs, cp, dout, dh_last, dc_last, w_hh, rev):
    """:func:`_gate_grads_numpy` with each step's elementwise passes as ONE compiled loop
    (:func:`~tinygrad_edu.nn.modules._lstm_kernel.lstm_gate_grads`); only dh = dG_t W_hh
    stays a BLAS call between two steps."""
    import numpy as np

    T, N, H = gs.shape
    dt = S.dtype
    dout = np.ascontiguousarray(dout, dt)  # often a broadcast or a strided slice
    cp = np.ascontiguousarray(cp, dt)
    dh = np.ascontiguousarray(dh_last, dt)
    dc = np.array(dc_last, dt, order="C", copy=True)  # overwritten step by step
    one = dt.type(1)
    dG = np.empty((T, N, 4 * H), dt)
    for t in range(T) if rev else range(T - 1, -1, -1):
        kernel(dh, dout[t], dc, S[t], gs[t], tcs[t], cp[t], dG[t], one)
        dh = dG[t] @ w_hh
    return dG, dh, dc
