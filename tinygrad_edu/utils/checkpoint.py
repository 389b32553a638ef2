"""``tg.utils.checkpoint``: activation checkpointing — trade compute for memory, as torch's.

``checkpoint(fn, *args, use_reentrant=False)`` runs ``fn(*args)`` keeping none of the values
its ops save for backward; when backward needs them, ``fn`` runs again (the *recomputation*)
and those values are taken from that run. The gradients are the uncheckpointed ones; the cost
is a second forward of the region, the gain that its activations are not held between forward
and backward.

Two ways, as in torch:

- ``use_reentrant=False`` (torch recommends it), built on
  :class:`~tinygrad_edu.autograd.graph.saved_tensors_hooks`: the forward records the graph as
  usual, but each value an op saves is replaced by an empty *holder*. The first holder backward
  unpacks reruns ``fn`` under a second pair of hooks that hands the k-th value saved by the
  rerun to the k-th holder, and stops the rerun as soon as every holder is filled (torch's early
  stop). A holder gives its value once per backward: a second backward through a graph kept
  with ``retain_graph=True`` reruns ``fn``. Works with ``autograd.grad``, keyword arguments,
  and inputs that do not require grad.
- ``use_reentrant=True``: a Function whose forward runs ``fn`` under ``no_grad`` and whose
  backward reruns it with grad on and backpropagates through the rerun (a backward inside the
  backward); parameters used by ``fn`` get their ``.grad`` from that inner pass.

RNG state: with ``preserve_rng_state=True`` (the default) the rerun starts from the generator
state the forward started from, so a dropout inside gives the same mask, and the generator
is then put back where it was (``random.fork_rng``).

When ``use_reentrant`` is not given, torch 2.13 warns (its words) and uses True; so does this.
"""

from __future__ import annotations

import warnings

from .. import random as _random
from ..autograd import Function, enable_grad, no_grad
from ..autograd import backward as _backward
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.graph import saved_tensors_hooks
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError"]


class CheckpointError(RuntimeError):
    """The recomputation saved different values than the forward (torch's)."""


_USE_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
    "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants."
)


def _noop_context_fn():
    from contextlib import nullcontext

    return nullcontext(), nullcontext()


def checkpoint(function, *args, use_reentrant=None, context_fn=_noop_context_fn,
               determinism_check="default", debug=False, early_stop=True, **kwargs):
    """``function(*args, **kwargs)``, its saved activations recomputed during backward.

    ``preserve_rng_state`` (keyword, default True): the recomputation sees the forward's RNG
    state. ``context_fn`` (non-reentrant): returns two context managers, for the forward and
    for the recomputation. ``determinism_check``: ``"default"`` compares the shape and dtype
    of each recomputed value with the forward's (CheckpointError when they differ); ``"none"``
    skips it. ``debug`` is accepted (torch's operator logs are not kept here).
    Shapes/dtypes: those of ``function``. Raises ValueError for keyword arguments with
    ``use_reentrant=True`` (torch's), CheckpointError as above."""
    if use_reentrant is None:
        warnings.warn(_USE_REENTRANT_WARNING, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    if use_reentrant:
        if context_fn is not _noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return _CheckpointFunction.apply(function, preserve, *args)
    return _non_reentrant(function, preserve, context_fn, determinism_check, early_stop,
                          args, kwargs)


class _Frame:
    """One checkpointed call: how to rerun it, and the holders its forward handed out."""

    def __init__(self, rerun, check: bool, early_stop: bool):
        self.rerun = rerun
        self.holders = []  # one per value saved in the forward, in order
        self.metas = []  # (shape, dtype) of each, for the determinism check
        self.check = check
        self.early_stop = early_stop

    def recompute(self) -> None:
        """Rerun the region; give the k-th value it saves to the k-th holder."""
        count = [0]

        def pack(t):
            k = count[0]
            count[0] += 1
            if k >= len(self.holders):
                raise CheckpointError("torch.utils.checkpoint: trying to save more tensors "
                                      "during recomputation than during the original forward "
                                      "pass.")
            self.holders[k].value = t.detach()
            if self.early_stop and count[0] == len(self.holders):
                raise _Stop
            return t

        try:
            with saved_tensors_hooks(pack, lambda t: t), enable_grad():
                self.rerun()
        except _Stop:
            pass
        if count[0] != len(self.holders):
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                "original forward and recomputation.\n"
                f"Number of tensors saved during forward: {len(self.holders)}\n"
                f"Number of tensors saved during recomputation: {count[0]}.")
        if self.check:
            bad = [(i, m, (tuple(h.value.shape), h.value.dtype))
                   for i, (h, m) in enumerate(zip(self.holders, self.metas))
                   if m != (tuple(h.value.shape), h.value.dtype)]
            if bad:
                lines = "".join(f"tensor at position {i}:\nsaved metadata: {m}\n"
                                f"recomputed metadata: {r}\n" for i, m, r in bad)
                raise CheckpointError("torch.utils.checkpoint: Recomputed values for the "
                                      "following tensors have different metadata than during "
                                      f"the forward pass.\n{lines}")


