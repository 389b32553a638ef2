"""``tg.func.functional_call``: call a module with other tensors in place of its parameters and
buffers (for ``grad``/``vmap`` over the parameters: per-sample gradients, ensembles)."""

from __future__ import annotations


def _owner(module, dotted: str):
    *path, leaf = dotted.split(".")
    for p in path:
        module = getattr(module, p)
    return module, leaf


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` with each named tensor of ``parameter_and_buffer_dicts`` (a
    dict, or a tuple of dicts, keys as ``named_parameters()`` spells them: ``"0.weight"``)
    standing in for the module's parameter or buffer of that name for the call; the module is
    left as it was. Tensors that require grad carry their graph into the output (the point:
    ``grad(lambda p: loss(functional_call(model, p, x)))(params)``). Raises ValueError for a
    name given twice across the dicts; with ``strict=True``, RuntimeError for names the module
    lacks or misses. ``tie_weights`` is accepted (tied parameters are one object here: a name
    given replaces it under that name)."""
    dicts = (parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, (tuple, list))
             else (parameter_and_buffer_dicts,))
    merged = {}
    for d in dicts:
        for k, v in d.items():
            if k in merged:
                raise ValueError(f"{k} appeared in multiple dictionaries; behavior of "
                                 "functional call is ambiguous")
            merged[k] = v
    if strict:
        names = {n for n, _ in module.named_parameters()} | {n for n, _ in module.named_buffers()}
        missing, unexpected = sorted(names - set(merged)), sorted(set(merged) - names)
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                               f"Unexpected key(s): {unexpected}.\n\tMissing key(s): {missing}.")
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    kwargs = kwargs or {}
    swapped = []  # (store, name, old value) to put back
    try:
        for name, value in merged.items():
            owner, leaf = _owner(module, name)
            d = owner.__dict__
            for key in ("_parameters", "_buffers"):
                if leaf in d[key]:
                    swapped.append((d[key], leaf, d[key][leaf]))
                    d[key][leaf] = value
                    break
            else:  # not a parameter or buffer: a plain attribute for the call
                swapped.append((d, leaf, d.get(leaf, _MISSING)))
                d[leaf] = value
        return module(*args, **kwargs)
    finally:
        for store, leaf, old in reversed(swapped):
            if old is _MISSING:
                store.pop(leaf, None)
            else:
                store[leaf] = old


_MISSING = object()
__all__ = ["functional_call"]
