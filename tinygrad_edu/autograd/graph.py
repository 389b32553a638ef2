"""``tg.autograd.graph``: hooks on the tensors a graph saves for backward, as torch's.

``saved_tensors_hooks(pack_hook, unpack_hook)`` is a context manager: while it is active, every
value an op saves for backward (``ctx.save_for_backward``, and what the library's own ops save)
is passed to ``pack_hook(tensor)``, and the node keeps what it returns instead; when backward
(or ``grad_fn._saved_<name>``) needs the value, ``unpack_hook(packed)`` must give a Tensor
back. The pair active when a value is saved is the one that unpacks it, later, outside the
block too. Only the innermost pair applies; inside a hook no hook runs (a pack hook may
compute with tensors). ``save_on_cpu`` is the pair that moves saved values to the CPU and back
to their device (on the CPU: a copy each way). ``disable_saved_tensors_hooks(message)`` makes
setting a pair raise RuntimeError(message).

What is packed is what torch would save: an op's input (the Tensor object passed in), its
output (the Tensor, whose grad_fn is the node), or a value computed inside the op (as a new
Tensor); an input torch saves only for another input's gradient (``a * b`` keeps ``a`` for
``b``'s gradient) is not packed when that gradient is not needed (autograd/saved.py knows
which), so the hooks are called as often as torch calls them.

Cost when no pair is active: nothing on the fast paths of ``Function.apply`` (they test
``state.slow``, which stands for anomaly mode or hooks, where they tested anomaly mode), one
test in ``record`` for a call that saved something.
"""

from __future__ import annotations

import numpy as _np

from ..tensor import Tensor
from .grad_mode import state, update_slow

_STACK: list = []  # the active (pack, unpack) pairs, innermost last
_DISABLED: list = []  # messages of active disable_saved_tensors_hooks blocks


class saved_tensors_hooks:
    """Context manager: ``pack_hook(tensor) -> Any`` on each value saved for backward inside
    the block, ``unpack_hook(packed) -> Tensor`` when it is used (see the module doc). Raises
    RuntimeError inside ``disable_saved_tensors_hooks``; backward raises TypeError when
    ``unpack_hook`` returns something that is not a Tensor (torch's message)."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _DISABLED:
            raise RuntimeError(_DISABLED[-1])
        _STACK.append((self.pack_hook, self.unpack_hook))
        state.saved_hooks = _STACK[-1]
        update_slow()

    def __exit__(self, *exc):
        _STACK.pop()
        state.saved_hooks = _STACK[-1] if _STACK else None
        update_slow()


class save_on_cpu(saved_tensors_hooks):
    """Saved values are kept on the CPU and moved back to their device when backward uses them
    (torch's memory saver for GPU training). ``pin_memory`` is accepted (pinned host memory is
    a CUDA notion; the copy is the same). On the CPU both moves are copies."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        def pack_to_cpu(tensor):
            return (tensor.device, tensor.detach().cpu().clone())

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Context manager: setting ``saved_tensors_hooks`` inside raises RuntimeError(message)."""

    def __init__(self, error_message: str):
        self.error_message = error_message

    def __enter__(self):
        _DISABLED.append(self.error_message)

    def __exit__(self, *exc):
        _DISABLED.pop()


class _Off:
    """Inside a hook no hook runs (a pack hook may itself run ops that save values) and
    nothing is recorded, as torch runs them."""

    def __enter__(self):
        self.prev = state.saved_hooks, state.enabled
        state.saved_hooks = None
        state.enabled = False
        update_slow()

    def __exit__(self, *exc):
        state.saved_hooks, state.enabled = self.prev
        update_slow()


class PackedSaved:
    """A node's saved values once packed: what ``pack_hook`` returned for each packed value
    (the others as they were), unpacked each time they are read, as torch unpacks on each use.
    Iterating and indexing give arrays, as ``ctx.saved_tensors`` always does."""

    __slots__ = ("items", "unpack_hook", "order")

    def __init__(self, items, unpack_hook, order):
        self.items = items  # ((value, packed?), ...)
        self.unpack_hook = unpack_hook
        self.order = order  # the packed positions, in torch's order (of packing, unpacking)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def tensor(self, j: int):
        """Saved value ``j`` as the unpack hook returns it (a Tensor), or as it was kept."""
        v, packed = self.items[j]
        if not packed:
            return v
        with _Off():
            t = self.unpack_hook(v)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but "
                            f"got result of type {type(t).__name__}")
        return t

    def __getitem__(self, j: int):
        v = self.tensor(j)
        return v._data if isinstance(v, Tensor) and self.items[j][1] else v

    def __iter__(self):
        # all at once, unpacked in torch's order (its node unpacks what it saved as it starts)
        values = [v for v, _ in self.items]
        for j in self.order:
            values[j] = self[j]
        return iter(values)


def _is_array(v) -> bool:
    return not isinstance(v, _np.generic) and (
        isinstance(v, _np.ndarray) or hasattr(v, "__cuda_array_interface__"))


def pack_saved(ctx, args, outs, order=None) -> None:
    """Run the active pack hook on the values ``ctx`` saved that torch would save, in its
    order (``order``: their positions, from autograd/saved.py's ``torch_order``; None: every
    saved array, in order). The others stay as they are."""
    pack, unpack = state.saved_hooks
    saved, src = ctx._saved, ctx._saved_src
    if order is None:
        order = tuple(j for j, v in enumerate(saved) if _is_array(v))
    items = [(v, False) for v in saved]
    with _Off():
        for j in order:
            v, k = saved[j], src[j]
            if not _is_array(v):
                continue
            t = Tensor._wrap(v) if k is None else args[k] if k >= 0 else outs[-1 - k]
            items[j] = (pack(t), True)
    ctx._saved = PackedSaved(tuple(items), unpack, order)
