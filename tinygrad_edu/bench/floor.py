"""The NumPy floor: a step's GEMMs alone, at the step's shapes, in NumPy and in torch.

A training step of ours can never be faster than the matrix products it has to do in NumPy's
BLAS. ``gemms(key, quick)`` lists those products for a workload as ``(m, k, n, ta, tb)``: an
(m, k) @ (k, n) product whose left/right operand is a transposed view when ``ta``/``tb`` is
True (the way the step meets it: ``x @ W.T`` in a Linear's forward, ``dY.T @ X`` for the weight
gradient). ``steps(...)`` builds one closure per library that runs all of them into preallocated
outputs, so the bench times the floor beside the frameworks and reports

* ours / NumPy floor: how far our step is above the GEMMs NumPy must do anyway (engine,
  elementwise passes, allocation);
* NumPy GEMMs / torch GEMMs: the part of the gap that is BLAS, not us.

Workloads without GEMMs (per-op chain, cross_entropy, Adam) have no floor (``[]``).
"""

from __future__ import annotations

import numpy as np

try:
    from .sizes import MLP_DIMS, lstm_shape, matmul_size
except ImportError:  # run as a script, outside the package
    from sizes import MLP_DIMS, lstm_shape, matmul_size


def _linear(b: int, i: int, o: int, dx: bool = True) -> list:
    """Linear(i, o) on a batch b: forward x @ W.T, weight grad dY.T @ x, input grad dY @ W."""
    g = [(b, i, o, False, True), (o, b, i, True, False)]
    return g + ([(b, o, i, False, False)] if dx else [])


def _mlp(batch: int) -> list:
    g = []
    for j in range(len(MLP_DIMS) - 1):
        g += _linear(batch, MLP_DIMS[j], MLP_DIMS[j + 1], dx=j > 0)
    return g


def _conv(b: int, cin: int, cout: int, hw: int, dx: bool) -> list:
    """Conv2d(cin, cout, 3, padding=1) on (b, cin, hw, hw) as im2col GEMMs."""
    return _linear(b * hw * hw, cin * 9, cout, dx)


def _lstm(quick: bool) -> list:
    """The fewest GEMMs an LSTM step needs: the input projection of all T steps at once, the
    two recurrent products per step (h W_hhᵀ forward, dG W_hh backward) that cannot be batched,
    the weight gradients as one GEMM each over all steps, and the Linear head."""
    seq, batch, inp, hid = lstm_shape(quick)
    tb = seq * batch
    per_t = [
        (batch, hid, 4 * hid, False, True),  # h_{t-1} @ W_hh.T
        (batch, 4 * hid, hid, False, False),  # dh_{t-1} = dG_t @ W_hh
    ]
    once = [
        (tb, inp, 4 * hid, False, True),  # X @ W_ih.T, every step
        (4 * hid, tb, inp, True, False),  # dW_ih = dGᵀ X
        (4 * hid, tb, hid, True, False),  # dW_hh = dGᵀ H_prev
    ]
    return once + per_t * seq + _linear(batch, hid, 10)


def gemms(key: str, quick: bool) -> list:
    """The GEMMs of one step of workload ``key`` (see the module docstring), [] if none."""
    if key.startswith("mlp"):
        batch = int(key.rsplit("_b", 1)[1])
        return _mlp(min(batch, 16) if quick else batch)
    if key == "matmul":
        n = matmul_size(quick)
        return [(n, n, n, False, False), (n, n, n, False, True), (n, n, n, True, False)]
    if key == "cnn":
        b = 4 if quick else 32
        return _conv(b, 1, 16, 28, False) + _conv(b, 16, 32, 14, True) + _linear(b, 32 * 49, 10)
    if key == "lstm":
        return _lstm(quick)
    return []


def _operands(m, k, n, ta, tb, r):
    a = r.randn(k, m).astype(np.float32).T if ta else r.randn(m, k).astype(np.float32)
    b = r.randn(n, k).astype(np.float32).T if tb else r.randn(k, n).astype(np.float32)
    return a, b, np.empty((m, n), np.float32)


def steps(shapes: list, torch=None) -> dict:
    """``{"numpy_floor": step, "torch_floor": step}`` running every GEMM of ``shapes`` once
    (torch's only when ``torch`` is given); outputs are preallocated so only the GEMMs count."""
    r = np.random.RandomState(0)
    ops = [_operands(*s, r) for s in shapes]

    def np_step():
        for a, b, c in ops:
            np.matmul(a, b, out=c)

    out = {"numpy_floor": np_step}
    if torch is not None:
        # from_numpy keeps the strides: a transposed operand stays a transposed view
        tops = [tuple(torch.from_numpy(x) for x in abc) for abc in ops]

        def torch_step():
            for a, b, c in tops:
                torch.mm(a, b, out=c)

        out["torch_floor"] = torch_step
    return out
