"""Finite-difference gradient checking, kink-aware.

``gradcheck(fn, inputs)`` compares the analytic Jacobian (our backward) with central
differences ``(f(x + ε) − f(x − ε)) / 2ε`` computed in float64: the full Jacobian for small
problems, random projections ``uᵀ J v`` for big ones. An input sitting within ε of a kink
(relu/abs/max/clamp at their corner) makes the central difference average two slopes, so a
mismatch there is not a bug: we detect it by comparing the one-sided slopes, report it, move
that input a little away from the corner, and check again.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..autograd import no_grad, topological_order
from ..autograd._slow_gradcheck import _make, _outputs, _prepare, _seed
from ..autograd.gradcheck import GradcheckError  # one class for both faces (torch's name)
from ..backend import to_numpy


class KinkWarning(UserWarning):
    """An input sat on a non-differentiable point; it was reported and re-drawn."""


@dataclass
class Mismatch:
    output: int
    out_index: tuple
    input: int
    in_index: tuple
    analytic: float
    numeric: float

    @property
    def abs_err(self) -> float:
        return abs(self.analytic - self.numeric)


@dataclass
class Kink:
    input: int
    index: tuple  # element index, or () in projection mode (all elements moved)
    value: float
    left: float  # one-sided slope from below (of the worst output element)
    right: float  # one-sided slope from above
    analytic: float
    redrawn_to: float


@dataclass
class GradcheckResult:
    ok: bool
    mode: str  # "full" or "projection"
    checked: int  # Jacobian entries (or projections) compared
    max_abs_err: float
    max_rel_err: float
    mismatches: list = field(default_factory=list)
    kinks: list = field(default_factory=list)
    ops: list = field(default_factory=list)
    atol: float = 0.0
    rtol: float = 0.0

    def report(self, limit: int = 20) -> str:
        ops = ", ".join(self.ops) or "(no graph)"
        head = (
            f"gradcheck {'passed' if self.ok else 'FAILED'} ({self.mode} mode, "
            f"{self.checked} entries, atol={self.atol:g}, rtol={self.rtol:g}); ops: {ops}; "
            f"max abs err {self.max_abs_err:.3g}, max rel err {self.max_rel_err:.3g}"
        )
        lines = [head]
        if self.mismatches:
            lines.append(
                f"{len(self.mismatches)} mismatching entr"
                f"{'y' if len(self.mismatches) == 1 else 'ies'} "
                "(output[index] / input[index]: analytic vs numerical):"
            )
            for m in self.mismatches[:limit]:
                lines.append(
                    f"  output {m.output}{list(m.out_index)} / input {m.input}{list(m.in_index)}:"
                    f" analytic {m.analytic:.8g}, numerical {m.numeric:.8g}, "
                    f"|diff| {m.abs_err:.3g}"
                )
            if len(self.mismatches) > limit:
                lines.append(f"  ... and {len(self.mismatches) - limit} more")
        for k in self.kinks:
            where = f"input {k.input}{list(k.index)}" if k.index else f"input {k.input}"
            lines.append(
                f"  kink: {where} = {k.value:.6g} is within eps of a non-differentiable point "
                f"(one-sided slopes {k.left:.6g} below, {k.right:.6g} above; analytic "
                f"{k.analytic:.6g}); re-drawn to {k.redrawn_to:.6g} and re-checked"
            )
        return "\n".join(lines)

    __str__ = report


def _eval(fn, orig, arrays, diff) -> list:
    with no_grad():
        return [
            to_numpy(o._data).astype(np.float64)
            for o in _outputs(fn(*_make(orig, arrays, diff, False)))
        ]


def _analytic_full(fn, orig, arrays, diff):
    args = _make(orig, arrays, diff, True)
    outs = _outputs(fn(*args))
    ops = []
    for o in outs:
        if o._node is not None:
            ops += [n.fn.__name__ for n in topological_order(o._node) if n.fn is not None]
    rows = []  # per output element: list of grads per diff input
    for o in outs:
        for k in range(o.numel()):
            if o._node is None and not o.requires_grad:
                rows.append([np.zeros(arrays[i].size) for i in diff])
                continue
            for i in diff:
                args[i].grad = None
            g = np.zeros(o._data.size)
            g[k] = 1.0
            o.backward(_seed(g.reshape(o._data.shape), o), retain_graph=True)
            rows.append(
                [
                    np.zeros(arrays[i].size)
                    if args[i].grad is None
                    else to_numpy(args[i].grad._data).ravel().astype(np.float64)
                    for i in diff
                ]
            )
    shapes = [o._data.shape for o in outs]
    return rows, shapes, list(dict.fromkeys(ops))


def _out_index(shapes, flat):
    for o, s in enumerate(shapes):
        n = int(np.prod(s)) if s else 1
        if flat < n:
            return o, tuple(int(v) for v in np.unravel_index(flat, s)) if s else ()
        flat -= n
    raise IndexError(flat)


def check_gradients(
    fn,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_full: int = 4096,
    n_projections: int = 4,
    max_redraws: int = 3,
    seed: int = 0,
) -> GradcheckResult:
    """Compare analytic and numerical gradients; return a :class:`GradcheckResult`."""
    orig, arrays, diff = _prepare(inputs)
    if not diff:
        raise ValueError("gradcheck: no input requires grad (pass tensors with requires_grad=True)")
    rng = np.random.default_rng(seed)
    kinks: list = []
    for _ in range(max_redraws + 1):
        n_in = sum(arrays[i].size for i in diff)
        n_out = sum(o.size for o in _eval(fn, orig, arrays, diff))
        if n_in * max(n_out, 1) <= max_full:
            res, new_kinks = _check_full(fn, orig, arrays, diff, eps, atol, rtol, rng)
        else:
            res, new_kinks = _check_proj(
                fn, orig, arrays, diff, eps, atol, rtol, rng, n_projections
            )
        kinks += new_kinks
        if not new_kinks:
            break
    res.kinks = kinks
    res.atol, res.rtol = atol, rtol
    return res


def _slopes(fn, orig, arrays, diff, i, j, eps):
    """Central and one-sided difference quotients for element j of input i."""
    a = arrays[i]
    flat = a.reshape(-1)
    x0 = flat[j]
    f0 = np.concatenate([o.ravel() for o in _eval(fn, orig, arrays, diff)] or [np.zeros(0)])
    flat[j] = x0 + eps
    fp = np.concatenate([o.ravel() for o in _eval(fn, orig, arrays, diff)] or [np.zeros(0)])
    flat[j] = x0 - eps
    fm = np.concatenate([o.ravel() for o in _eval(fn, orig, arrays, diff)] or [np.zeros(0)])
    flat[j] = x0
    return (fp - fm) / (2 * eps), (f0 - fm) / eps, (fp - f0) / eps


def _is_kink(left, right, atol, rtol):
    return np.abs(right - left) > atol + rtol * np.maximum(np.abs(left), np.abs(right))


def _redraw(rng, x0, eps):
    return x0 + rng.choice([-1.0, 1.0]) * rng.uniform(100, 1000) * eps * max(1.0, abs(x0))


def _check_full(fn, orig, arrays, diff, eps, atol, rtol, rng):
    rows, shapes, ops = _analytic_full(fn, orig, arrays, diff)
    mism, kinks = [], []
    max_abs = max_rel = 0.0
    checked = 0
    redraw = []
    for d, i in enumerate(diff):
        for j in range(arrays[i].size):
            num, left, right = _slopes(fn, orig, arrays, diff, i, j, eps)
            ana = np.array([r[d][j] for r in rows]) if rows else np.zeros(0)
            err = np.abs(ana - num)
            checked += err.size
            bad = err > atol + rtol * np.abs(num)
            if err.size:
                max_abs = max(max_abs, float(err.max()))
                max_rel = max(max_rel, float((err / np.maximum(np.abs(num), 1e-12)).max()))
            if not bad.any():
                continue
            kink = _is_kink(left, right, atol, rtol) & bad
            idx = tuple(int(v) for v in np.unravel_index(j, arrays[i].shape))
            if kink.any():
                w = int(np.argmax(np.where(kink, np.abs(right - left), -1)))
                x0 = float(arrays[i].reshape(-1)[j])
                kinks.append(
                    Kink(
                        i,
                        idx,
                        x0,
                        float(left[w]),
                        float(right[w]),
                        float(ana[w]),
                        _redraw(rng, x0, eps),
                    )
                )
                redraw.append((i, j, kinks[-1].redrawn_to))
                continue
            for k in np.nonzero(bad)[0]:
                o, oi = _out_index(shapes, int(k))
                mism.append(Mismatch(o, oi, i, idx, float(ana[k]), float(num[k])))
    for i, j, v in redraw:
        arrays[i].reshape(-1)[j] = v
    res = GradcheckResult(not mism, "full", checked, max_abs, max_rel, mism, [], ops)
    return res, kinks


def _check_proj(fn, orig, arrays, diff, eps, atol, rtol, rng, n_proj):
    args = _make(orig, arrays, diff, True)
    outs = _outputs(fn(*args))
    ops = []
    for o in outs:
        if o._node is not None:
            ops += [n.fn.__name__ for n in topological_order(o._node) if n.fn is not None]
    mism, kinks = [], []
    max_abs = max_rel = 0.0
    for p in range(n_proj):
        us = [rng.standard_normal(o._data.shape) for o in outs]
        nu = np.sqrt(sum(float((u * u).sum()) for u in us)) or 1.0
        us = [u / nu for u in us]
        vs = {i: rng.standard_normal(arrays[i].shape) for i in diff}
        nv = np.sqrt(sum(float((v * v).sum()) for v in vs.values())) or 1.0
        vs = {i: v / nv for i, v in vs.items()}
        for i in diff:
            args[i].grad = None
        for o, u in zip(outs, us):
            if o.requires_grad:
                o.backward(_seed(u, o), retain_graph=True)
        ana = sum(
            float((to_numpy(args[i].grad._data) * vs[i]).sum())
            for i in diff
            if args[i].grad is not None
        )

        def proj(sign, scale=1.0, _us=us, _vs=vs):
            moved = [
                a + sign * scale * eps * _vs[k] if k in _vs else a for k, a in enumerate(arrays)
            ]
            return sum(float((o * u).sum()) for o, u in zip(_eval(fn, orig, moved, diff), _us))

        f0, fp, fm = proj(0.0), proj(1.0), proj(-1.0)
        num = (fp - fm) / (2 * eps)
        err = abs(ana - num)
        max_abs = max(max_abs, err)
        max_rel = max(max_rel, err / max(abs(num), 1e-12))
        if err <= atol + rtol * abs(num):
            continue
        left, right = (f0 - fm) / eps, (fp - f0) / eps
        if _is_kink(np.array(left), np.array(right), atol, rtol):
            for i in diff:  # move every element a little: some sat on a kink
                a = arrays[i]
                a += rng.uniform(-1e-3, 1e-3, a.shape) * np.maximum(1.0, np.abs(a))
            kinks.append(Kink(diff[0], (), float("nan"), left, right, ana, float("nan")))
            break
        mism.append(Mismatch(-1, (p,), -1, (), ana, num))
    res = GradcheckResult(
        not mism, "projection", n_proj, max_abs, max_rel, mism, [], list(dict.fromkeys(ops))
    )
    return res, kinks


def gradcheck(
    fn,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **kwargs,
) -> bool:
    """Check ``fn``'s backward against central finite differences in float64.

    Parameters
    ----------
    fn : callable
        ``fn(*inputs)`` returns a Tensor or a tuple of Tensors.
    inputs : Tensor or tuple
        Tensors with ``requires_grad=True`` are differentiated (copied to float64); other
        arguments are passed through.
    eps, atol, rtol :
        Step and tolerances: an entry passes when ``|analytic − numerical| ≤ atol + rtol·|num|``.
    raise_exception : bool
        Raise :class:`GradcheckError` with a per-element report on failure (torch's default);
        otherwise return False.
    **kwargs :
        ``max_full`` (Jacobian entries above which random projections are used),
        ``n_projections``, ``max_redraws``, ``seed``.

    Returns
    -------
    bool
        True when every entry agrees. Inputs found on a kink are reported with a
        :class:`KinkWarning` and re-drawn, not counted as failures.
    """
    res = check_gradients(fn, inputs, eps=eps, atol=atol, rtol=rtol, **kwargs)
    if res.kinks:
        warnings.warn(
            "gradcheck: " + res.report().split("\n", 1)[-1].strip() if res.ok else res.report(),
            KinkWarning,
            stacklevel=2,
        )
    if not res.ok:
        if raise_exception:
            raise GradcheckError(res.report())
        return False
    return True
