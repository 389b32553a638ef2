"""Running one OpInfo on tinygrad_edu: forward, grad, gradgrad and in-place per dtype, and its
error_inputs.

For each dtype (float32, float64 where torch's OpInfo supports it on the CPU):

- **samples**: every ``sample_inputs`` sample (drawn with ``requires_grad`` when the op supports
  autograd in that dtype), then every ``reference_inputs`` sample not already seen (the
  reference sets usually begin by repeating the sample set: identical samples run once).
  Samples holding complex numbers are skipped and counted; nothing else is skipped.
- **forward**: each variant (function, method, operator; see :mod:`.resolve`) is called on a
  fresh tg copy of the sample and compared with torch's same variant (:mod:`.compare`). When
  torch raises on a sample, tinygrad_edu must raise the same exception type. As in torch's own
  consistency test, methods need a tensor input and operators take no keyword arguments.
- **grad**: for every variant and every ``sample_inputs`` sample with inputs that require grad
  (:mod:`.autodiff`).
- **gradgrad**: second derivatives through the first variant, when the OpInfo supports them.
- **inplace**: ``x.op_(...)`` (and ``x += y``) on a clone of the input under ``no_grad``; the
  result must be the input object itself, with torch's values and dtype, or the same exception
  type (e.g. an input that would need broadcasting, a result type that cannot be cast).

``error``: every ``error_inputs`` entry, through the function and method variants: the same
exception type as torch (or a subclass), a message matching torch's regex or naming the op,
never a NumPy exception escaping. An entry on which torch 2.13 itself does not raise is not
held against tinygrad_edu (counted in the check's note).
"""

from __future__ import annotations

import hashlib
import re

import torch

import tinygrad_edu as tg

from . import db, gauge
from .autodiff import check_grad, check_gradgrad, engine_has_create_graph
from .calls import Outcome, call, first_line, raised, same_error, seeded
from .compare import Mismatch, Tolerances, assert_same
from .convert import ToTg, Unbuildable, Unconvertible, describe_sample, has_complex, leaves
from .numeric import disowned, fd_check
from .records import CheckResult
from .referee import has_float32, referee
from .resolve import bind, short_names

FORWARD_KINDS = ("function", "method", "operator")
# ops whose result is uninitialized memory by definition (torch.empty: "filled with
# uninitialized data"): their results are compared by dtype and shape only
UNINITIALIZED = {
    "empty",
    "empty_like",
    "empty_strided",
    "empty_permuted",
    "new_empty",
    "new_empty_strided",
    "resize_",
    "resize_as_",
}
INPLACE_KINDS = ("inplace", "inplace_operator")
GRAD_TOL_FACTOR = 10  # gradients compose several rounded steps: docs/design.md §4


def fingerprint(s) -> str:
    """Identity of a sample's contents (tensor bytes, shapes, strides, other arguments)."""
    h = hashlib.blake2b(digest_size=16)
    for leaf in leaves((s.input, tuple(s.args), dict(s.kwargs))):
        if isinstance(leaf, torch.Tensor) and leaf.layout == torch.strided:
            h.update(f"T{leaf.dtype}{tuple(leaf.shape)}{leaf.stride()}".encode())
            raw = leaf.detach().contiguous()
            if raw.dtype == torch.bfloat16:  # no NumPy dtype: hash its bits
                raw = raw.view(torch.int16)
            h.update(raw.numpy().tobytes())
        else:
            h.update(repr(leaf).encode())
    h.update(repr((type(s.input), s.kwargs.keys(), len(s.args))).encode())
    return h.hexdigest()


def drawn_samples(op, dtype):
    """(label, sample, from_sample_inputs) in order: sample_inputs, then new reference_inputs."""
    seen = set()
    for i, s in enumerate(db.sample_inputs(op, dtype, db.supports_grad(op, dtype))):
        seen.add(fingerprint(s))
        yield f"sample {i}", s, True
    for i, s in enumerate(db.reference_inputs(op, dtype)):
        fp = fingerprint(s)
        if fp not in seen:
            seen.add(fp)
            yield f"reference {i}", s, False


def _applies(variant, s) -> bool:
    if variant.kind != "function" and not isinstance(s.input, torch.Tensor):
        return False
    return not (variant.kind in ("operator", "inplace_operator") and s.kwargs)


def _convert(res: CheckResult, where: str, desc: str, s):
    conv = ToTg()
    try:
        return conv, conv.sample(s)
    except Unconvertible as e:
        res.fail(where, desc, "unconvertible", str(e))
    return None, None


