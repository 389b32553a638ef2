"""``Tensor.register_post_accumulate_grad_hook``: ``hook(tensor)`` runs on a leaf right after
its ``.grad`` has been accumulated (torch's PostAccumulateGradHook), e.g. to step an optimizer
per parameter inside backward and free its gradient early.

The hooks live here, keyed by the leaf's ``id`` with a weak reference to the leaf (a Tensor
has no slot for them), so the engine's ``accumulate`` pays one test of an empty dict when no
such hook exists. ``autograd.grad`` accumulates nothing and so runs none, as torch.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

from .hooks import RemovableHandle

# id(leaf) -> (weak reference to the leaf, OrderedDict of hooks); empty when none registered
HOOKS: dict = {}


def _forget(key, ref) -> None:
    entry = HOOKS.get(key)
    if entry is not None and entry[0] is ref:
        del HOOKS[key]


def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
    """Run ``hook(tensor)`` after the gradient is accumulated into this leaf's ``.grad``.

    The hook must return None (else TypeError at backward). Returns a handle whose
    ``remove()`` takes the hook out. Raises RuntimeError for a tensor that does not require
    grad or is not a leaf (torch's messages).
    """
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self._node is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    key = id(self)
    entry = HOOKS.get(key)
    if entry is None or entry[0]() is not self:
        ref = weakref.ref(self, lambda r, k=key: _forget(k, r))
        entry = HOOKS[key] = (ref, OrderedDict())
    handle = RemovableHandle(entry[1], RemovableHandle.new_id())
    entry[1][handle.id] = hook
    return handle


def run(leaf) -> None:
    """Called by the engine's ``accumulate`` (only while some hook is registered)."""
    entry = HOOKS.get(id(leaf))
    if entry is None or entry[0]() is not leaf:
        return
    for hook in list(entry[1].values()):
        r = hook(leaf)
        if r is not None:
            raise TypeError("post accumulate grad hooks must return None, but hook returned "
                            f"'{type(r).__name__}'")
