"""The benchmark workloads, written ONCE against the torch API.

Every builder takes ``lib`` (``torch`` or ``tinygrad_edu``: the same code runs on both, which is
the point of the library) and returns a ``step()`` closure that does one unit of work. The peers
(DeZero, MyGrad) have their own APIs; their builders live in :mod:`.peers`.

This module imports only NumPy, so the RSS subprocess of one framework never imports another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

try:
    from .sizes import CHAIN_OPS, MLP_DIMS, ce_shape, lstm_shape, matmul_size
except ImportError:  # run from rss.py / solo.py as a script, outside the package
    from sizes import CHAIN_OPS, MLP_DIMS, ce_shape, lstm_shape, matmul_size



@dataclass
class Workload:
    """One benchmark: what it measures, how to build it per framework, and its target."""

    key: str
    title: str
    unit: str  # what one reported number is: "µs/op" or "ms"
    scale: float  # seconds per step -> unit
    build: Callable  # build(lib, quick) -> step for torch-API frameworks
    target: float | None = None  # ours/torch ratio to meet (median), None = report only
    needs: Callable | None = None  # needs(tg) -> None or the reason it cannot run
    peers: dict = field(default_factory=dict)  # peer name -> build(module, quick) -> step


# ---- (1) per-op overhead ----------------------------------------------------------------------
def chain(lib, quick: bool):
    """200 small (4x4) elementwise ops, forward then backward: the per-op engine overhead."""
    r = np.random.RandomState(0)
    x, w, b, c = (
        lib.tensor(r.randn(4, 4).astype(np.float32), requires_grad=True) for _ in range(4)
    )
    params = (x, w, b, c)

    def step():
        y = x
        for _ in range(CHAIN_OPS // 4):
            y = (y * w + b).tanh() - c  # mul, add, tanh, sub
        y.sum().backward()
        for p in params:
            p.grad = None

    return step


# ---- (2, 3) MLP training step -----------------------------------------------------------------
def make_mlp(lib, bn: bool = False, dropout: bool = False, seed: int = 0):
    """784-512-256-128-10; each hidden block Linear [-> BatchNorm1d] [-> Dropout(0.2)] -> ReLU
    (the seed-001 DNN)."""
    lib.manual_seed(seed)
    nn = lib.nn
    layers = []
    for i in range(len(MLP_DIMS) - 2):
        layers.append(nn.Linear(MLP_DIMS[i], MLP_DIMS[i + 1]))
        if bn:
            layers.append(nn.BatchNorm1d(MLP_DIMS[i + 1]))
        if dropout:
            layers.append(nn.Dropout(0.2))
        layers.append(nn.ReLU())
    layers.append(nn.Linear(MLP_DIMS[-2], MLP_DIMS[-1]))
    return nn.Sequential(*layers)


def batch_data(lib, batch: int, seed: int = 1):
    r = np.random.RandomState(seed)
    x = lib.tensor(r.randn(batch, MLP_DIMS[0]).astype(np.float32))
    y = lib.tensor(r.randint(0, MLP_DIMS[-1], size=batch).astype(np.int64))
    return x, y


def train_step(lib, batch: int, bn: bool = False, dropout: bool = False):
    """One step: zero_grad, forward, CrossEntropyLoss, backward, Adam."""
    model = make_mlp(lib, bn, dropout)
    model.train()
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    x, y = batch_data(lib, batch)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def mlp(batch: int, bn: bool = False, dropout: bool = False):
    def build(lib, quick: bool):
        return train_step(lib, batch if not quick else min(batch, 16), bn, dropout)

    return build


# ---- (4) GEMM-bound ---------------------------------------------------------------------------
def matmul(lib, quick: bool):
    """C = A @ B at n x n, then backward: three GEMMs (the forward, Aᵀ-side and Bᵀ-side)."""
    n = matmul_size(quick)
    r = np.random.RandomState(0)
    a = lib.tensor(r.randn(n, n).astype(np.float32), requires_grad=True)
    b = lib.tensor(r.randn(n, n).astype(np.float32), requires_grad=True)

    def step():
        (a @ b).sum().backward()
        a.grad = b.grad = None

    return step


# ---- (5) softmax + cross-entropy --------------------------------------------------------------
def softmax_ce(lib, quick: bool):
    """cross_entropy(logits, target) forward + backward (fused log-softmax/NLL)."""
    n, c = ce_shape(quick)
    r = np.random.RandomState(0)
    logits = lib.tensor(r.randn(n, c).astype(np.float32), requires_grad=True)
    target = lib.tensor(r.randint(0, c, size=n).astype(np.int64))
    F = lib.nn.functional

    def step():
        F.cross_entropy(logits, target).backward()
        logits.grad = None

    return step


# ---- (6) optimizer step alone -----------------------------------------------------------------
def adam(lib, quick: bool):
    """Adam.step() over the MLP's 567 k parameters (8 tensors), gradients fixed."""
    model = make_mlp(lib)
    r = np.random.RandomState(0)
    params = list(model.parameters())
    for p in params:
        p.grad = lib.tensor(r.randn(*p.shape).astype(np.float32))
    opt = lib.optim.Adam(params, lr=1e-3)
    return opt.step


def adam_numpy_passes(lib, quick: bool):
    """The same Adam.step() with tinygrad_edu's optional numba kernel switched off: the 13
    NumPy passes per parameter (the readable reference path). torch's step is unchanged."""
    step = adam(lib, quick)
    kernel = getattr(getattr(lib, "optim", None), "_adam_kernel", None)
    if kernel is None or not hasattr(kernel, "ENABLED"):  # torch, or a peer: as is
        return step

    def numpy_step():
        kernel.ENABLED = False
        try:
            step()
        finally:
            kernel.ENABLED = True

    return numpy_step


