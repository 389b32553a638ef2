"""Write the API reference pages (docs/api/*.md): ``python3 docs/gen_api.py``.

One page per namespace — torch-style tensor ops by family (one section per ops module),
``tg.nn.functional``, the ``tg.nn`` modules, ``tg.optim``, ``tg.autograd``, ``tg.linalg``,
``tg.special`` — each object a mkdocstrings ``:::`` block at the path where it is defined, so
the page shows its own docstring. ``parity_tests/test_docs.py`` checks the pages are current.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "api"

# tensor-op families: page section -> the ops modules in it (in reading order)
FAMILIES = {
    "Arithmetic and elementwise math": ["arithmetic", "division", "unary", "exp_log", "trig",
                                        "gamma", "special_fns", "polynomials", "rounding",
                                        "pointwise", "ternary", "bits", "bitwise"],
    "Comparison, logic and selection": ["logic", "select", "search"],
    "Reductions, scans and sorting": ["reduce", "statistics", "extrema", "quantile",
                                      "histogram", "scan", "sort", "order", "difference"],
    "Shapes, views, joining and indexing": ["shape", "views", "view_scatter", "join", "split",
                                            "repeat", "reorder", "diagonal", "index",
                                            "index_ops", "scatter", "copies", "strided"],
    "Matrix products": ["matmul", "matrix", "distance"],
    "Activations": ["activation", "softmax", "activation2"],
    "Creation, dtype, device and random": ["creation", "device", "random"],
}


def _path(obj) -> str | None:
    mod, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not mod or not qual or "<" in qual or not mod.startswith("tinygrad_edu"):
        return None
    return f"{mod}.{qual}"


def _block(obj, heading: str | None = None) -> str:
    p = _path(obj)
    if p is None:
        return ""
    lines = f"::: {p}\n"
    if heading:
        lines += f"    options:\n      heading: \"{heading}\"\n"
    return lines + "\n"


def _page(title: str, intro: str, sections: list[tuple[str, list[tuple[str, object]]]]) -> str:
    out = [f"# {title}\n\n{intro}\n"]
    for name, items in sections:
        if not items:
            continue
        out.append(f"\n## {name}\n\n")
        seen = set()
        for label, obj in sorted(items, key=lambda t: t[0].lower()):
            p = _path(obj)
            if p is None or p in seen:
                continue
            seen.add(p)
            out.append(_block(obj, label))
    return "".join(out)


def _ns(ns) -> list[tuple[str, object]]:
    names = getattr(ns, "__all__", None) or [n for n in dir(ns) if not n.startswith("_")]
    items = []
    for n in names:
        o = getattr(ns, n, None)
        if o is None or inspect.ismodule(o) or not callable(o):
            continue
        if getattr(o, "__qualname__", "") == "Tensor":
            continue  # the Tensor class has its own section (api.md)
        if (getattr(o, "__module__", "") or "").startswith("tinygrad_edu"):
            items.append((n, o))
    return items


def pages() -> dict[str, str]:
    import importlib

    import tinygrad_edu as tg
    import tinygrad_edu.nn.functional as F

    out = {}
    sections = []
    for fam, mods in FAMILIES.items():
        items = []
        for m in mods:
            try:
                mod = importlib.import_module(f"tinygrad_edu.ops.{m}")
            except ImportError:
                mod = importlib.import_module(f"tinygrad_edu.{m}")
            items += [(f"tg.{n}", o) for n, o in _ns(mod) if getattr(tg, n, None) is o]
        sections.append((fam, items))
    covered = {id(o) for _, items in sections for _, o in items}
    sections.append(("Other functions", [(f"tg.{n}", o) for n, o in _ns(tg)
                                         if id(o) not in covered and not isinstance(o, type)]))
    out["tensor_ops.md"] = _page(
        "Tensor ops (tg.*)",
        "The functions at the package root, `tg.<name>(...)` as `torch.<name>(...)`, grouped by "
        "family; most are also Tensor methods (`x.<name>(...)`).", sections)
    out["functional.md"] = _page(
        "tg.nn.functional",
        "`import tinygrad_edu.nn.functional as F`: the functional forms of the layers, "
        "activations and losses.", [("Functions", [(f"F.{n}", o) for n, o in _ns(F)])])
    out["nn.md"] = _page(
        "tg.nn",
        "The modules (layers, activations, losses, containers) and `tg.nn.init`.",
        [("Modules", [(f"nn.{n}", o) for n, o in _ns(tg.nn)]),
         ("tg.nn.init", [(f"nn.init.{n}", o) for n, o in _ns(tg.nn.init)])])
    opt = [("Optimizers", [(f"optim.{n}", o) for n, o in _ns(tg.optim)])]
    if getattr(tg.optim, "lr_scheduler", None) is not None:
        opt.append(("Learning-rate schedulers",
                    [(f"lr_scheduler.{n}", o) for n, o in _ns(tg.optim.lr_scheduler)]))
    out["optim.md"] = _page("tg.optim", "Optimizers and learning-rate schedulers.", opt)
    out["autograd.md"] = _page("tg.autograd", "The autograd engine's public entry points.",
                               [("tg.autograd", [(f"autograd.{n}", o)
                                                 for n, o in _ns(tg.autograd)])])
    out["linalg.md"] = _page("tg.linalg", "`torch.linalg`'s functions.",
                             [("tg.linalg", [(f"linalg.{n}", o) for n, o in _ns(tg.linalg)])])
    out["special.md"] = _page("tg.special", "`torch.special`'s functions.",
                              [("tg.special", [(f"special.{n}", o) for n, o in _ns(tg.special)])])
    return out


def main() -> int:
    sys.path.insert(0, str(ROOT))
    OUT.mkdir(exist_ok=True)
    for name, text in pages().items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(f"wrote docs/api/{name} ({text.count(':::')} objects)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
