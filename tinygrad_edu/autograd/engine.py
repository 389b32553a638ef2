"""The backward pass: walk the graph from the output back to the leaves, applying the chain rule
at each node, and undo broadcasting in ONE place (:func:`unbroadcast`).

Read :func:`run_backward` first: it is the whole algorithm. Everything else here is a named
helper it calls: the order of the walk, calling one node's backward, fitting a gradient to its
input, adding gradients up, and freeing what a node saved. :func:`run_backward_fast` is the
same loop for the everyday ``loss.backward()``, with the common node's helper calls written out
(``FAST = False`` sends every backward through the plain loop, which tests compare it to).
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..tensor import Tensor
from . import hooks
from ._fast import steal_or_copy
from .grad_mode import enable_grad, no_grad, state
from .node import _FREED, GraphCtx, UserCtx, edge_of, input_tensor
from .post_accumulate import HOOKS as _POST_ACC
from .post_accumulate import run as _run_post_acc


def run_backward(edges, grads, retain_graph=False, create_graph=False, capture=None) -> None:
    """The chain rule, node by node.

    ``edges`` are ``(node, output index)`` pairs where the backward starts and ``grads`` the
    gradients sent into them (arrays; Tensors when ``create_graph`` is on, so that the
    computation of the gradients is itself recorded). Each node, visited after every node that
    used its output, receives the sum of the gradients sent to it, runs its Function's
    backward, and sends one gradient to the node each input came from. A leaf's node
    (AccumulateGrad) adds what it receives into ``leaf.grad``; ``capture`` (autograd.grad)
    takes chosen gradients instead.
    """
    if FAST and capture is None and not create_graph:  # the everyday case: same steps, faster
        return run_backward_fast(edges, grads, retain_graph)
    pending = {}
    for (node, k), g in zip(edges, grads):
        send(pending, node, k, g)
    for node in topological_order([n for n, _ in edges], capture):
        g = pending.pop(node, None)
        if g is None:
            continue
        if node.hooks is not None or node.out_ref is not None or capture is not None:
            g = hooks.before_node(node, g, capture)  # tensor hooks, retain_grad, capture
        if node.fn is None:  # a leaf's AccumulateGrad
            if capture is None:
                accumulate(node.variable, g, create_graph)
            continue
        if capture is not None and node not in capture.run:
            continue  # autograd.grad needs nothing beyond this node
        propagate(pending, node, g, call_backward(node, g, create_graph))
        release(node, retain_graph)


FAST = True  # False: every backward takes the plain loop above (the fast one's reference)
_ndarray = np.ndarray


def run_backward_fast(edges, grads, retain_graph: bool) -> None:
    """:func:`run_backward` for the everyday case (no ``capture``, no ``create_graph``): the
    same loop with the common node's steps written out in place of the helpers' calls
    (``call_backward``'s first branch, ``propagate``, ``release``). Any node off the common
    path (a multi-output or user Function, one with a ``reference``, hooks, anomaly mode,
    observers) takes the helpers themselves, so each node does exactly what the plain loop does.

    Speed: every line here runs once per node or per edge. ``node._common`` tells in one read
    whether the node takes the written-out steps and, if so, its Function (Node._common);
    ``pending``'s methods are bound once.
    """
    pending = {}
    for (node, k), g in zip(edges, grads):
        send(pending, node, k, g)
    pop, get = pending.pop, pending.get
    # anomaly mode or an observer: propagate's checks. Read again after any call that can run
    # user code (hooks, a user Function's backward), the only places they can change.
    watched = state.anomaly or hooks.observers
    for node in topological_order([n for n, _ in edges]):
        g = pop(node, None)
        if g is None:
            continue
        fn = node._common
        if fn is None or watched:  # the plain loop's steps
            if node.hooks is not None or node.out_ref is not None:
                g = hooks.before_node(node, g, None)  # tensor hooks, retain_grad
                watched = state.anomaly or hooks.observers
            fn = node.fn
            if fn is None:  # a leaf's AccumulateGrad
                # no local may hold a gradient here but g: accumulate steals only unshared arrays
                gi = prev = res = None  # (what the node before left)
                accumulate(node.variable, g, False)
                continue
            propagate(pending, node, g, call_backward(node, g, False))
            release(node, retain_graph)
            watched = state.anomaly or hooks.observers
            continue
        versions = node._saved_versions
        if versions is not None:  # as call_backward: check_versions raises, naming the value
            if node._saved is _FREED:
                hooks.check_versions(node)  # (a second backward through a freed graph)
            for _, vc, v in versions:
                if vc[0] != v:
                    hooks.check_versions(node)
        res = fn.backward(node, g)
        if type(res) is not tuple:
            res = (res,)
        for edge, gi in zip(node.next, res):
            if edge is None or gi is None:
                continue
            target, k, shape, dtype = edge
            if (type(gi) is not _ndarray or gi.shape != shape
                    or gi.dtype is not dtype and gi.dtype != dtype):
                gi = fit(gi, shape, dtype)
            if target.n_out == 1:
                prev = get(target)
                pending[target] = gi if prev is None else prev + gi
            else:
                send(pending, target, k, gi)
        if retain_graph:
            node.retained = True
        else:
            node._saved = _FREED  # (an op with a reference also frees _args: it has no _common)


def topological_order(roots, capture=None) -> list:
    """The nodes reachable from ``roots``, each after every node that uses its output.

    An iterative depth-first search (no recursion limit) emits a node once all of its inputs'
    nodes are emitted; reversed, consumers come first. With ``capture``, only nodes on a path to
    a captured tensor are kept (autograd.grad computes nothing it does not need).

    Raises AttributeError for roots that are not nodes.
    """
    if not isinstance(roots, (list, tuple)):
        roots = [roots]
    order = []
    seen = set()
    see, emit = seen.add, order.append  # (bound once: this loop runs once per node and edge)
    for root in roots:
        if root in seen:
            continue
        see(root)
        # the path from the root: the node being expanded and an iterator over its remaining
        # edges; above it on `stack`, the same pair for each node of the path before it
        node, edges = root, iter(root.next)
        stack = []
        while True:
            for edge in edges:
                if edge is not None:
                    nxt = edge[0]
                    if nxt not in seen:
                        see(nxt)
                        stack.append((node, edges))
                        node, edges = nxt, iter(nxt.next)
                        break
            else:  # every input done: emit this node
                emit(node)
                if not stack:
                    break
                node, edges = stack.pop()
    if capture is not None:  # keep the nodes with an input on a path to a captured tensor
        useful = capture.nodes()
        run = set()
        for n in order:  # inputs come before the nodes that use them
            if any(e is not None and e[0] in useful for e in n.next):
                run.add(n)
                useful.add(n)
        capture.run = run
        order = [n for n in order if n in useful]
    order.reverse()
    return order


def propagate(pending: dict, node, g, input_grads) -> None:
    """Send each input's gradient back to the node that input came from, fitted to the input's
    shape and dtype, and summed with what that node already received (the multivariate chain
    rule). A separate function, so that no reference to a gradient outlives it."""
    for i, (edge, gi) in enumerate(zip(node.next, input_grads)):
        if edge is None or gi is None:
            continue
        target, k, shape, dtype = edge
        if type(gi) is not np.ndarray or gi.shape != shape or gi.dtype != dtype:
            try:
                gi = fit(gi, shape, dtype)  # undo broadcasting, cast back
            except RuntimeError:  # a user Function's backward returned a wrong shape
                raise RuntimeError(f"Function {node.name()} returned an invalid gradient at "
                                   f"index {i} - got {list(gi.shape)} but expected shape "
                                   f"compatible with {list(shape)}") from None
        if state.anomaly:
            hooks.check_anomaly(node, gi, i)
        if target.n_out == 1:
            prev = pending.get(target)
            pending[target] = gi if prev is None else prev + gi
        else:
            send(pending, target, k, gi)
    if hooks.observers:
        hooks.after_node(node, g, input_grads)  # inspect's tracers


def send(pending: dict, node, k: int, g) -> None:
    """Add ``g`` to the gradient waiting at output ``k`` of ``node`` (a node used twice gets the
    sum: the multivariate chain rule)."""
    if node.n_out == 1:
        prev = pending.get(node)
        pending[node] = g if prev is None else prev + g
    else:
        slots = pending.get(node)
        if slots is None:
            slots = pending[node] = [None] * node.n_out
        slots[k] = g if slots[k] is None else slots[k] + g


def call_backward(node, g, create_graph: bool) -> tuple:
    """Run ``node``'s backward on the gradient(s) of its output(s): one gradient per input."""
    if node._saved_versions is not None:
        hooks.check_versions(node)
    fn = node.fn
    if not create_graph and node.n_out == 1 and fn.array_io:  # the everyday case
        res = fn.backward(node, g)
        return res if type(res) is tuple else (res,)
    materialize = node.__dict__.get("materialize_grads", True)  # a user ctx may say no
    grads = tuple(_zeros_for(node, k, create_graph) if x is None and materialize else x
                  for k, x in enumerate(g)) if node.n_out > 1 else (g,)
    if create_graph:
        if not fn.double_backward and fn.reference is None:
            raise NotImplementedError(f"double backward through {node.name()} is not "
                                      "implemented in tinygrad_edu")
        with enable_grad():
            if fn.reference is not None:
                res = reference_grads(node, grads)
            else:
                res = fn.backward(GraphCtx(node), *grads)
    elif fn.array_io:
        res = fn.backward(node, *grads)
    else:  # a user Function: Tensors in and out
        with no_grad():
            res = fn.backward(UserCtx(node), *(None if x is None else Tensor._wrap(x)
                                               for x in grads))
    if type(res) is not tuple:
        res = (res,)
    if len(res) < len(node.next):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(node.next)}, got {len(res)})")
    if not create_graph and not fn.array_io:
        res = tuple(r._data if isinstance(r, Tensor) else r for r in res)
    return res


