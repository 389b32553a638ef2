"""How much of the public API is documented: ``python3 docs/doc_coverage.py [-v]``.

A public callable is anything a user reaches by name: ``tg.*``, ``tg.nn.functional.*``,
``tg.nn.*``, ``tg.nn.init.*``, ``tg.optim.*`` (and ``optim.lr_scheduler``), ``tg.autograd.*``,
``tg.linalg.*``, ``tg.special.*``, ``tg.random.*`` and the public methods of ``Tensor``
(defined by tinygrad_edu, not inherited from ``object``). It counts as documented when it has
its OWN docstring (a class does not borrow its base class's) of at least one sentence.
Also counted: how many docstrings name shapes ("shape", "(N, C, H, W)", "elementwise") and
how many say what they raise. ``parity_tests/test_docs.py`` holds the documented share at or
above ``THRESHOLD``; ``-v`` lists the undocumented names.
"""

from __future__ import annotations

import inspect
import re
import sys

THRESHOLD = 1.00  # a ratchet: every public callable has its own docstring (keep it so)

_SHAPE = re.compile(r"[Ss]hape|\((?:[A-Z*]\w*, )+[A-Z*]\w*\)|elementwise|[Ee]lement-wise|any shape")
_RAISE = re.compile(r"[Rr]aise")


def _public(ns, prefix: str) -> dict:
    names = getattr(ns, "__all__", None) or [n for n in dir(ns) if not n.startswith("_")]
    out = {}
    for n in names:
        o = getattr(ns, n, None)
        if o is None or inspect.ismodule(o) or not callable(o):
            continue
        if not (getattr(o, "__module__", "") or "").startswith("tinygrad_edu"):
            continue
        out[prefix + n] = o
    return out


def public_callables() -> dict:
    """name -> object for every public callable (see the module docstring)."""
    import tinygrad_edu as tg
    import tinygrad_edu.nn.functional as F

    items = {}
    for ns, prefix in ((tg, "tg."), (F, "F."), (tg.nn, "nn."), (tg.nn.init, "nn.init."),
                       (tg.optim, "optim."), (tg.autograd, "autograd.")):
        items.update(_public(ns, prefix))
    sched = getattr(tg.optim, "lr_scheduler", None)
    if sched is not None:
        items.update(_public(sched, "optim.lr_scheduler."))
    for sub in ("linalg", "special", "random"):
        m = getattr(tg, sub, None)
        if m is not None:
            items.update(_public(m, f"tg.{sub}."))
    for n in dir(tg.Tensor):
        if n.startswith("_"):
            continue
        o = getattr(tg.Tensor, n)
        if callable(o) and (getattr(o, "__module__", "") or "").startswith("tinygrad_edu"):
            items["Tensor." + n] = o
    return items


def own_doc(o) -> str:
    d = o.__doc__ if isinstance(o, type) else inspect.getdoc(o)
    return (d or "").strip()


def measure() -> dict:
    items = public_callables()
    docs = {k: own_doc(v) for k, v in items.items()}
    undocumented = sorted(k for k, d in docs.items() if len(d) < 12)
    return {"total": len(items), "documented": len(items) - len(undocumented),
            "shapes": sum(bool(_SHAPE.search(d)) for d in docs.values()),
            "raises": sum(bool(_RAISE.search(d)) for d in docs.values()),
            "undocumented": undocumented}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    m = measure()
    print(f"{m['total']} public callables: {m['documented']} documented "
          f"({m['documented'] / m['total']:.1%}), {m['shapes']} name shapes, "
          f"{m['raises']} say what they raise")
    if "-v" in argv:
        print("\n".join(m["undocumented"]))
    return 0


if __name__ == "__main__":
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's package
    raise SystemExit(main())
