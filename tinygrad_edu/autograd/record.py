"""What ``Function.apply`` does after an op's ``forward`` ran: wrap the output(s) in Tensors and,
when an input needs a gradient, record the node (its edges, which saved values are inputs or
outputs and at which version, the arguments a fused op's ``reference`` needs, views).

:func:`record` is the general route, taken by every call the fast paths of ``function.py`` do
not cover; :func:`track_saved_fast` is :func:`track_saved` for their one or two inputs.
"""

from __future__ import annotations

import traceback

import numpy as np

from .._meta import MetaArray
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from .grad_mode import no_grad, state
from .graph import pack_saved
from .node import Node
from .saved import torch_order
from .views import inherit_requires_grad as inherit_rg
from .views import register as register_view
from .views import replay_view  # noqa: F401  (re-exported: function.py, ops)


def op_stem(fn) -> str:
    """An op's name without the ``Fn`` its class carries (``MulFn`` -> ``Mul``): op Function
    classes end in ``Fn`` so that none shares a name with an nn Module (``SigmoidFn`` vs
    ``nn.Sigmoid``), and their nodes print as torch's (``SigmoidBackward0``)."""
    name = fn.__name__
    return name[:-2] if name.endswith("Fn") and len(name) > 2 else name


def record(cls, ctx: Node, args, arrays, nexts, n_grad: int, out, kwargs):
    """After ``forward``: wrap the output(s) in Tensors and, when an input needs a gradient and
    the output is floating, record the node (its edges, the versions of what it saved)."""
    if type(out) is tuple:
        return wrap_outputs(cls, ctx, args, arrays, out, n_grad, nexts, kwargs)
    if type(out) is not np.ndarray:
        out = as_array(ctx, out)
    # integer and bool results carry no gradient (torch: x.long() does not require grad)
    if not n_grad or kind_of(out.dtype) not in "fc":
        t = Tensor._wrap(out)
    else:
        ctx.next = tuple(nexts)
        t = Tensor._wrap(out, ctx)
        if ctx._saved:
            track_saved(ctx, args, arrays, (t,))
            if state.saved_hooks is not None:  # autograd.graph.saved_tensors_hooks
                pack_saved(ctx, args, (t,), torch_order(ctx))
        if cls.reference is not None:
            keep_args(ctx, args, arrays, kwargs)
        if state.anomaly:
            ctx.stack = traceback.format_stack()[:-1]
    if out.base is not None:
        mark_view(cls, ctx, t, args, out.base)
    return t


# PLAIN: ``Function.apply`` notes, in ``ctx._plain`` ([position, value, ...]), the arguments of a
# call that are not inputs of its node as torch counts them, so that ``Node.next_functions``
# leaves them out (and ``grad_fn._saved_exponent`` and the like can show them: autograd/saved.py;
# an integer Tensor's value is not kept)
# (``node.next`` keeps one slot per argument, which the engine pairs with the backward's
# results). They are anything but a Tensor (``dim``, ``keepdim``, a Python number) and integer
# or bool Tensors (indices, masks, ``where``'s condition: torch never differentiates them). A
# number stands for a Tensor input in the ops torch calls through their Tensor overload
# (``x * 3`` is ``mul(x, tensor(3))``, whose MulBackward0 lists ``(None, 0)`` for it): those
# set ``Function.wraps_numbers`` (``next_functions`` applies that, so ``apply`` notes every
# non-Tensor argument). The fast paths take Tensors only: nothing to note.


def as_array(ctx: Node, out):
    """An output as an array (NumPy returns 0-d results as scalars), also where it was saved."""
    if type(out) is MetaArray:  # the meta device's array (shape and dtype, no data)
        return out
    arr = get_array_module(out).asarray(out)
    if arr is not out and ctx._saved:
        ctx._saved = tuple(arr if s is out else s for s in ctx._saved)
    return arr


def user_forward(cls, ctx, args, arrays, kwargs):
    """A torch-style user Function: Tensors in and out, nothing recorded inside."""
    with no_grad():
        wrapped = [Tensor._wrap(x) if isinstance(a, Tensor) else a for a, x in zip(args, arrays)]
        if cls._split_forward:  # torch 2's form: forward without ctx, then setup_context
            out = cls.forward(*wrapped, **kwargs)
            cls.setup_context(ctx, tuple(wrapped), out)
        else:
            out = cls.forward(ctx, *wrapped, **kwargs)
    if ctx._saved:  # saved Tensors stand for the arrays they hold
        ctx._saved = tuple(s._data if isinstance(s, Tensor) else s for s in ctx._saved)
    if isinstance(out, tuple):
        return tuple(o._data if isinstance(o, Tensor) else o for o in out)
    return out._data if isinstance(out, Tensor) else out


def wrap_outputs(cls, ctx, args, arrays, outs, record, nexts, kwargs):
    """A Function with several outputs: one node, one Tensor per output (output index k)."""
    outs = tuple(o if type(o) is np.ndarray else as_array(ctx, o) for o in outs)
    xp = get_array_module(outs[0])
    record = record and any(kind_of(o.dtype) in "fc" for o in outs)
    ts = []
    for k, o in enumerate(outs):
        t = Tensor._wrap(o, ctx if record and kind_of(o.dtype) in "fc" else None)
        t._oi = k
        ts.append(t)
    if record:
        ctx.n_out = len(outs)
        ctx._common = None  # (the backward's general steps)
        ctx.out_meta = tuple((o.shape, o.dtype, xp) for o in outs)
        ctx.next = tuple(nexts)
        if ctx._saved:
            track_saved(ctx, args, arrays, ts)
            if state.saved_hooks is not None:
                pack_saved(ctx, args, ts, torch_order(ctx))
        if cls.reference is not None:
            keep_args(ctx, args, arrays, kwargs)
        if state.anomaly:
            ctx.stack = traceback.format_stack()[:-2]
    return tuple(ts)


