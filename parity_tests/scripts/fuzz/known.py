"""The kinds of difference the fuzzer has found, to classify failures and to look past them.

Each ``Kind`` says which failures it explains (mismatch categories, a regex on the exception
message, a regex that some program line must match) and, where one exists, a predicate ``avoid``
on a candidate line (and the torch namespace before it) that the generator uses, with
``--avoid``, to stop drawing programs that trip the kind, so that a run finds the next kind
instead of the same one again. ``cause`` is where in tinygrad_edu the difference comes from.
Order matters: a failure goes to the first kind that matches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SILENT = ("value", "grad", "grad_none", "requires_grad", "is_leaf", "shape", "type", "missing", "grad_dtype",
          "grad_shape", "number")


@dataclass
class Kind:
    name: str
    rank: str  # silent, dtype, exception
    what: str
    cause: str
    cats: tuple = SILENT  # mismatch categories it explains ("exception" matches on ``msg``)
    msg: str = ""  # regex on the exception message (ours, or torch's where only torch raised)
    line: str = ""  # regex some program line must match
    avoid: object = None  # (src, ns) -> bool, for the generator
    raises: tuple = ()  # (torch's, ours) exception types ("None": does not raise, "*": any)
    check: object = None  # (Mismatch) -> bool, a last test on the values
    tags: set = field(default_factory=set)


def _recv(src: str, method: str):
    """The variable names in front of ``.method(`` in ``src``."""
    return re.findall(r"(\w+)(?:\[[^\]]*\])?\." + method + r"\(", src)


def _dim(ns, name, default=99):
    v = ns.get(name)
    try:
        return v.dim()
    except Exception:
        return default


def _identity_view(src, ns):
    if any(_dim(ns, x) < 2 for x in _recv(src, "t")):
        return True
    if re.search(r"\.expand\((-1(, )?)+\)", src) or ".expand_as(" in src:
        return True
    return any(_dim(ns, x) == 1 for x in _recv(src, "flatten"))


def _empty_join(src, ns):
    m = re.search(r"torch\.(cat|stack)\(\[?\(?([\w, .()]+)", src)
    if not m:
        return False
    names = re.findall(r"\b([a-z]\w*)\b", m.group(2))
    return any(getattr(ns.get(n), "numel", lambda: 1)() == 0 for n in names)


def _int_dest(src, ns):
    m = re.match(r"(?:\w+ = )?(\w+)", src)
    v = ns.get(m.group(1)) if m else None
    try:
        return ("] = " in src or "_(" in src) and not v.is_floating_point()
    except Exception:
        return False


def _shares_storage(src, ns):
    """An in-place line (setitem or x.op_()) whose other operands share the target's memory."""
    m = re.match(r"(?:\w+ = )?(\w+)[^=]*(\] = |_\()", src)
    if not m or m.group(1) not in ns:
        return False
    target, others = m.group(1), re.findall(r"\b([a-z]\w*)\b", src[m.end(1):])
    if target in others:
        return True
    try:
        ptr = ns[target].untyped_storage().data_ptr()
        return any(ns[o].untyped_storage().data_ptr() == ptr for o in others if hasattr(ns.get(o), "untyped_storage"))
    except Exception:
        return False


def _ours_nan_where_torch_not(m):
    import numpy as np

    try:
        e, a = np.asarray(m.expected, dtype=float), np.asarray(m.actual, dtype=float)
        bad = np.isnan(a) & ~np.isnan(e)
        return bool(bad.any()) and bool(np.allclose(e[~bad], a[~bad], rtol=1e-5, atol=1e-6, equal_nan=True))
    except Exception:
        return False


def _special_only(m):
    """The values differ only where one side is nan or ±inf."""
    import numpy as np

    try:
        e, a = np.asarray(m.expected, dtype=float), np.asarray(m.actual, dtype=float)
        special = ~np.isfinite(e) | ~np.isfinite(a)
        return bool(np.allclose(e[~special], a[~special], rtol=1e-5, atol=1e-6))
    except Exception:
        return False


def _stride0(src, ns):
    return any(0 in getattr(ns.get(x), "stride", lambda: ())() for x in re.findall(r"median\((\w+)", src))


KINDS = [
    Kind("identity_view", "silent",
         "x.t() of a 0-d/1-D tensor, x.expand(-1, ...)/expand_as/broadcast_to to its own shape return x itself "
         "(torch: a new view, a non-leaf with its own requires_grad, .data, .grad); flatten() of a 1-D tensor "
         "returns a new view where torch returns x itself",
         "tinygrad_edu/ops/shape.py:260 (t: `... else input`), shape.py:312 (expand: `if out == shp: return "
         "input`), shape.py:192 (flatten of 1-D always reshapes)",
         line=r"\.t\(\)|\.expand\(|\.expand_as\(|\.flatten\(\)", avoid=_identity_view),
    Kind("index_0d_tensor_copies", "silent",
         "x[i] with i a 0-d integer tensor is a copy in tinygrad_edu; torch treats a 0-d integer tensor index "
         "like a Python int, so x[i] is a view and later writes to x (or through x[i]) show in both",
         "tinygrad_edu indexing: a Tensor index always takes the advanced-indexing (copy) path",
         line=r"\[\w+\.abs\(\)\.argmax\(0\)\]", avoid=lambda s, ns: ".abs().argmax(0)]" in s),
    Kind("overlapping_view_write", "silent",
         "a write through an overlapping view (x.unfold(d, 2, 1)[0] = v) loses the writes to elements that "
         "several windows share: the write-back copies every window, the stale ones last",
         "tinygrad_edu/autograd/views.py / ops/inplace.py: CopySlices writes the view back by replaying the "
         "view op's inverse, not by writing into the shared memory", line=r"\.unfold\(",
         avoid=lambda s, ns: ".unfold(" in s),
    Kind("cat_skips_empty", "dtype",
         "torch.cat with a 1-D empty tensor (shape (0,), torch's legacy 'skip' rule) drops it entirely: its "
         "dtype does not take part in type promotion (float32 + empty float64 -> float32, torch: float64), it "
         "gets no gradient (None, torch: an empty tensor) and its requires_grad does not reach the output",
         "tinygrad_edu/ops/join.py:91 cat: `keep = [t for t in given if not (1-D and empty)]` runs before "
         "_same_dtype (promotion) and CatFn.apply (graph)",
         cats=SILENT + ("dtype",), line=r"torch\.(cat|stack)", avoid=_empty_join),
    Kind("zero_grad_write_disconnects", "silent",
         "zero_(), fill_(), copy_(constant) on a tensor in a graph cut the tensor's history, so the leaves "
         "before it get grad None (autograd.grad(..., allow_unused=True) returns None); torch records the "
         "write (FillBackward/CopyBackwards), whose gradient to the old history is zeros, so they get zeros",
         "tinygrad_edu/ops/inplace.py: a write whose new value does not depend on the old one records no "
         "edge to the old history (so also: autograd.grad raises 'not used in the graph', and a nan that "
         "torch's 0·nan would spread is missing)",
         cats=("grad_none", "type", "requires_grad", "exception", "value", "grad"),
         msg=r"appears to not have been used",
         line=r"zero_\(\)|fill_\(|copy_\(|\] = ",
         avoid=lambda s, ns: bool(re.search(r"\.(zero_|fill_|index_fill_)\(|\.copy_\(", s))),
    Kind("nan_subgradient", "silent",
         "the gradient at a NaN input: torch's abs backward is g*sgn(x) with sgn(nan) = 0, elu's backward "
         "takes the x > 0 branch test (nan <= 0 is false: g); tinygrad_edu gives nan",
         "tinygrad_edu/ops/unary.py:109 AbsFn.backward (g * sign(x), NumPy's sign(nan) = nan); "
         "ops/elu.py:47 EluFn.backward (where(x > 0, g, g·α·eˣ): torch tests x <= 0, so nan takes g)",
         cats=("grad", "value"), check=_ours_nan_where_torch_not, tags={"nan"}),
    Kind("data_assign", "silent",
         "x.data = other on a tensor that a graph saved, or that has views: torch's saved leaf sees the new "
         "data (the gradient uses it), its views keep the old storage, a later grad of a different dtype or "
         "shape is accepted; tinygrad_edu differs in each",
         "tinygrad_edu/_grad_attr.py / tensor.py: .data setter swaps the array under the saved values",
         cats=SILENT + ("dtype", "exception"), line=r"\.data = ", avoid=lambda s, ns: ".data = " in s),
    Kind("int_dest_requires_grad", "silent",
         "writing a value that requires grad into an integer/bool tensor: torch marks the integer tensor "
         "requires_grad=True (a torch quirk: CopySlices is recorded); tinygrad_edu leaves it False",
         "tinygrad_edu/ops/inplace.py: no history for non-float destinations (arguably right)",
         cats=("requires_grad",), avoid=_int_dest),
    Kind("torch_median_stride0", "torch-bug",
         "torch.median(x, dim) of an expanded (stride-0) tensor returns wrong values in torch 2.13 (ours are "
         "right): not our bug", "torch", cats=("value",), line=r"median", avoid=_stride0),
    Kind("oversaved_inplace_error", "exception",
         "backward raises 'modified by an inplace operation' (or 'backward through the graph a second time') "
         "where torch does not: the Function saves a tensor torch's formula does not need (pow and elu save "
         "their output, div/mul by a Python scalar save the tensor, round/trunc/sign save for a zero gradient, "
         "lerp with a scalar weight saves its inputs, mean/sum/cat save their input)",
         "tinygrad_edu/ops/*: ctx.save_for_backward of values the derivative does not read",
         cats=("exception",), msg=r"modified by an inplace operation|graph a second time", raises=("None", "*")),
    Kind("overlap_check_too_strict", "exception",
         "in-place writes into x.expand(...)[k:] / x[None] / x[:, None] / x.data of those raise 'more than one "
         "element of the written-to tensor refers to a single memory location': the check counts stride-0 "
         "dims of size 1, and looks at the whole tensor instead of the part written",
         "tinygrad_edu/ops/inplace.py:67 check_inplace (any 0 stride, size ignored)", cats=("exception",),
         msg=r"more than one element of the written-to tensor"),
    Kind("missing_partial_overlap_check", "exception",
         "an in-place op whose source overlaps its destination (x.index_add_(0, i, x), x[::2] = x[0], "
         "x.unsqueeze(0).copy_(x), x.addcmul_(x, x) through a view): torch raises 'some elements of the input "
         "tensor and the written-to tensor refer to a single memory location', tinygrad_edu computes",
         "tinygrad_edu/ops/inplace.py: no assert_no_partial_overlap(destination, source)", cats=("exception",),
         msg=r"some elements of the input tensor and the written-to"),
    Kind("readonly_numpy_error", "exception",
         "raw NumPy 'assignment destination is read-only' / 'output array is read-only' (ValueError): in-place "
         "writes into expanded tensors with a zero-size or size-1 dim, and a create_graph backward",
         "tinygrad_edu/ops/inplace.py (broadcast_to arrays are read-only) and a Tensor-mode backward writing "
         "into a saved array", cats=("exception",), msg=r"read-only|cannot reshape array"),
    Kind("index_op_error_types", "exception",
         "index_add/index_copy/index_put_/masked setitem with mismatched shapes: wrong exception type "
         "(IndexError or NumPy's ValueError where torch raises RuntimeError, or the reverse for index_copy), "
         "or 'list assignment index out of range' where torch broadcasts a 0-d source",
         "tinygrad_edu/ops/indexing*.py / scatter*.py argument checks", cats=("exception",),
         msg=r"index_add\(\)|index_copy\(\)|index_select\(\)|shape mismatch|could not be broadcast|list assignment"
             r"|shape of the mask|Index put requires|axis remapping"),
    Kind("setitem_error_types", "exception",
         "x[0] = v on a 0-d or empty tensor, x[i] = (1,)-shaped value into a 0-d slot: '__setitem__: cannot "
         "assign ...' RuntimeError with NumPy's message where torch raises IndexError (or succeeds)",
         "tinygrad_edu/ops/setitem (NumPy's IndexError/ValueError re-raised as RuntimeError)",
         cats=("exception",), msg=r"__setitem__: (cannot assign|a leaf)"),
    Kind("backward_after_view_write", "exception",
         "backward after x[...] = v / v[0] = a through views of different shapes raises 'unbroadcast: gradient "
         "of shape ...' or 'IndexPutBackward0 returned an invalid gradient'; retain_grad on an in-place-"
         "modified view raises a device/size message on the second backward; torch computes",
         "tinygrad_edu/autograd/engine.py unbroadcast / the CopySlices and IndexPut backward shapes",
         cats=("exception",), msg=r"unbroadcast|invalid gradient|attempting to assign a gradient"),
    Kind("misc_error_types", "exception",
         "torch.mv with a 0-d input (IndexError in torch), lerp of integer tensors (RuntimeError in torch, "
         "NotImplementedError ours), logcumsumexp of int (the reverse), detach_() of a view (torch raises), "
         ".data = integer tensor on a grad leaf (torch raises)", "the ops' argument checks",
         cats=("exception",), msg=r"mv: |lerp|logcumsumexp|detach views|data set to"),
    Kind("multi_output_view_rules", "exception",
         "after an in-place write to the base of a split/unbind/chunk output, torch refuses to even look at "
         "that output (RuntimeError on any attribute), and refuses in-place writes through views OF such an "
         "output (x.split(2)[1][1:].relu_()); tinygrad_edu shows the first and performs the second",
         "tinygrad_edu/autograd/views.py: only a direct write to a multi-output view is refused",
         cats=("unreadable", "exception"), msg=r"returns multiple views"),
    Kind("data_write_saved", "silent",
         "x.data.mul_(...) on a tensor a backward formula saved: torch's formula sees the new values (.data "
         "shares the storage and skips the version counter); ours saved a different tensor (rsqrt, sqrt: "
         "the input where torch saves the output), so the gradients differ",
         "which tensor each Function saves (ops/unary.py RsqrtFn/SqrtFn save x; torch saves the result)",
         cats=("value", "grad"), line=r"\.data\.", avoid=lambda s, ns: ".data." in s),
    Kind("missing_inplace_error", "exception",
         "torch's backward raises 'modified by an inplace operation' or 'backward through the graph a second "
         "time' where ours computes (a correct) gradient: torch saves a tensor our formula does not need "
         "(floor division saves both inputs, take saves its input, atan2 of a masked-index result)",
         "ops that save less than torch (fine mathematically; only the error differs)",
         cats=("exception",), msg=r"modified by an inplace operation|graph a second time",
         raises=("RuntimeError", "None")),
    Kind("leaf_view_inplace_check", "exception",
         "x[mask0d] = v with a 0-d bool mask on a leaf that requires grad, or a write through a view made "
         "before the leaf's requires_grad_(False): torch raises 'a view of a leaf Variable that requires grad "
         "is being used in an in-place operation'; ours writes into the leaf",
         "tinygrad_edu/ops/inplace.py leaf checks: a 0-d bool mask takes the advanced-index path, which is "
         "not treated as a view of the leaf", cats=("exception",), msg=r"view of a leaf Variable",
         raises=("RuntimeError", "None")),
    Kind("rsqrt_is_pow", "silent",
         "rsqrt's gradient at 0 and -0.0 and its second derivative at 0: torch's rsqrt backward is "
         "-½·g·y³ from the result (±inf), ours is pow(x, -0.5)'s -½·x^(-3/2) (sign and nan differ)",
         "tinygrad_edu/ops/unary.py:225 rsqrt = pow(x, -0.5) (PowFn saves x)", cats=("grad", "value"),
         line=r"rsqrt", check=_special_only),
    Kind("partial_effects_before_error", "silent",
         "a backward that raises in both: torch had already accumulated some leaves' gradients before "
         "raising (or not), ours visits the nodes in another order, so .grad differs after the error",
         "tinygrad_edu/autograd/engine.py node order (a difference only after an error)",
         cats=("grad", "grad_none", "value"), check=lambda m: bool(m.message)),
    Kind("torch_internal_error", "torch-bug",
         "torch raises an INTERNAL ASSERT (True ** tensor backward: 'unknown ivalue tag 4'); ours computes",
         "torch", cats=("exception",), msg=r"INTERNAL ASSERT"),
    Kind("output_layout_strides", "exception",
         "x.view(...) raises 'view size is not compatible with input tensor's size and stride' where torch "
         "works: our outputs of sort/softmax/elementwise ops on transposed inputs keep NumPy's layout "
         "(F-order) where torch's kernels return contiguous tensors",
         "the ops' forward: NumPy results inherit the input's memory order", cats=("exception",),
         msg=r"view size is not compatible"),
    Kind("pow_zero_exponent_double_backward", "silent",
         "x ** 0: torch's gradient is a constant 0 (requires_grad False, no graph); ours records "
         "where(y == 0, 0, y·x^(y-1)), so a second derivative at x = 0 is nan and requires_grad is True",
         "tinygrad_edu/ops/arithmetic.py:131 PowFn.backward: xp.where(y == 0, 0.0, gx) keeps gx in the graph",
         cats=("grad", "value", "requires_grad"), line=r"\*\* 0\b|pow\(0\)"),
    Kind("elu_double_backward_kink", "silent",
         "second derivative of elu at x = 0: torch 0, ours α (the two branches disagree at the kink)",
         "tinygrad_edu/ops/elu.py:47 EluFn.backward: where(x > 0, g, g·α·eˣ) differentiated again",
         cats=("grad", "value"), line=r"elu\("),
    Kind("create_graph_requires_grad", "silent",
         "autograd.grad(..., create_graph=True) through a piecewise-linear op (relu, leaky_relu, hardtanh, "
         "maximum, abs, clamp): torch's gradient requires_grad (its backward formula is recorded as a function "
         "of x), ours does not, so a further backward raises in ours and gives zeros in torch",
         "the Tensor-mode backward of those Functions uses masks (comparisons) only, so nothing is recorded",
         cats=("requires_grad", "grad_none", "exception"), line=r"create_graph=True",
         msg=r"does not require grad|^$"),
    Kind("view_requires_grad_stale", "silent",
         "a view taken before its base starts requiring grad (base.requires_grad_(), or an in-place write of a "
         "value that requires grad into the base) keeps requires_grad=False; torch's views follow the base",
         "tinygrad_edu/autograd/views.py: the view refresh after an in-place write runs only for bases that "
         "already had a history", cats=("requires_grad", "is_leaf")),
    Kind("retain_grad_after_inplace", "silent",
         "x.retain_grad() and then an in-place write to x (or through a view of x): torch's x.grad is the "
         "gradient with respect to x's current (written) value, None if the loss used only the old one; "
         "ours is the gradient with respect to the old value",
         "tinygrad_edu/autograd/hooks.py retain_grad: the hook stays on the grad_fn x had when retain_grad "
         "was called; torch moves it to the new grad_fn on each in-place write",
         cats=("grad", "grad_none"), line=r"retain_grad\(\)"),
    Kind("overlapping_source_order", "torch-ub",
         "x[i] = y, x.add_(y), x.unsqueeze(0).mul_(y) where y is a view of x that torch's overlap check "
         "misses: torch computes element by element and reads values it already overwrote; ours reads a "
         "snapshot (the mathematically expected result). Order-dependent in torch: not a bug to copy",
         "not a bug to fix", cats=("value",),
         avoid=lambda s, ns: _shares_storage(s, ns)),
    Kind("rounding_ties", "noise",
         "float32 rounding differences (one ulp, both within tolerance) that a discontinuous op turns into a "
         "different answer: argmax/max indices of near-ties, %, //, floor, round of values at a boundary",
         "not a bug", cats=("value",), line=r"float32|\.float\(\)",
         check=lambda m: getattr(m.expected, "dtype", None) is not None and m.expected.dtype.kind in "iub"),
    Kind("empty_tensor_checks", "exception",
         "checks that torch skips on empty tensors: int % 0 of an empty tensor (ours ZeroDivisionError), "
         "softmax/log_softmax of an empty int64 tensor (ours NotImplementedError)",
         "ops/division.py remainder, ops/softmax.py dtype checks", cats=("exception",),
         msg=r"ZeroDivisionError|not implemented for 'Long'"),
]


def tripped(lines: list[str]) -> set:
    """The kinds whose ``avoid`` predicate some line of the program trips (replayed in torch)."""
    import warnings

    import torch

    from .run import namespace

    ns, out = namespace(torch), set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for src in lines:
            out |= {k.name for k in KINDS if k.avoid is not None and avoided(src, ns, {k.name})}
            try:
                exec(compile(src, "<fuzz>", "exec"), ns)
            except Exception:
                pass
    return out


def classify(lines: list[str], m) -> str:
    """The name of the first kind that explains Mismatch ``m`` of program ``lines``, or 'new'.
    A kind with an ``avoid`` predicate needs a line that trips it; the others a line matching
    ``line`` (if given) and, for exceptions, a message matching ``msg``."""
    trips = tripped(lines)
    for k in KINDS:
        if m.category not in k.cats:
            continue
        if k.msg and m.category == "exception" and not re.search(k.msg, m.message or ""):
            continue
        if k.raises and m.category == "exception":
            want_torch, want_ours = k.raises
            if want_torch not in ("*", str(m.expected)) or want_ours not in ("*", str(m.actual)):
                continue
        if k.avoid is not None and k.name not in trips:
            continue
        if k.avoid is None and k.line and not any(re.search(k.line, s) for s in lines):
            continue
        if k.check is not None and not k.check(m):
            continue
        return k.name
    return "new"


def avoided(src: str, ns: dict, names) -> bool:
    """Whether a candidate line trips one of the kinds in ``names`` (the generator then skips it)."""
    for k in KINDS:
        if k.name in names and k.avoid is not None:
            try:
                if k.avoid(src, ns):
                    return True
            except Exception:
                pass
    return False


AVOIDABLE = [k.name for k in KINDS if k.avoid is not None]