class _Stop(Exception):
    """Every holder is filled: the rest of the recomputation is not needed."""


class _Holder:
    """What the graph keeps in place of a saved value: filled by a recomputation, emptied when
    backward reads it."""

    __slots__ = ("value", "__weakref__")

    def __init__(self):
        self.value = None


def _non_reentrant(function, preserve, context_fn, determinism_check, early_stop, args,
                   kwargs):
    fwd_ctx, recompute_ctx = context_fn()
    if not is_grad_enabled():  # nothing is saved: just run it
        with fwd_ctx:
            return function(*args, **kwargs)
    rng = _random.get_rng_state() if preserve else None

    def rerun():
        with _random.fork_rng(enabled=preserve):
            if preserve:
                _random.set_rng_state(rng)
            with recompute_ctx:
                function(*args, **kwargs)

    frame = _Frame(rerun, determinism_check == "default", early_stop)

    def pack(t):
        h = _Holder()
        frame.holders.append(h)
        frame.metas.append((tuple(t.shape), t.dtype))
        return h

    def unpack(h):
        if h.value is None:  # not recomputed yet (or read already by an earlier backward)
            frame.recompute()
        v, h.value = h.value, None
        return v

    with saved_tensors_hooks(pack, unpack), fwd_ctx:
        return function(*args, **kwargs)


class _CheckpointFunction(Function):
    """y = function(*args), run again in backward (checkpoint with use_reentrant=True)

    The forward runs under no_grad; the backward reruns ``function`` with grad on and
    backpropagates through the rerun (torch's CheckpointFunction)."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        needs = ctx.needs_input_grad[2:]  # (the forward sees the inputs detached)
        if not any(needs):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          UserWarning, stacklevel=4)
        ctx.run_function = run_function
        ctx.preserve = preserve_rng_state
        ctx.rng = _random.get_rng_state() if preserve_rng_state else None
        ctx.inputs = list(args)
        ctx.needs = needs
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        with _random.fork_rng(enabled=ctx.preserve):
            if ctx.preserve:
                _random.set_rng_state(ctx.rng)
            inputs = []
            for a, need in zip(ctx.inputs, ctx.needs):
                if isinstance(a, Tensor):
                    a = a.detach()
                    a.requires_grad_(need)
                inputs.append(a)
            with enable_grad():
                outputs = ctx.run_function(*inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(a.grad if isinstance(a, Tensor) else None for a in inputs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a sequential model (an ``nn.Sequential`` or a list of modules/functions) in
    ``segments`` chunks, checkpointing each chunk but the last (torch's). Shapes: those of the
    model (one Tensor in, one out). Raises ValueError for unexpected keyword arguments."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve "
            "the current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.", UserWarning,
            stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input

        return forward

    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
