"""Scan: which ops let a NumPy ``RuntimeWarning`` escape ("overflow encountered in cast",
"invalid value encountered in multiply", "divide by zero ..."), and is the value torch's there?

torch never emits such warnings: it computes IEEE results silently. A warning leaking from an
op is noise at best; where the overflow happens in an intermediate step, the value can also
differ from torch's (a silent wrong number). For every implemented OpInfo this runs, through
the parity harness's own conversion and comparison (tinygrad_edu/parity):

- ``sample``: every ``sample_inputs`` and new ``reference_inputs`` sample (float32, float64 as
  the certificate), forward through the function variant and the in-place variant, and first
  gradients of the samples that require grad;
- ``extremal``: every ``sample_inputs`` sample in float32 with its floating tensors refilled
  with huge values (±max/2), values whose squares overflow (±1e20 pattern, as in
  ``layer_norm([1e20, 1e20, -1e20])``), and specials (±inf, nan, -0.0, subnormals); its Python
  floats replaced by 1e39, -1e39 and 1e309; forward and first gradients;
- ``scalar``: the ops that take a Python number beside a tensor (binary ops, comparisons,
  clamp, where, fill, in-place forms) with out-of-range numbers (1e39, -1e39, 1e309, 70000.0,
  2**63, ...) on float16, bfloat16, float32, float64 and int64 tensors.

Each line of OUT.jsonl is one call that warned or differs from torch: op, pass, where, the
warnings (message and source line) and the verdict (``same``, ``value``, ``error``...). The
summary printed at the end counts ops warning and ops with differing values, per pass.

    python3 parity_tests/scripts/scan_numpy_warnings.py OUT.jsonl [OPID-SUBSTRING] \
        [--passes=sample,extremal,scalar]

The sample and scalar passes take about 10 minutes on 2 cores; the extremal pass over an hour,
and torch 2.13 itself segfaults on one of its refilled samples after nn.functional.mse_loss
(run it per op with OPID-SUBSTRING past that point). Each kind found is pinned by
parity_tests/test_no_numpy_warnings.py.
"""

from __future__ import annotations

import copy
import json
import math
import os
import sys
import time
import warnings
from collections import defaultdict

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
import tinygrad_edu as tg  # noqa: E402  (this checkout's, not an installed one)
from tinygrad_edu.parity import autodiff, db, gauge  # noqa: E402
from tinygrad_edu.parity import ops as pops
from tinygrad_edu.parity.calls import call, first_line, seeded
from tinygrad_edu.parity.compare import Mismatch, Tolerances, assert_same
from tinygrad_edu.parity.convert import ToTg, Unconvertible, describe_sample, has_complex
from tinygrad_edu.parity.resolve import bind

_TORCH_DIR = os.path.dirname(torch.__file__)
_CAUGHT: list = []  # warnings caught by the harness's own call() inside check_grad


def _recording_call(fn, *args, **kwargs):
    out = call(fn, *args, **kwargs)
    _CAUGHT.extend(out.caught)
    return out


autodiff.call = _recording_call  # check_grad runs tg's backward through call(): keep its warnings


def numpy_warnings(caught) -> list:
    """'message @ file:line' of every RuntimeWarning not raised by torch's own code."""
    out = []
    for w in caught:
        if issubclass(w.category, RuntimeWarning) and not w.filename.startswith(_TORCH_DIR):
            where = os.path.relpath(w.filename) if "tinygrad_edu" in w.filename else w.filename
            out.append(f"{w.message} @ {where}:{w.lineno}")
    return sorted(set(out))


