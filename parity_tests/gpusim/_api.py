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


@lru_cache(maxsize=None)
def _build(encoded: tuple) -> inspect.Signature:
    params = []
    for name, kind, has_default in encoded:
        default = _DEFAULT if has_default else inspect.Parameter.empty
        if _KINDS[kind] in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            default = inspect.Parameter.empty
        params.append(inspect.Parameter(name, _KINDS[kind], default=default))
    return inspect.Signature(params)


def signature(encoded) -> inspect.Signature | None:
    """The ``inspect.Signature`` of a recorded entry (``None`` when CuPy exposes none)."""
    if encoded is None:
        return None
    return _build(tuple(tuple(p) for p in encoded))


def check_call(qualname: str, sig: inspect.Signature | None, args: tuple, kwargs: dict) -> None:
    """Raise TypeError, as CuPy's own function would, when the call does not fit CuPy's
    signature (an argument or keyword that exists in NumPy but not in CuPy)."""
    if sig is None:
        return
    try:
        sig.bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{qualname}() [CuPy {CUPY_VERSION} signature {sig}]: {e}") from None
