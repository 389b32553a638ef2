"""The graph: one :class:`Node` per recorded op call (torch's ``grad_fn``), and
:class:`AccumulateGrad`, the node at a leaf that adds its gradient into ``leaf.grad``.

A node remembers only what the backward pass needs: the Function, the nodes its inputs came
from (``next_functions``), each input's shape and dtype (to undo broadcasting), and the values
the forward saved. It holds no intermediate Tensor, so once backward has freed the saved
values, a kept output (``history.append(loss)``) keeps no activations alive.
"""

from __future__ import annotations

import weakref

import numpy as _np

from ..dtype import kind_of
from ..tensor import Tensor
from . import user_function as _user

_FREED = object()  # what replaces the saved values once backward has used them
# what Function.wraps_numbers counts as a Tensor input (record.PLAIN)
_NUMBERS = (int, float, _np.generic, _np.ndarray)


class Node:
    """One recorded call of a Function: the ``ctx`` its forward and backward see, and the
    output's ``grad_fn``. Ops may stash plain attributes on it (``ctx.axis = 1``); arrays the
    backward needs go through :meth:`save_for_backward`, so the engine can check their versions
    and, under ``create_graph=True``, hand them back as Tensors wired into the graph."""

    # next: per input, None (no gradient) or the edge (node, output index, shape, dtype): where
    # the input's gradient goes, and the shape and dtype to fit it to; _saved_src: per saved
    # value, the input (k >= 0) or output (-1 - k) it is; _saved_versions: a sequence of (saved
    # index, version counter, version at save). next and _saved_src are set when the call is
    # recorded. _plain: the arguments that are not inputs as torch counts them (record.PLAIN),
    # set only when there are any
    __slots__ = ("next", "needs_input_grad", "_saved", "_saved_src", "_saved_versions",
                 "_plain", "__dict__", "__weakref__")

    # the Function: a class attribute of each op's own node class (Function.__init_subclass__
    # makes one per op, MulBackward0 for MulFn), so a node is made without arguments
    fn = None
    # rarely set: class-level defaults, so making a node costs two slot writes
    n_out = 1  # outputs of the op (a multi-output Function sets it, and clears _common)
    stack = None  # where the forward ran (anomaly mode)
    retained = False  # backpropagated with retain_graph=True (inspect.graph_stats)
    # the Function again, when the backward may take its written-out steps for this node
    # (engine.run_backward_fast); None sends the node through the general helpers. One read per
    # node tells both the Function and the path: Function.__init_subclass__ sets it on each op's
    # node class (None for a user Function or an op with a reference), and it is cleared on the
    # node by hooks or retain_grad on an output (the setters below) and by several outputs
    # (record.wrap_outputs)
    _common = None
    _hooks = None
    _out_ref = None

    @property
    def hooks(self):
        """The hooks registered on the output Tensor(s) (a non-leaf), or None."""
        return self._hooks

    @hooks.setter
    def hooks(self, value) -> None:
        self._hooks = value
        self._common = None

    @property
    def out_ref(self):
        """Weak references to the outputs that called retain_grad(), or None."""
        return self._out_ref

    @out_ref.setter
    def out_ref(self, value) -> None:
        self._out_ref = value
        self._common = None

    def __init__(self):
        self._saved = ()
        self._saved_versions = None

    def save_for_backward(self, *values) -> None:
        self._saved = values

    # a user Function's ctx, as torch's (autograd/user_function.py says what each does)
    def mark_non_differentiable(self, *tensors) -> None:
        _user.mark_non_differentiable(self, *tensors)

    def set_materialize_grads(self, value: bool) -> None:
        _user.set_materialize_grads(self, value)

    def mark_dirty(self, *tensors) -> None:
        _user.mark_dirty(self, *tensors)

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is _FREED:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (or directly access saved "
                f"tensors after they have already been freed) in {self.name()}. Saved "
                "intermediate values of the graph are freed when you call .backward() or "
                "autograd.grad(). Specify retain_graph=True if you need to backward through the "
                "graph a second time or if you need to access saved tensors after calling "
                "backward."
            )
        return self._saved

    def name(self) -> str:
        """torch's node name, e.g. ``MulBackward0``: the node's class name, or the one an op set
        for this call (``ctx.node_name``: torch names some nodes by how the op was called, e.g.
        SliceBackward0 vs SelectBackward0 for ``x[1:]`` vs ``x[1]``)."""
        return self.__dict__.get("node_name") or type(self).__name__

    @property
    def next_functions(self) -> tuple:
        """``(node, output_index)`` per Tensor input, as torch: a producing node, an
        AccumulateGrad for a leaf that requires grad, or ``(None, 0)`` for a Tensor that does
        not. Arguments that are not inputs have no entry (``dim``, ``keepdim``, an index
        tensor; record.PLAIN says which): ``self.next`` keeps one slot per argument (the
        engine pairs it with the backward's results), and ``Function.apply`` notes those slots
        in ``_plain``, only when there are any."""
        nxt = self.next
        chosen = self.fn.node_inputs if self.fn is not None else None
        if chosen is not None:  # the op says which (Function.node_inputs)
            nxt = tuple(nxt[i] if i < len(nxt) else None for i in chosen)
        else:
            plain = getattr(self, "_plain", None)
            if plain is not None:  # [position, value, ...]; a number can be an input (x * 3)
                wraps = self.fn.wraps_numbers
                skip = [i for i, v in zip(plain[0::2], plain[1::2])
                        if not (wraps and isinstance(v, _NUMBERS))]
                nxt = tuple(e for i, e in enumerate(nxt) if i not in skip)
        return tuple((None, 0) if e is None else (e[0], e[1]) for e in nxt)

    def register_hook(self, fn):
        """``fn(grad_output)`` runs before this node's backward; a returned value replaces it."""
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(fn)
        return fn

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad:
    """The node at a leaf: its "backward" adds the incoming gradient into ``variable.grad``.

    One per leaf while a graph uses it (the leaf keeps only a weak reference, as torch does).

    Shapes: any; adds a gradient of the variable's shape into ``variable.grad``.
    """

    # edge: (the edge an op records to this node, the array it was made for): ops reuse it
    # while the leaf holds that same array (function._apply_binary), instead of making it anew
    __slots__ = ("variable", "edge", "__weakref__")
    fn = None  # (the engine tells a leaf's node by this)
    _common = None  # (Node._common: never the backward's written-out steps)
    next = ()
    n_out = 1
    out_ref = None

    @property
    def hooks(self):  # a leaf's hooks live on the tensor; the engine runs them here
        return self.variable._hooks

    def __init__(self, variable: Tensor):
        self.variable = variable
        self.edge = (None, None)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