def compare(got, want, tols, name: str = "") -> str:
    """``same``, ``torch raises``, ``tg raises``, ``both raise`` or the mismatch kind (as the
    parity suite compares: uninitialized memory by shape, eigenvectors up to sign; without
    its float64 referee, so a float32 rounding difference may count)."""
    if not want.ok:
        return "both raise" if not got.ok else "torch raises"
    if not got.ok:
        return f"tg raises {first_line(got.error, 120)}"
    try:
        if gauge.applies(name):
            assert_same(got.value, want.value, tols, values=False)
            assert_same(*gauge.canonical(name, got.value, want.value), tols, "canonical")
        else:
            assert_same(got.value, want.value, tols, values=name not in pops.UNINITIALIZED)
    except Mismatch as m:
        return f"{m.kind}: {str(m)[:200]}"
    except Exception as e:  # noqa: BLE001 - an unexpected result is a finding too
        return f"compare failed: {first_line(e, 120)}"
    return "same"


def run_sample(op, s, tols, grad: bool, seed: int) -> list:
    """[(where, warnings, verdict)] for one sample: each forward variant, in place, gradient."""
    out, b = [], bind(op)
    variants = [v for v in b.of(*pops.FORWARD_KINDS) if pops._applies(v, s)][:1]
    for v in variants + [v for v in b.of(*pops.INPLACE_KINDS) if pops._applies(v, s)]:
        try:
            conv = ToTg()
            inp, args, kwargs = conv.sample(s)
        except Unconvertible:
            continue
        x_t, x_g = s.input, inp
        if v.kind in pops.INPLACE_KINDS:
            x_t, x_g = s.input.detach().clone(), inp.detach().clone()
        want = call(seeded(v.torch_fn, torch), x_t, *s.args, **s.kwargs)
        got = call(seeded(v.tg_fn, tg), x_g, *args, **kwargs)
        verdict = compare(got, want, tols, db.opinfo_id(op))
        out.append((f"{v.kind}", numpy_warnings(got.caught), verdict))
        if grad and v.kind == "function" and verdict == "same":
            _CAUGHT.clear()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    g = autodiff.check_grad(s, want.value, got.value, conv.memo,
                                            tols.scaled(pops.GRAD_TOL_FACTOR), seed)
                except Exception as e:  # noqa: BLE001
                    g = ("harness", first_line(e, 120))
            if g is not False:
                gv = "same" if g is None else f"{g[0]}: {g[1][:200]}"
                out.append(("grad", numpy_warnings(list(caught) + _CAUGHT), gv))
    return out


