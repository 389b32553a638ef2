"""The real CuPy API as recorded by ``gen_api.py`` in ``cupy_api.json`` (names, kinds, and call
signatures), and the check that a call matches it."""

from __future__ import annotations

import inspect
import json
from functools import lru_cache
from pathlib import Path

API = json.loads(Path(__file__).with_name("cupy_api.json").read_text())
CUPY_VERSION = API["cupy_version"]
MODULES: dict = API["modules"]
NDARRAY: dict = API["ndarray"]
UFUNC_METHODS: list = API["ufunc_methods"]

_KINDS = {
    "pos": inspect.Parameter.POSITIONAL_ONLY,
    "pos_or_kw": inspect.Parameter.POSITIONAL_OR_KEYWORD,
    "var_pos": inspect.Parameter.VAR_POSITIONAL,
    "kw": inspect.Parameter.KEYWORD_ONLY,
    "var_kw": inspect.Parameter.VAR_KEYWORD,
}
# What ``ufunc.__call__`` accepts (cupy/_core/_kernel.pyx): inputs, then out/dtype/casting.
# Note: no ``where=`` (CuPy only has a private ``_where``).
UFUNC_KWARGS = frozenset({"out", "dtype", "casting"})


class _Default:
    """Stands for a recorded default value (only its presence is recorded)."""

    def __repr__(self) -> str:
        return "..."


_DEFAULT = _Default()


class Binder:
    """A recorded signature, and a fast check that a call fits it (``inspect.Signature.bind``
    cost most of the simulation's time). The caller's positional/keyword layout is kept."""

    def __init__(self, sig: inspect.Signature):
        P = inspect.Parameter
        ps = list(sig.parameters.values())
        self.sig = sig
        self.positional = [p.name for p in ps if p.kind in (P.POSITIONAL_ONLY,
                                                             P.POSITIONAL_OR_KEYWORD)]
        self.var_pos = next((p.name for p in ps if p.kind == P.VAR_POSITIONAL), None)
        self.keywords = {p.name for p in ps if p.kind in (P.POSITIONAL_OR_KEYWORD,
                                                          P.KEYWORD_ONLY)}
        self.var_kw = any(p.kind == P.VAR_KEYWORD for p in ps)
        self.required = [p.name for p in ps if p.default is P.empty
                         and p.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]

    def names(self, qualname: str, args: tuple, kwargs: dict) -> list:
        """The parameter name of each positional argument; TypeError when the call does not
        fit (an argument or keyword that exists in NumPy but not in CuPy, say)."""
        n = len(self.positional)
        if len(args) > n and self.var_pos is None:
            self._fail(qualname, f"takes {n} positional arguments but {len(args)} were given")
        names = self.positional[: len(args)]
        for k in kwargs:
            if k in names:
                self._fail(qualname, f"got multiple values for argument '{k}'")
            if k not in self.keywords and not self.var_kw:
                self._fail(qualname, f"got an unexpected keyword argument '{k}'")
        for r in self.required:
            if r not in kwargs and r not in names:
                self._fail(qualname, f"missing a required argument: '{r}'")
        return names + [self.var_pos] * (len(args) - n)

    def _fail(self, qualname: str, why: str):
        raise TypeError(f"{qualname}() [CuPy {CUPY_VERSION} signature {self.sig}]: {why}")


@lru_cache(maxsize=None)
def _build(encoded: tuple) -> Binder:
    params = []
    for name, kind, has_default in encoded:
        default = _DEFAULT if has_default else inspect.Parameter.empty
        if _KINDS[kind] in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            default = inspect.Parameter.empty
        params.append(inspect.Parameter(name, _KINDS[kind], default=default))
    return Binder(inspect.Signature(params))


def signature(encoded) -> Binder | None:
    """The :class:`Binder` of a recorded entry (``None`` when CuPy exposes no signature)."""
    if encoded is None:
        return None
    return _build(tuple(tuple(p) for p in encoded))


def check_call(qualname: str, sig: Binder | None, args: tuple, kwargs: dict) -> None:
    """Raise TypeError, as CuPy's own function would, when the call does not fit CuPy's
    signature."""
    if sig is not None:
        sig.names(qualname, args, kwargs)
