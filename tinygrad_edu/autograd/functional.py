"""``torch.autograd.functional``: derivatives of a whole function at a point — vjp, jvp,
jacobian, hessian, hvp, vhp — each built from :func:`~.api.grad` (double backward where a
forward-mode product is needed).

It sits above the ops (it stacks Jacobian rows), so the package imports it after them.
"""

from __future__ import annotations

from ..ops.shape import stack
from ..tensor import Tensor
from .api import grad
from .grad_mode import enable_grad


def _prep(inputs, create_graph: bool):
    """Inputs as a tuple of tensors that require grad (views of the caller's, kept in the graph
    under create_graph; detached copies otherwise)."""
    single = isinstance(inputs, Tensor)
    ins = (inputs,) if single else tuple(inputs)
    out = []
    for x in ins:
        if create_graph and x.requires_grad:
            out.append(x.view_as(x))
        else:
            out.append(x.detach().requires_grad_(True))
    return single, tuple(out)


def _tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _zeros_if_none(gs, like):
    return tuple(g if g is not None else t.new_zeros(t.shape) for g, t in zip(gs, like))


def _post(x, single: bool, create_graph: bool):
    x = tuple(t if create_graph or t is None else t.detach() for t in x)
    return x[0] if single else x


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ·J): the vector-Jacobian product, one backward pass."""
    with enable_grad():
        single, ins = _prep(inputs, create_graph)
        out = func(*ins)
        outs = _tuple(out)
        vs = None if v is None else _tuple(v)
        gs = grad(outs, ins, vs, create_graph=create_graph, allow_unused=True)
    outs = tuple(o if create_graph else o.detach() for o in outs)
    return (outs[0] if isinstance(out, Tensor) else outs,
            _post(_zeros_if_none(gs, ins), single, create_graph))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J·v): the Jacobian-vector product by the double-backward trick — the vjp
    u ↦ uᵀJ is linear in u, so differentiating (uᵀJ)·v with respect to u gives J·v."""
    with enable_grad():
        single, ins = _prep(inputs, create_graph)
        out = func(*ins)
        outs = _tuple(out)
        us = tuple(o.new_zeros(o.shape).requires_grad_(True) for o in outs)
        gs = grad(outs, ins, us, create_graph=True, allow_unused=True)
        gs = _zeros_if_none(gs, ins)
        vs = _tuple(v) if v is not None else tuple(x.new_ones(x.shape) for x in ins)
        pairs = [(g, vv) for g, vv in zip(gs, vs) if g.requires_grad]
        jv = grad([g for g, _ in pairs], us, [vv for _, vv in pairs],
                  create_graph=create_graph, allow_unused=True) if pairs else (None,) * len(us)
    jv = _zeros_if_none(jv, outs)
    outs = tuple(o if create_graph else o.detach() for o in outs)
    return (outs[0] if isinstance(out, Tensor) else outs,
            _post(jv, isinstance(out, Tensor), create_graph))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """∂func/∂inputs: shape output.shape + input.shape (nested tuples for several outputs or
    inputs), one backward pass per output element."""
    with enable_grad():
        single_in, ins = _prep(inputs, create_graph)
        out = func(*ins)
        outs = _tuple(out)
        rows = []
        for o in outs:
            flat = o.reshape(-1)
            per_input = [[] for _ in ins]
            for k in range(flat.shape[0]):
                gs = grad(flat[k], ins, retain_graph=True, create_graph=create_graph,
                          allow_unused=True)
                for i, g in enumerate(_zeros_if_none(gs, ins)):
                    per_input[i].append(g)
            jac = []
            for i, x in enumerate(ins):
                if per_input[i]:
                    j = stack(per_input[i]).reshape(tuple(o.shape) + tuple(x.shape))
                else:
                    j = x.new_zeros(tuple(o.shape) + tuple(x.shape))
                jac.append(j if create_graph else j.detach())
            rows.append(jac[0] if single_in else tuple(jac))
    return rows[0] if isinstance(out, Tensor) else tuple(rows)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """∂²func/∂inputs²: the Jacobian of the gradient of a scalar function."""
    single, ins = _prep(inputs, create_graph)

    def gradient(*xs):
        y = func(*xs)
        if y.numel() != 1:
            raise RuntimeError("hessian: the function given to hessian should return a single "
                               f"element Tensor (got shape {list(y.shape)})")
        gs = grad(y.reshape(()), xs, create_graph=True, allow_unused=True)
        gs = _zeros_if_none(gs, xs)
        return gs[0] if single else gs

    return jacobian(gradient, ins[0] if single else ins, create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ·H): the gradient's vjp."""
    with enable_grad():
        single, ins = _prep(inputs, create_graph)
        y = func(*ins)
        gs = _zeros_if_none(grad(y, ins, create_graph=True, allow_unused=True), ins)
        vs = _tuple(v) if v is not None else tuple(x.new_ones(x.shape) for x in ins)
        pairs = [(g, vv) for g, vv in zip(gs, vs) if g.requires_grad]
        h = grad([g for g, _ in pairs], ins, [vv for _, vv in pairs], create_graph=create_graph,
                 allow_unused=True) if pairs else (None,) * len(ins)
    return (y if create_graph else y.detach()), _post(_zeros_if_none(h, ins), single,
                                                       create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H·v): equal to vhp for the symmetric Hessian of a twice-differentiable
    function (torch computes it with a second double-backward; the values agree)."""
    return vhp(func, inputs, v, create_graph, strict)
