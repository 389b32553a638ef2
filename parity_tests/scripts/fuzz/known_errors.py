"""The known kinds that are not silent wrong numbers: exception-type differences, torch's own
bugs and order-dependent behaviours, and rounding noise. See known.py for the ``Kind`` fields."""

from __future__ import annotations

from .kind import SILENT, Kind  # noqa: F401
from .predicates import _close, _shares_storage, _special_only, _stride0

TORCH_KINDS = [
    Kind(
        "torch_median_stride0",
        "torch-bug",
        "torch.median(x, dim) of an expanded (stride-0) tensor returns wrong values in torch 2.13 "
        "(ours are right): not our bug",
        "torch",
        cats=("value",),
        line=r"median",
        avoid=_stride0,
    ),
    Kind(
        "torch_internal_error",
        "torch-bug",
        "torch raises an INTERNAL ASSERT (True ** tensor backward: 'unknown ivalue tag 4'); ours "
        "computes",
        "torch",
        cats=("exception",),
        msg=r"INTERNAL ASSERT",
    ),
    Kind(
        "blas_signed_zero",
        "torch-ub",
        "the sign of a zero entry of a matmul (seen through 1/x): torch's 2-D mm with k = 1 and "
        "m, n > 1 returns the exact products (0·-1 = -0.0: its BLAS gemm with beta = 0 adds "
        "nothing), but +0 for every other shape ((1, 1) @ (1, n), batched, k > 1: a sum from +0); "
        "NumPy's BLAS gives +0. The sign depends on torch's BLAS dispatch, not on a rule to copy",
        "not a bug to fix (torch's own results differ by shape)",
        cats=("value", "grad"),
        line=r"@|matmul|\bmm\(|addmm|linear",
        check=_special_only,
    ),
    Kind(
        "overlapping_source_order",
        "torch-ub",
        "x[i] = y, x.add_(y), x.unsqueeze(0).mul_(y) where y is a view of x that torch's overlap "
        "check misses: torch computes element by element and reads values it already overwrote; "
        "ours reads a snapshot (the mathematically expected result). Order-dependent in torch: not "
        "a bug to copy",
        "not a bug to fix",
        cats=("value",),
        avoid=lambda s, ns: _shares_storage(s, ns),
    ),
]

