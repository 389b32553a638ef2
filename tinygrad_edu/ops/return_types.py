"""Result containers of the ops that return (values, indices), printed as torch prints its
``torch.return_types.<name>``."""

from __future__ import annotations

from collections import namedtuple


def _return_type(name: str):
    """A (values, indices) namedtuple printed like torch's ``torch.return_types.<name>``."""
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__})


max_type, min_type = _return_type("max"), _return_type("min")


sort_type, topk_type = _return_type("sort"), _return_type("topk")
cummax_type, cummin_type = _return_type("cummax"), _return_type("cummin")
kthvalue_type, median_type = _return_type("kthvalue"), _return_type("median")
nanmedian_type, mode_type = _return_type("nanmedian"), _return_type("mode")
