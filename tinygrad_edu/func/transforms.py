"""``tg.func``'s derivative transforms — ``grad``, ``grad_and_value``, ``vjp``, ``jvp``,
``jacrev``, ``jacfwd``, ``hessian`` — built on the reverse-mode engine (``autograd.grad``).

Each returns a function. Called, it makes fresh leaves of the arguments it differentiates
(pytrees: Tensors in tuples, lists, dicts), runs the function with grad mode on and asks the
engine for the derivatives. They compose (``grad(grad(f))``, ``jacrev(jacrev(f))``,
``vmap(grad(f))``) the way torch's do, by one rule: when an argument already requires grad (an
outer transform made it so, or the caller did), the derivatives are computed with
``create_graph=True`` and stay connected to it; otherwise they come back detached. (torch
tracks transform levels instead; a tensor the function captures from outside, rather than
receives, is not seen by this rule.)

Formulas: for y = f(x), ``grad`` gives ∂y/∂x (y a 0-d Tensor); ``vjp`` gives v ↦ vᵀJ; ``jvp``
gives J·t, by the double-backward trick (uᵀJ is linear in u, so ∂(uᵀJ·t)/∂u = J·t);
``jacrev`` and ``jacfwd`` give J, shape ``y.shape + x.shape``, one backward pass per element
of y (``jacfwd`` by the same reverse passes: the same values, not torch's forward mode);
``hessian`` is ``jacfwd(jacrev(f))``.
"""

from __future__ import annotations

from ..autograd import enable_grad
from ..autograd import grad as _engine_grad
from ..ops.join import stack
from ..tensor import Tensor
from ._tree import flatten, unflatten


def _argnums(argnums, args, fname: str) -> tuple:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or not all(isinstance(n, int) for n in nums):
        raise RuntimeError(f"{fname}: argnums must be int or Tuple[int, ...], got: {argnums}")
    for n in nums:
        if not -len(args) <= n < len(args):
            raise RuntimeError(f"Got argnum={n}, but only {len(args)} positional inputs")
    return tuple(n % len(args) for n in nums)


def _requires_grad(*objs) -> bool:
    return any(isinstance(leaf, Tensor) and leaf.requires_grad
               for o in objs for leaf in flatten(o)[0])


def _fresh(t):
    """A leaf to differentiate at: connected to ``t``'s graph when ``t`` requires grad."""
    if not isinstance(t, Tensor):
        raise TypeError(f"expected the differentiated inputs to be Tensors, got "
                        f"{type(t).__name__}")
    return t.view_as(t) if t.requires_grad else t.detach().requires_grad_(True)


def _prepare(args, argnums, fname):
    """(new args, [(fresh leaves, spec) per argnum], nums)."""
    nums = _argnums(argnums, args, fname)
    new = list(args)
    groups = []
    for n in nums:
        leaves, spec = flatten(args[n])
        fresh = [_fresh(x) for x in leaves]
        new[n] = unflatten(fresh, spec)
        groups.append((fresh, spec))
    return new, groups, nums


def _regroup(flat, groups, argnums):
    """Per-leaf results back into each argument's structure (a tuple for tuple argnums)."""
    out, i = [], 0
    for leaves, spec in groups:
        out.append(unflatten(flat[i:i + len(leaves)], spec))
        i += len(leaves)
    return out[0] if isinstance(argnums, int) else tuple(out)


def _zeros(gs, like):
    return [g if g is not None else x.new_zeros(tuple(x.shape)) for g, x in zip(gs, like)]


def _keep(t, outer: bool):
    return t if outer or not isinstance(t, Tensor) else t.detach()


def _split_aux(out, has_aux: bool, fname: str):
    if not has_aux:
        return out, None
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise RuntimeError(f"{fname}(f, ...)(*args): output of function f should be a tuple: "
                           "(output, aux) if has_aux is True")
    return out[0], out[1]