def edge_of(t: Tensor) -> tuple:
    """Where a gradient for tensor ``t`` must go: ``(its grad_fn, output index)``, or for a
    leaf ``(its AccumulateGrad, 0)``, created on first use and shared while alive."""
    node = t._node
    if node is not None:
        return (node, t._oi)
    return (leaf_node(t), 0)


def leaf_node(t: Tensor) -> AccumulateGrad:
    """The AccumulateGrad of leaf ``t``, created on first use and shared while alive."""
    ref = t._accum
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._accum = weakref.ref(acc)
    return acc


class GraphCtx:
    """The node as a backward formula sees it under ``create_graph=True``.

    ``saved_tensors`` returns Tensors instead of arrays: a saved input comes back as that input
    (wired to the node it came from), a saved output as the output (wired to this node), and
    anything else as a constant. A float array saved that is neither is an intermediate whose
    dependence on the inputs the engine cannot see: that op must define ``reference`` (its plain
    composite twin), which the engine differentiates instead, so it never reaches here.
    """

    __slots__ = ("_node",)

    def __init__(self, node: Node):
        object.__setattr__(self, "_node", node)

    def __getattr__(self, name):
        return getattr(self._node, name)

    def __setattr__(self, name, value):
        setattr(self._node, name, value)

    @property
    def saved_tensors(self) -> tuple:
        node = self._node
        saved = node.saved_tensors
        src = getattr(node, "_saved_src", None) or (None,) * len(saved)
        out = []
        for s, k in zip(saved, src):
            if k is None:
                # a float array (0-d too) that is neither an input nor the output: an
                # intermediate; NumPy scalars (np.float32(0.5)) are constants
                if (hasattr(s, "shape") and hasattr(s, "dtype") and kind_of(s.dtype) in "fc"
                        and not isinstance(s, _np.generic)):
                    raise NotImplementedError(
                        f"double backward through {node.name()}: it saved an intermediate "
                        "value, so its gradient cannot be differentiated again; give "
                        f"{node.fn.__name__} a `reference` (its composite twin)"
                    )
                if isinstance(s, _np.generic):  # a 0-d op's mask (np.bool_): a 0-d array
                    s = _np.asarray(s)
                out.append(Tensor._wrap(s) if hasattr(s, "dtype") and hasattr(s, "ndim") else s)
            elif k >= 0:
                out.append(input_tensor(node, k, s))
            else:
                t = Tensor._wrap(s, node)
                t._oi = -1 - k
                out.append(t)
        return tuple(out)


class UserCtx(GraphCtx):
    """The node as a user Function's backward sees it (no create_graph): saved values come
    back as Tensors, as torch's ``ctx.saved_tensors`` gives them (constants: nothing is
    recorded)."""

    __slots__ = ()

    @property
    def saved_tensors(self) -> tuple:
        return tuple(Tensor._wrap(s) if hasattr(s, "shape") and hasattr(s, "dtype")
                     and not isinstance(s, _np.generic) else s
                     for s in self._node.saved_tensors)


def input_tensor(node: Node, i: int, data) -> Tensor:
    """Input ``i`` of ``node`` as a Tensor wired to where it came from (the leaf itself for a
    leaf), holding ``data``."""
    edge = node.next[i] if i < len(node.next) else None
    if edge is None:
        return Tensor._wrap(data)
    nxt, oi = edge[0], edge[1]
    if isinstance(nxt, AccumulateGrad):
        return nxt.variable
    t = Tensor._wrap(data, nxt)
    t._oi = oi
    return t