def reference_grads(node, grads) -> tuple:
    """Double backward of a fused op: differentiate its ``reference`` (the same computation from
    simpler ops) at the node's inputs, recording the graph."""
    is_tensor, arrays, kwargs = node._args
    args, wrt = [], []
    for i, (flag, a) in enumerate(zip(is_tensor, arrays)):
        if flag:
            a = input_tensor(node, i, a)
            if a.requires_grad:  # a fresh node per input, so an input used twice counts twice
                a = a.view_as(a)
                wrt.append((i, a))
        args.append(a)
    out = node.fn.reference(*args, **kwargs)
    outs = out if isinstance(out, tuple) else (out,)
    pairs = [(o, g) for o, g in zip(outs, grads) if o.requires_grad]
    res = [None] * len(args)
    if pairs and wrt:  # the first-order gradients, recorded (a nested backward)
        capture = hooks.Capture([a for _, a in wrt], into=None)
        run_backward([edge_of(o) for o, _ in pairs], [g for _, g in pairs], True, True, capture)
        for (i, _), gi in zip(wrt, capture.grads):
            res[i] = gi
    return tuple(res)


def fit(gi, shape, dtype):
    """Bring the gradient for one input to that input's shape (undo broadcasting) and dtype."""
    if isinstance(gi, np.generic):  # NumPy returns 0-d results as scalars
        gi = np.asarray(gi)
    if gi.shape != shape:
        gi = unbroadcast(gi, shape)
    if isinstance(gi, Tensor):  # under create_graph
        if gi._data.dtype != dtype:
            gi = gi.to(_dt.from_numpy_dtype(dtype))
    elif gi.dtype != dtype:
        gi = gi.astype(dtype)
    return gi


