"""``tg.vmap`` / ``tg.func.vmap``: map a function over a dimension of its inputs.

Implemented by looping: for each index i of the mapped dimension, the function runs on the
i-th slice of every mapped input (``x.select(in_dim, i)``; unmapped inputs as they are), and
the results are stacked along ``out_dims``. The same results as torch's vmap for functions
without side effects or randomness, not its speed (torch batches each op instead; here the
function runs B times). Nested vmap, and transforms inside it (``vmap(grad(f))``: per-sample
gradients), work as in torch, since each iteration is a plain call. ``randomness`` is accepted
but random ops are not refused: each iteration draws its own values ('different'-like, not
torch's numbers).
"""

from __future__ import annotations

import functools

from ..ops.join import stack
from ..tensor import Tensor
from ._tree import flatten, unflatten


def _name(func) -> str:
    return getattr(func, "__name__", type(func).__name__)


def _leaf_dims(args, in_dims, func):
    """Per flattened leaf of ``args``: its mapped dim (None: not mapped)."""
    if isinstance(in_dims, (int, type(None))):
        per_arg = [in_dims] * len(args)
    else:
        per_arg = list(in_dims)
        if len(per_arg) != len(args):
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is "
                             f"not compatible with the structure of `inputs`. in_dims has "
                             f"structure {in_dims} but inputs has {len(args)} elements.")
    dims = []
    for a, d in zip(args, per_arg):
        leaves, _ = flatten(a)
        if isinstance(d, (int, type(None))):
            dims += [d] * len(leaves)
        else:
            sub, _ = flatten(d)
            if len(sub) != len(leaves):
                raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): "
                                 "in_dims is not compatible with the structure of `inputs`.")
            dims += sub
    return dims


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``func`` mapped over dimension ``in_dims`` of its inputs (an int or None for all, or one
    per positional argument, nested as the argument is; None: not mapped), results stacked
    along ``out_dims`` (an int, or one per output; None: the output is not mapped and the first
    iteration's is returned). Shapes: a mapped input (B, ...) at ``in_dim``; outputs gain B at
    ``out_dims``. Raises ValueError, in torch's words, for mapped inputs of different sizes, an
    ``in_dim`` out of range, a mapped non-Tensor, or an output that is not a Tensor. Keyword
    arguments are passed through unmapped."""

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        leaves, spec = flatten(list(args))
        dims = _leaf_dims(args, in_dims, func)
        where = f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>)"
        sizes = []
        norm = []
        for x, d in zip(leaves, dims):
            if d is None:
                norm.append(None)
                continue
            if not isinstance(x, Tensor):
                raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of "
                                 f"type {type(x)}. We cannot vmap over non-Tensor arguments, "
                                 "please use None as the respective in_dim")
            nd = x.dim()
            if not -nd <= d < max(nd, 1) or nd == 0:
                raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a "
                                 f"Tensor of dimensionality {nd} so expected in_dim to satisfy "
                                 f"-{nd} <= in_dim < {nd}.")
            norm.append(d % nd)
            sizes.append(x.shape[d % nd])
        if not sizes:
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): at least "
                             "one input must be a Tensor mapped over a dimension (in_dims "
                             "not None)")
        if len(set(sizes)) > 1:
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        results = []
        for i in range(sizes[0]):
            sl = [x if d is None else x.select(d, i) for x, d in zip(leaves, norm)]
            results.append(func(*unflatten(sl, spec), **kwargs))
        return _stack_outputs(results, out_dims, func)

    return wrapped


def _stack_outputs(results, out_dims, func):
    first, spec = flatten(results[0])
    per = [flatten(r)[0] for r in results]
    if isinstance(out_dims, (int, type(None))):
        dims = [out_dims] * len(first)
    else:
        dims = flatten(out_dims)[0] if isinstance(results[0], (tuple, list)) else list(out_dims)
        if len(dims) != len(first):
            raise ValueError(f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): "
                             "out_dims is not compatible with the structure of `outputs`.")
    out = []
    for j, d in enumerate(dims):
        if d is None:
            out.append(first[j])
            continue
        if not isinstance(first[j], Tensor):
            raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` must only return "
                             f"Tensors, got type {type(first[j])}. Did you mean to set "
                             "out_dims= to None for output?")
        out.append(stack([p[j] for p in per], dim=d))
    return unflatten(out, spec)