def checks_for(op, dtype, binding=None) -> list:
    """The per-dtype checks that apply to ``op``: forward always; grad when torch's OpInfo
    supports autograd in ``dtype``; gradgrad when it also supports second order; inplace when
    tinygrad_edu has an in-place variant."""
    out = ["forward"]
    if db.supports_grad(op, dtype):
        out.append("grad")
        if op.supports_gradgrad:
            out.append("gradgrad")
    if (binding or bind(op)).of(*INPLACE_KINDS):
        out.append("inplace")
    return out


def check_op(op, dtype) -> dict:
    """Every check of ``op`` in ``dtype``: {"forward", "grad", "gradgrad", "inplace"} -> result
    (only the checks that apply to this OpInfo)."""
    b, tols, opid = bind(op), Tolerances(op), db.opinfo_id(op)
    values = op.name not in UNINITIALIZED
    dname = str(dtype).removeprefix("torch.")
    res = {c: CheckResult(opid, c, dname) for c in checks_for(op, dtype, b)}
    if "gradgrad" in res:
        res["gradgrad"].unsupported = engine_has_create_graph()
    fd = [c for c in ("grad", "gradgrad") if c in res and disowned(op, c)]
    for n, (label, s, has_grad) in enumerate(drawn_samples(op, dtype)):
        desc = describe_sample(s)
        if has_complex(s.input, s.args, s.kwargs):
            for r in res.values():
                r.skipped_complex += 1
            continue
        for v in b.of(*FORWARD_KINDS):
            if _applies(v, s):
                where = f"{label} via {v.label}"
                _forward(res, where, desc, s, v, tols, n, has_grad, values, fd)
        if has_grad and "gradgrad" in res and not res["gradgrad"].unsupported:
            _gradgrad(res["gradgrad"], label, desc, s, b.of(*FORWARD_KINDS)[0], tols, n, fd)
        for v in b.of(*INPLACE_KINDS):
            if _applies(v, s):
                _inplace(res["inplace"], f"{label} via {v.label}", desc, s, v, tols, values)
    if "grad" in res and not res["grad"].passed and not res["grad"].failures:
        res["grad"].note = (
            "no sample reached the gradient comparison (gradients are compared "
            "only where the forward matched)"
            if res["forward"].failures
            else "no sample has an input and an output that require grad"
        )
    return res


def _forward(res, where, desc, s, v, tols, n, has_grad, values, fd=()) -> None:
    fwd = res["forward"]
    conv, converted = _convert(fwd, where, desc, s)
    if conv is None:
        return
    inp, args, kwargs = converted
    want = call(seeded(v.torch_fn, torch), s.input, *s.args, **s.kwargs)
    got = call(seeded(v.tg_fn, tg), inp, *args, **kwargs)
    fwd.warnings += got.warned
    if not want.ok:
        verdict = same_error(got.error, type(want.error), None, set())
        if verdict and got.ok:
            verdict = ("torch raises", f"returned normally; torch raises {first_line(want.error)}")
        return _record(fwd, where, desc, verdict)
    if not got.ok:
        return fwd.fail(where, desc, raised(got.error), first_line(got.error))
    try:
        if gauge.applies(fwd.name):  # vectors defined up to sign: compare canonical forms
            assert_same(got.value, want.value, tols, values=False)
            assert_same(*gauge.canonical(fwd.name, got.value, want.value), tols, "canonical")
        else:
            assert_same(got.value, want.value, tols, values=values)
    except Mismatch as m:
        verdict = _refereed(fwd, "forward", (m.kind, str(m)), s, v, tols, 0)
        if verdict is not None:
            return fwd.fail(where, desc, *verdict)
    fwd.ok(where)
    if has_grad and "grad" in res:
        gtols = tols.scaled(GRAD_TOL_FACTOR)
        verdict = check_grad(s, want.value, got.value, conv.memo, gtols, seed=db.SEED + n)
        if verdict is not False:
            verdict = _refereed(res["grad"], "grad", verdict, s, v, gtols, db.SEED + n)
            if verdict is not None and "grad" in fd:
                verdict = _by_differences(res["grad"], "grad", verdict, s, v, db.SEED + n)
            _record(res["grad"], where, desc, verdict)


def _refereed(res, check, verdict, s, v, tols, seed):
    """``verdict``, or None when it is a value mismatch on a sample holding float32 tensors and
    tinygrad_edu is within torch's own float32 error of the float64 value (parity/referee.py)."""
    if verdict is None or verdict[0] != "value" or not has_float32(s):
        return verdict
    why = referee(check, s, v.torch_fn, v.tg_fn, tols, seed)
    if why is not None:
        return verdict[0], f"{verdict[1]}; float64 referee: {why}"
    res.refereed += 1
    return None


