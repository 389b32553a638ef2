"""Torch's slow-mode gradcheck, the engine behind ``tg.autograd.gradcheck``, and the helpers it
shares with ``tg.inspect.gradcheck`` (which adds kink detection and random projections on top
of the same float64 copies and seeds): :func:`_prepare`, :func:`_make`, :func:`_seed`,
:func:`_outputs`, :func:`first_derivatives_fn`.

For each input ``x_j`` that requires grad and each output ``y_i`` that requires grad:

- numerical Jacobian, column by column: perturb one element ``k`` of ``x_j`` by ``±eps`` and
  take the central difference ``(y_i(x + eps·e_k) − y_i(x − eps·e_k)) / (2·eps)``: row ``k`` of
  the ``(x_j.numel(), y_i.numel())`` matrix;
- analytical Jacobian, row by row: ``grad(y_i, x, e_r)`` (a vector-Jacobian product with the
  ``r``-th basis vector) is column ``r`` of the same matrix. It is computed twice; the two must
  agree within ``nondet_tol`` ("reentrant" backward);
- the two must be ``allclose(analytical, numerical, rtol, atol)``.

Then torch's extra checks: a zero ``grad_output`` gives zero gradients of the inputs' dtype and
shape; leaving one output's gradient out (undefined) works and gives zeros.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..backend import CPU, to_device, to_numpy
from ..tensor import Tensor
from .api import grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` and :func:`gradgradcheck` (and ``tg.inspect.gradcheck``) when
    the analytical gradient (our backward) disagrees with the numerical one."""


def _prepare(inputs):
    """Host float64 copies of the inputs (the finite differences are taken on the host); the
    function itself is evaluated on each input's own device (see :func:`_make`)."""
    if isinstance(inputs, Tensor) or not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    arrays, diff = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            a = to_numpy(x._data)
            if a.dtype.kind == "f":
                a = a.astype(np.float64)
                if x.requires_grad:
                    diff.append(i)
            arrays.append(a.copy())
        else:
            arrays.append(x)
    return list(inputs), arrays, diff


def _make(orig, arrays, diff, track: bool):
    """Fresh float64 input tensors on the device each original input lives on, so a cuda
    input checks the cuda path (one explicit host-to-device copy per input)."""
    args = []
    for i, (o, a) in enumerate(zip(orig, arrays)):
        if isinstance(o, Tensor):
            t = Tensor._wrap(to_device(np.array(a, copy=True), o.device))
            t.requires_grad = track and i in diff
            args.append(t)
        else:
            args.append(o)
    return args


def _seed(g: np.ndarray, out: Tensor) -> Tensor:
    """The upstream gradient ``g`` (host) on the output's device and in its dtype."""
    g = g.astype(out._data.dtype, copy=False)
    return Tensor._wrap(g if out.device == CPU else to_device(g, out.device))


def _outputs(res) -> list:
    res = res if isinstance(res, (tuple, list)) else (res,)
    return [r for r in res if isinstance(r, Tensor) and r._data.dtype.kind == "f"]


