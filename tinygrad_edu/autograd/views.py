"""A view's history after an in-place op on its base: torch regenerates it.

``v = a[:2]`` records ``v``'s history as "a view of ``a``'s history". When ``a`` is later
changed in place (``a.mul_(3)``, ``a[0] = w``, or a write through another view of ``a``), its
history is rebased onto the in-place op (ops/inplace.py), and ``v``, which shows the new
values, must show the new history too: its gradient now flows through ``mul_`` to ``a``'s
inputs. torch does this lazily (a view whose base's version moved gets an AsStridedBackward0
grad_fn when next used); here the in-place op does it at once, for the base's live views: each
view's recorded chain of view ops is replayed on the base's new history.

:func:`register` is called where a view is recorded (record.mark_view, in grad mode; under
``no_grad`` only for a view that inherits requires_grad); :func:`refresh` after an in-place op
rebases a base. Views whose base only changed under ``no_grad`` keep their history, which is
still right (the values moved, the graph did not), except views carrying hooks or a retained
grad (:func:`after_untracked_write`). :func:`take_history` moves a ``retain_grad`` to the new
node. A view requires grad when its base does (:func:`inherit_requires_grad`,
:func:`follow_base`).

Outputs of the multi-output view ops (``split``, ``chunk``, ``unbind``) are marked: torch
refuses an in-place op on them, and on views of them, while recording, since no single view
chain stands for them.

NO_GRAD_VIEW: a view made under ``no_grad`` (``t._view[2] == 1``), or made in grad mode from
such a view (2), may not be written in place in grad mode when the write would be recorded
(its base or an operand requires grad): torch calls that ambiguous and raises
(:func:`check_no_grad_view`). Written under ``no_grad``, or with nothing requiring grad, it is
fine.
"""

from __future__ import annotations

import weakref

from .. import _grad_attr
from ..dtype import kind_of
from ..tensor import Tensor
from .grad_mode import enable_grad
from .hooks import retain_grad as _retain
from .node import AccumulateGrad

# Keyed by id(), not by the Tensor: a Tensor's == is elementwise, so the weakref containers
# (which compare keys with ==) cannot hold Tensors. Each weak reference removes its entry when
# its Tensor dies.
_VIEWS: dict = {}  # id(base) -> (weakref to the base, [weakrefs to its views])
_MULTI_OUTPUT: dict = {}  # id(output of split/chunk/unbind) -> (weakref, index, node name)


def register(view, base) -> None:
    """Remember ``view`` as a live view of ``base`` (weakly: neither is kept alive). Dead
    views' references are dropped as the list grows, and the entry with its base."""
    bid = id(base)
    entry = _VIEWS.get(bid)
    if entry is None or entry[0]() is not base:
        entry = _VIEWS[bid] = (weakref.ref(base, lambda _, k=bid: _VIEWS.pop(k, None)), [])
    views = entry[1]
    views.append(weakref.ref(view))
    if len(views) & 63 == 0:  # every 64 views: forget the dead ones
        views[:] = [r for r in views if r() is not None]


def refresh(base, skip=None) -> None:
    """Give each live view of ``base`` (except ``skip``) its view chain replayed on ``base``'s
    current history."""
    entry = _VIEWS.get(id(base))
    if entry is None or entry[0]() is not base:
        return
    for ref in list(entry[1]):
        v = ref()
        if v is None or v is skip or v._view is None or v._view[0] is not base:
            continue
        take_history(v, replay_view(v._view[1], base))


def inherit_requires_grad(v) -> None:
    """A view with no grad_fn of a base that requires grad (made under ``no_grad``, or before
    ``base.requires_grad_()``) requires grad too: torch's ``DifferentiableViewMeta::
    requires_grad()`` is ``requires_grad_ || grad_fn_ || base.requires_grad()``
    (torch/csrc/autograd/variable.h). It is still a leaf, and its own flag is unset, so torch's
    ``grad_accumulator()`` gives no AccumulateGrad: an op on it records an edge that leads
    nowhere (no ``.grad`` anywhere, no error). Here: ``_rg`` set, and ``_accum`` answering an
    AccumulateGrad of a stand-in that does not require grad (the engine's ``accumulate`` skips
    it). Registered, so that the base's later ``requires_grad_(False)`` reaches it."""
    v._rg = True
    node = AccumulateGrad(Tensor._wrap(v._data))
    v._accum = lambda: node
    register(v, v._view[0])


def inherits_requires_grad(v) -> bool:
    """Whether ``v``'s requires_grad is its base's (:func:`inherit_requires_grad`), not its own."""
    acc = v._accum
    if acc is None or type(acc) is weakref.ReferenceType:
        return False
    node = acc()
    return node is not None and not node.variable._rg


def follow_base(base) -> None:
    """``base.requires_grad`` changed (``requires_grad_``, ``detach_``): its views without a
    grad_fn follow it (:func:`inherit_requires_grad`; a view's own flag stays)."""
    entry = _VIEWS.get(id(base))
    if entry is None or entry[0]() is not base:
        return
    for ref in list(entry[1]):
        v = ref()
        if v is None or v._view is None or v._view[0] is not base or v._node is not None:
            continue
        if base._rg and not v._rg and kind_of(v._data.dtype) in "fc":
            inherit_requires_grad(v)
        elif not base._rg and inherits_requires_grad(v):
            v._rg, v._accum = False, None


