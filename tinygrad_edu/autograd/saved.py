"""``grad_fn._saved_<name>``: what a node saved for backward, under torch's names.

torch's nodes expose each value their backward formula saved under the argument's name in
``derivatives.yaml`` (``y = x.pow(2)``: ``y.grad_fn._saved_self`` is ``x``,
``y.grad_fn._saved_exponent`` is ``2``; ``y = x.exp()``: ``_saved_result`` is ``y``'s
values), and tutorials print them to show what backward keeps. Here each op's Function saves
what *its* formula needs (``ctx.save_for_backward``, ``ctx.axis = ...``); this module maps
torch's names onto that, per torch node name, with a handful of generic sources:

- :class:`In` — a Tensor input, found among the saved values by position (``_saved_src``);
  a leaf comes back as the leaf itself, another input as a Tensor wired to the node that made
  it (torch returns the very input object; here it is a new Tensor holding the same array,
  with the same ``grad_fn``). A Python number an op takes in place of a Tensor
  (``x * 2``) comes back as torch's 0-d tensor (int64 or float64). ``when=j``: torch saves it
  only when input ``j`` needs a gradient (``mul`` keeps ``self`` for ``other``'s gradient),
  else the attribute is None;
- :class:`Out` — the output (a Tensor whose ``grad_fn`` is this node, not the output object);
- :class:`Attr` — a plain value the op kept on ``ctx`` (``dim``, ``keepdim``, ``alpha``);
- :class:`Arg` — a plain argument of the call (``Function.apply`` keeps those);
- :class:`Sizes` / :class:`Strides` — an input's shape / element strides (ints survive
  backward);
- a constant (torch's fixed ``alpha=1`` of ``a + b``).

Tensor values are freed by backward (unless ``retain_graph=True``): reading one then raises
torch's RuntimeError; plain values stay readable, as in torch. ``dir(grad_fn)`` lists the
names. Where torch shows a negative dim as its unsigned 64-bit wrap (``x.sum(-1)``:
``_saved_dim == (18446744073709551615,)``) this shows the normalized dim (``(1,)``): ops
receive dims already normalized.
"""

from __future__ import annotations

import numpy as _np

from ..tensor import Tensor
from .graph import PackedSaved
from .node import _FREED, Node, input_tensor

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


def _saved(node):
    saved = node._saved
    if saved is _FREED:
        raise RuntimeError(FREED_MESSAGE)
    return saved, getattr(node, "_saved_src", None) or (None,) * len(saved)


class In:
    """Tensor input ``k`` of the call (``when``: saved only if input ``when`` needs grad)."""

    def __init__(self, k: int, when: int | None = None, transpose: bool = False):
        self.k, self.when, self.transpose = k, when, transpose

    def get(self, node):
        if self.when is not None and not node.needs_input_grad[self.when]:
            return None
        saved, src = _saved(node)
        j = saved_index(src, self.k)
        if j is not None:
            data = saved[j]  # (runs the unpack hook, if any)
            t = input_tensor(node, src[j], data)
            if isinstance(saved, PackedSaved) and saved.items[j][1] and t._data is not data:
                # what the unpack hook gave (torch shows those values, as a leaf for a leaf)
                t = Tensor._wrap(data)
                t._rg = True
            return t.t() if self.transpose else t
        # a number where torch has a Tensor (x * 2): the op saved it at its argument's place
        if self.k < len(saved) and src[self.k] is None:
            v = saved[self.k]
            if isinstance(v, (bool, int, float, _np.generic)):
                return _scalar_tensor(v)
        return None


def saved_index(src, k: int):
    """Which saved value is input ``k``: the one the op noted as input ``k``, else the one at
    position ``k`` when it is an input too (``x * x`` saved x twice, both noted as input 0)."""
    for j, s in enumerate(src):
        if s == k:
            return j
    if k < len(src) and src[k] is not None and src[k] >= 0:
        return k
    return None


def torch_order(node):
    """The positions of the saved values torch would save, in the order it saves (and unpacks)
    them: its formulas' order, which the table keeps (``mul``: ``other``, then ``self``; an
    input torch keeps only for another input's gradient left out when that one is not needed);
    None for a node the table does not map (then every saved array counts)."""
    table = names_of(node)
    src = getattr(node, "_saved_src", None)
    if not table or src is None:
        return None
    order = []
    for spec in table.values():
        j = None
        if isinstance(spec, In):
            if spec.when is None or node.needs_input_grad[spec.when]:
                j = saved_index(src, spec.k)
        elif isinstance(spec, Out):
            j = next((i for i, s in enumerate(src) if s == -1 - spec.k), None)
        elif isinstance(spec, Derived):
            j = spec.saved
        if j is not None and j not in order:
            order.append(j)
    return tuple(order)


def _scalar_tensor(v):
    """torch's wrapped number: a 0-d int64 or float64 tensor."""
    if isinstance(v, (bool, _np.bool_)):
        return Tensor._wrap(_np.asarray(v, dtype=_np.bool_))
    if isinstance(v, (int, _np.integer)):
        return Tensor._wrap(_np.asarray(v, dtype=_np.int64))
    return Tensor._wrap(_np.asarray(v, dtype=_np.float64))