def first_derivatives_fn(fn, inputs, grad_outputs=None, seed: int = 0):
    """The map ``(inputs, v) ↦ vᵀ·∂fn/∂inputs`` and its arguments ``inputs + grad_outputs``.

    ``grad_outputs`` (one per floating output of ``fn``) default to seeded random float64
    tensors that require grad, so the derivative with respect to them is checked too (as
    torch's gradgradcheck does). Returns ``(new_fn, all_inputs)``."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    n = len(inputs)
    if grad_outputs is None:
        with no_grad():
            outs = _outputs(fn(*inputs))
        rs = np.random.RandomState(seed)
        grad_outputs = tuple(
            Tensor._wrap(rs.standard_normal(o._data.shape)).requires_grad_(True) for o in outs)
    grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)

    wrt_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivatives(*args):
        # the finite-difference passes call this without a graph: differentiate fresh leaves
        xs = [x if not isinstance(x, Tensor) or i not in wrt_idx or x.requires_grad
              else x.detach().requires_grad_(True) for i, x in enumerate(args[:n])]
        with enable_grad():
            outs = _outputs(fn(*xs))
            pairs = [(o, v) for o, v in zip(outs, args[n:]) if o.requires_grad]
            gs = grad([o for o, _ in pairs], [xs[i] for i in wrt_idx], [v for _, v in pairs],
                      create_graph=True, allow_unused=True)
        return tuple(g if g is not None else xs[i] * 0 for i, g in zip(wrt_idx, gs))

    return first_derivatives, tuple(inputs) + grad_outputs




def _as_tuple(x) -> tuple:
    if isinstance(x, tuple):
        return x
    return tuple(x) if isinstance(x, list) else (x,)


def _check_inputs(inputs: tuple) -> None:
    """Torch's input checks: a warning per low-precision input that requires grad, ValueError
    when none requires grad."""
    any_grad = False
    for idx, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            if to_numpy(x._data).dtype.kind == "c":
                raise NotImplementedError(f"gradcheck: complex input #{idx} is not supported")
            if to_numpy(x._data).dtype != np.float64:
                warnings.warn(
                    f"Input #{idx} requires gradient and "
                    "is not a double precision floating point or complex. "
                    "This check will likely fail if all the inputs are "
                    "not of double precision floating point or complex. ",
                    stacklevel=4,
                )
            any_grad = True
    if not any_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, "
            "but none of them have requires_grad=True.")


def _host(t) -> np.ndarray:
    return to_numpy(t._data).astype(np.float64)


def numerical_jacobian(fn, orig, arrays, diff, positions, eps) -> list:
    """``J[p][d]``: the ``(numel of input diff[d], numel of output positions[p])`` central-
    difference Jacobian, one input element (one row) at a time, evaluated in float64."""
    def outs():
        with no_grad():
            res = _as_tuple(fn(*_make(orig, arrays, diff, False)))
        return [_host(res[p]).reshape(-1) for p in positions]

    jac = [[None] * len(diff) for _ in positions]
    for d, i in enumerate(diff):
        flat = arrays[i].reshape(-1)
        cols = []
        for k in range(flat.size):
            x0 = flat[k]
            flat[k] = x0 - eps
            fm = outs()
            flat[k] = x0 + eps
            fp = outs()
            flat[k] = x0
            cols.append([(b - a) / (2 * eps) for a, b in zip(fm, fp)])
        for p in range(len(positions)):
            n_out = cols[0][p].size if cols else 0
            jac[p][d] = (np.stack([c[p] for c in cols]) if cols
                         else np.zeros((0, n_out)))
    return jac


def _analytical_rows(out, xs, check_grad_dtypes):
    """The analytical Jacobian of ``out`` w.r.t. each of ``xs``, one vector-Jacobian product per
    output element; raises GradcheckError for a gradient of the wrong size or dtype."""
    n_out = out.numel()
    jac = [np.zeros((x.numel(), n_out)) for x in xs]
    types_ok = True
    for r in range(n_out):
        e = np.zeros(n_out)
        e[r] = 1.0
        gs = grad(out, xs, _seed(e.reshape(out._data.shape), out), retain_graph=True,
                  allow_unused=True)
        for d, (g, x) in enumerate(zip(gs, xs)):
            if g is None:
                continue
            if g.numel() != x.numel():
                raise GradcheckError("Analytical gradient has incorrect size")
            types_ok &= g.dtype == x.dtype
            jac[d][:, r] = _host(g).reshape(-1)
    if check_grad_dtypes and not types_ok:
        raise GradcheckError("Gradient has dtype mismatch")
    return jac


def analytical_jacobian(out, xs, nondet_tol, check_grad_dtypes) -> list:
    """``J[d]`` of shape ``(xs[d].numel(), out.numel())`` from our backward, computed twice to
    check that backward is deterministic within ``nondet_tol``."""
    j1 = _analytical_rows(out, xs, check_grad_dtypes)
    j2 = _analytical_rows(out, xs, check_grad_dtypes)
    for a, b in zip(j1, j2):
        if a.size and float(np.max(np.abs(a - b))) > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with "
                "same input and grad_output multiple times gives different values, "
                "although analytical gradient matches numerical gradient."
                f"The tolerance for nondeterminism was {nondet_tol}.")
    return j1


def _allclose(a, n, rtol, atol) -> bool:
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(a - n) <= atol + rtol * np.abs(n)))


def _mismatch_msg(a, n, i, j) -> str:
    return (f"Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
            f"numerical:{Tensor._wrap(n)}\nanalytical:{Tensor._wrap(a)}\n")


def _check_zero_grad_output(outputs, xs) -> None:
    """Torch's 'backward multiplied by grad_output' check: zero seeds give zero gradients of
    the inputs' dtype and shape."""
    gs = grad(outputs, xs, [_seed(np.zeros(o._data.shape), o) for o in outputs],
              allow_unused=True)
    for g, x in zip(gs, xs):
        if g is None:
            continue
        if np.any(_host(g) != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype != x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.device != x.device:
            raise GradcheckError("grad is incorrect device")
        if tuple(g.shape) != tuple(x.shape):
            raise GradcheckError("grad is incorrect size")


def _check_undefined_grad(func, orig, arrays, diff) -> None:
    """Leave each output's gradient out in turn (torch's undefined gradient): backward must run
    and give zero (or no) input gradients."""
    def fail(text, cause=None):
        warnings.warn(
            "Backwards compatibility: New undefined gradient support checking "
            "feature is enabled by default, but it may break existing callers "
            "of this function. If this is true for you, you can call this "
            'function with "check_undefined_grad=False" to disable the feature', stacklevel=5)
        raise GradcheckError(text) from cause

    args = _make(orig, arrays, diff, True)
    xs = [args[i] for i in diff]
    outs = [o for o in _as_tuple(func(*args)) if isinstance(o, Tensor) and o.requires_grad]
    if len(outs) < 2:
        return  # all gradients undefined: nothing runs (the zero-seed check covers it)
    for skip in range(len(outs)):
        kept = [o for k, o in enumerate(outs) if k != skip]
        try:
            gs = grad(kept, xs, [_seed(np.zeros(o._data.shape), o) for o in kept],
                      retain_graph=True, allow_unused=True)
        except RuntimeError as e:
            fail('Expected backward function to handle undefined output grads. Please look at '
                 '"Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"',
                 e)
        if any(g is not None and np.any(_host(g) != 0) for g in gs):
            fail("Expected all input grads to be undefined or zero when all output grads are "
                 'undefined or zero. Please look at "Notes about undefined output gradients" in '
                 '"tools/autograd/derivatives.yaml"')


def slow_gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, nondet_tol=0.0,
                   check_undefined_grad=True, check_grad_dtypes=False) -> bool:
    """Torch's slow-mode gradcheck (see the module docstring); True or GradcheckError.
    ``tg.autograd.gradcheck`` is the public face with torch's full signature."""
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    orig, arrays, diff = _prepare(inputs)
    args = _make(orig, arrays, diff, True)
    func_out = _as_tuple(func(*args))
    tensor_pos = [p for p, o in enumerate(func_out) if isinstance(o, Tensor)]
    diff_pos = [p for p in tensor_pos if func_out[p].requires_grad]
    xs = [args[i] for i in diff]
    if not diff_pos:  # no differentiable output: the function must be locally constant
        for per_in in numerical_jacobian(func, orig, arrays, diff, tensor_pos, eps):
            if any(np.any(j != 0) for j in per_in):
                raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    numerical = numerical_jacobian(func, orig, arrays, diff, diff_pos, eps)
    for i, p in enumerate(diff_pos):
        analytical = analytical_jacobian(func_out[p], xs, nondet_tol, check_grad_dtypes)
        for j, (a, n) in enumerate(zip(analytical, numerical[i])):
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_mismatch_msg(a, n, i, j))
    _check_zero_grad_output([func_out[p] for p in diff_pos], xs)
    if check_undefined_grad:
        _check_undefined_grad(func, orig, arrays, diff)
    return True
