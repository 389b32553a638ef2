"""How much of the public API is documented: ``python3 docs/doc_coverage.py [-v]``.

A public callable is anything a user reaches by name: ``tg.*``, ``tg.nn.functional.*``,
``tg.nn.*``, ``tg.nn.init.*``, ``tg.optim.*`` (and ``optim.lr_scheduler``), ``tg.autograd.*``,
``tg.linalg.*``, ``tg.special.*``, ``tg.random.*`` and the public methods of ``Tensor``
(defined by tinygrad_edu, not inherited from ``object``). A plain module without ``__all__``
exports what it defines, not what it imports (``nn.init`` imports ``no_grad``; torch's
``nn.init`` has no such name).

Three measures, each a ratchet held by ``parity_tests/test_docs.py``:

- **documented**: the callable has its OWN docstring (a class does not borrow its base
  class's) of at least one sentence.
- **shapes**, over the callables that *take tensors*: every ``Tensor`` method (``self`` is
  one), a function with a parameter named like a tensor (:data:`TENSOR_PARAMS`: ``input``,
  ``other``, ``weight``, ``target``, ``x``, ...) or annotated ``Tensor``, and an
  ``nn.Module`` whose ``forward`` takes one. Its docstring states shapes in the NumPy form:
  a ``Shape:``/``Shapes:`` statement or a ``Shape`` section. A statement that only points
  elsewhere (``Shapes: see tg.add``) counts when the callable it names states its own.
- **raises**, over the callables that take arguments (any parameter besides ``self``; for a
  Module, its constructor's or its forward's): the docstring names the exception it raises
  (``Raises ValueError for ...``, ``raises RuntimeError when ...``, a ``Raises`` section) or
  says ``Raises nothing``. ``Raises as ``torch.X```` counts when X's docstring names its
  errors (the same rule for ``Shapes: as ``torch.X````).

``-v`` lists the gaps of each measure.
"""

from __future__ import annotations

import inspect
import re
import sys

# ratchets: the shares measured when they were last raised (keep them at or above)
THRESHOLD = 1.00  # documented: every public callable has its own docstring
SHAPES_THRESHOLD = 0.99  # of the callables that take tensors, the share stating shapes
RAISES_THRESHOLD = 0.94  # of the callables that take arguments, the share naming what raises

TENSOR_PARAMS = frozenset(
    "input other tensor tensors x x1 x2 y weight target targets input1 input2 log_probs "
    "mat mat1 mat2 vec vec1 vec2 batch1 batch2 tensor1 tensor2 condition src tgt query "
    "index indices mask elements test_elements sorted_sequence boundaries A B LU pivots "
    "sorter bias data".split())

_SHAPE_STMT = re.compile(r"\bShapes?:\s*(.*)")
_SHAPE_SECTION = re.compile(r"^\s*Shapes?\s*\n\s*-{3,}\s*$", re.M)
_ERR = r"\b[A-Z]\w*(?:Error|Exception|Warning|Iteration)\b"
_RAISE = re.compile(rf"\b[Rr]aise[sd]?\b[^.;]{{0,160}}?{_ERR}|\b[Rr]aises nothing\b"
                    rf"|^\s*Raises\s*\n\s*-{{3,}}\s*\n\s*{_ERR}", re.M)
_REF = r"(?::\w+:`|``)~?(?:torch\.)?([\w.]+?)`+"  # ``torch.view``, :func:`view`
_SEE = re.compile(rf"^(?:see|as)\s+{_REF}")  # "Shapes: as ``torch.view``"
_RAISE_AS = re.compile(rf"\bRaises as\s+{_REF}")  # "Raises as ``torch.scatter``"


def _public(ns, prefix: str) -> dict:
    names = getattr(ns, "__all__", None)
    own = names is None and not hasattr(ns, "__path__")  # a plain module: what it defines
    names = names or [n for n in dir(ns) if not n.startswith("_")]
    out = {}
    for n in names:
        o = getattr(ns, n, None)
        if o is None or inspect.ismodule(o) or not callable(o):
            continue
        mod = getattr(o, "__module__", "") or ""
        if not mod.startswith("tinygrad_edu") or (own and mod != ns.__name__):
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


