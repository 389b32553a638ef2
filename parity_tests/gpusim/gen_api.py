"""Generate ``cupy_api.json``: the names, kinds and call signatures of the real CuPy API.

The simulated device (``parity_tests/gpusim``) offers exactly these names, and checks each call
against the recorded signature, so it neither invents functions or keyword arguments that CuPy
lacks nor hides ones it has. Run it where the real wheel is importable (no GPU needed: CuPy
imports without one; only ``cupy.cuda.runtime.getDeviceCount()`` then raises)::

    pip download --no-deps cupy-cuda12x fastrlock "cuda-pathfinder>=1.3.4,<2" -d /tmp/w
    pip install --no-deps --target /tmp/cupyenv /tmp/w/*.whl
    PYTHONPATH=/tmp/cupyenv python parity_tests/gpusim/gen_api.py

Signatures come from ``inspect.signature`` where CuPy's Python functions have one, else from
the first docstring line that Cython embeds (``sum(self, axis=None, ...) -> _ndarray_base``);
``null`` means neither is available and the simulation then accepts any keyword NumPy takes.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import sys
import types
from pathlib import Path

OUT = Path(__file__).with_name("cupy_api.json")
# The namespaces the simulation mirrors (tinygrad_edu reaches only these; every other
# submodule is recorded by name so that touching it fails loudly rather than silently).
MODULES = (
    "cupy", "cupy.linalg", "cupy.lib", "cupy.lib.stride_tricks", "cupy.random", "cupy.cuda",
    "cupy.cuda.runtime", "cupyx", "cupyx.scipy", "cupyx.scipy.special",
)
_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "pos",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pos_or_kw",
    inspect.Parameter.VAR_POSITIONAL: "var_pos",
    inspect.Parameter.KEYWORD_ONLY: "kw",
    inspect.Parameter.VAR_KEYWORD: "var_kw",
}


def _encode(sig: inspect.Signature, drop_self: bool) -> list:
    params = list(sig.parameters.values())
    if drop_self and params and params[0].name == "self":
        params = params[1:]
    return [[p.name, _KINDS[p.kind], p.default is not inspect.Parameter.empty] for p in params]


def _doc_signature(obj, drop_self: bool):
    """Parse ``name(a, b=1, /, *, c=None) -> T`` from the first docstring line (Cython)."""
    doc = getattr(obj, "__doc__", None) or ""
    first = doc.strip().splitlines()[0] if doc.strip() else ""
    m = re.match(r"^[\w.]*?(\w+)\((.*)\)(\s*->.*)?$", first.replace("\\*", "*"))
    if not m:
        return None
    params = m.group(2)
    # Cython writes C types before names ("_ndarray_base b", "int axis=0"): keep the last word.
    cleaned = []
    for part in _split_top(params):
        part = part.strip()
        if part in ("*", "/") or part.startswith("*"):
            cleaned.append(part)
            continue
        name, eq, default = part.partition("=")
        name = name.split(":")[0].split()[-1] if name.split() else name
        cleaned.append(f"{name}=None" if eq else name)
    try:
        tree = ast.parse(f"def f({', '.join(cleaned)}): pass")
    except SyntaxError:
        return None
    namespace: dict = {}
    exec(compile(tree, "<signature>", "exec"), namespace)  # noqa: S102 - our own parsed text
    fn = namespace["f"]
    return _encode(inspect.signature(fn), drop_self)


def _split_top(s: str) -> list:
    """Split a parameter list on top-level commas (defaults may hold tuples or calls)."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def signature(obj, drop_self: bool = False):
    try:
        return _encode(inspect.signature(obj), drop_self)
    except (TypeError, ValueError):
        return _doc_signature(obj, drop_self)


def describe(obj, cupy) -> dict:
    if isinstance(obj, cupy.ufunc):
        return {"kind": "ufunc", "nin": obj.nin, "nout": obj.nout, "sig": signature(obj)}
    if isinstance(obj, types.ModuleType):
        return {"kind": "module", "name": obj.__name__}
    if isinstance(obj, type):
        return {"kind": "class"}
    if callable(obj):
        return {"kind": "function", "sig": signature(obj)}
    return {"kind": "constant", "type": type(obj).__name__}


def _dump(api: dict) -> str:
    """JSON with one API entry per line (readable diffs when CuPy changes)."""
    def block(entries: dict, pad: str) -> str:
        rows = [f'{pad} {json.dumps(k)}: {json.dumps(v, sort_keys=True)}'
                for k, v in sorted(entries.items())]
        return "{\n" + ",\n".join(rows) + f"\n{pad}}}"

    parts = [f' {json.dumps(k)}: {json.dumps(v)}' for k, v in sorted(api.items())
             if k not in ("modules", "ndarray")]
    mods = ",\n".join(f'  {json.dumps(m)}: {block(e, "  ")}' for m, e in api["modules"].items())
    parts.append(' "modules": {\n' + mods + "\n }")
    parts.append(' "ndarray": ' + block(api["ndarray"], ""))
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main() -> int:
    import cupy

    api = {
        "cupy_version": cupy.__version__,
        "numpy_version_at_generation": __import__("numpy").__version__,
        "generated_by": "parity_tests/gpusim/gen_api.py",
        "modules": {},
    }
    for modname in MODULES:  # import all first: lazily-loaded submodules then show in dir()
        importlib.import_module(modname)
    for modname in MODULES:
        mod = importlib.import_module(modname)
        entries = {}
        for name in sorted(dir(mod)):
            if name.startswith("_"):
                continue
            try:
                obj = getattr(mod, name)
            except Exception:  # noqa: BLE001 - lazily-loaded names that need a GPU
                entries[name] = {"kind": "unavailable"}
                continue
            if type(obj).__name__ == "_Feature":  # `from __future__ import annotations`
                continue
            if isinstance(obj, types.ModuleType) and not obj.__name__.startswith("cupy"):
                continue  # e.g. `np` imported inside cupy.lib.stride_tricks
            entries[name] = describe(obj, cupy)
        api["modules"][modname] = entries
    nd = {}
    for name in sorted(dir(cupy.ndarray)):
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
            continue
        obj = inspect.getattr_static(cupy.ndarray, name)
        if obj is None:
            nd[name] = {"kind": "none"}  # e.g. __hash__ = None
        elif callable(obj) or isinstance(obj, (classmethod, staticmethod)):
            nd[name] = {"kind": "method", "sig": signature(getattr(cupy.ndarray, name), True)}
        else:
            nd[name] = {"kind": "attribute"}
    api["ndarray"] = nd
    api["ufunc_methods"] = sorted(
        n for n in dir(cupy.add) if not n.startswith("_") and callable(getattr(cupy.add, n))
    )
    try:
        cupy.cuda.runtime.getDeviceCount()
        api["device_count_here"] = "a GPU was visible"
    except Exception as e:  # noqa: BLE001 - the expected outcome on a CPU-only machine
        api["device_count_here"] = f"getDeviceCount() raised {type(e).__name__}"
    OUT.write_text(_dump(api))
    n = sum(len(v) for v in api["modules"].values()) + len(nd)
    print(f"wrote {OUT} ({n} names, CuPy {cupy.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