def take_history(t, src) -> None:
    """``t`` now stands for ``src``'s history (its node, output index and requires-grad flag):
    an in-place op's result, or a view's chain replayed on its base.

    As torch's ``update_tensor_hooks_on_new_gradfn`` (torch/csrc/autograd/variable.cpp): a
    ``retain_grad()`` moves to the new node (``t.grad`` is the gradient with respect to ``t``'s
    current value), the tensor hooks stay on the old one (they see the gradient with respect to
    the value they were registered on; a view's old node is out of the graph: they never run)."""
    old = t._node
    t._node, t._oi, t._rg = src._node, src._oi, src._rg
    if t._retains_grad and old is not None and old is not t._node:
        if old.out_ref:
            old.out_ref = [(k, r) for k, r in old.out_ref if r() is not t] or None
        if t._node is not None:
            _retain(t)


def after_untracked_write(t) -> None:
    """An in-place write into ``t`` that was not recorded (under ``no_grad``): torch bumps the
    version, so each view of the written storage gets a new grad_fn when next used (its view
    chain on the base's unchanged history: the same gradient), and the hooks registered on the
    view's old grad_fn no longer run (torch: ``VariableHooks::grad_fn`` regenerates the view's
    node, then ``update_tensor_hooks_on_new_gradfn``). Only views that carry hooks or a
    retained grad are regenerated here: for the others the new node is the old one's twin."""
    base = t if t._view is None else t._view[0]
    entry = _VIEWS.get(id(base))
    if entry is None or entry[0]() is not base:
        return
    for ref in list(entry[1]):
        v = ref()
        if v is None or v._view is None or v._view[0] is not base or v._node is None:
            continue
        if v._retains_grad or v._node.hooks:
            with enable_grad():
                take_history(v, replay_view(v._view[1], base))


def replay_view(chain, x):
    """Apply a recorded chain of view ops to ``x`` (array or Tensor)."""
    for node in chain:
        x = node.fn.replay(node, x)
    return x


def mark_multi_output(outputs, name: str, keep: bool = True):
    """``outputs`` of a multi-output view op (torch's ``name``: Split, SplitWithSizes, Unbind):
    when recorded, in-place ops on them are refused (``keep=False``: unmark, for the unsafe_*
    twins, which torch lets one modify). Returns ``outputs``."""
    if not keep:
        for t in outputs:
            _MULTI_OUTPUT.pop(id(t), None)
            if t._view is not None:
                t._view[1][-1].multi_output_piece = False
        return outputs
    for i, t in enumerate(outputs):
        if t.requires_grad:
            k = id(t)
            _MULTI_OUTPUT[k] = (weakref.ref(t, lambda _, k=k: _MULTI_OUTPUT.pop(k, None)), i,
                                name)
        if t._view is not None:  # views of it inherit the refusal (torch's creation_meta
            # propagates: variable.h); the version it was made at (_grad_attr.view_grad_fn)
            t._view[1][-1].multi_output_piece = (t._vc[0] if t._vc is not None else 0,)
    return outputs


def check_not_multi_output(t, op: str) -> None:
    """torch's RuntimeError for an in-place op on an output of split/chunk/unbind."""
    mark = _MULTI_OUTPUT.get(id(t)) if _MULTI_OUTPUT else None
    if mark is None or mark[0]() is not t:
        mark = None
        view = t._view
        if view is not None and t._rg and len(view[1]) > 1 and any(
                n.__dict__.get("multi_output_piece") for n in view[1][:-1]):
            mark = (None, 0, view_op_name(view[1][-1]))  # a view of a piece: its own op named
    if mark is not None:
        raise RuntimeError(  # torch's words (they name the view op; ``op`` is the in-place one)
            f"Output {mark[1]} of {mark[2]} is a view and is being modified inplace. "
            "This view is the output of a function that returns multiple views. Such functions "
            "do not allow the output views to be modified inplace. You should replace the "
            "inplace operation by an out-of-place one.")


_NO_GRAD_TAIL = (
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace to "
    "be tracked).")


def view_op_name(node) -> str:
    """torch's name of the view op that made a view (``Select``, ``Slice``, ``View``)."""
    name = node.__dict__.get("node_name") or type(node).__name__
    idx = node.__dict__.get("idx")
    if name.startswith("GetItem") and isinstance(idx, tuple):  # x[...]: torch's last step
        steps = [i for i in idx if not (isinstance(i, slice) and i == slice(None))]
        name = "Select" if steps and isinstance(steps[-1], int) else "Slice"
    return name.split("Backward")[0]


def no_grad_view_error(t, through: str | None = None) -> RuntimeError:
    """torch's RuntimeError for an in-place write in grad mode through a view made under
    no_grad (``through``: the view op torch's write goes through, as ``x[0] = v``'s Select)."""
    base = t._view[0]
    if base.requires_grad and (t._view[2] == 2 or through is not None):
        op = through or view_op_name(t._view[1][-1])
        return RuntimeError(f"Output 0 of {op} is a view of a view which was created in no_grad "
                            "mode and is being modified inplace with grad mode enabled. "
                            + _NO_GRAD_TAIL)
    return RuntimeError("A view was created in no_grad mode and is being modified inplace with "
                        "grad mode enabled. " + _NO_GRAD_TAIL)


_grad_attr.VIEW_HOOKS.inherits_requires_grad = staticmethod(inherits_requires_grad)
_grad_attr.VIEW_HOOKS.follow_base = staticmethod(follow_base)
_grad_attr.VIEW_HOOKS.view_op_name = staticmethod(view_op_name)