# ------------------------------------------------------------------- extremal samples ------
def _fill(t: torch.Tensor, pattern) -> torch.Tensor:
    vals = torch.tensor(pattern, dtype=torch.float64)
    n = t.numel()
    flat = vals.repeat(n // len(pattern) + 1)[:n].to(t.dtype).reshape(t.shape)
    return flat.requires_grad_(t.requires_grad) if t.requires_grad else flat


def _patterns(dtype: torch.dtype) -> dict:
    fi = torch.finfo(dtype)
    big, sq = fi.max / 2, math.sqrt(fi.max) * 10
    return {
        "huge": [big, -big, big / 3, -big / 7],
        "square-overflow": [sq, sq, -sq, 2 * sq, -sq / 2],
        "special": [math.inf, -math.inf, math.nan, -0.0, 0.0, 1.0, -2.5, fi.tiny / 4],
    }


SCALARS = (1e39, -1e39, 1e309)


def _map(obj, f):
    if isinstance(obj, torch.Tensor):
        return f(obj)
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return type(obj)(_map(o, f) for o in obj)
    if isinstance(obj, dict):
        return {k: _map(v, f) for k, v in obj.items()}
    if type(obj) is float:
        return f(obj)
    return obj


def extremal(s, dtype):
    """(label, sample) copies of ``s`` with extremal floating tensors, or extremal floats."""
    floats = [False]

    def has_float(x):
        floats[0] = True
        return x

    _map((s.args, s.kwargs), lambda x: has_float(x) if type(x) is float else x)
    for name, pat in _patterns(dtype).items():
        def refill(x, pat=pat):
            return _fill(x, pat) if isinstance(x, torch.Tensor) and x.is_floating_point() else x
        c = copy.copy(s)
        c.input, c.args, c.kwargs = refill(s.input), _map(s.args, refill), _map(s.kwargs, refill)
        yield name, c
    if floats[0]:
        for v in SCALARS:
            c = copy.copy(s)
            c.args = _map(s.args, lambda x, v=v: v if type(x) is float else x)
            c.kwargs = _map(s.kwargs, lambda x, v=v: v if type(x) is float else x)
            yield f"scalar {v}", c


# --------------------------------------------------------------- Python-number operands ----
BIG = (1e39, -1e39, 1e309, -1e309, 1e300, 70000.0, -70000.0, 2**63, -2**63 - 1, 2**31,
       math.nan)


def _scalar_calls(lib):
    """name -> f(x, s): the ways a Python number meets a tensor."""
    F = lib.nn.functional
    cond = lib.tensor([True, False, True, False])
    calls = {f"{n}(x, s)": (lambda x, s, n=n: getattr(lib, n)(x, s)) for n in (
        "add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow",
        "eq", "ne", "lt", "le", "gt", "ge", "copysign", "xlogy", "float_power", "rsub")}
    calls.update({
        "s + x": lambda x, s: s + x, "s - x": lambda x, s: s - x, "s * x": lambda x, s: s * x,
        "s / x": lambda x, s: s / x, "s // x": lambda x, s: s // x, "s % x": lambda x, s: s % x,
        "s ** x": lambda x, s: s ** x, "s < x": lambda x, s: s < x,
        "add(x, x, alpha=s)": lambda x, s: lib.add(x, x, alpha=s),
        "sub(x, x, alpha=s)": lambda x, s: lib.sub(x, x, alpha=s),
        "addcmul(x, x, x, value=s)": lambda x, s: lib.addcmul(x, x, x, value=s),
        "addcdiv(x, x, x, value=s)": lambda x, s: lib.addcdiv(x, x, x, value=s),
        "lerp(x, 2x, s)": lambda x, s: lib.lerp(x, 2 * x, s),
        "clamp(x, min=s)": lambda x, s: lib.clamp(x, min=s),
        "clamp(x, max=s)": lambda x, s: lib.clamp(x, max=s),
        "clamp(x, -s, s)": lambda x, s: lib.clamp(x, -s, s),
        "clamp_min(x, s)": lambda x, s: lib.clamp_min(x, s),
        "clamp_max(x, s)": lambda x, s: lib.clamp_max(x, s),
        "where(c, x, s)": lambda x, s: lib.where(cond, x, s),
        "where(c, s, x)": lambda x, s: lib.where(cond, s, x),
        "x.masked_fill(c, s)": lambda x, s: x.masked_fill(cond, s),
        "x.fill_(s)": lambda x, s: x.clone().fill_(s),
        "x.add_(s)": lambda x, s: x.clone().add_(s), "x.sub_(s)": lambda x, s: x.clone().sub_(s),
        "x.mul_(s)": lambda x, s: x.clone().mul_(s), "x.div_(s)": lambda x, s: x.clone().div_(s),
        "x.pow_(s)": lambda x, s: x.clone().pow_(s),
        "x.clamp_(s)": lambda x, s: x.clone().clamp_(s),
        "x.masked_fill_(c, s)": lambda x, s: x.clone().masked_fill_(cond, s),
        "x.index_fill_(0, i, s)": lambda x, s: x.clone().index_fill_(0, lib.tensor([1, 2]), s),
        "full_like(x, s)": lambda x, s: lib.full_like(x, s),
        "nan_to_num(x, s, s, -s)": lambda x, s: lib.nan_to_num(x, s, s, -s),
        "threshold(x, 0.5, s)": lambda x, s: F.threshold(x, 0.5, s),
        "hardtanh(x, -s, s)": lambda x, s: F.hardtanh(x, -s, s),
        "leaky_relu(x, s)": lambda x, s: F.leaky_relu(x, s),
        "elu(x, s)": lambda x, s: F.elu(x, s),
        "softplus(x, s)": lambda x, s: F.softplus(x, s),
        "isclose(x, x + 1, atol=s)": lambda x, s: lib.isclose(x, x + 1, atol=s),
    })
    return calls


def _x(lib, dtype: str):
    d = getattr(lib, dtype)
    vals = [1.0, -2.0, 0.0, 3.0] if dtype not in ("uint8", "bool") else [1, 0, 2, 3]
    if dtype == "bool":
        vals = [True, False, True, True]
    return lib.tensor(vals, dtype=d)


def scalar_pass(log) -> None:
    tols = Tolerances()
    t_calls, g_calls = _scalar_calls(torch), _scalar_calls(tg)
    for name, tf in t_calls.items():
        for dtype in ("float16", "bfloat16", "float32", "float64", "int64"):
            for s in BIG:
                want = call(tf, _x(torch, dtype), s)
                got = call(g_calls[name], _x(tg, dtype), s)
                log(name, "scalar", f"{dtype} s={s!r}", numpy_warnings(got.caught),
                    compare(got, want, tols))


# ----------------------------------------------------------------------------- driver ------
def op_passes(op, passes, log) -> None:
    tols, opid = Tolerances(op), db.opinfo_id(op)
    if "sample" in passes:
        for dtype in db.test_dtypes(op):
            for n, (label, s, has_grad) in enumerate(pops.drawn_samples(op, dtype)):
                if has_complex(s.input, s.args, s.kwargs):
                    continue
                for where, w, verdict in run_sample(op, s, tols, has_grad, db.SEED + n):
                    log(opid, "sample", f"{dtype} {label} {where} [{describe_sample(s)[:80]}]",
                        w, verdict)
    if "extremal" in passes and torch.float32 in db.test_dtypes(op):
        grad = db.supports_grad(op, torch.float32)
        for n, s in enumerate(db.sample_inputs(op, torch.float32, grad)):
            if has_complex(s.input, s.args, s.kwargs):
                continue
            for kind, c in extremal(s, torch.float32):
                for where, w, verdict in run_sample(op, c, tols, grad, db.SEED + n):
                    log(opid, "extremal", f"sample {n} {kind} {where}", w, verdict)


def main(path: str, only: str | None = None, passes=("sample", "extremal", "scalar")) -> None:
    db.load()
    t0, seen = time.time(), defaultdict(lambda: defaultdict(set))
    with open(path, "w") as out:
        def log(opid, pas, where, w, verdict):
            differs = verdict != "same" and verdict not in ("both raise", "torch raises")
            if w:
                seen[pas]["warn"].add(opid)
            if differs:
                seen[pas]["differ"].add(opid)
            if w and differs:
                seen[pas]["warn+differ"].add(opid)
            if w or differs:
                out.write(json.dumps(dict(op=opid, scan=pas, where=where, warnings=w,
                                          verdict=verdict)) + "\n")

        for op in db.load().ops:
            opid = db.opinfo_id(op)
            if (only and only not in opid) or not bind(op).implemented:
                continue
            try:
                op_passes(op, passes, log)
            except Exception as e:  # noqa: BLE001 - a harness crash is a finding too
                log(opid, "harness", "", [], f"harness: {first_line(e, 200)}")
            out.flush()
        if "scalar" in passes:
            scalar_pass(log)
    for pas, kinds in seen.items():
        print(f"{pas:9s} " + "  ".join(f"{k}: {len(v)} ops" for k, v in sorted(kinds.items())))
        print(f"          warn: {' '.join(sorted(kinds['warn']))[:3000]}")
    print(f"done in {time.time() - t0:.0f} s: {path}")


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if not a.startswith("--passes=")]
    chosen = [a.split("=", 1)[1].split(",") for a in sys.argv[1:] if a.startswith("--passes=")]
    main(*argv[:2], **({"passes": chosen[0]} if chosen else {}))