ERROR_KINDS = [
    Kind(
        "oversaved_inplace_error",
        "exception",
        "backward raises 'modified by an inplace operation' (or 'backward through the graph a "
        "second time') where torch does not: the Function saves a tensor torch's formula does not "
        "need. Fixed: x * c and x / c with c needing no grad (torch saves x only for c's "
        "gradient: Function.saved_only_for, read by hooks.check_versions), pow by a number "
        "(saved its result), 1 / x (saved x: now reciprocal, which saves its result), add's "
        "alpha (a saved product), lerp whose weight needs no grad; elu, round/trunc/sign, "
        "mean/sum/cat earlier",
        "tinygrad_edu/ops/*: ctx.save_for_backward of values the derivative does not read",
        cats=("exception",),
        msg=r"modified by an inplace operation|graph a second time",
        raises=("None", "*"),
    ),
    Kind(
        "overlap_check_too_strict",
        "exception",
        "in-place writes into x.expand(...)[k:] / x[None] / x[:, None] / x.data of those raise "
        "'more than one element of the written-to tensor refers to a single memory location': the "
        "check counts stride-0 dims of size 1, and looks at the whole tensor instead of the part "
        "written",
        "tinygrad_edu/ops/inplace.py:67 check_inplace (any 0 stride, size ignored)",
        cats=("exception",),
        msg=r"more than one element of the written-to tensor",
    ),
    Kind(
        "missing_partial_overlap_check",
        "exception",
        "an in-place op whose source overlaps its destination (x.index_add_(0, i, x), x[::2] = "
        "x[0], x.unsqueeze(0).copy_(x), x.addcmul_(x, x) through a view): torch raises 'some "
        "elements of the input tensor and the written-to tensor refer to a single memory "
        "location', tinygrad_edu computes",
        "tinygrad_edu/ops/inplace.py: no assert_no_partial_overlap(destination, source)",
        cats=("exception",),
        msg=r"some elements of the input tensor and the written-to",
    ),
    Kind(
        "readonly_numpy_error",
        "exception",
        "raw NumPy 'assignment destination is read-only' / 'output array is read-only' "
        "(ValueError): in-place writes into expanded tensors with a zero-size or size-1 dim, and a "
        "create_graph backward",
        "tinygrad_edu/ops/inplace.py (broadcast_to arrays are read-only) and a Tensor-mode "
        "backward writing into a saved array",
        cats=("exception",),
        msg=r"read-only|cannot reshape array",
    ),
    Kind(
        "index_op_error_types",
        "exception",
        "index_add/index_copy/index_put_/masked setitem with mismatched shapes: wrong exception "
        "type (IndexError or NumPy's ValueError where torch raises RuntimeError, or the reverse "
        "for index_copy), or 'list assignment index out of range' where torch broadcasts a 0-d "
        "source",
        "tinygrad_edu/ops/index_ops.py argument checks. Fixed: index_add/index_copy/index_reduce "
        "check as torch's meta functions, in their order",
        cats=("exception",),
        msg=r"index_add\(\)|index_copy\(\)|index_select\(\)|shape mismatch|could not be broadcast"
        r"|list assignment|shape of the mask|Index put requires|axis remapping",
    ),
    Kind(
        "setitem_error_types",
        "exception",
        "x[0] = v on a 0-d or empty tensor, x[i] = (1,)-shaped value into a 0-d slot: "
        "'__setitem__: cannot assign ...' RuntimeError with NumPy's message where torch raises "
        "IndexError (or succeeds)",
        "tinygrad_edu/ops/setitem (NumPy's IndexError/ValueError re-raised as RuntimeError)",
        cats=("exception",),
        msg=r"__setitem__: (cannot assign|a leaf)",
    ),
    Kind(
        "backward_after_view_write",
        "exception",
        "backward after x[...] = v / v[0] = a through views of different shapes raises "
        "'unbroadcast: gradient of shape ...' or 'IndexPutBackward0 returned an invalid gradient'; "
        "retain_grad on an in-place-modified view raises a device/size message on the second "
        "backward; torch computes",
        "tinygrad_edu/autograd/engine.py unbroadcast / the CopySlices and IndexPut backward shapes",
        cats=("exception",),
        msg=r"unbroadcast|invalid gradient|attempting to assign a gradient",
    ),
    Kind(
        "misc_error_types",
        "exception",
        "torch.mv with a 0-d input (IndexError in torch), lerp of integer tensors (RuntimeError in "
        "torch, NotImplementedError ours), logcumsumexp of int (the reverse), detach_() of a view "
        "(torch raises), .data = integer tensor on a grad leaf (torch raises)",
        "the ops' argument checks. Fixed: mv, logcumsumexp, .data = int. Left: detach_() of a "
        "view (ours marks composite ops' results as views)",
        cats=("exception",),
        msg=r"mv: |lerp|logcumsumexp|detach views|data set to|floor_divide|addcmul|for 'Bool'",
    ),
    Kind(
        "multi_output_view_rules",
        "exception",
        "after an in-place write to the base of a split/unbind/chunk output, torch refuses to even "
        "look at that output (grad_fn, is_leaf, using it in an op raise: its grad_fn cannot be "
        "regenerated); in-place writes through views OF such an output are refused. Fixed: both "
        "refusals (views.mark_multi_output marks the view node with its version; "
        "_grad_attr.view_grad_fn). Left: using such an output in an op does not raise",
        "tinygrad_edu/autograd/views.py, tinygrad_edu/_grad_attr.py",
        cats=("unreadable", "exception"),
        msg=r"returns multiple views",
    ),
    Kind(
        "missing_inplace_error",
        "exception",
        "torch's backward raises 'modified by an inplace operation' or 'backward through the graph "
        "a second time' where ours computes (a correct) gradient: torch saves a tensor our formula "
        "does not need (floor division saves both inputs, take saves its input, atan2 of a "
        "masked-index result)",
        "ops that save less than torch (fine mathematically; only the error differs)",
        cats=("exception",),
        msg=r"modified by an inplace operation|graph a second time",
        raises=("RuntimeError", "None"),
    ),
    Kind(
        "mask0d_setitem",
        "exception",
        "x[m] = v with m a 0-d bool tensor (torch: a view, x.unsqueeze(0)[m]): on a leaf that "
        "requires grad torch raises 'a view of a leaf Variable that requires grad is being used in "
        "an in-place operation', ours writes into the leaf; with m False torch still records v "
        "(v.grad is 0), ours records nothing (None). Also a write through a view made before the "
        "leaf's requires_grad_(False) (torch raises)",
        "tinygrad_edu/ops setitem: a 0-d bool mask takes the advanced-index path",
        cats=("exception", "grad_none"),
        msg=r"view of a leaf Variable",
        raises=("RuntimeError", "None"),
        line=r"\[[^\]]*[<>=!]=? *[^\]]*\] = ",
    ),
    Kind(
        "empty_tensor_checks",
        "exception",
        "checks that torch skips on empty tensors: int % 0 of an empty tensor (ours "
        "ZeroDivisionError), softmax/log_softmax of an empty int64 tensor (ours "
        "NotImplementedError)",
        "ops/division.py remainder, ops/softmax.py dtype checks. Fixed: skipped when empty",
        cats=("exception",),
        msg=r"ZeroDivisionError|not implemented for '(Long|Int)'|to have the same dtype",
    ),
]

NOISE_KINDS = [
    Kind(
        "rounding_ties",
        "noise",
        "rounding differences (an ulp, within tolerance) that a discontinuous op turns into a "
        "different answer: argmax/max indices of near-ties, %, //, floor, round, trunc, sign of "
        "values at a boundary",
        "not a bug",
        cats=("value",),
        line=r" % |//|fmod|remainder|floor|round|trunc|sign|argm|\.indices|\.long\(|\.int\(",
    ),
    Kind(
        "float32_conditioning",
        "noise",
        "float32 results within 1e-3 relative: an ill-conditioned chain (pow, expm1, fmod by a "
        "small divisor) amplifies one-ulp input differences past assert_close's float32 tolerance",
        "not a bug",
        cats=("value", "grad"),
        line=r"float32|\.float\(",
        check=lambda m, lines: _close(m, 1e-3),
    ),
]