# ---- (8) CNN ----------------------------------------------------------------------------------
def cnn(lib, quick: bool):
    """A small seed-001-style CNN on 1x28x28, batch 32: conv-BN-ReLU-pool x2, linear, Adam."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    )
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    b = 4 if quick else 32
    r = np.random.RandomState(0)
    x = lib.tensor(r.randn(b, 1, 28, 28).astype(np.float32))
    y = lib.tensor(r.randint(0, 10, size=b).astype(np.int64))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


# ---- (9) LSTM ---------------------------------------------------------------------------------
def lstm(lib, quick: bool):
    """nn.LSTM (seq 32, batch 64, input 28, hidden 128) + Linear head on the last hidden state,
    CrossEntropyLoss, Adam: one train step (the backward runs through all 32 time steps)."""
    seq, batch, inp, hidden = lstm_shape(quick)
    nn = lib.nn
    lib.manual_seed(0)
    rnn = nn.LSTM(inp, hidden)  # (T, N, C) layout, torch's default
    head = nn.Linear(hidden, 10)
    opt = lib.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    r = np.random.RandomState(0)
    x = lib.tensor(r.randn(seq, batch, inp).astype(np.float32))
    y = lib.tensor(r.randint(0, 10, size=batch).astype(np.int64))

    def step():
        opt.zero_grad()
        out, _ = rnn(x)
        loss_fn(head(out[-1]), y).backward()
        opt.step()

    return step


# ---- availability of the parts a workload needs -----------------------------------------------
# ---- (10) random numbers ---------------------------------------------------------------------
def randn(dtype: str):
    """randn of 1M elements (100k quick) in ``dtype``: torch's block Box–Muller sampler, which
    tinygrad_edu reproduces bit for bit (issue 18's target: within 3x of torch)."""

    def build(lib, quick: bool):
        n = 100_000 if quick else 1_000_000
        dt = getattr(lib, dtype)
        lib.manual_seed(0)

        def step():
            lib.randn(n, dtype=dt)

        return step

    return build


def _has(tg, *names) -> str | None:
    for name in names:
        obj = tg
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return f"tinygrad_edu has no {name} yet"
    return None


def _mlp_needs(*extra):
    return lambda tg: _has(
        tg, "nn.Linear", "nn.ReLU", "nn.Sequential", "nn.CrossEntropyLoss", "optim.Adam", *extra
    )


def all_workloads() -> list[Workload]:
    """Every workload with its issue-14 target (ours / torch, median of one interleaved run)."""
    try:
        from . import peers as P
    except ImportError:  # solo.py runs outside the package
        import peers as P

    ws = [
        Workload(
            "per_op",
            f"per-op overhead: chain of {CHAIN_OPS} 4x4 ops, fwd+bwd",
            "µs/op",
            1e6 / CHAIN_OPS,
            chain,
            0.8,
            peers={"dezero": P.dz_chain, "mygrad": P.mg_chain},
        ),
    ]
    for b, t in ((16, 1.05), (128, 1.05), (1024, 1.05)):
        ws.append(
            Workload(
                f"mlp_b{b}",
                f"MLP 784-512-256-128-10 train step, batch {b}",
                "ms",
                1e3,
                mlp(b),
                t,
                _mlp_needs(),
                peers={"dezero": P.dz_mlp(b), "mygrad": P.mg_mlp(b)},
            )
        )
    for b in (16, 128, 1024):
        ws.append(
            Workload(
                f"mlp_bn_do_b{b}",
                f"MLP + BatchNorm1d + Dropout train step, batch {b}",
                "ms",
                1e3,
                mlp(b, True, True),
                1.05,
                _mlp_needs("nn.BatchNorm1d", "nn.Dropout"),
                peers={"dezero": P.dz_mlp(b, bn=True, dropout=True)},
            )
        )
    ws += [
        Workload(
            "matmul",
            "matmul 1024x1024 @ 1024x1024 + backward (GEMM-bound)",
            "ms",
            1e3,
            matmul,
            None,
            peers={"dezero": P.dz_matmul, "mygrad": P.mg_matmul},
        ),
        Workload(
            "softmax_ce",
            "cross_entropy at 1024x1000, fwd+bwd",
            "ms",
            1e3,
            softmax_ce,
            1.0,
            lambda tg: _has(tg, "nn.functional.cross_entropy"),
            peers={"dezero": P.dz_ce, "mygrad": P.mg_ce},
        ),
        Workload(
            "adam",
            "Adam.step() alone over 567k parameters",
            "ms",
            1e3,
            adam,
            1.0,
            _mlp_needs(),
            peers={"dezero": P.dz_adam},
        ),
        Workload(
            "adam_numpy",
            "Adam.step(), numba kernel off: the NumPy passes",
            "ms",
            1e3,
            adam_numpy_passes,
            None,
            _mlp_needs(),
        ),
        Workload(
            "cnn",
            "CNN (conv-BN-ReLU-pool x2, linear) train step, batch 32",
            "ms",
            1e3,
            cnn,
            1.3,
            _mlp_needs("nn.Conv2d", "nn.BatchNorm2d", "nn.MaxPool2d", "nn.Flatten"),
        ),
        Workload(
            "lstm",
            "LSTM (seq 32, batch 64, hidden 128) + Linear, train step",
            "ms",
            1e3,
            lstm,
            1.3,
            _mlp_needs("nn.LSTM"),
        ),
    ]
    for dtype in ("float32", "float64"):
        ws.append(Workload(f"randn_{dtype}", f"randn 1M {dtype}, same numbers as torch", "ms",
                           1e3, randn(dtype), 3.0))
    return ws
