"""A dim left out is not a dim of None: torch's ``squeeze(x)`` squeezes every size-1 dim, where
``squeeze(x, None)`` and ``unsqueeze(x, None)`` match none of its overloads (TypeError)."""

from __future__ import annotations


class _Every:
    """squeeze's dim left out: every size-1 dim (torch's overload without a dim)."""

    def __repr__(self):
        return "<every size-1 dim>"


EVERY = _Every()


def none_dim(op: str, takes: str = "int or a tuple of ints"):
    """torch's TypeError for ``dim=None`` given to ``op`` (which takes ``takes``)."""
    raise TypeError(f"{op}(): argument 'dim' must be {takes}, not NoneType"
                    + (" (leave it out to squeeze every size-1 dim)" if op == "squeeze" else ""))