def track_saved(ctx: Node, args, arrays, outs) -> None:
    """Note which saved values are inputs (k >= 0) or outputs (k < 0), and the version of each
    Tensor saved as-is, so backward can refuse to run once one was modified in place."""
    src = []
    versions = []
    j = 0
    for s in ctx._saved:
        k = None
        m = -1
        for t in outs:
            if s is t._data:
                k = m
                break
            m -= 1
        else:
            i = 0
            for x in arrays:
                if s is x:
                    t = args[i]
                    if isinstance(t, Tensor):
                        k = i
                        break
                i += 1
        src.append(k)
        if k is not None:
            vc = t._vc
            if vc is None:
                t._vc = vc = [0]
            versions.append((j, vc, vc[0]))
        j += 1
    ctx._saved_src = tuple(src)
    if versions:
        ctx._saved_versions = versions


_NO_INPUT = object()  # track_saved_fast's second input when there is one
SAVED_INPUTS = ((), (0,), (0, 1))  # _saved_src of a node that saved its first n inputs
SAVED_OUTPUT = (-1,)  # ... that saved its output


def track_saved_fast(ctx: Node, out, t: Tensor, a: Tensor, da, b=None, db=_NO_INPUT) -> None:
    """:func:`track_saved` for one output ``t`` (holding ``out``) and one or two Tensor inputs
    (``a`` holding ``da``, ``b`` holding ``db``): the same answer (the output is matched first,
    then the inputs in order), the commonest cases first: the op saved its inputs (x·y), or
    its output (tanh, exp)."""
    saved = ctx._saved
    n = len(saved)
    if n == 1 and saved[0] is out:
        t._vc = vc = [0]  # t was just made: no counter yet
        ctx._saved_src = SAVED_OUTPUT
        ctx._saved_versions = ((0, vc, 0),)
        return
    if out is not da and out is not db and da is not db:
        if n == 2 and saved[0] is da and saved[1] is db:
            vc = a._vc
            if vc is None:
                a._vc = vc = [0]
            vb = b._vc
            if vb is None:
                b._vc = vb = [0]
            ctx._saved_src = SAVED_INPUTS[2]
            ctx._saved_versions = ((0, vc, vc[0]), (1, vb, vb[0]))
            return
        if n == 1 and saved[0] is da:
            vc = a._vc
            if vc is None:
                a._vc = vc = [0]
            ctx._saved_src = SAVED_INPUTS[1]
            ctx._saved_versions = ((0, vc, vc[0]),)
            return
    src = []
    versions = []
    j = 0
    for s in saved:
        if s is out:
            src.append(-1)
            u = t
        elif s is da:
            src.append(0)
            u = a
        elif s is db:
            src.append(1)
            u = b
        else:
            src.append(None)
            j += 1
            continue
        vc = u._vc
        if vc is None:
            u._vc = vc = [0]
        versions.append((j, vc, vc[0]))
        j += 1
    ctx._saved_src = tuple(src)
    if versions:
        ctx._saved_versions = versions


def keep_args(ctx: Node, args, arrays, kwargs) -> None:
    """An op with a ``reference`` keeps its arguments (arrays, not Tensors) for double backward;
    freed with the saved values."""
    ctx._args = (tuple(isinstance(a, Tensor) for a in args), tuple(arrays), kwargs)


def mark_view(cls, ctx: Node, t: Tensor, args, base) -> None:
    """An output that is a view of an input's storage shares that input's version counter;
    a view op's output also remembers its base and how to redo the view (for in-place writes
    through it, torch's CopySlices)."""
    for a in args:
        if isinstance(a, Tensor):
            d = a._data
            if d is base or d.base is base:
                t._share_version_with(a)
                if cls.is_view and a is args[0]:
                    # third: how it was made (views.NO_GRAD_VIEW: under no_grad, or from such a
                    # view; torch then refuses in-place writes through it in grad mode)
                    if a._view is None:
                        t._view = (a, (ctx,), None if state.enabled else 1)
                    else:
                        t._view = (a._view[0], a._view[1] + (ctx,),
                                   (2 if a._view[2] else None) if state.enabled else 1)
                    if state.enabled:  # an in-place op on the base regenerates its history
                        register_view(t, t._view[0])
                    elif t._view[0]._rg and t._node is None:  # requires grad through its base
                        inherit_rg(t)
                return


def device_mismatch(cls, args):
    """Raise torch's RuntimeError for an op whose Tensor inputs are on two devices."""
    devs = [str(a.device) for a in args if isinstance(a, Tensor)]
    first = devs[0]
    other = next(d for d in devs if d != first)
    if "meta" in (first, other):  # torch words it so where a meta tensor meets another device
        raise RuntimeError(f"Tensor on device {other} is not on the expected device {first}! "
                           f"(in op {cls.__name__})")
    raise RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, "
        f"{other} and {first}! (in op {cls.__name__})"
    )
