"""What a known kind of difference is (known.py, known_errors.py hold them)."""

from __future__ import annotations

from dataclasses import dataclass, field

SILENT = (
    "value",
    "grad",
    "grad_none",
    "requires_grad",
    "is_leaf",
    "shape",
    "type",
    "missing",
    "grad_dtype",
    "grad_shape",
    "number",
)


@dataclass
class Kind:
    name: str
    rank: str  # silent, dtype, exception
    what: str
    cause: str
    cats: tuple = SILENT  # mismatch categories it explains ("exception" matches on ``msg``)
    msg: str = ""  # regex on the exception message (ours, or torch's where only torch raised)
    line: str = ""  # regex some program line must match
    avoid: object = None  # (src, ns) -> bool, for the generator
    raises: tuple = ()  # (torch's, ours) exception types ("None": does not raise, "*": any)
    check: object = None  # (Mismatch, lines) -> bool, a last test on the values
    tags: set = field(default_factory=set)
