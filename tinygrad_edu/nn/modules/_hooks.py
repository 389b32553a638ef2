"""Module hooks: forward (pre-)hooks, full backward (pre-)hooks, and ``Module.__call__``.

A full backward hook sees the gradients with respect to the module's positional tensor inputs
(``grad_input``) and its tensor outputs (``grad_output``), as torch's
``register_full_backward_hook``. It is built, as torch builds it, from two identity nodes
placed around ``forward``:

    args ─► _InputTap ─► forward ─► _OutputTap ─► outputs

In the backward pass the output tap runs first: it records grad_output (after the backward
pre-hooks, which may replace it). The input tap runs once all the gradients of the tapped
inputs are complete; there each hook ``hook(module, grad_input, grad_output)`` may return a
replacement grad_input, which is what flows on to the inputs. When no input requires grad
the hooks run at the output tap with grad_input all None (torch warns there, as we do).
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

from ...autograd import Function
from ...autograd.grad_mode import is_grad_enabled
from ...autograd.hooks import RemovableHandle
from ...tensor import Tensor


class _Tap(Function):
    """Identity on any number of tensors; backward hands the gradients to ``on_grad``."""

    @staticmethod
    def forward(ctx, on_grad, *xs):
        ctx.on_grad = on_grad
        return tuple(x.view_as(x) for x in xs)

    @staticmethod
    def backward(ctx, *gs):
        return (None, *ctx.on_grad(gs))


def _pack(indices, values, n):
    res = [None] * n
    for i, v in zip(indices, values):
        res[i] = v
    return tuple(res)


class _BackwardHook:
    """The state of one call of a module that has full backward (pre-)hooks."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.in_idx = self.out_idx = None
        self.n_in = self.n_out = 0

    def _tap(self, items, on_grad):
        idx = [i for i, a in enumerate(items) if isinstance(a, Tensor)]
        if not (is_grad_enabled() and any(items[i].requires_grad for i in idx)):
            return items, None
        new = list(items)
        for i, t in zip(idx, _Tap.apply(on_grad, *[items[i] for i in idx])):
            new[i] = t
        return tuple(new), idx

    def setup_input(self, args):
        self.n_in = len(args)
        args, self.in_idx = self._tap(args, self._on_input_grad)
        return args

    def setup_output(self, out):
        single = not isinstance(out, tuple)
        items = (out,) if single else out
        self.n_out = len(items)
        items, self.out_idx = self._tap(items, self._on_output_grad)
        return items[0] if single else items

    def _on_output_grad(self, gs):
        self.grad_outputs = _pack(self.out_idx, gs, self.n_out)
        for pre in self.pre_hooks:
            r = pre(self.module, self.grad_outputs)
            if r is None:
                continue
            r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
            if len(r) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(r)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = r
        local = self.grad_outputs
        if self.in_idx is None:  # no input requires grad: the hooks fire here
            warnings.warn("Full backward hook is firing when gradients are computed with "
                          "respect to module outputs since no inputs require gradients.",
                          stacklevel=2)
            for hook in self.hooks:
                r = hook(self.module, (None,) * self.n_in, self.grad_outputs)
                if r is not None and not (isinstance(r, tuple) and all(x is None for x in r)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.out_idx)

    def _on_input_grad(self, gs):
        if self.grad_outputs is None:  # the gradient did not pass through the outputs
            return gs
        res = _pack(self.in_idx, gs, self.n_in)
        for hook in self.hooks:
            r = hook(self.module, res, self.grad_outputs)
            if r is None:
                continue
            r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
            if len(r) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(r)}, but expected {len(res)}")
            res = r
        self.grad_outputs = None
        return tuple(res[i] for i in self.in_idx)


def _register(store: OrderedDict, hook, prepend: bool) -> RemovableHandle:
    handle = RemovableHandle(store, RemovableHandle.new_id())
    store[handle.id] = hook
    if prepend:
        store.move_to_end(handle.id, last=False)
    return handle


class HooksMixin:
    """Hook registration and ``__call__`` for :class:`Module` (its four hook dicts:
    ``_forward_pre_hooks``, ``_forward_hooks``, ``_backward_pre_hooks``, ``_backward_hooks``)."""

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)``; a non-None return value replaces the output."""
        return _register(self._forward_hooks, hook, prepend)

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)``; a non-None return value replaces the positional inputs."""
        return _register(self._forward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output) -> None or new grad_input``.

        grad_input: one entry per positional argument of ``forward`` (the gradient w.r.t. a
        tensor input, None for a non-tensor or one that needs no grad); grad_output: one per
        output (a tensor or a tuple of them). A returned tuple must have grad_input's length
        (else RuntimeError) and replaces the gradients that flow on to the inputs. Fires once
        per call of the module per backward pass; ``handle.remove()`` takes it out.
        """
        return _register(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output) -> None or new grad_output``, run when the gradients
        w.r.t. the module's outputs are known, before they flow into it. A returned tuple must
        have grad_output's length (else RuntimeError)."""
        return _register(self._backward_pre_hooks, hook, prepend)

    def __call__(self, *args, **kwargs):
        d = self.__dict__
        bw, bw_pre = d.get("_backward_hooks"), d.get("_backward_pre_hooks")
        if not (d["_forward_hooks"] or d["_forward_pre_hooks"] or bw or bw_pre):
            return self.forward(*args, **kwargs)
        for hook in list(d["_forward_pre_hooks"].values()):
            r = hook(self, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
        tap = None
        if bw or bw_pre:
            tap = _BackwardHook(self, list(bw.values()), list(bw_pre.values()))
            args = tap.setup_input(args)
        out = self.forward(*args, **kwargs)
        for hook in list(d["_forward_hooks"].values()):
            r = hook(self, args, out)
            if r is not None:
                out = r
        return out if tap is None else tap.setup_output(out)
