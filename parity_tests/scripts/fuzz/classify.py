"""Classify a failure into a known kind (known.py), and the generator's ``--avoid`` test."""

from __future__ import annotations

import re

from .known import KINDS


def tripped(lines: list[str]) -> set:
    """The kinds whose ``avoid`` predicate some line of the program trips (replayed in torch)."""
    import warnings

    import torch

    from .run import namespace

    ns, out = namespace(torch), set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for src in lines:
            out |= {k.name for k in KINDS if k.avoid is not None and avoided(src, ns, {k.name})}
            try:
                exec(compile(src, "<fuzz>", "exec"), ns)
            except Exception:
                pass
    return out


def classify(lines: list[str], m) -> str:
    """The name of the first kind that explains Mismatch ``m`` of program ``lines``, or 'new'.
    A kind with an ``avoid`` predicate needs a line that trips it; the others a line matching
    ``line`` (if given) and, for exceptions, a message matching ``msg``."""
    trips = tripped(lines)
    for k in KINDS:
        if m.category not in k.cats:
            continue
        if k.msg and m.category == "exception" and not re.search(k.msg, m.message or ""):
            continue
        if k.raises and m.category == "exception":
            want_torch, want_ours = k.raises
            if want_torch not in ("*", str(m.expected)) or want_ours not in ("*", str(m.actual)):
                continue
        if k.avoid is not None and k.name not in trips:
            continue
        if k.avoid is None and k.line and not any(re.search(k.line, s) for s in lines):
            continue
        if k.check is not None and not k.check(m, lines):
            continue
        return k.name
    return "new"


def avoided(src: str, ns: dict, names) -> bool:
    """Whether a candidate line trips one of the kinds in ``names`` (the generator then skips "
    "it)."""
    for k in KINDS:
        if k.name in names and k.avoid is not None:
            try:
                if k.avoid(src, ns):
                    return True
            except Exception:
                pass
    return False


AVOIDABLE = [k.name for k in KINDS if k.avoid is not None]