def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` down to ``shape``: the adjoint of broadcasting, done here and only here.

    Broadcasting copies a value along new leading axes and along size-1 axes, so its gradient
    adds the copies back: sum over the leading axes, and over axes where ``shape`` has 1.

    Raises RuntimeError for a shape the gradient cannot be summed to.
    """
    shape = tuple(shape)
    if tuple(grad.shape) == shape:
        return grad
    axes = broadcast_axes(tuple(grad.shape), shape)
    if isinstance(grad, Tensor):  # under create_graph: the sum is recorded too
        out = grad.sum(dim=axes, keepdim=True) if axes else grad
    else:  # float16 sums in float32, rounded once, as torch
        out = _dt.reduce_in_dtype(grad.sum, grad, axes, True) if axes else grad
    if tuple(out.shape) != shape:
        out = out.reshape(shape)
    return out


def broadcast_axes(grad_shape: tuple, shape: tuple) -> tuple:
    """The axes :func:`unbroadcast` sums over: the leading ones, and where ``shape`` has 1.

    Raises RuntimeError for a shape the gradient shape cannot be summed to.
    """
    lead = len(grad_shape) - len(shape)
    if lead < 0 or any(n != 1 and n != grad_shape[lead + i] for i, n in enumerate(shape)):
        raise RuntimeError(f"unbroadcast: gradient of shape {list(grad_shape)} cannot be summed "
                           f"to shape {list(shape)}")
    return tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad_shape[lead + i] != 1
    )


def accumulate(leaf: Tensor, g, create_graph: bool) -> None:
    """``leaf.grad += g`` as torch's AccumulateGrad: the first gradient becomes ``.grad`` (taken
    without a copy when nothing else holds it), later ones add in place; under create_graph the
    sum is out of place, so ``.grad`` keeps its graph."""
    if not leaf.requires_grad:
        return
    if isinstance(g, Tensor):  # create_graph=True
        leaf.grad = _own_copy(g) if leaf.grad is None else leaf.grad + g
    elif leaf.grad is None:
        leaf.grad = Tensor._wrap(steal_or_copy(g))
    elif leaf.grad.requires_grad:  # a .grad with a graph, from an earlier create_graph pass
        leaf.grad = leaf.grad + Tensor._wrap(g)
    else:
        leaf.grad._data += g
    if _POST_ACC:  # Tensor.register_post_accumulate_grad_hook: an empty dict when unused
        _run_post_acc(leaf)


def _own_copy(g: Tensor) -> Tensor:
    """The first create_graph gradient of a leaf, as its own tensor (torch's AccumulateGrad
    copies it: the same gradient Tensor can reach two leaves, ``a + b``, and a later in-place
    accumulation into one must not change the other). Recorded as torch's CopyBackwards."""
    if not g.requires_grad:
        return Tensor._wrap(g._data.copy())
    c = g.clone()
    c._node.node_name = "torch::autograd::CopyBackwards"  # its name() in torch
    return c


def release(node, retain_graph: bool) -> None:
    """Free what the node saved (unless the graph is to be kept for another backward)."""
    if retain_graph:
        node.retained = True  # for inspect.graph_stats: backpropagated, kept alive
        return
    node._saved = _FREED
    if node.fn.reference is not None:
        node._args = None


def _zeros_for(node, k: int, create_graph: bool):
    """The gradient of an output that received none: zeros (torch materializes them)."""
    shape, dtype, xp = node.out_meta[k]
    z = xp.zeros(shape, dtype=dtype)
    return Tensor._wrap(z) if create_graph else z
