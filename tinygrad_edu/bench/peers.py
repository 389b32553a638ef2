"""The NumPy peers, DeZero and MyGrad, doing the same work as :mod:`.workloads` in their APIs.

Both are optional (``pip install dezero mygrad``); a missing one is skipped with a note. DeZero
0.0.13 still uses ``np.int``, removed in NumPy 1.24: the harness restores the alias before
importing it (here, never in DeZero's code). MyGrad has no optimizers, so its MLP step uses a
plain NumPy Adam written below (in place, like torch's single-tensor Adam).
"""

from __future__ import annotations

import numpy as np

try:
    from .sizes import CHAIN_OPS, MLP_DIMS, ce_shape, matmul_size
except ImportError:  # run from rss.py as a script, outside the package
    from sizes import CHAIN_OPS, MLP_DIMS, ce_shape, matmul_size

LABELS = {"dezero": "DeZero", "mygrad": "MyGrad"}


def load(name: str):
    """The peer's module, or raise ImportError with the reason."""
    if name == "dezero":
        if "int" not in np.__dict__:
            np.int = int  # DeZero 0.0.13 calls np.int (gone since NumPy 1.24)
        import dezero

        return dezero
    if name == "mygrad":
        import mygrad

        return mygrad
    raise ImportError(name)


def version(name: str) -> str:
    try:
        from importlib.metadata import version as v

        return v(name)
    except Exception:  # noqa: BLE001
        return "?"


def _rand(*shape, seed=0):
    return np.random.RandomState(seed).randn(*shape).astype(np.float32)


def _mlp_data(batch):
    r = np.random.RandomState(1)
    return (
        r.randn(batch, MLP_DIMS[0]).astype(np.float32),
        r.randint(0, MLP_DIMS[-1], size=batch).astype(np.int64),
    )


# ---- DeZero ----------------------------------------------------------------------------------
def dz_chain(quick: bool):
    dz = load("dezero")
    F = dz.functions
    x, w, b, c = (dz.Variable(_rand(4, 4, seed=i)) for i in range(4))

    def step():
        y = x
        for _ in range(CHAIN_OPS // 4):
            y = F.tanh(y * w + b) - c
        F.sum(y).backward()
        for p in (x, w, b, c):
            p.cleargrad()

    return step


def _dz_net(bn: bool, dropout: bool):
    dz = load("dezero")
    F, L = dz.functions, dz.layers

    class Net(dz.Model):
        def __init__(self):
            super().__init__()
            self.n = len(MLP_DIMS) - 1
            for i in range(self.n):
                setattr(self, f"l{i}", L.Linear(MLP_DIMS[i + 1], in_size=MLP_DIMS[i]))
                if bn and i < self.n - 1:
                    setattr(self, f"bn{i}", L.BatchNorm())

        def forward(self, x):
            for i in range(self.n - 1):
                x = getattr(self, f"l{i}")(x)
                if bn:
                    x = getattr(self, f"bn{i}")(x)
                if dropout:
                    x = F.dropout(x, 0.2)
                x = F.relu(x)
            return getattr(self, f"l{self.n - 1}")(x)

    return Net()


def dz_mlp(batch: int, bn: bool = False, dropout: bool = False):
    def build(quick: bool):
        dz = load("dezero")
        model = _dz_net(bn, dropout)
        opt = dz.optimizers.Adam(alpha=1e-3).setup(model)
        x, t = _mlp_data(min(batch, 16) if quick else batch)

        def step():
            model.cleargrads()
            loss = dz.functions.softmax_cross_entropy(model(x), t)
            loss.backward()
            opt.update()

        return step

    return build


def dz_matmul(quick: bool):
    dz = load("dezero")
    n = matmul_size(quick)
    a, b = dz.Variable(_rand(n, n, seed=0)), dz.Variable(_rand(n, n, seed=1))

    def step():
        dz.functions.sum(dz.functions.matmul(a, b)).backward()
        a.cleargrad()
        b.cleargrad()

    return step


def dz_ce(quick: bool):
    dz = load("dezero")
    n, c = ce_shape(quick)
    logits = dz.Variable(_rand(n, c))
    t = np.random.RandomState(0).randint(0, c, size=n)

    def step():
        dz.functions.softmax_cross_entropy(logits, t).backward()
        logits.cleargrad()

    return step


def dz_adam(quick: bool):
    dz = load("dezero")
    model = _dz_net(False, False)
    for i, p in enumerate(model.params()):
        p.grad = dz.Variable(_rand(*p.shape, seed=i))
    opt = dz.optimizers.Adam(alpha=1e-3).setup(model)
    return opt.update


# ---- MyGrad ----------------------------------------------------------------------------------
def mg_chain(quick: bool):
    mg = load("mygrad")
    x, w, b, c = (mg.tensor(_rand(4, 4, seed=i)) for i in range(4))

    def step():
        y = x
        for _ in range(CHAIN_OPS // 4):
            y = mg.tanh(y * w + b) - c
        y.sum().backward()

    return step


class NumpyAdam:
    """Adam (torch's order: eps after the bias-corrected sqrt) on raw arrays, in place."""

    def __init__(self, arrays, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.arrays, self.lr, self.betas, self.eps, self.t = arrays, lr, betas, eps, 0
        self.m = [np.zeros_like(a) for a in arrays]
        self.v = [np.zeros_like(a) for a in arrays]

    def step(self, grads):
        b1, b2 = self.betas
        self.t += 1
        bc1, bc2 = 1 - b1**self.t, 1 - b2**self.t
        for p, g, m, v in zip(self.arrays, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g  # m ← β₁m + (1 − β₁)g
            v *= b2
            v += (1 - b2) * g * g  # v ← β₂v + (1 − β₂)g²
            denom = np.sqrt(v / bc2) + self.eps
            p -= (self.lr / bc1) * m / denom


def mg_mlp(batch: int):
    def build(quick: bool):
        mg = load("mygrad")
        from mygrad.nnet.activations import relu
        from mygrad.nnet.losses import softmax_crossentropy

        r = np.random.RandomState(0)
        ws, bs = [], []
        for i in range(len(MLP_DIMS) - 1):
            bound = 1 / np.sqrt(MLP_DIMS[i])
            ws.append(r.uniform(-bound, bound, (MLP_DIMS[i], MLP_DIMS[i + 1])).astype(np.float32))
            bs.append(r.uniform(-bound, bound, MLP_DIMS[i + 1]).astype(np.float32))
        arrays = ws + bs
        opt = NumpyAdam(arrays)
        x, t = _mlp_data(min(batch, 16) if quick else batch)

        def step():
            params = [mg.tensor(a, copy=False) for a in arrays]  # views of our arrays
            h = x
            n = len(ws)
            for i in range(n):
                h = mg.matmul(h, params[i]) + params[n + i]
                if i < n - 1:
                    h = relu(h)
            loss = softmax_crossentropy(h, t)
            loss.backward()
            opt.step([p.grad for p in params])

        return step

    return build


def mg_matmul(quick: bool):
    mg = load("mygrad")
    n = matmul_size(quick)
    a, b = mg.tensor(_rand(n, n, seed=0)), mg.tensor(_rand(n, n, seed=1))

    def step():
        mg.matmul(a, b).sum().backward()

    return step


def mg_ce(quick: bool):
    load("mygrad")
    from mygrad import tensor
    from mygrad.nnet.losses import softmax_crossentropy

    n, c = ce_shape(quick)
    logits = tensor(_rand(n, c))
    t = np.random.RandomState(0).randint(0, c, size=n)

    def step():
        softmax_crossentropy(logits, t).backward()

    return step