def grad_and_value(func, argnums=0, has_aux=False):
    """``func``'s gradient with respect to argument(s) ``argnums`` and its value:
    ``(grad, value)``, or ``(grad, (value, aux))`` with ``has_aux``. ``func`` must return a 0-d
    Tensor (RuntimeError otherwise, torch's words)."""

    def wrapper(*args, **kwargs):
        outer = _requires_grad(args, kwargs)
        with enable_grad():
            new, groups, _ = _prepare(args, argnums, "grad_and_value")
            out, aux = _split_aux(func(*new, **kwargs), has_aux, "grad_and_value")
            if not isinstance(out, Tensor):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"scalar Tensor, got tensor with {out.dim()} dims. Maybe you "
                                   "wanted to use the vjp or jacrev APIs instead?")
            flat = [x for leaves, _ in groups for x in leaves]
            gs = (_engine_grad(out, flat, create_graph=outer, allow_unused=True)
                  if out.requires_grad else [None] * len(flat))
        gs = [_keep(g, outer) for g in _zeros(gs, flat)]
        g = _regroup(gs, groups, argnums)
        value = _keep(out, outer)
        if has_aux:
            aux = unflatten([_keep(a, outer) for a in flatten(aux)[0]], flatten(aux)[1])
            return g, (value, aux)
        return g, value

    wrapper.__name__ = f"grad_and_value({getattr(func, '__name__', 'f')})"
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """∂func/∂(argument ``argnums``) at the call's arguments (the gradient has the argument's
    structure and shapes; a tuple of them for tuple ``argnums``; ``(grad, aux)`` with
    ``has_aux``). ``func`` must return a 0-d Tensor. Example: ``grad(torch.sin)(x)`` is
    ``cos(x)`` for a 0-d x."""
    inner = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    wrapper.__name__ = f"grad({getattr(func, '__name__', 'f')})"
    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)`` (``, aux`` with ``has_aux``): ``vjp_fn(v)`` gives vᵀJ, one
    Tensor (pytree) per primal, as a tuple; it may be called several times."""
    outer = _requires_grad(primals)
    new = []
    flat = []
    with enable_grad():
        for p in primals:
            leaves, spec = flatten(p)
            fresh = [_fresh(x) for x in leaves]
            flat += fresh
            new.append((fresh, spec))
        out, aux = _split_aux(func(*[unflatten(f, s) for f, s in new]), has_aux, "vjp")
    out_leaves, out_spec = flatten(out)

    def vjp_fn(cotangents):
        ct, _ = flatten(cotangents)
        if len(ct) != len(out_leaves):
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as "
                               f"pytree structure of outputs to the function: {len(ct)} "
                               f"Tensors for {len(out_leaves)} outputs")
        pairs = [(o, c) for o, c in zip(out_leaves, ct) if o.requires_grad]
        gs = (_engine_grad([o for o, _ in pairs], flat, [c for _, c in pairs],
                           retain_graph=True, create_graph=outer or _requires_grad(ct),
                           allow_unused=True) if pairs else [None] * len(flat))
        gs = [_keep(g, outer) for g in _zeros(gs, flat)]
        res, i = [], 0
        for f, s in new:
            res.append(unflatten(gs[i:i + len(f)], s))
            i += len(f)
        return tuple(res)

    value = unflatten([_keep(o, outer) for o in out_leaves], out_spec)
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J·tangents)`` (``, aux`` with ``has_aux``): ``primals`` and
    ``tangents`` are tuples of Tensors of the same shapes (RuntimeError otherwise). Computed by
    the double-backward trick, so every op on the path needs a second derivative."""
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be "
                           "tuples. E.g. it should be valid to call f(*primals).")
    if len(primals) != len(tangents):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have "
                           "the same python structure")
    outer = _requires_grad(primals, tangents)
    with enable_grad():
        ps = [_fresh(p) for p in primals]
        out, aux = _split_aux(func(*ps), has_aux, "jvp")
        outs, spec = flatten(out)
        live = [o for o in outs if isinstance(o, Tensor) and o.requires_grad]
        us = [o.new_zeros(tuple(o.shape)).requires_grad_(True) for o in live]
        jv = [None] * len(live)
        if live:
            gs = _engine_grad(live, ps, us, create_graph=True, allow_unused=True)
            pairs = [(g, t) for g, t in zip(gs, tangents) if g is not None and g.requires_grad]
            if pairs:
                jv = _engine_grad([g for g, _ in pairs], us, [t for _, t in pairs],
                                  create_graph=outer, allow_unused=True)
    it = iter(jv)
    res = []
    for o in outs:
        j = next(it) if isinstance(o, Tensor) and o.requires_grad else None
        res.append(_keep(j if j is not None else o.new_zeros(tuple(o.shape)), outer))
    value = unflatten([_keep(o, outer) for o in outs], spec)
    tang = unflatten(res, spec)
    return (value, tang, aux) if has_aux else (value, tang)


def _jacobian(func, argnums, has_aux, fname):
    def wrapper(*args, **kwargs):
        outer = _requires_grad(args, kwargs)
        with enable_grad():
            new, groups, _ = _prepare(args, argnums, fname)
            flat = [x for leaves, _ in groups for x in leaves]
            out, aux = _split_aux(func(*new, **kwargs), has_aux, fname)
            outs, spec = flatten(out)
            per_out = []
            for o in outs:
                rows = [[] for _ in flat]
                flat_o = o.reshape(-1)
                for k in range(flat_o.shape[0] if o.requires_grad else 0):
                    gs = _engine_grad(flat_o[k], flat, retain_graph=True, create_graph=outer,
                                      allow_unused=True)
                    for r, g in zip(rows, _zeros(gs, flat)):
                        r.append(g)
                jacs = []
                for r, x in zip(rows, flat):
                    shape = tuple(o.shape) + tuple(x.shape)
                    j = stack(r).reshape(shape) if r else x.new_zeros(shape)
                    jacs.append(_keep(j, outer))
                per_out.append(_regroup(jacs, groups, argnums))
        result = unflatten(per_out, spec)
        return (result, aux) if has_aux else result

    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` with respect to argument(s) ``argnums``, by reverse mode (one
    backward pass per output element): shape ``output.shape + input.shape``; nested as the
    outputs (tuple) and ``argnums`` (tuple) are. ``chunk_size`` is accepted (no batching
    here)."""
    w = _jacobian(func, argnums, has_aux, "jacrev")
    w.__name__ = f"jacrev({getattr(func, '__name__', 'f')})"
    return w


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of ``func`` as :func:`jacrev` lays it out. torch computes it in forward
    mode; here by the same reverse passes as ``jacrev`` (equal values)."""
    w = _jacobian(func, argnums, has_aux, "jacfwd")
    w.__name__ = f"jacfwd({getattr(func, '__name__', 'f')})"
    return w


def hessian(func, argnums=0):
    """∂²func/∂x² for a function with a 0-d (or any) output: ``jacfwd(jacrev(func))``, shape
    ``output.shape + x.shape + x.shape``."""
    w = jacfwd(jacrev(func, argnums), argnums)
    w.__name__ = f"hessian({getattr(func, '__name__', 'f')})"
    return w
