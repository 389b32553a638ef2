"""``compare_with_torch``: replay a computation node by node in torch and find the first node
whose forward output or gradient leaves tolerance.

Every op call made while ``model_fn`` runs is recorded (Function, arguments, output). Each is
then replayed in torch on *our* inputs, so a node is judged in isolation (errors upstream do
not leak into it): its forward output against torch's, and, after our backward, the gradient
it sent to each input against ``torch.autograd.grad`` of the same op with the same upstream
gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import autograd
from ..autograd import Function, function
from ..autograd.function import op_stem
from ..backend import device_of, get_array_module, to_numpy
from ..tensor import Tensor
from ._torch_ops import TORCH_OPS
from .rules import derivative_rules, formula

# docs/design.md §4: (rtol, atol before scaling by max(1, max|expected|)); gradients ×10
TOL = {"float64": (1e-7, 1e-7), "float32": (1.3e-6, 1e-5), "float16": (1e-3, 1e-3)}


@dataclass
class NodeCheck:
    index: int  # position in the forward call order
    function: str
    op: str  # grad_fn name
    formula: str
    rules: list
    in_shapes: list
    in_dtypes: list
    out_shape: tuple
    out_dtype: str
    forward_err: float = 0.0
    forward_ok: bool = True
    grad_errs: dict = field(default_factory=dict)  # input index -> max abs err
    grad_ok: bool = True
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.forward_ok and self.grad_ok

    def describe(self) -> str:
        ins = ", ".join(f"{s} {d}" for s, d in zip(self.in_shapes, self.in_dtypes))
        s = (
            f"node {self.index} {self.op} ({self.function}: {self.formula}) inputs [{ins}] -> "
            f"{list(self.out_shape)} {self.out_dtype}; forward max abs err "
            f"{self.forward_err:.3g}"
        )
        if self.grad_errs:
            s += "; grad max abs err " + ", ".join(
                f"input {i}: {e:.3g}" for i, e in self.grad_errs.items()
            )
        if self.note:
            s += f"; {self.note}"
        return s


@dataclass
class CompareReport:
    nodes: list
    unmapped: list  # Function names with no torch twin (not checked)

    @property
    def first_divergence(self) -> NodeCheck | None:
        bad_fwd = [n for n in self.nodes if not n.forward_ok]
        if bad_fwd:
            return bad_fwd[0]
        bad = [n for n in self.nodes if not n.grad_ok]
        return bad[0] if bad else None

    @property
    def ok(self) -> bool:
        return self.first_divergence is None

    def __str__(self) -> str:
        lines = [
            f"compare_with_torch: {len(self.nodes)} node(s) replayed, "
            f"{'all within tolerance' if self.ok else 'DIVERGENCE'}"
        ]
        d = self.first_divergence
        if d is not None:
            what = "forward output" if not d.forward_ok else "gradient"
            lines.append(f"first divergence ({what}): {d.describe()}")
            lines += [f"  backward rule: {r}" for r in d.rules]
        if self.unmapped:
            lines.append("not checked (no torch twin): " + ", ".join(sorted(set(self.unmapped))))
        return "\n".join(lines)


def _tol(dtype: str, expected: np.ndarray, factor: float, rtol, atol):
    r, a = TOL.get(dtype, TOL["float64"])
    r = r if rtol is None else rtol
    a = a if atol is None else atol
    fin = np.abs(expected[np.isfinite(expected)]) if expected.size else np.zeros(0)
    return r * factor, a * max(1.0, float(fin.max()) if fin.size else 1.0) * factor


def _err(ours: np.ndarray, ref: np.ndarray, dtype: str, factor: float, rtol, atol):
    ours = np.asarray(ours, dtype=np.float64) if ours.dtype.kind in "fc" else ours
    ref = np.asarray(ref, dtype=np.float64) if ref.dtype.kind in "fc" else ref
    if ours.shape != ref.shape:
        return float("inf"), False, f"shape {list(ours.shape)} vs torch {list(ref.shape)}"
    if ours.dtype.kind not in "fc":
        ok = bool(np.array_equal(ours, ref))
        return (0.0 if ok else float("inf")), ok, ""
    same_nan = np.array_equal(np.isnan(ours), np.isnan(ref))
    fin = np.isfinite(ours) & np.isfinite(ref)
    diff = np.abs(ours[fin] - ref[fin])
    e = float(diff.max()) if diff.size else 0.0
    r, a = _tol(dtype, ref, factor, rtol, atol)
    ok = same_nan and bool(np.all(diff <= a + r * np.abs(ref[fin])))
    ok = ok and np.array_equal(ours[~fin & ~np.isnan(ours)], ref[~fin & ~np.isnan(ref)])
    return e, ok, ""


def compare_with_torch(
    model_fn, inputs=(), *, rtol=None, atol=None, grad_factor: float = 10.0, gradient=None
) -> CompareReport:
    """Run ``model_fn(*inputs)`` and its backward, replaying each op in torch.

    Returns a :class:`CompareReport`; ``report.first_divergence`` is the first node (in
    forward order) whose output differs from torch's, or else the first whose gradient does,
    with its shapes, dtypes and backward rule. ``print(report)`` summarizes.
    """
    import torch
    import torch.nn.functional as F

    records, multi = [], []
    orig = Function.__dict__["apply"]

    def recording_apply(cls, *args, **kwargs):
        snap = [to_numpy(a._data).copy() if isinstance(a, Tensor) else a for a in args]
        out = orig.__func__(cls, *args, **kwargs)
        if not isinstance(out, Tensor):  # a multi-output node (split, unbind): listed unchecked
            multi.append(op_stem(cls))
            return out
        # the node now: an in-place op later (ReLU(inplace=True)) rebases ``out`` onto its own
        records.append((cls, args, snap, kwargs, out, to_numpy(out._data).copy(), out._node))
        return out

    inputs = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    Function.apply = classmethod(recording_apply)
    fast, function.FAST = function.FAST, False  # (the hottest callers skip apply when FAST)
    try:
        result = model_fn(*inputs)
    finally:
        Function.apply = orig
        function.FAST = fast
    grads = {}

    def observer(node, g, in_grads):
        gs = [
            None if gi is None else to_numpy(gi._data if isinstance(gi, Tensor) else gi)
            for gi in in_grads
        ]
        grads[id(node)] = (to_numpy(g).copy(), gs)

    if isinstance(result, Tensor) and result.requires_grad:
        autograd.hooks.observers.append(observer)
        try:
            g = gradient
            if g is None and result.numel() != 1:  # ones on the result's own device
                xp = get_array_module(result._data)
                g = Tensor._wrap(xp.ones(result.shape, dtype=result._data.dtype))
            result.backward(g)
        finally:
            autograd.hooks.observers.remove(observer)

    nodes, unmapped = [], list(multi)
    for k, (cls, args, snap, kwargs, out, out_np, node) in enumerate(records):
        name = op_stem(cls)
        nc = NodeCheck(
            k,
            name,
            node.name() if node is not None else f"{name} (not recorded)",
            formula(cls),
            derivative_rules(cls),
            [list(np.shape(s)) for a, s in zip(args, snap) if isinstance(a, Tensor)],
            [
                a.dtype.name if hasattr(a.dtype, "name") else str(a.dtype)
                for a in args
                if isinstance(a, Tensor)
            ],
            tuple(out_np.shape),
            out.dtype.name if hasattr(out.dtype, "name") else str(out.dtype),
        )
        twin = TORCH_OPS.get(name)
        if twin is None:
            unmapped.append(name)
            nc.note = "no torch twin: not checked"
            nodes.append(nc)
            continue
        targs = []
        for a, s in zip(args, snap):
            if isinstance(a, Tensor):
                t = torch.from_numpy(np.array(s, copy=True))
                if a.requires_grad and t.is_floating_point():
                    t.requires_grad_(True)
                targs.append(t)
            elif isinstance(a, np.ndarray) or device_of(a).type == "cuda":  # raw array arg
                targs.append(torch.from_numpy(np.array(to_numpy(a), copy=True)))
            else:
                targs.append(a)
        try:
            tout = twin(torch, F, targs, kwargs)
        except Exception as e:  # a replay that torch refuses is itself a finding
            nc.forward_ok = False
            nc.forward_err = float("inf")
            nc.note = f"torch replay raised {type(e).__name__}: {e}"
            nodes.append(nc)
            continue
        dt = str(out_np.dtype)
        nc.forward_err, nc.forward_ok, msg = _err(
            out_np, tout.detach().numpy(), dt, 1.0, rtol, atol
        )
        if msg:
            nc.note = msg
        if node is not None and id(node) in grads and tout.requires_grad:
            g, gs = grads[id(node)]
            want = [
                (i, t)
                for i, t in enumerate(targs)
                if isinstance(t, torch.Tensor) and t.requires_grad
            ]
            tg_ = torch.autograd.grad(
                tout,
                [t for _, t in want],
                torch.from_numpy(np.array(g, copy=True)).to(tout.dtype),
                allow_unused=True,
            )
            for (i, t), ref in zip(want, tg_):
                ours = gs[i] if i < len(gs) else None
                if ours is None or ref is None:
                    continue
                if ours.shape != tuple(t.shape):
                    ours = to_numpy(autograd.unbroadcast(ours, tuple(t.shape)))
                e, ok, msg = _err(ours, ref.numpy(), dt, grad_factor, rtol, atol)
                nc.grad_errs[i] = e
                if not ok:
                    nc.grad_ok = False
                    nc.note = nc.note or (msg and f"input {i}: {msg}")
        nodes.append(nc)
    return CompareReport(nodes, unmapped)