def _by_differences(res, check, verdict, s, v, seed):
    """Where torch's OpInfo disowns its own ``check`` derivative (an expected failure or skip
    of its gradient test on the CPU), a failure against torch's value is judged again against
    central finite differences (parity/numeric.py)."""
    try:
        why = fd_check(check, s, v.tg_fn, seed)
    except Exception as e:  # noqa: BLE001 - the original failure stands
        why = ("raised", f"finite differences could not run: {first_line(e)}")
    if why is not None:
        return verdict[0], f"{verdict[1]}; finite differences: {why[1]}"
    res.by_differences += 1
    return None


def _gradgrad(res, label, desc, s, v, tols, n, fd=()) -> None:
    where = f"{label} via {v.label}"
    try:
        verdict = check_gradgrad(
            s, v.torch_fn, v.tg_fn, tols.scaled(GRAD_TOL_FACTOR), seed=db.SEED + n
        )
    except Exception as e:  # torch's own second-order pass failed: nothing to compare
        verdict = ("torch raises", f"torch's double backward raises {first_line(e)}")
    if verdict is not False:
        verdict = _refereed(
            res, "gradgrad", verdict, s, v, tols.scaled(GRAD_TOL_FACTOR), db.SEED + n
        )
        if verdict is not None and "gradgrad" in fd:
            verdict = _by_differences(res, "gradgrad", verdict, s, v, db.SEED + n)
        _record(res, where, desc, verdict)


def _inplace(res, where, desc, s, v, tols, values) -> None:
    conv, converted = _convert(res, where, desc, s)
    if conv is None:
        return
    inp, args, kwargs = converted
    with torch.no_grad():
        x_t = s.input.detach().clone()
        want = call(seeded(v.torch_fn, torch), x_t, *s.args, **s.kwargs)
    with tg.no_grad():
        x_g = inp.detach().clone()
        got = call(seeded(v.tg_fn, tg), x_g, *args, **kwargs)
    if not want.ok:
        verdict = same_error(got.error, type(want.error), None, set())
        return _record(res, where, desc, verdict)
    if not got.ok:
        return res.fail(where, desc, raised(got.error), first_line(got.error))
    if got.value is not x_g:
        return res.fail(
            where,
            desc,
            "not in place",
            f"returned a new {type(got.value).__name__}, torch returns the input itself, modified",
        )
    try:
        assert_same(got.value, want.value, tols, "result", values)
        assert_same(x_g, x_t, tols, "input after the call", values)
    except Mismatch as m:
        return res.fail(where, desc, m.kind, str(m))
    res.ok(where)


def _record(res: CheckResult, where: str, desc: str, verdict) -> None:
    if verdict is None:
        res.ok(where)
    else:
        res.fail(where, desc, *verdict)


def check_errors(op) -> CheckResult:
    """The ``error`` check: tinygrad_edu raises as torch does on every error_inputs entry."""
    b, opid = bind(op), db.opinfo_id(op)
    res = CheckResult(opid, "error")
    names, quiet = short_names(op), 0
    for i, e in enumerate(db.error_inputs(op)):
        s = e.sample_input
        desc = describe_sample(s)
        if has_complex(s.input, s.args, s.kwargs):
            res.skipped_complex += 1
            continue
        for v in b.of("function", "method"):
            if not _applies(v, s):
                continue
            where = f"error_input {i} via {v.label}"
            t = call(v.torch_fn, s.input, *s.args, **s.kwargs)
            if t.ok:
                quiet += 1  # torch 2.13 itself accepts this input on the CPU
                continue
            want, regex = e.error_type, e.error_regex
            if not isinstance(t.error, want):  # this variant of torch raises another type
                # (x.multinomial(2, out=...) is a TypeError, torch.multinomial's a
                # RuntimeError): the oracle is what torch's own variant raised
                want, regex = type(t.error), re.escape(first_line(t.error).split(": ", 1)[-1])
            try:
                inp, args, kwargs = ToTg().sample(s)
                got = call(v.tg_fn, inp, *args, **kwargs)
            except Unbuildable as u:  # the user's program fails one line earlier, as torch's
                got = Outcome(error=u.error)  # would: judged like any other error
            except Unconvertible as u:
                res.fail(where, desc, "unconvertible", str(u))
                continue
            verdict = same_error(got.error, want, regex, names)
            if verdict and verdict[0] == "no exception":
                verdict = (verdict[0], f"{verdict[1]} /{e.error_regex}/")
            _record(res, where, desc, verdict)
    if quiet:
        res.note = f"{quiet} error_inputs on which torch itself does not raise on the CPU"
    return res
