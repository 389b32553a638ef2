"""The two ways into the engine, as torch names them: :func:`backward` (accumulate into
``.grad``; ``Tensor.backward`` calls it) and :func:`grad` (return the gradients instead)."""

from __future__ import annotations

from ..backend import device_of, get_array_module
from ..tensor import Tensor
from . import hooks
from .engine import accumulate, run_backward
from .hooks import Capture
from .node import edge_of


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Add d(tensors)/d(leaf) · grad_tensors into ``leaf.grad`` for every leaf that requires
    grad (or only for ``inputs``). ``create_graph=True`` records the backward pass itself, so the
    gradients can be differentiated again (the graph is then kept: ``retain_graph`` defaults to
    ``create_graph``). Raises RuntimeError when a tensor does not require grad, when a non-scalar
    output gets no gradient, or when a gradient's shape or device differs from its tensor's.

    Shapes: ``tensors`` any shapes, each ``grad_tensors`` entry of its tensor's shape.
    """
    tensors = _as_tuple(tensors)
    grads = _seed_grads(tensors, grad_tensors, create_graph, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    capture = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("backward: 'inputs' argument to backward() cannot be empty.")
        capture = Capture(inputs, into=accumulate_input)
    edges = [edge_of(t) for t in tensors]
    roots = [n for n, _ in edges]
    for obs in hooks.pass_observers:
        obs.before_pass(roots)
    run_backward(edges, grads, bool(retain_graph), create_graph, capture)
    for obs in hooks.pass_observers:
        obs.after_pass(roots)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs`` (leaves or intermediate tensors),
    returned as a tuple; no ``.grad`` is touched. With ``create_graph=True`` the results have a
    graph of their own (higher-order derivatives). An input the outputs do not depend on raises
    RuntimeError unless ``allow_unused`` (then None) or ``materialize_grads`` (then zeros)."""
    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) is not supported")
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: One of the differentiated Tensors (input {i}) does not "
                               "require grad")
    grads = _seed_grads(outputs, grad_outputs, create_graph, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    capture = Capture(inputs)
    run_backward([edge_of(t) for t in outputs], grads, bool(retain_graph), create_graph, capture)
    res = []
    for t, g in zip(inputs, capture.grads):
        if g is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            if materialize_grads:
                g = get_array_module(t._data).zeros_like(t._data)
        if g is not None and not isinstance(g, Tensor):
            g = Tensor._wrap(get_array_module(g).asarray(g))  # (NumPy's 0-d results are scalars)
        res.append(g)
    return tuple(res)


def accumulate_input(t: Tensor, g) -> None:
    """``backward(inputs=[t])``: add ``g`` into ``t.grad`` (a copy: g may be shared), for a
    leaf as its AccumulateGrad would, and for a non-leaf too, as torch does."""
    if isinstance(g, Tensor) or t._node is None:
        accumulate(t, g if isinstance(g, Tensor) else get_array_module(g).array(g, copy=True),
                   isinstance(g, Tensor))
    else:
        t.grad = Tensor._wrap(g.copy()) if t.grad is None else t.grad + Tensor._wrap(g)


def _as_tuple(x) -> tuple:
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _seed_grads(tensors, grad_tensors, create_graph: bool, op: str) -> list:
    """One starting gradient per output: ones for a scalar output when none is given. Arrays,
    or Tensors under create_graph (a given gradient may itself require grad). Raises TypeError
    for a gradient that is not a Tensor or None (a number, an array: torch's parser refuses
    them before anything else), RuntimeError for a count, shape or device that differs."""
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors) if grad_tensors is None else [grad_tensors]
    grad_tensors = list(grad_tensors)  # a number: "'int' object is not iterable", as torch
    for g in grad_tensors:
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"{op}: gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"{op}: got {len(grad_tensors)} gradients for {len(tensors)} tensors")
    out = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        d = t._data
        if g is None:
            if d.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs "
                                   f"({op} on a tensor of shape {list(d.shape)}; pass a "
                                   "gradient)")
            g = get_array_module(d).ones_like(d)
            out.append(Tensor._wrap(g) if create_graph else g)
            continue
        gd = g._data
        if tuple(gd.shape) != tuple(d.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"torch.Size({list(gd.shape)}) and output[{i}] has a shape of "
                               f"torch.Size({list(d.shape)}).")
        if type(gd) is not type(d):
            raise RuntimeError(f"{op}: gradient {i} is on {device_of(gd)} but the tensor is on "
                               f"{device_of(d)}")
        if create_graph:
            out.append(g if gd.dtype == d.dtype else g.to(t.dtype))
        else:
            out.append(gd.astype(d.dtype, copy=False))
    return out