class Out:
    """Output ``k`` (its values; a Tensor whose grad_fn is the node)."""

    def __init__(self, k: int = 0):
        self.k = k

    def get(self, node):
        saved, src = _saved(node)
        for j, s in enumerate(src):
            if s == -1 - self.k:
                t = Tensor._wrap(saved[j], node)  # (saved[j] runs the unpack hook if any)
                t._oi = self.k
                return t
        return None


class Arg:
    """Argument ``j`` of the call, a plain value (torch's Scalar argument ``exponent``):
    ``Function.apply`` keeps those (record.PLAIN), so it outlives backward."""

    def __init__(self, j: int):
        self.j = j

    def get(self, node):
        plain = node._plain  # [position, value, ...]
        v = dict(zip(plain[0::2], plain[1::2]))[self.j]
        return v.item() if isinstance(v, _np.generic) else v


class Attr:
    """A plain value kept on ctx (``ctx.<name>``), optionally mapped (``fn``)."""

    def __init__(self, name: str, fn=None):
        self.name, self.fn = name, fn

    def get(self, node):
        v = node.__dict__[self.name]
        return self.fn(v) if self.fn is not None else v


def _shape_of(node, k: int) -> tuple:
    edge = node.next[k] if k < len(node.next) else None
    if edge is not None:
        return tuple(int(n) for n in edge[2])
    saved, src = _saved(node)
    return next(tuple(s.shape) for s, j in zip(saved, src) if j == k)


class Sizes:
    """Input ``k``'s sizes (``transpose``: of its transpose)."""

    def __init__(self, k: int, transpose: bool = False):
        self.k, self.transpose = k, transpose

    def get(self, node):
        shape = _shape_of(node, self.k)
        return shape[::-1] if self.transpose else shape


