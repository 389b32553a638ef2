"""The small pytree the ``tg.func`` transforms need: Tensors nested in tuples, lists and dicts
(torch's ``torch.utils._pytree`` covers more containers; these are the ones its examples use:
a tuple of inputs, a dict of parameters)."""

from __future__ import annotations


def flatten(obj) -> tuple:
    """(leaves, spec): the leaves in order (dict values in key order), and how to rebuild."""
    if isinstance(obj, dict):
        leaves, specs = [], []
        for k in obj:
            sub, spec = flatten(obj[k])
            leaves += sub
            specs.append((k, spec, len(sub)))
        return leaves, ("dict", specs)
    if isinstance(obj, (tuple, list)) and not hasattr(obj, "_fields"):
        leaves, specs = [], []
        for v in obj:
            sub, spec = flatten(v)
            leaves += sub
            specs.append((spec, len(sub)))
        return leaves, (type(obj), specs)
    return [obj], None


def unflatten(leaves, spec):
    """The inverse of :func:`flatten`."""
    if spec is None:
        return leaves[0]
    kind, specs = spec
    out, i = [], 0
    if kind == "dict":
        d = {}
        for k, sub, n in specs:
            d[k] = unflatten(leaves[i:i + n], sub)
            i += n
        return d
    for sub, n in specs:
        out.append(unflatten(leaves[i:i + n], sub))
        i += n
    return kind(out)
