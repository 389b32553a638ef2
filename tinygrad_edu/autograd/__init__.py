"""Reverse-mode automatic differentiation, in small files to read in this order:

- ``grad_mode``: whether ops record the graph (``no_grad`` ...), anomaly mode;
- ``node``: the graph — a Node per op call (``grad_fn``), AccumulateGrad at the leaves;
- ``function``: ``Function`` and ``Function.apply``, which runs an op and records its node;
- ``record``: what ``apply`` does once the forward ran (wrap the outputs, record the edges and
  which saved values are inputs or outputs, at which version);
- ``engine``: the backward pass (``run_backward``: the chain rule in one loop; its everyday
  case written out in ``run_backward_fast``) and ``unbroadcast``, the one place broadcasting
  is undone;
- ``hooks``: what the loop calls around each node (hooks, retain_grad, version checks);
- ``api``: ``backward`` and ``grad``, the ways into the engine;
- ``functional``: jacobian, hessian, vjp, jvp, hvp, vhp (imported by the package root, after
  the ops it uses);
- ``_fast``: the engine's one speed trick;
- ``gradcheck``: torch's ``gradcheck``/``gradgradcheck`` face (the algorithm is in
  ``_slow_gradcheck``, shared with ``tg.inspect.gradcheck``).

This package binds ``backward``, ``register_hook`` and ``retain_grad`` onto Tensor (tensor.py
holds only what a tensor is, as the ops bind their methods).
"""

from __future__ import annotations

from ..tensor import Tensor
from . import graph  # noqa: F401  (tg.autograd.graph.saved_tensors_hooks, save_on_cpu)
from . import hooks as _hooks
from . import saved as _saved  # noqa: F401  (binds grad_fn._saved_<name>)
from .api import backward, grad
from .engine import broadcast_axes, run_backward, topological_order, unbroadcast
from .function import Function, once_differentiable
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .hooks import RemovableHandle
from .node import AccumulateGrad, Node
from .post_accumulate import register_post_accumulate_grad_hook

Context = Node  # the ctx a Function's forward and backward receive


def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad
    (see :func:`tinygrad_edu.autograd.backward`).

    Shapes: any; ``gradient`` of the tensor's shape (omitted for one element). Raises RuntimeError
    for a tensor that does not require grad or a non-scalar tensor without ``gradient``.
    """
    backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph,
             inputs)


def _register_hook(self, hook):
    """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces
    the gradient. Returns a handle whose ``remove()`` unregisters it.

    Shapes: any; the hook gets and may return a gradient of the tensor's shape. Raises RuntimeError
    for a tensor that does not require grad.
    """
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self._node is None:
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)
    _hooks.register_node_hook(self, hook)
    return RemovableHandle(self._node.hooks, (self._oi, hook))


def _retain_grad(self) -> None:
    """Keep ``.grad`` for this non-leaf tensor after backward (a leaf keeps it anyway).

    Shapes: any; returns the tensor itself.
    """
    if not self.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self._node is not None:
        _hooks.retain_grad(self)


def _is_inference(self) -> bool:
    """Whether this is an inference tensor. Always False here: ``inference_mode`` acts as
    ``no_grad`` (see grad_mode.py), so a tensor made inside it is an ordinary tensor — torch
    answers True for those."""
    return False


Tensor.backward = _tensor_backward
Tensor.is_inference = _is_inference
Tensor.register_hook = _register_hook
Tensor.retain_grad = _retain_grad
Tensor.register_post_accumulate_grad_hook = register_post_accumulate_grad_hook

__all__ = ["Function", "Node", "Context", "AccumulateGrad", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "detect_anomaly", "set_detect_anomaly",
           "is_grad_enabled", "is_anomaly_enabled", "grad", "backward", "unbroadcast",
           "broadcast_axes", "run_backward", "topological_order", "once_differentiable",
           "gradcheck", "gradgradcheck", "GradcheckError"]