def _params(o) -> list:
    """The parameters besides self/cls ([] when the signature cannot be read)."""
    try:
        sig = inspect.signature(o)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values() if p.name not in ("self", "cls")]


def _is_module(o) -> bool:
    import tinygrad_edu as tg

    return isinstance(o, type) and issubclass(o, tg.nn.Module)


def takes_tensors(name: str, o) -> bool:
    """Does the callable take tensors (so its docstring owes the reader shapes)?"""
    if name.startswith("Tensor."):
        return True
    if _is_module(o):
        if o.forward is __import__("tinygrad_edu").nn.Module.forward:
            return False
        o = o.forward
    return any(p.name in TENSOR_PARAMS or "Tensor" in str(p.annotation) for p in _params(o))


def takes_arguments(o) -> bool:
    """Does it take arguments (so it can be handed bad ones, and owes the reader its errors)?"""
    if _is_module(o) and o.forward is not __import__("tinygrad_edu").nn.Module.forward:
        return bool(_params(o) or _params(o.forward))
    return bool(_params(o))


def _resolve(ref: str, docs: dict):
    """The docstring a reference names (``view``, ``Tensor.view``, ``nn.functional.relu``)."""
    for key in (("F." + ref[len("nn.functional."):]) if ref.startswith("nn.functional.") else "",
                ref if ref.startswith("Tensor.") else "", "tg." + ref, "Tensor." + ref):
        if key in docs:
            return docs[key]
    return None


def states_shapes(doc: str, docs: dict, _depth: int = 0) -> bool:
    if _SHAPE_SECTION.search(doc):
        return True
    for m in _SHAPE_STMT.finditer(doc):
        see = _SEE.match(m.group(1))
        if not see:
            return True
        target = _resolve(see.group(1), docs)
        if target is not None and _depth < 3 and states_shapes(target, docs, _depth + 1):
            return True
    return False


def states_raises(doc: str, docs: dict | None = None, _depth: int = 0) -> bool:
    if _RAISE.search(doc):
        return True
    for m in _RAISE_AS.finditer(doc) if docs is not None else ():
        target = _resolve(m.group(1), docs)
        if target is not None and _depth < 3 and states_raises(target, docs, _depth + 1):
            return True
    return False


def measure() -> dict:
    items = public_callables()
    docs = {k: own_doc(v) for k, v in items.items()}
    undocumented = sorted(k for k, d in docs.items() if len(d) < 12)
    tensor = sorted(k for k, v in items.items() if takes_tensors(k, v))
    args = sorted(k for k, v in items.items() if takes_arguments(v))
    no_shapes = [k for k in tensor if not states_shapes(docs[k], docs)]
    no_raises = [k for k in args if not states_raises(docs[k], docs)]
    return {"total": len(items), "documented": len(items) - len(undocumented),
            "undocumented": undocumented,
            "take_tensors": len(tensor), "shapes": len(tensor) - len(no_shapes),
            "no_shapes": no_shapes,
            "take_arguments": len(args), "raises": len(args) - len(no_raises),
            "no_raises": no_raises}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    m = measure()
    print(f"{m['total']} public callables: {m['documented']} documented "
          f"({m['documented'] / m['total']:.1%})")
    print(f"{m['take_tensors']} take tensors: {m['shapes']} state shapes "
          f"({m['shapes'] / m['take_tensors']:.1%})")
    print(f"{m['take_arguments']} take arguments: {m['raises']} say what they raise "
          f"({m['raises'] / m['take_arguments']:.1%})")
    if "-v" in argv:
        for key, title in (("undocumented", "undocumented"), ("no_shapes", "no shapes stated"),
                           ("no_raises", "no raised errors stated")):
            print(f"\n{title} ({len(m[key])}):")
            print("\n".join("  " + k for k in m[key]))
    return 0


if __name__ == "__main__":
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's package
    raise SystemExit(main())
