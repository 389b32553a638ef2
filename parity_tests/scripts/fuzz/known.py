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

from .kind import SILENT, Kind
from .known_errors import ERROR_KINDS, NOISE_KINDS, TORCH_KINDS
from .predicates import (
    _empty_join,
    _identity_view,
    _int_dest,
    _nan_rule,
    _special_only,
)

SILENT_KINDS = [
    Kind(
        "identity_view",
        "silent",
        "x.t() of a 0-d/1-D tensor, x.expand(-1, ...)/expand_as/broadcast_to to its own shape "
        "return x itself (torch: a new view, a non-leaf with its own requires_grad, .data, .grad); "
        "flatten() of a 1-D tensor returns a new view where torch returns x itself",
        "tinygrad_edu/ops/shape.py:260 (t: `... else input`), shape.py:312 (expand: `if out == "
        "shp: return input`), shape.py:192 (flatten of 1-D always reshapes)",
        line=r"\.t\(\)|\.expand\(|\.expand_as\(|\.flatten\(\)",
        avoid=_identity_view,
    ),
    Kind(
        "index_0d_tensor_copies",
        "silent",
        "x[i] with i a 0-d integer tensor is a copy in tinygrad_edu; torch treats a 0-d integer "
        "tensor index like a Python int, so x[i] is a view and later writes to x (or through x[i]) "
        "show in both",
        "tinygrad_edu indexing: a Tensor index always takes the advanced-indexing (copy) path",
        cats=SILENT + ("exception",),
        msg=r"view of a leaf Variable",
        line=r"\[\w+\.abs\(\)\.argmax\(0\)\]",
        avoid=lambda s, ns: ".abs().argmax(0)]" in s,
    ),
    Kind(
        "overlapping_view_write",
        "silent",
        "a write through an overlapping view (x.unfold(d, 2, 1)[0] = v) loses the writes to "
        "elements that several windows share: the write-back copies every window, the stale ones "
        "last",
        "tinygrad_edu/autograd/views.py / ops/inplace.py: CopySlices writes the view back by "
        "replaying the view op's inverse, not by writing into the shared memory",
        line=r"\.unfold\(",
        avoid=lambda s, ns: ".unfold(" in s,
    ),
    Kind(
        "cat_skips_empty",
        "dtype",
        "torch.cat with a 1-D empty tensor (shape (0,), torch's legacy 'skip' rule) drops it "
        "entirely: its dtype does not take part in type promotion (float32 + empty float64 -> "
        "float32, torch: float64), it gets no gradient (None, torch: an empty tensor) and its "
        "requires_grad does not reach the output",
        "tinygrad_edu/ops/join.py:91 cat: `keep = [t for t in given if not (1-D and empty)]` runs "
        "before _same_dtype (promotion) and CatFn.apply (graph)",
        cats=SILENT + ("dtype", "exception"),
        msg=r"appears to not have been used",
        line=r"torch\.(cat|stack)",
        avoid=_empty_join,
    ),
    Kind(
        "zero_grad_write_disconnects",
        "silent",
        "zero_(), fill_(), copy_(constant) on a tensor in a graph cut the tensor's history, so the "
        "leaves before it get grad None (autograd.grad(..., allow_unused=True) returns None); "
        "torch records the write (FillBackward/CopyBackwards), whose gradient to the old history "
        "is zeros, so they get zeros",
        "tinygrad_edu/ops/inplace.py: a write whose new value does not depend on the old one "
        "records no edge to the old history (so also: autograd.grad raises 'not used in the "
        "graph', and a nan that torch's 0·nan would spread is missing)",
        cats=("grad_none", "type", "requires_grad", "exception", "value", "grad"),
        msg=r"appears to not have been used",
        line=r"zero_\(\)|fill_\(|copy_\(|\] = ",
        avoid=lambda s, ns: bool(re.search(r"\.(zero_|fill_|index_fill_)\(|\.copy_\(", s)),
    ),
    Kind(
        "nan_subgradient",
        "silent",
        "the gradient at a NaN input: torch's abs backward is g·sgn(x) with sgn(nan) = 0, elu's "
        "backward tests x <= 0 (false at nan: g); ours gives nan for both. (hardtanh at nan: torch "
        "itself gives 0 in its vectorized loop and g in its scalar loop, i.e. by tensor size)",
        "tinygrad_edu/ops/unary.py:109 AbsFn.backward (g * sign(x), NumPy's sign(nan) = nan); "
        "ops/elu.py:47 EluFn.backward (where(x > 0, g, g·α·eˣ): torch tests x <= 0)",
        cats=("grad", "value"),
        check=_nan_rule,
        tags={"nan"},
    ),
    Kind(
        "data_assign",
        "silent",
        "x.data = other on a tensor that a graph saved, or that has views: torch's saved leaf sees "
        "the new data (the gradient uses it), its views keep the old storage, a later grad of a "
        "different dtype or shape is accepted; tinygrad_edu differs in each",
        "tinygrad_edu/autograd/record.py: a saved leaf is its array, not the tensor (torch's "
        "SavedVariable of a leaf is the tensor itself, so .data = swaps what backward reads): "
        "left, a change to how values are saved (engine, record.py)",
        cats=SILENT + ("dtype", "exception"),
        line=r"\.data = ",
        avoid=lambda s, ns: ".data = " in s,
    ),
    Kind(
        "int_dest_requires_grad",
        "silent",
        "writing a value that requires grad into an integer/bool tensor: torch marks the integer "
        "tensor requires_grad=True (a torch quirk: CopySlices is recorded); tinygrad_edu leaves it "
        "False",
        "tinygrad_edu/ops/inplace.py: no history for non-float destinations (left: torch's rule "
        "is no rule; a 0-d value goes through fill_ and is recorded, a larger one through copy_ "
        "and is not)",
        cats=("requires_grad",),
        avoid=_int_dest,
    ),
    Kind(
        "data_write_saved",
        "silent",
        "x.data.mul_(...) on a tensor a backward formula saved: torch's formula sees the new "
        "values (.data shares the storage and skips the version counter); ours saved a different "
        "tensor (rsqrt, sqrt: the input where torch saves the output), so the gradients differ",
        "which tensor each Function saves (ops/unary.py RsqrtFn/SqrtFn save x; torch saves the "
        "result)",
        cats=("value", "grad"),
        line=r"\.data\.",
        avoid=lambda s, ns: ".data." in s,
    ),
    Kind(
        "pow_special_values",
        "silent",
        "the gradient of x ** 0.5 and rsqrt(x) at 0 and -0.0 (and their second derivatives at 0): "
        "torch's formulas go through the result (g / (2·sqrt(x)), -½·g·y³), ours through "
        "y·x^(y-1), so the sign of the infinity (or inf vs nan) differs",
        "tinygrad_edu/ops/arithmetic.py:128 PowFn.backward; ops/unary.py:225 rsqrt = pow(x, -0.5)",
        cats=("grad", "value"),
        line=r"rsqrt|pow_?\(|\*\*",
        check=_special_only,
    ),
    Kind(
        "partial_effects_before_error",
        "silent",
        "a backward that raises in both: torch had already accumulated some leaves' gradients "
        "before raising (or not), ours visits the nodes in another order, so .grad differs after "
        "the error",
        "tinygrad_edu/autograd/engine.py node order (a difference only after an error; left: "
        "matching it means running torch's exact ready-queue order)",
        cats=("grad", "grad_none", "value"),
        check=lambda m, lines: bool(m.message),
    ),
    Kind(
        "output_layout_differs",
        "silent",
        "results laid out in memory unlike torch's: cumprod/cumsum/sort/stack/clone of a "
        "transposed input, softmax (ours follow NumPy's order; torch's kernels return row-major, "
        "or keep the input's strides for elementwise ops and clone). So y.t().contiguous() / "
        "y.reshape(...) / y.flatten() is a view in ours where torch copies (a later write changes "
        "y: silent), or a copy where torch views (the write is lost), and y.view(...) raises 'view "
        "size is not compatible' where torch works",
        "the ops' forwards (NumPy picks the output order); ops/shape.py reshape/contiguous decide "
        "view vs copy from those strides",
        cats=("value", "exception", "grad"),
        msg=r"view size is not compatible",
        line=r"\.(reshape|flatten|contiguous|view)\(",
    ),
    Kind(
        "pow_zero_exponent_double_backward",
        "silent",
        "x ** 0: torch's gradient is a constant 0 (requires_grad False, no graph); ours records "
        "where(y == 0, 0, y·x^(y-1)), so a second derivative at x = 0 is nan and requires_grad is "
        "True",
        "tinygrad_edu/ops/arithmetic.py:131 PowFn.backward: xp.where(y == 0, 0.0, gx) keeps gx in "
        "the graph",
        cats=("grad", "value", "requires_grad"),
        line=r"\*\* 0\b|pow\(0\)",
    ),
    Kind(
        "elu_double_backward_kink",
        "silent",
        "second derivative of elu at x = 0: torch 0, ours α (the two branches disagree at the "
        "kink)",
        "tinygrad_edu/ops/elu.py:47 EluFn.backward: where(x > 0, g, g·α·eˣ) differentiated again",
        cats=("grad", "value"),
        line=r"elu\(",
    ),
    Kind(
        "saved_array_identity",
        "silent",
        "y = x * x.detach() (any op given x and x.detach(), which share one ndarray object): the "
        "engine matches each saved array to the first input holding that very object, so the saved "
        "x.detach() is taken for x; under create_graph the gradient then depends on x "
        "(requires_grad True, wrong second derivatives: x ** x.detach() gets the exponent's path)",
        "tinygrad_edu/autograd/record.py:121 track_saved (`if s is x`: first input wins), fed by "
        "detach() sharing the array object itself",
        cats=("requires_grad", "grad", "value", "grad_none"),
        line=r"\.detach\(\)|\.data\b",
    ),
    Kind(
        "create_graph_grad_aliasing",
        "silent",
        "after backward(create_graph=True) a leaf's .grad is the gradient tensor itself: where a "
        "backward formula returns one zeros array for two inputs (floor division), two leaves "
        "share one .grad, so the next backward's in-place accumulation into b.grad changes a.grad; "
        "where it is a read-only broadcast view (sum's backward), the next accumulation raises "
        "NumPy's 'output array is read-only'. torch's AccumulateGrad keeps each .grad its own",
        "tinygrad_edu/autograd/engine.py:329 accumulate (`leaf.grad = g` under create_graph, no "
        "copy) and engine.py:334 (`leaf.grad._data += g` into it later)",
        cats=("grad", "value"),
        line=r"create_graph=True",
    ),
    Kind(
        "create_graph_requires_grad",
        "silent",
        "autograd.grad(..., create_graph=True) through a piecewise-linear op (relu, leaky_relu, "
        "hardtanh, maximum, abs, clamp): torch's gradient requires_grad (its backward formula is "
        "recorded as a function of x), ours does not, so a further backward raises in ours and "
        "gives zeros in torch",
        "the Tensor-mode backward of those Functions used masks (comparisons) only, so nothing was "
        "recorded. Fixed: ops/_mask_grad.py records the gradient as a function of x with a zero "
        "derivative (relu, leaky_relu, hardtanh, threshold, soft/hardshrink, hardsigmoid, prelu, "
        "max pooling; torch's clamp/maximum/abs gradients do not require grad either)",
        cats=("requires_grad", "grad_none", "exception"),
        line=r"create_graph=True",
        msg=r"does not require grad|^$",
    ),
    Kind(
        "no_grad_view_rule",
        "exception",
        "a view made under no_grad of a tensor that requires grad: torch's view says "
        "requires_grad=True (ours False) and, written in place with grad mode on, torch raises 'A "
        "view was created in no_grad mode and is being modified inplace with grad mode enabled'; "
        "ours writes",
        "tinygrad_edu/autograd/views.py. Fixed: a view requires grad when its base does "
        "(views.inherit_requires_grad, variable.h's DifferentiableViewMeta::requires_grad)",
        cats=("exception", "requires_grad"),
        line=r"no_grad\(\)",
        msg=r"created in no_grad mode",
    ),
    Kind(
        "view_requires_grad_stale",
        "silent",
        "a view taken before its base starts requiring grad (base.requires_grad_(), or an in-place "
        "write of a value that requires grad into the base) keeps requires_grad=False; torch's "
        "views follow the base",
        "tinygrad_edu/autograd/views.py. Fixed: requires_grad_/detach_ on a base update its "
        "views without a grad_fn (views.follow_base)",
        cats=("requires_grad", "is_leaf"),
    ),
    Kind(
        "tensor_hooks_after_inplace",
        "silent",
        "x.retain_grad() or x.register_hook(h), then an in-place write to x (or through a view of "
        "x, also under no_grad): torch's retained x.grad is the gradient with respect to x's "
        "current value (None if the loss used only the old one), and a hook on a view written "
        "under no_grad is dropped; ours keeps both on the old history",
        "tinygrad_edu/autograd/views.py. Fixed: take_history moves retain_grad to the new grad_fn "
        "(torch's update_tensor_hooks_on_new_gradfn); an untracked write regenerates its views' "
        "grad_fn; a write through a view bypasses the view's node (CopySlices)",
        cats=("grad", "grad_none"),
        line=r"retain_grad\(\)|register_hook",
    ),
    Kind(
        "detach_inplace",
        "silent",
        "x.detach_() on a tensor that a graph saved (or that has views): torch cuts the views' "
        "history too and refuses to backward through the saved x ('Trying to use a saved tensor "
        "that has been detached in-place'); ours keeps both",
        "tinygrad_edu/autograd. Fixed: a write through a view of a detached base is refused. "
        "Left: the saved-tensor check (torch's SavedVariable::unpack sees the saved input's "
        "grad_fn is gone), which needs the engine to see the tensor; detach_() of a view (ours "
        "marks composite ops' results as views: x.min(0).values)",
        cats=("grad", "grad_none", "exception", "requires_grad"),
        line=r"detach_\(\)",
        msg=r"detached in-place|view of a leaf Variable",
    ),
    Kind(
        "signed_zero",
        "silent",
        "the sign of a zero result, seen through 1/x or atan2: torch's cumsum (and the reversed "
        "cumsum in cumsum's and cumprod's backwards) starts from +0 (0 + -0.0 = +0), NumPy's "
        "copies the first element (-0.0). Fixed: ops/scan.py adds +0 to the running sum. (A k=1 "
        "matmul's zero sign is torch's BLAS dispatch: see blas_signed_zero)",
        "ops/scan.py CumsumFn / _reverse_cumsum (NumPy's cumsum)",
        cats=("value", "grad"),
        line=r"cumsum|cumprod|atan2|reciprocal|/",
        check=_special_only,
    ),
    Kind(
        "add_alpha_int_overflow",
        "silent",
        "a.add(k, alpha=2) with a float and k an int64 tensor near the int64 limits: ours "
        "multiplied alpha·k in int64 (wraps to 0), torch promotes first (-1.8e19). Fixed: "
        "ops/arithmetic.py _scaled casts k to the result dtype before the product",
        "ops/arithmetic.py add/sub: alpha applied before promotion",
        cats=("value",),
        line=r"alpha=",
    ),
]

KINDS = TORCH_KINDS + SILENT_KINDS + ERROR_KINDS + NOISE_KINDS
