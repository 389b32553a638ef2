"""A seeded generator of small random PyTorch programs (leaves, 4-12 ops, a loss and a backward).

Real torch is the generator's shape oracle: every candidate statement is executed with torch as
it is drawn, so later statements see the real shapes and dtypes, and a candidate that raises is
kept only now and then (``KEEP_ERROR``: those test that we raise the same exception type). The
program is returned as source lines, the same text then run against both libraries (run.py).
Same seed, same program.
"""

from __future__ import annotations

import random
import warnings

import torch

from .classify import avoided
from .grammar import TEMPLATES
from .run import PRELUDE, namespace

KEEP_ERROR = 0.06
SHAPES = [
    ((), 2),
    ((3,), 3),
    ((2, 3), 4),
    ((3, 1), 2),
    ((1, 3), 2),
    ((2, 3, 2), 2),
    ((4,), 2),
    ((3, 3), 3),
    ((0,), 1),
    ((2, 0), 1),
    ((1,), 1),
    ((2, 1, 3), 1),
]
TIES = [0.0, 1.0, -1.0, 0.5, 2.0]


class NoPick(Exception):
    """No variable fits what a template asked for; the generator draws another template."""


class Gen:
    """The generator's state: the torch namespace the program has built so far, its lines."""

    def __init__(self, seed: int, avoid=()):
        self.avoid = set(avoid)
        self.r = random.Random(seed)
        self.ns = namespace(torch)
        self.lines: list[tuple[str, str]] = []  # (kind, source)
        self.names: list[str] = []

    # -- what templates call ------------------------------------------------------------------
    def choice(self, seq):
        return self.r.choice(seq)

    def tensors(self) -> list[str]:
        """The names holding a usable tensor (torch refuses to look at some invalidated views)."""
        out = []
        for n in self.names:
            v = self.ns.get(n)
            try:
                if isinstance(v, torch.Tensor) and v.is_leaf in (True, False):
                    out.append(n)
            except RuntimeError:
                pass
        return out

    def pick(self, num: bool = False, grad: bool = False) -> str:
        cands = self.tensors()
        if num:
            cands = [n for n in cands if self.ns[n].dtype != torch.bool]
            if self.r.random() < 0.85:
                cands = [n for n in cands if self.ns[n].is_floating_point()] or cands
        if grad:
            cands = [
                n for n in cands if self.ns[n].requires_grad and self.ns[n].is_floating_point()
            ]
        if not cands:
            raise NoPick
        if self.r.random() < 0.5:
            cands = cands[-4:]
        return self.r.choice(cands)

    def leaves(self) -> list[str]:
        return [n for n in self.tensors() if self.ns[n].is_leaf and self.ns[n].requires_grad]

    def sh(self, name: str) -> tuple:
        return tuple(self.ns[name].shape)

    def nd(self, name: str) -> int:
        return self.ns[name].dim()

    def dim(self, name: str):
        n = self.nd(name)
        return None if n == 0 else self.r.randint(-n, n - 1)

    def scalar(self, pos: bool = False) -> str:
        if pos:
            return self.r.choice(["0.5", "1", "2", "1.5", "3"])
        return self.r.choice(
            ["2", "-1", "0.5", "1.5", "-2.5", "3", "0", "1e-3", "-0.5", "2.0", "True"]
        )

    # -- drawing ------------------------------------------------------------------------------
    def leaf_source(self, name: str) -> str:
        shape = self.r.choices([s for s, _ in SHAPES], [w for _, w in SHAPES])[0]
        r = self.r.random()
        dt, grad = (
            ("torch.float64", True)
            if r < 0.6
            else ("torch.float32", True)
            if r < 0.85
            else (None, False)
        )
        if dt is None and self.r.random() < 0.5:  # an integer tensor, for promotion and indexing
            vals = [self.r.randint(-2, 3) for _ in range(_numel(shape))]
            return (
                f"{name} = torch.tensor({_nest(vals, shape)})"
                if _numel(shape)
                else f"{name} = torch.zeros({', '.join(map(str, shape))}, dtype=torch.int64)"
            )
        dt = dt or "torch.float64"
        rg = ", requires_grad=True" if grad else ""
        if not _numel(shape):
            return f"{name} = torch.zeros({', '.join(map(str, shape))}, dtype={dt}{rg})"
        vals = [
            self.r.choice(TIES) if self.r.random() < 0.2 else round(self.r.uniform(-2, 2), 2)
            for _ in range(_numel(shape))
        ]
        if self.r.random() < 0.05 and "nan_subgradient" not in self.avoid:
            vals[self.r.randrange(len(vals))] = "nan"
        return f"{name} = torch.tensor({_nest(vals, shape)}, dtype={dt}{rg})"

    def try_line(self, kind: str, src: str, keep_error: bool) -> bool:
        """Run one candidate line with torch; keep it if it ran (or, rarely, if it raised)."""
        name = f"v{len(self.names)}"
        assign = "{v}" not in src and _is_expr(src)
        src = f"{name} = {src}" if assign else src.replace("{v}", name)
        if self.avoid and avoided(src, self.ns, self.avoid):
            return False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(src, "<fuzz>", "exec"), self.ns)
        except Exception:
            if not (keep_error and self.r.random() < KEEP_ERROR):
                self.ns.pop(name, None)
                return False
        value = self.ns.get(name)
        if assign and name in self.ns and not isinstance(value, (torch.Tensor, bool, int, float)):
            src = src.split(" = ", 1)[1]  # a hook handle, None: keep the call, drop the name
            del self.ns[name]
        if name in self.ns:
            self.names.append(name)
        self.lines.append((kind, src))
        return True

    def draw(self, n_ops: int, tail: bool = True) -> list[tuple[str, str]]:
        for leaf in "abc"[: self.r.randint(2, 3)]:
            src = self.leaf_source(leaf)
            exec(src, self.ns)
            self.names.append(leaf)
            self.lines.append(("leaf", src))
        weights = [w for w, _ in TEMPLATES]
        for _ in range(n_ops):
            for _attempt in range(30):
                t = self.r.choices([t for _, t in TEMPLATES], weights)[0]
                try:
                    got = t(self)
                except NoPick:
                    continue
                if got is not None and self.try_line(got[0], got[1], keep_error=True):
                    break
        if tail:
            self.draw_tail()
        return self.lines

    def draw_tail(self):
        for _attempt in range(10):
            try:
                terms = {self.pick(grad=True) for _ in range(self.r.randint(1, 2))}
            except NoPick:
                return
            loss = " + ".join(f"({x} * W({x})).sum()" for x in sorted(terms))
            if not self.try_line("loss", f"loss = {loss}", keep_error=False):
                continue
            leaves = self.leaves()
            form = self.r.choice(
                ["once", "once", "twice", "double"] if leaves else ["once", "twice"]
            )
            if form == "once":
                self.try_line("backward", "loss.backward()", keep_error=True)
            elif form == "twice":
                if self.try_line("backward", "loss.backward(retain_graph=True)", keep_error=True):
                    self.try_line("backward", "loss.backward()", keep_error=True)
            else:
                lv = self.r.choice(leaves)
                if self.try_line(
                    "backward",
                    f"gl = torch.autograd.grad(loss, {lv}, create_graph=True)[0]",
                    keep_error=False,
                ):
                    self.try_line("backward", "(gl * W(gl)).sum().backward()", keep_error=True)
            return


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _nest(vals, shape):
    """The flat values as the nested list literal of ``shape`` (source text)."""
    if not shape:
        return _fmt(vals[0])
    step = _numel(shape[1:])
    return (
        "["
        + ", ".join(_nest(vals[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0]))
        + "]"
    )


def _fmt(v) -> str:
    return "float('nan')" if v == "nan" else repr(v)


def _is_expr(src: str) -> bool:
    try:
        compile(src, "<fuzz>", "eval")
        return True
    except SyntaxError:
        return False


def generate(seed: int, avoid=()) -> list[tuple[str, str]]:
    """The program of ``seed``: a list of (template kind, source line). ``avoid``: names of known
    kinds (known.py) whose lines are not drawn."""
    g = Gen(seed, avoid)
    r = random.Random(seed * 7919 + 1)
    return g.draw(r.randint(4, 12), tail=r.random() < 0.85)


__all__ = ["generate", "Gen", "PRELUDE"]
