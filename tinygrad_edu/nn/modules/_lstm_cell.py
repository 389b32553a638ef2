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

    proj (T, N, 4H) is W_ih x_t + b_ih for every t (one GEMM, done by the caller); h0, c0 (N, H);
    out (T, N, H) holds every h_t. Each step does :class:`LSTMCellFn`'s forward operations
    (outputs equal to the cell loop's up to the order BLAS sums h W_hhᵀ in).

    The backward walks the steps in reverse with the cell's gate formulas (one compiled loop
    per step with numba, :mod:`._lstm_kernel`; NumPy passes without) and writes every step's
    gate gradient into one (T, N, 4H) array, which IS proj's gradient (no split or scatter).
    The weight gradient is ONE GEMM over all steps:
    dW_hh = Σ_t dgates_tᵀ h_{t−1} = dGᵀ H_prev ((4H, T·N) @ (T·N, H)), and db_hh = Σ dG.
    ``reverse=True`` runs t = T−1 … 0 (the backward direction of a bidirectional LSTM).
    """

    array_io = True

    @staticmethod
    def reference(proj, h0, c0, w_hh, b_hh, reverse=False):
        """The plain twin: the composed cell, step by step (the unrolled loop)."""
        from ...ops.join import stack

        T = proj.shape[0]
        hs, h, c = [None] * T, h0, c0
        for t in range(T - 1, -1, -1) if reverse else range(T):
            h, c = LSTMCellFn.reference(proj[t], h, c, w_hh, b_hh)
            hs[t] = h
        return stack(hs, 0), h, c

    @staticmethod
    def forward(ctx, proj, h0, c0, w_hh, b_hh, reverse=False):
        xp = get_array_module(proj)
        T, N, H = proj.shape[0], proj.shape[1], h0.shape[1]
        dt = proj.dtype
        out = xp.empty((T, N, H), dt)
        S = xp.empty((T, N, 4 * H), dt)  # σ of every gate pre-activation
        gs, tcs = xp.empty((T, N, H), dt), xp.empty((T, N, H), dt)  # tanh g, tanh c'
        cs = xp.empty((T, N, H), dt)  # c_t
        h, c = h0, c0
        order = range(T - 1, -1, -1) if reverse else range(T)
        # speed: h W_hhᵀ against a C-ordered copy of W_hhᵀ, made once: OpenBLAS's kernel for
        # a plain (N, H) @ (H, 4H) product is ~25 % faster than for a transposed operand
        # (44 against 58 µs at N = 64, H = 128). Its sums may round in another order than
        # ``h @ w_hh.T`` (the cell's) on some shapes, so outputs equal the cell loop's to
        # rounding. Every step writes straight into the saved buffers (out=).
        w_t = xp.ascontiguousarray(w_hh.T)
        fused = _forward_kernels(proj, h0, c0, w_t, b_hh)
        with quiet():  # e^{-G} may overflow to inf: σ is then 0, as it must be
            for t in order:
                G = h @ w_t
                s = S[t]  # σ = 1/(1 + e^{-G}) over all four gates (g's is unused)
                if fused:  # the same passes as below, fused around exp and tanh (numba)
                    fused[0](G, b_hh if b_hh is not None else G[0], b_hh is not None,
                             proj[t], s)
                    xp.exp(s, out=s)
                    g = xp.tanh(G[:, 2 * H : 3 * H], out=gs[t])
                    fused[1](s, c, g, cs[t], s.dtype.type(1))
                    c_new = cs[t]
                else:
                    if b_hh is not None:
                        G += b_hh
                    G += proj[t]  # = x_proj + (h Wᵀ + b): the same sum, + commutes exactly
                    xp.negative(G, out=s)
                    xp.exp(s, out=s)
                    s += 1
                    xp.divide(1, s, out=s)
                    g = xp.tanh(G[:, 2 * H : 3 * H], out=gs[t])
                    c_new = xp.multiply(s[:, H : 2 * H], c, out=cs[t])  # c' = f ⊙ c + i ⊙ g
                    c_new += s[:, :H] * g
                tc = xp.tanh(c_new, out=tcs[t])
                h = xp.multiply(s[:, 3 * H :], tc, out=out[t])  # h' = o ⊙ tanh c'
                c = c_new
        ctx.save_for_backward(S, gs, tcs, cs, out, h0, c0, w_hh)
        ctx.reverse = reverse
        return out, h.copy(), c.copy()

    @staticmethod
    def backward(ctx, dout, dh_last, dc_last):
        S, gs, tcs, cs, out, h0, c0, w_hh = ctx.saved_tensors
        xp = get_array_module(S)
        H = out.shape[2]
        rev = ctx.reverse
        # h_{t−1} of every step: the states one step earlier in the walk (for dW_hh below)
        hp = xp.empty_like(out)
        if rev:
            hp[:-1], hp[-1] = out[1:], h0
        else:
            hp[1:], hp[0] = out[:-1], h0
        # walking t backwards, each step's gate gradients (σ′ = σ(1 − σ), i f g o the gates):
        #   dh ← dh + dout_t,   dc′ = dh·o(1 − tanh²c_t) + dc
        #   dG_t = [dc′·i(1−i)·g, dc′·f(1−f)·c_{t−1}, dc′·(1 − g²)·i, dh·o(1−o)·tanh c_t]
        #   dh ← dG_t W_hh,     dc ← dc′·f           (what reaches step t − 1)
        # as NumPy passes (_gate_grads_numpy) or one compiled loop per step (_gate_grads_fused)
        fused = _lstm_kernel.kernel()
        args = (S, gs, tcs, cs, c0, dout, dh_last, dc_last, w_hh, rev)
        if fused is not None and _lstm_kernel.takes(S, gs, tcs, cs, w_hh):
            dG, dh, dc = _gate_grads_fused(fused, *args)
        else:
            dG, dh, dc = _gate_grads_numpy(xp, *args)
        need = ctx.needs_input_grad
        flat = dG.reshape(-1, 4 * H)
        dw = flat.T @ hp.reshape(-1, H) if need[3] else None
        db = flat.sum(axis=0) if len(need) > 4 and need[4] else None
        return dG, dh if need[1] else None, dc if need[2] else None, dw, db


def _forward_kernels(proj, h0, c0, w_t, b_hh):
    """(:func:`lstm_gates_in`, :func:`lstm_gates_out`) compiled, when numba is there and the
    arrays suit them (NumPy, one float dtype, C order), else None: the NumPy passes."""
    arrays = (proj, h0, c0, w_t) + (() if b_hh is None else (b_hh,))
    if not _lstm_kernel.takes(*arrays):
        return None
    k_in = _lstm_kernel.kernel(_lstm_kernel.lstm_gates_in)
    k_out = _lstm_kernel.kernel(_lstm_kernel.lstm_gates_out)
    return None if k_in is None or k_out is None else (k_in, k_out)


def _gate_grads_numpy(xp, S, gs, tcs, cs, c0, dout, dh_last, dc_last, w_hh, rev):
    """(dG, dh_0, dc_0) of :meth:`LSTMLayerFn.backward` in NumPy passes: the reference of the
    compiled :func:`_gate_grads_fused` (the same floats, bit for bit)."""
    T, N, H = gs.shape
    S4 = S.reshape(T, N, 4, H)
    i, f, o = S4[:, :, 0], S4[:, :, 1], S4[:, :, 3]
    cp = xp.empty_like(cs)  # c_{t−1} of every step
    if rev:
        cp[:-1], cp[-1] = cs[1:], c0
    else:
        cp[1:], cp[0] = cs[:-1], c0
    # the local derivatives of every step at once (few large passes instead of many
    # per-step ones): dG = [dct·g·i(1−i), dct·c·f(1−f), dct·i(1−g²), dh·tc·o(1−o)]
    A = S4 * (1 - S4)  # σ′ = σ(1 − σ) of i, f, o (g's block overwritten below)
    A[:, :, 0] *= gs
    A[:, :, 1] *= cp
    xp.multiply(gs, gs, out=A[:, :, 2])
    xp.subtract(1, A[:, :, 2], out=A[:, :, 2])
    A[:, :, 2] *= i
    A[:, :, 3] *= tcs
    E = tcs * tcs  # ∂h/∂c′ = o(1 − tanh²c′)
    xp.subtract(1, E, out=E)
    E *= o
    dG = xp.empty_like(S)
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


def _gate_grads_fused(kernel, S, gs, tcs, cs, c0, dout, dh_last, dc_last, w_hh, rev):
    """:func:`_gate_grads_numpy` with each step's elementwise passes as ONE compiled loop
    (:func:`~tinygrad_edu.nn.modules._lstm_kernel.lstm_gate_grads`); only dh = dG_t W_hh
    stays a BLAS call between two steps."""
    import numpy as np

    T = gs.shape[0]
    dt = S.dtype
    dout = np.ascontiguousarray(dout, dt)  # often a broadcast or a strided slice
    c0 = np.ascontiguousarray(c0, dt)
    dh = np.ascontiguousarray(dh_last, dt)
    dc = np.array(dc_last, dt, order="C", copy=True)  # overwritten step by step
    one = dt.type(1)
    dG = np.empty_like(S)
    for t in range(T) if rev else range(T - 1, -1, -1):
        c_prev = c0 if t == (T - 1 if rev else 0) else cs[t + 1 if rev else t - 1]
        kernel(dh, dout[t], dc, S[t], gs[t], tcs[t], c_prev, dG[t], one)
        dh = dG[t] @ w_hh
    return dG, dh, dc
