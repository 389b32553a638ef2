"""Generated parity tests: every registered OpSpec × dtype × backend (docs/design.md §4).

1.+2.+5. ``test_parity`` — forward value, dtype and shape vs torch; gradients vs torch for a
   random upstream gradient (broadcasting included; kink values injected in half the examples);
   inputs not mutated, grads not aliased, backward twice (retain_graph) accumulates to 2×.
3. ``test_gradcheck`` — float64 central differences on smooth specs (kinks avoided).
4. ``test_special``   — nan, ±inf, ±1e20, −0.0 injected; forward (and optionally grads) vs torch.

The gradcheck and special-value tests run a fifth of the profile's examples.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import (
    assert_close,
    flatten_outputs,
    numerical_grads,
    tg_np,
    th_np,
    to_tg,
    to_torch,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from registry import VALUE_STYLES, all_specs, edge_values, values

import tinygrad_edu as tg

SPECS = all_specs()
MAX_DIMS, MAX_SIDE = 3, 4


def _params(specs, dtypes=None, pred=lambda s: True):
    out = []
    for s in specs:
        if not pred(s):
            continue
        for d in s.dtypes:
            if dtypes and d not in dtypes:
                continue
            marks = [pytest.mark.xfail(reason=s.xfail, strict=True)] if s.xfail else []
            out.append(pytest.param(s, d, id=f"{s.id}-{d}", marks=marks))
    return out


# ------------------------------------------------------------------------------- sampling ----
# specs whose default-drawn shapes may have size-0 dims (elementwise ops and reductions: torch
# defines their results on empty tensors, e.g. sum = 0, mean = nan, or raises for amax)
EMPTY_OK_MODULES = ("specs.core", "specs.core_reduce", "specs.core_extra")


def _allows_empty(spec) -> bool:
    return (
        spec.sample is None
        and isinstance(spec.shapes, (int, str))
        and spec.extra.get("module") in EMPTY_OK_MODULES
    )


def _shapes(spec, min_side=1):
    s = spec.shapes
    kw = dict(min_dims=0, max_dims=MAX_DIMS, min_side=min_side, max_side=MAX_SIDE)
    if isinstance(s, int):
        if s == 1:
            return hnp.array_shapes(**kw).map(lambda x: (x,))
        return hnp.mutually_broadcastable_shapes(num_shapes=s, **kw).map(lambda b: b.input_shapes)
    if isinstance(s, str):
        return hnp.mutually_broadcastable_shapes(signature=s, **kw).map(lambda b: b.input_shapes)
    return s


def _ranges(spec, n):
    e = spec.elements
    if isinstance(e[0], (int, float)):
        return [tuple(e)] * n
    return [tuple(r) for r in e]


def _default_sample(draw, spec, dtype, empty=False):
    shapes = draw(_shapes(spec, 0 if empty else 1))
    kinds = spec.arg_kinds or ("f",) * len(shapes)
    ranges = _ranges(spec, len(kinds))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    style = draw(st.sampled_from(VALUE_STYLES))
    args = []
    for shape, kind, (lo, hi) in zip(shapes, kinds, ranges):
        if kind == "f":
            args.append(values(rng, shape, lo, hi, dtype, style))
        elif kind == "b":
            args.append(np.asarray(rng.random(shape) < 0.5))
        elif kind == "i":
            args.append(np.asarray(rng.integers(int(lo), int(hi) + 1, shape), dtype=np.int64))
        elif kind == "s":
            args.append(
                draw(st.sampled_from(edge_values(lo, hi)))
                if style == "edges"
                else float(np.round(rng.uniform(lo, hi), 3))
            )
        else:
            raise ValueError(f"{spec.id}: unknown arg kind {kind!r}")
    kwargs = draw(spec.kwargs(shapes)) if spec.kwargs else {}
    return args, kwargs


def _float_arrays(args):
    """(position, array) of every float ndarray argument (also inside lists)."""
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            yield i, a
        elif isinstance(a, (list, tuple)):
            for b in a:
                if isinstance(b, np.ndarray) and b.dtype.kind == "f":
                    yield i, b


def draw_sample(draw, spec, dtype, mode="plain", empty=False):
    """(args, kwargs) for ``spec``; ``mode`` injects kinks / specials / keeps gradcheck-safe;
    ``empty`` lets the shapes have size-0 dims."""
    if spec.sample is not None:
        args, kwargs = spec.sample(draw, dtype)
    else:
        args, kwargs = _default_sample(draw, spec, dtype, empty)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if mode == "kinks" and spec.kinks:
        for _, a in _float_arrays(args):
            if a.size == 0:
                continue
            flat = a.reshape(-1)
            if "ties" in spec.kinks:
                # a coarse grid inside the value range: ties within and across arguments
                lo, hi = float(flat.min()), float(flat.max())
                step = draw(st.sampled_from([0.5, 1.0, 2.0]))
                flat[:] = np.clip(np.round(flat / step) * step, min(lo, 0), max(hi, 0))
            else:
                vals = [k for k in spec.kinks if isinstance(k, float | int)]
                mask = rng.random(a.size) < draw(st.sampled_from([0.2, 0.5, 1.0]))
                flat[mask] = rng.choice(vals, int(mask.sum()))
    elif mode == "special" and spec.special:
        for _, a in _float_arrays(args):
            if a.size == 0:
                continue
            flat = a.reshape(-1)
            mask = rng.random(a.size) < 0.4
            mask[rng.integers(a.size)] = True
            flat[mask] = rng.choice(np.asarray(spec.special, dtype=a.dtype), int(mask.sum()))
    elif mode == "gradcheck":
        ranges = _ranges(spec, len(args)) if spec.sample is None else None
        for i, a in _float_arrays(args):
            lo, hi = ranges[i] if ranges else (-np.inf, np.inf)
            flat = a.reshape(-1)
            # jitter: distinct values (no accidental ties), then step away from kinks
            flat += rng.uniform(-1e-3, 1e-3, flat.shape) * np.maximum(1.0, np.abs(flat))
            np.clip(flat, lo, hi, out=flat)
            for k in spec.kinks:
                if isinstance(k, float | int):
                    near = np.abs(flat - k) < 1e-2
                    step = 2e-2 if k + 2e-2 <= hi else -2e-2
                    flat[near] = k + step + rng.uniform(0, 1e-3, int(near.sum()))
    return args, kwargs


# ----------------------------------------------------------------------------- conversion ----
def _grad_positions(spec, args):
    if spec.grad_args is not None:
        return set(spec.grad_args)
    return {i for i, _ in _float_arrays(args)}


def _convert(args, grad_pos, lib, backend="numpy"):
    out = []
    for i, a in enumerate(args):
        rg = i in grad_pos

        def one(x, rg=rg):
            if not isinstance(x, np.ndarray):
                return x
            rgx = rg and x.dtype.kind == "f"
            return to_tg(x, backend, rgx) if lib == "tg" else to_torch(x, rgx)

        out.append(type(a)(one(b) for b in a) if isinstance(a, (list, tuple)) else one(a))
    return out


def _leaves(conv, grad_pos):
    res = []
    for i, a in enumerate(conv):
        if i not in grad_pos:
            continue
        for x in a if isinstance(a, (list, tuple)) else [a]:
            if getattr(x, "requires_grad", False):
                res.append((i, x))
    return res


def _as_np(x):
    if isinstance(x, tg.Tensor):
        return tg_np(x)
    if isinstance(x, torch.Tensor):
        return th_np(x)
    return np.asarray(x)


def _run(spec, args, kwargs, backend, grad_pos):
    targs = _convert(args, grad_pos, "tg", backend)
    rargs = _convert(args, grad_pos, "torch")
    if spec.no_grad_only:
        with tg.no_grad():
            ours = spec.ours(*targs, **kwargs)
        with torch.no_grad():
            ref = spec.ref(*rargs, **kwargs)
    else:
        ours = spec.ours(*targs, **kwargs)
        ref = spec.ref(*rargs, **kwargs)
    return targs, rargs, ours, ref


# Pairs of node names torch chooses between by internal details we do not reproduce: whether
# it elides a slice that covers a whole dim (Alias vs Slice, for some index tuples), and
# whether matmul's transposed result needed a copy (Clone vs Transpose, for 2-D @ N-D).
_EQUIVALENT_NAMES = ({"AliasBackward0", "SliceBackward0"}, {"CloneBackward0", "TransposeBackward0"})


def _same_node_name(ours: str, ref: str) -> bool:
    return ours == ref or any({ours, ref} <= pair for pair in _EQUIVALENT_NAMES)


def _compare_forward(spec, ours, ref, dtype, backend, check="forward", bound=None):
    if spec.compare is not None:
        ours, ref = spec.compare(ours, ref)
    outs, refs = flatten_outputs(ours), flatten_outputs(ref)
    assert len(outs) == len(refs), (
        f"{spec.id}: {len(outs)} outputs, torch gives {len(refs)} (dtype={dtype}, "
        f"backend={backend})"
    )
    for k, (o, r) in enumerate(zip(outs, refs)):
        assert isinstance(o, tg.Tensor) == isinstance(r, torch.Tensor), (
            f"{spec.id} [output {k}]: type {type(o).__name__}, torch {type(r).__name__}"
        )
        if isinstance(r, torch.Tensor):  # e.g. integer/bool outputs never require grad
            assert o.requires_grad == r.requires_grad, (
                f"{spec.id} [output {k}] dtype={dtype} backend={backend}: requires_grad="
                f"{o.requires_grad}, torch {r.requires_grad}"
            )
            if r.grad_fn is not None and o.grad_fn is not None:  # printed graphs read the same
                assert _same_node_name(o.grad_fn.name(), r.grad_fn.name()), (
                    f"{spec.id} [output {k}]: grad_fn {o.grad_fn.name()}, torch "
                    f"{r.grad_fn.name()}")
        assert_close(
            _as_np(o),
            _as_np(r),
            op=spec.id,
            what=f"output {k}",
            dtype=dtype,
            backend=backend,
            check=check,
            factor=spec.tol_for(dtype),
            bound=bound,
        )
    return outs, refs


def _upstream(draw, refs, dtype):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return [rng.uniform(-1, 1, tuple(r.shape)).astype(dtype) for r in refs]


def _backward(outs, gs, lib, retain=False):
    if lib == "tg":  # each upstream gradient on its output's device: ``x.to("cpu")`` of a
        gs = [g.to(o.device) for o, g in zip(outs, gs)]  # cuda x has a cpu output
    if len(outs) == 1:
        outs[0].backward(gs[0], retain_graph=retain)
        return
    total = None
    for o, g in zip(outs, gs):
        term = (o * g).sum()
        total = term if total is None else total + term
    total.backward(retain_graph=retain)


def _diff_outputs(spec, outs, refs):
    """The pairs of float outputs torch differentiates (ours must too)."""
    pairs = []
    for k, (o, r) in enumerate(zip(outs, refs)):
        if isinstance(r, torch.Tensor) and r.requires_grad:
            assert isinstance(o, tg.Tensor) and o.requires_grad, (
                f"{spec.id} [output {k}]: torch's output requires grad, ours does not"
            )
            pairs.append((o, r))
    return pairs


# --------------------------------------------------------------------------------- tests -----
@pytest.mark.parametrize("spec,dtype", _params(SPECS))
@given(data=st.data())
def test_parity(spec, dtype, backend, data):
    """Forward (1), backward with kinks (2) and the invariants (5) on one drawn sample."""
    mode = "kinks" if spec.kinks and data.draw(st.booleans()) else "plain"
    # one example in five may have size-0 dims (where the spec allows it)
    empty = _allows_empty(spec) and data.draw(st.integers(0, 4)) == 0
    args, kwargs = draw_sample(data.draw, spec, dtype, mode, empty)
    snapshot = [np.array(a, copy=True) if isinstance(a, np.ndarray) else None for a in args]
    grad_pos = set() if not spec.has_grad else _grad_positions(spec, args)
    if empty and any(isinstance(a, np.ndarray) and a.size == 0 for a in args):
        try:  # torch refuses some reductions of empty tensors (amax, argmax...): so must we
            spec.ref(*_convert(args, grad_pos, "torch"), **kwargs)
        except (RuntimeError, IndexError, ValueError) as e:
            with pytest.raises(type(e)):
                spec.ours(*_convert(args, grad_pos, "tg", backend), **kwargs)
            return
    targs, rargs, ours, ref = _run(spec, args, kwargs, backend, grad_pos)
    outs, refs = _compare_forward(spec, ours, ref, dtype, backend)
    if spec.has_grad:
        _check_backward(spec, dtype, backend, data, targs, rargs, outs, refs, grad_pos)
    if not spec.no_grad_only:  # in-place specs mutate their first input by design
        for i, (t, s) in enumerate(zip(targs, snapshot)):
            if s is not None:
                assert np.array_equal(tg_np(t), s, equal_nan=True), (
                    f"{spec.id} [input {i}] dtype={dtype} backend={backend}: the op mutated "
                    "its input"
                )


def _check_backward(spec, dtype, backend, data, targs, rargs, outs, refs, grad_pos):
    pairs = _diff_outputs(spec, outs, refs)
    if not pairs:
        return
    gs = _upstream(data.draw, [r for _, r in pairs], dtype)
    _backward([o for o, _ in pairs], [to_tg(g, backend) for g in gs], "tg", retain=True)
    _backward([r for _, r in pairs], [torch.from_numpy(g) for g in gs], "torch")
    tl, rl = _leaves(targs, grad_pos), _leaves(rargs, grad_pos)
    factor = 10.0 * spec.tol_for(dtype) * spec.grad_tol
    first = []
    for (i, t), (_, r) in zip(tl, rl):
        what = f"grad of input {i}"
        if r.grad is None:
            assert t.grad is None, f"{spec.id} [{what}]: torch has no grad, ours does"
            first.append(None)
            continue
        assert t.grad is not None, f"{spec.id} [{what}] dtype={dtype}: ours has no grad"
        assert_close(
            tg_np(t.grad),
            th_np(r.grad),
            op=spec.id,
            what=what,
            dtype=dtype,
            backend=backend,
            check="grad",
            factor=factor,
        )
        first.append(np.array(tg_np(t.grad), copy=True))
    # invariants: grads do not alias each other or the inputs
    if backend == "numpy":
        arrs = [(f"grad {i}", t.grad._data) for i, t in tl if t.grad is not None]
        arrs += [(f"input {i}", t._data) for i, t in tl]
        for a in range(len(arrs)):
            for b in range(a + 1, len(arrs)):
                assert not np.shares_memory(arrs[a][1], arrs[b][1]), (
                    f"{spec.id}: {arrs[a][0]} and {arrs[b][0]} share memory"
                )
    # backward twice through a retained graph accumulates to 2x
    _backward([o for o, _ in pairs], [to_tg(g, backend) for g in gs], "tg")
    for (i, t), g1 in zip(tl, first):
        if g1 is not None:
            assert_close(
                tg_np(t.grad),
                2 * g1,
                op=spec.id,
                what=f"2x grad of input {i}",
                dtype=dtype,
                backend=backend,
                check="accumulate",
                factor=4.0,
                record=False,
            )


_FEW = max(5, settings().max_examples // 5)  # gradcheck and special values: a fifth


@pytest.mark.parametrize(
    "spec,dtype", _params(SPECS, ("float64",), pred=lambda s: s.has_grad and s.smooth)
)
@settings(max_examples=_FEW)
@given(data=st.data())
def test_gradcheck(spec, dtype, backend, data):
    args, kwargs = draw_sample(data.draw, spec, dtype, "gradcheck")
    assume(all(a.size <= spec.max_numel for _, a in _float_arrays(args)))
    grad_pos = _grad_positions(spec, args)
    targs = _convert(args, grad_pos, "tg", backend)
    outs = flatten_outputs(spec.ours(*targs, **kwargs))
    diff = [o for o in outs if isinstance(o, tg.Tensor) and o.requires_grad]
    if not diff:  # (test_parity checks that torch has no gradient here either)
        return
    gs = _upstream(data.draw, diff, dtype)
    _backward(diff, [to_tg(g, backend) for g in gs], "tg")
    leaves = _leaves(targs, grad_pos)
    # finite differences over the same float arrays that are leaves (in order)
    slots = [
        (i, j)
        for i, a in enumerate(args)
        if i in grad_pos
        for j, x in enumerate(a if isinstance(a, (list, tuple)) else [a])
        if isinstance(x, np.ndarray) and x.dtype.kind == "f"
    ]
    base = [
        np.array(a if not isinstance(a, (list, tuple)) else a[j], dtype=np.float64)
        for (i, j), a in ((s, args[s[0]]) for s in slots)
    ]

    def f(*xs):
        new = [list(a) if isinstance(a, (list, tuple)) else a for a in args]
        for (i, j), x in zip(slots, xs):
            if isinstance(new[i], list):
                new[i][j] = x
            else:
                new[i] = x
        new = [type(args[k])(v) if isinstance(args[k], tuple) else v for k, v in enumerate(new)]
        with tg.no_grad():
            res = flatten_outputs(spec.ours(*_convert(new, set(), "tg", backend), **kwargs))
        return [tg_np(o) for o in res if isinstance(o, tg.Tensor) and o.dtype.is_floating_point]

    num = numerical_grads(f, base, gs)
    for (i, t), n in zip(leaves, num):
        ours = tg_np(t.grad) if t.grad is not None else np.zeros_like(n)
        assert_close(
            ours,
            n,
            op=spec.id,
            what=f"fd grad of input {i}",
            dtype=dtype,
            backend=backend,
            check="gradcheck",
            factor=1e3 * spec.grad_tol,
        )


@pytest.mark.parametrize("spec,dtype", _params(SPECS, pred=lambda s: bool(s.special)))
@settings(max_examples=_FEW)
@given(data=st.data())
def test_special(spec, dtype, backend, data):
    args, kwargs = draw_sample(data.draw, spec, dtype, "special")
    grad_pos = _grad_positions(spec, args) if spec.special_grad else set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        targs, rargs, ours, ref = _run(spec, args, kwargs, backend, grad_pos)
        bound = None if spec.special_bound is None else spec.special_bound(*args)
        outs, refs = _compare_forward(spec, ours, ref, dtype, backend, check="special",
                                      bound=bound)
        if spec.special_grad and spec.has_grad:
            pairs = _diff_outputs(spec, outs, refs)
            if pairs:
                gs = _upstream(data.draw, [r for _, r in pairs], dtype)
                _backward([o for o, _ in pairs], [to_tg(g, backend) for g in gs], "tg")
                _backward([r for _, r in pairs], [torch.from_numpy(g) for g in gs], "torch")
                for (i, t), (_, r) in zip(_leaves(targs, grad_pos), _leaves(rargs, grad_pos)):
                    if r.grad is not None:
                        assert_close(
                            tg_np(t.grad),
                            th_np(r.grad),
                            op=spec.id,
                            what=f"grad of input {i}",
                            dtype=dtype,
                            backend=backend,
                            check="special_grad",
                            factor=10.0,
                        )