class Strides:
    """Input ``k``'s strides in elements, as torch's (``transpose``: of its transpose)."""

    def __init__(self, k: int, transpose: bool = False):
        self.k, self.transpose = k, transpose

    def get(self, node):
        saved, src = _saved(node)
        arr = next(s for s, j in zip(saved, src) if j == self.k)
        st = tuple(s // arr.itemsize for s in arr.strides)
        return st[::-1] if self.transpose else st


class Derived:
    """Any other value, computed from the node by ``fn(node)`` (``saved``: the position of the
    saved value it is made from, when torch saves it as a tensor: the hooks pack that one)."""

    def __init__(self, fn, saved=None):
        self.fn, self.saved = fn, saved

    def get(self, node):
        return self.fn(node)


def _numel(node) -> int:
    return int(_np.prod(node.__dict__["shape"], dtype=_np.int64))


def _transpose_dims(node) -> tuple:
    order = node.__dict__["order"]
    moved = [i for i, d in enumerate(order) if d != i]
    return (moved[0], moved[-1]) if moved else (0, 0)


def _dropout_other(node):
    """dropout's node is torch's ``x * (mask / (1 - p))``: its ``other`` is that scaled mask."""
    saved, _ = _saved(node)
    dtype = node.next[0][3]
    return Tensor._wrap(saved[0].astype(dtype) * dtype.type(node.__dict__["scale"]))


_REDUCTION = {"none": 0, "mean": 1, "sum": 2}  # torch's Reduction enum
_SELF, _RESULT = In(0), Out()
# (in torch's order: the first formula, self's, uses mat2; so mat2 is saved first)
_MM = {"mat2": In(1), "self": In(0), "self_sym_sizes": Sizes(0), "self_sym_strides": Strides(0),
       "mat2_sym_sizes": Sizes(1), "mat2_sym_strides": Strides(1)}

# torch node name (or (node name, Function class name) where one name has several makers)
# -> {torch's saved name (without "_saved_"): where it is here}, tensors in the order torch saves
# them (its formulas' order: the saved-tensor hooks are called in this order)
SAVED = {
    "AddBackward0": {"alpha": 1},
    ("AddBackward0", "AddScaledFn"): {"alpha": Attr("alpha")},
    "SubBackward0": {"alpha": 1},
    "MulBackward0": {"other": In(1, when=0), "self": In(0, when=1)},
    ("MulBackward0", "DropoutFn"): {"other": Derived(_dropout_other, saved=0), "self": None},
    "DivBackward0": {"other": In(1), "self": In(0, when=1)},
    "PowBackward0": {"exponent": Arg(1), "self": _SELF},
    "PowBackward1": {"exponent": In(1), "result": _RESULT, "self": _SELF},
    "PowBackward2": {"exponent": In(1), "result": _RESULT, "self": Arg(0)},
    "RsqrtBackward0": {"result": _RESULT},
    **{f"{n}Backward0": {"result": _RESULT} for n in (
        "Exp", "Sigmoid", "Tanh", "Relu", "Sqrt", "Reciprocal", "Tan", "Exp2")},
    **{f"{n}Backward0": {"self": _SELF} for n in (
        "Log", "Sin", "Cos", "Abs", "Log1P", "Silu", "Log2", "Log10", "Atan", "Asin", "Acos",
        "Sinh", "Cosh", "Expm1", "Erf", "Mish", "Hardswish", "Hardsigmoid")},
    "GeluBackward0": {"approximate": Attr("approximate"), "self": _SELF},
    "LeakyReluBackward0": {"negative_slope": Attr("slope")},
    "EluBackward0": {"alpha": Attr("alpha"), "input_scale": 1, "scale": 1, "self": _SELF},
    "SoftplusBackward0": {"beta": Attr("beta"), "self": _SELF, "threshold": Attr("threshold")},
    "SoftmaxBackward0": {"dim": Attr("axis"), "result": _RESULT},
    "LogSoftmaxBackward0": {"dim": Attr("axis"), "result": _RESULT},
    ("MmBackward0", "MatMulFn"): _MM,
    ("MmBackward0", "LinearFn"): {**_MM, "mat2": In(1, transpose=True),
                                  "mat2_sym_sizes": Sizes(1, True),
                                  "mat2_sym_strides": Strides(1, True)},
    ("AddmmBackward0", "LinearFn"): {
        "alpha": 1, "beta": 1, "mat2": In(1, transpose=True), "mat1": In(0),
        "mat1_sym_sizes": Sizes(0), "mat1_sym_strides": Strides(0),
        "mat2_sym_sizes": Sizes(1, True), "mat2_sym_strides": Strides(1, True)},
    ("BmmBackward0", "MatMulFn"): {"mat2": In(1), "self": In(0)},  # (torch's order)
    "SumBackward0": {"self_sym_sizes": Attr("shape")},
    "SumBackward1": {"dim": Attr("axes"), "keepdim": Attr("keepdim"),
                     "self_sym_sizes": Attr("shape")},
    "MeanBackward0": {"self_sym_numel": Derived(_numel), "self_sym_sizes": Attr("shape")},
    "MeanBackward1": {"dim": Attr("axes"), "keepdim": Attr("keepdim"),
                      "self_sym_numel": Derived(_numel), "self_sym_sizes": Attr("shape")},
    "ProdBackward0": {"result": _RESULT, "self": _SELF},
    "MaxBackward1": {"result": _RESULT, "self": _SELF},
    "MinBackward1": {"result": _RESULT, "self": _SELF},
    ("ClampBackward1", "ClampFn"): {"max": Attr("hi"), "min": Attr("lo"), "self": _SELF},
    ("ViewBackward0", "ReshapeFn"): {"self_sym_sizes": Attr("shape")},
    ("TransposeBackward0", "PermuteFn"): {"dim0": Derived(lambda n: _transpose_dims(n)[0]),
                                          "dim1": Derived(lambda n: _transpose_dims(n)[1])},
    "ExpandBackward0": {"self_sym_sizes": Sizes(0)},
    "CatBackward0": {"dim": Attr("axis")},
    "CumsumBackward0": {"dim": Attr("axis")},
    "WhereBackward0": {"condition": In(0)},
    "MseLossBackward0": {"reduction": Attr("reduction", _REDUCTION.get), "self": _SELF,
                         "target": In(1)},
}


def names_of(node) -> dict:
    """{torch's saved name: source} for this node (empty when none is mapped)."""
    name = node.name()
    got = SAVED.get((name, node.fn.__name__ if node.fn is not None else ""))
    if got is not None:
        return got
    return {} if name in _SPECIFIC else SAVED.get(name, {})


# names mapped only for particular Functions (MmBackward0 of matmul and of linear)
_SPECIFIC = {k[0] for k in SAVED if isinstance(k, tuple)} - {k for k in SAVED if isinstance(k, str)}


def saved_attribute(node, attr: str):
    """``node._saved_<name>`` (``attr`` without the prefix); AttributeError if not mapped."""
    table = names_of(node)
    if attr not in table:
        raise AttributeError(f"'{node.name()}' object has no attribute '_saved_{attr}'")
    src = table[attr]
    if src is None or isinstance(src, (int, float, str, bool)):
        return src
    return src.get(node)


def _saved_property(attr: str):
    def get(self):
        return saved_attribute(self, attr)

    get.__name__ = f"_saved_{attr}"
    return property(get, doc=f"torch's ``grad_fn._saved_{attr}`` (autograd/saved.py)")


def _node_dir(self) -> list:
    names = set(object.__dir__(self)) - {f"_saved_{a}" for a in _ALL_NAMES}
    return sorted(names | {f"_saved_{k}" for k in names_of(self)})


# One property per name on Node (not a __getattr__: a class with one loses CPython's fast
# attribute lookups, and the engine reads node attributes on every step); a node whose op does
# not save that name raises AttributeError, as torch's.
_ALL_NAMES = sorted({k for table in SAVED.values() for k in table} - {"src", "versions"})
for _name in _ALL_NAMES:
    setattr(Node, f"_saved_{_name}", _saved_property(_name))
Node.__dir__ = _node_dir
