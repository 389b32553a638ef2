"""What each op says about itself: its forward formula (the docstring) and its local derivative
rules (the comments written next to each gradient line of ``backward``).

The backward tracer prints these beside the numbers, and the "Backprop by hand" docs page is
generated from them, so the explanation cannot drift from the code.
"""

from __future__ import annotations

import functools
import importlib
import inspect as _pyinspect
import io
import re
import textwrap
import tokenize

from ..autograd import Function

# a derivative: "∂z/∂x = …", "dσ/dx = …", "d ln x/dx = …", "d|x|/dx = …"
_DERIV = re.compile(r"∂|\bd[^=]{0,14}/d")

OP_MODULES = tuple(f"tinygrad_edu.ops.{m}" for m in (
    "arithmetic", "unary", "promotion", "select", "rounding", "logic", "activation", "reduce",
    "statistics", "extrema", "scan", "sort", "shape", "join", "index", "inplace", "matmul",
    "matrix", "device", "loss", "cross_entropy", "distance", "normalization", "conv", "pool",
    "embedding", "dropout",
)) + ("tinygrad_edu.nn.functional", "tinygrad_edu.nn.loss", "tinygrad_edu.nn.conv",
      "tinygrad_edu.nn.rnn", "tinygrad_edu.nn.normalization", "tinygrad_edu.nn.dropout")


def formula(fn) -> str:
    """The forward formula: the first paragraph of the Function's docstring."""
    doc = _pyinspect.getdoc(fn) or ""
    if not fn.__dict__.get("__doc__"):
        return ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


def _backward_comments(fn) -> tuple:
    # cached per backward *function*, so a patched or redefined backward is read afresh
    return _comments_of(fn.__dict__.get("backward", fn.backward))


@functools.lru_cache(maxsize=None)
def _comments_of(backward) -> tuple:
    try:
        src = textwrap.dedent(_pyinspect.getsource(backward))
    except (OSError, TypeError):
        return ()
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type == tokenize.COMMENT:
                out.append(tok.string.lstrip("#").strip())
    except (tokenize.TokenError, IndentationError):
        return ()
    return tuple(out)


def derivative_rules(fn) -> list[str]:
    """The ``# ∂…`` / ``# d…`` comments of ``fn.backward``, in source order."""
    return [c for c in _backward_comments(fn) if _DERIV.search(c)]


def backward_comments(fn) -> list[str]:
    """Every comment in ``fn.backward`` (derivatives and the notes around them)."""
    return list(_backward_comments(fn))


def all_functions() -> list:
    """Every differentiable op of the library (Function subclasses in the op modules),
    in module order then source order."""
    import pkgutil

    names = list(OP_MODULES)
    for pkg in ("tinygrad_edu.ops", "tinygrad_edu.nn"):  # and any op module added later
        try:
            mod = importlib.import_module(pkg)
        except ImportError:
            continue
        names += [f"{pkg}.{m.name}" for m in pkgutil.iter_modules(mod.__path__)]
    for m in names:
        try:
            importlib.import_module(m)
        except ImportError:
            pass
    seen, out = set(), []

    def walk(c):
        for s in c.__subclasses__():
            if (
                s not in seen
                and s.__module__.startswith("tinygrad_edu.")
                and "forward" in s.__dict__
            ):
                seen.add(s)
                out.append(s)
            walk(s)

    walk(Function)

    def key(c):
        mod = c.__module__
        order = OP_MODULES.index(mod) if mod in OP_MODULES else len(OP_MODULES)
        try:
            line = _pyinspect.getsourcelines(c)[1]
        except (OSError, TypeError):
            line = 0
        return (order, mod, line)

    return sorted(out, key=key)
