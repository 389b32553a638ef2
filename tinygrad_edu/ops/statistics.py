"""Statistics: var and std (with torch's ``correction``), var_mean, std_mean, cov, corrcoef.

Backward: with x̄ the mean over the reduced axes, ∂var/∂xᵢ = 2(xᵢ − x̄)/(n − c) — the x̄ terms
cancel because Σ(xⱼ − x̄) = 0 — and ∂std/∂var = 1/(2 std).
"""

from __future__ import annotations

import warnings

import numpy as np

from .._args import require_tensor
from ..autograd import Function
from ..backend import get_array_module
from ..dtype import kind_of
from ..tensor import Tensor
from ._dual import xp_of
from ._reduction import float_out, reduce_dims, torch_args, write_out
from ._util import half_opmath, named, quiet
from ._wide_out import other_float_out, std_var_input
from .reduce import MeanFn, _count, _keep, _mean


def _sum_of_squares(x, axes, keepdim, n, welford: bool = False):
    """Σ (x − x̄)² over ``axes``, accumulated as torch's CPU kernels do: in float64 for a
    float32 input (its ``acc_type<float>`` is double), so [1e20, 1e20, −1e20] has a finite std
    (1.15e20) and [3e38] × 4 a zero variance, where float32 steps overflow to inf. Silent, as
    torch: inf − inf is nan, an overflowing square inf. ``welford``: var_mean/std_mean, whose
    kernel is Welford's in float64 even for a single output. A float64 input takes two passes
    (torch's Welford recurrence sums in another order: the last bit may differ, within
    float64 rounding; running the recurrence per element in NumPy was 4–5× slower)."""
    wide = type(x) is np.ndarray and x.dtype == np.float32  # (CUDA accumulates in float)
    with quiet():
        if wide and x.size <= max(n, 1) and not welford:  # one output: torch's var/std (
            x = x.astype(np.float64)  # std_var_all_cpu) take the float32 mean, then float64
            total = x.sum(axis=axes, keepdims=True).astype(np.float32)  # (inf beyond float32)
            mean = (total / np.float32(max(n, 1))).astype(np.float64)
        else:  # Welford in float64 over each output's elements (~ two passes in float64)
            x = x.astype(np.float64) if wide else x
            mean = _mean(x, axes, True, n)
        diff = x - mean
        return (diff * diff).sum(axis=axes, keepdims=keepdim), wide


def _narrow(y, wide: bool):
    with quiet():  # a float64 variance beyond float32 is inf, silently
        return y.astype(np.float32) if wide else y


class VarFn(Function):
    """y = Σ (x - x̄)² / (n - correction)"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, axes, correction, keepdim, welford=False):
        n = _count(x.shape, axes)
        ss, wide = _sum_of_squares(x, axes, keepdim, n, welford)
        denom = n - correction if n > correction else 0  # (the module-level max is torch.max)
        ctx.save_for_backward(x)
        ctx.axes, ctx.keepdim, ctx.dof, ctx.n = axes, keepdim, n - correction, n
        with np.errstate(divide="ignore", invalid="ignore"):
            return _narrow(ss / denom, wide)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        gk = _keep(g, ctx.axes, ctx.keepdim, x.ndim)
        return _var_grad(gk, _diff(x, ctx), ctx.dof), None, None, None, None


def _diff(x, ctx):
    """x − x̄ over the reduced axes (recomputed from the saved input: exact, and differentiable
    again under create_graph)."""
    xp = xp_of(x)
    if ctx.n == 0:
        return x
    with quiet():  # inf − inf = nan silently, as torch
        return x - xp.mean(x, axis=ctx.axes, keepdims=True)


def _var_grad(gk, diff, dof):
    # ∂y/∂xᵢ = 2(xᵢ - x̄)/(n - c)  (the x̄ terms cancel because Σ(xⱼ - x̄) = 0);
    # torch: no clamp of n - c here (n - c = 0 gives ±inf/nan, negative flips the sign)
    with quiet():
        return gk * (2.0 / dof) * diff if dof else gk * diff * np.inf


class StdFn(Function):
    """y = √(Σ (x - x̄)² / (n - correction))"""

    array_io = True

    @staticmethod
    @half_opmath  # float16: computed in float32, rounded once
    def forward(ctx, x, axes, correction, keepdim, welford=False):
        xp = get_array_module(x)
        n = _count(x.shape, axes)
        ss, wide = _sum_of_squares(x, axes, keepdim, n, welford)  # (float64, as torch)
        denom = n - correction if n > correction else 0
        with np.errstate(divide="ignore", invalid="ignore"):
            y = _narrow(xp.asarray(xp.sqrt(ss / denom)), wide)
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.keepdim, ctx.dof, ctx.n = axes, keepdim, n - correction, n
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        gk = _keep(g, ctx.axes, ctx.keepdim, x.ndim)
        yk = _keep(y, ctx.axes, ctx.keepdim, x.ndim)
        with quiet():
            gv = xp.where(yk == 0, 0, gk / (2 * yk))  # ∂√v/∂v = 1/(2√v); torch: 0 where std = 0
        return _var_grad(gv, _diff(x, ctx), ctx.dof), None, None, None, None


class WelfordMeanFn(MeanFn):
    """y = (1/n) Σ x, var_mean's and std_mean's mean: accumulated in float64 for float32, as
    torch's Welford kernel (var_mean([3e38] × 4) has mean 3e38 where x.mean() is inf)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        if type(x) is not np.ndarray or x.dtype != np.float32:
            return MeanFn.forward(ctx, x, axes, keepdim)
        with quiet():
            return MeanFn.forward(ctx, x.astype(np.float64), axes, keepdim).astype(np.float32)


def _var_args(op, input, dim, unbiased, correction):
    """torch's three signatures: ``(dim=None, *, correction=1)``, ``(dim, unbiased, keepdim)``
    and the legacy ``(unbiased)`` (a bool in dim's place). Returns (axes, correction)."""
    if isinstance(dim, bool):  # torch.var(x, False): the legacy positional `unbiased`
        if unbiased is not None:  # var(x, True, False): that overload is (input, unbiased)
            raise TypeError(f"{op}() received an invalid combination of arguments: a bool "
                            "dim is the legacy unbiased, and unbiased is given too")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}() received an invalid combination of arguments: unbiased and "
                        "correction cannot both be given")
    if kind_of(input._data.dtype) != "f":
        raise RuntimeError(f"{op}(): std and var only support floating point and complex "
                           f"dtypes (got {input.dtype.name})")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return reduce_dims(dim, input._data.ndim, op), correction


@torch_args(dim_for=("keepdim", "out"), when="unbiased")
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``torch.var``: Σ (x − x̄)² / (n − correction) over ``dim`` (x̄ the mean there;
    correction 1 by default, ``unbiased=False`` is 0). dtype: floating only (RuntimeError).
    n − correction ≤ 0 gives inf/nan, as torch. Derivative: 2(xᵢ − x̄)/(n − correction). Shapes:
    input any shape; output drops ``dim`` (size 1 with ``keepdim``), 0-d without ``dim``. Raises
    IndexError for a dim out of range."""
    axes, c = _var_args("var", input, dim, unbiased, correction)
    if other_float_out(input, out):  # torch reduces in out's dtype
        input = std_var_input("var", input, axes, out)
    return write_out(float_out(VarFn.apply(input, axes, c, keepdim), out), out, "var")


@torch_args(dim_for=("keepdim", "out"), when="unbiased")
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``torch.std``: √var (see :func:`var`). Derivative: (xᵢ − x̄)/((n − correction)·std),
    0 where std = 0 (torch). Shapes: as :func:`var`. Raises RuntimeError for an integer input,
    IndexError for a dim out of range."""
    axes, c = _var_args("std", input, dim, unbiased, correction)
    if other_float_out(input, out):  # torch reduces in out's dtype
        input = std_var_input("std", input, axes, out)
    return write_out(float_out(StdFn.apply(input, axes, c, keepdim), out), out, "std")


@torch_args(dim_for=("keepdim",), when="unbiased")
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``torch.var_mean``: the tuple ``(var, mean)`` over the same dims (see :func:`var`);
    each output carries its own gradient (they add up at the input).

    Shapes: input (*) → two tensors of the shape with ``dim`` removed (kept as size 1 with
    ``keepdim=True``); every dim when ``dim`` is None. Raises IndexError for ``dim`` out of range;
    RuntimeError for a dim given twice or an integer input; TypeError for out= (torch has none).
    """
    if out is not None:  # torch's binding of var_mean has no out=
        raise TypeError("var_mean() got an unexpected keyword argument 'out' (torch's var_mean "
                        "takes none; write the two results with copy_)")
    axes, c = _var_args("var_mean", input, dim, unbiased, correction)
    v = named(VarFn.apply(input, axes, c, keepdim, True), "VarMeanBackward0")
    m = named(WelfordMeanFn.apply(input, axes, keepdim), "VarMeanBackward0")
    return v, m


@torch_args(dim_for=("keepdim",), when="unbiased")
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``torch.std_mean``: the tuple ``(std, mean)`` over the same dims (see :func:`std`).

    Shapes: input (*) → two tensors of the shape with ``dim`` removed (kept as size 1 with
    ``keepdim=True``); every dim when ``dim`` is None. Raises IndexError for ``dim`` out of range;
    RuntimeError for a dim given twice or an integer input; TypeError for out= (torch has none).
    """
    if out is not None:  # torch's binding of std_mean has no out=
        raise TypeError("std_mean() got an unexpected keyword argument 'out' (torch's std_mean "
                        "takes none; write the two results with copy_)")
    axes, c = _var_args("std_mean", input, dim, unbiased, correction)
    sd = named(StdFn.apply(input, axes, c, keepdim, True), "StdMeanBackward0")
    m = named(WelfordMeanFn.apply(input, axes, keepdim), "StdMeanBackward0")
    return sd, m


def _check_weights(w, name: str, n: int, integral: bool):
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w.ndim} dimensions")
    kind = kind_of(w._data.dtype)
    if integral and kind not in "iu":
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} with "
                           f"{w.dtype.name} dtype")
    if not integral and kind != "f":
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got "
                           f"{name} with {w.dtype.name} dtype")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {n}")
    if n and bool((w._data < 0).any()):
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """``torch.cov``: the covariance matrix of the variables in the rows of ``input``
    (V, N: V variables, N observations; a 1-D input is one variable).

    With weights w = fweights·aweights (integer frequencies, float importance):
    x̄ = Σ wⱼxⱼ / Σw, C = (x − x̄) diag(w) (x − x̄)ᵀ / (Σw − correction·Σ(w·aweights)/Σw)
    (without aweights the divisor is Σw − correction; NumPy's and torch's formula). Returns
    (V, V), or a 0-d tensor for one variable. A divisor ≤ 0 warns and gives inf/nan (torch).
    Raises RuntimeError for > 2 dims and for weights of the wrong rank, dtype, size or sign.
    Built from differentiable ops (mean, matmul), so the gradient flows to input and weights.

    Shapes: input (V, N) or (N,) → (V, V), or 0-d for one variable.
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "cov")
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    if kind_of(input._data.dtype) == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", n, integral=True)
        w = fweights
    if aweights is not None:
        _check_weights(aweights, "aweights", n, integral=False)
        w = aweights if w is None else w * aweights
    if w is None:
        w_sum = n
        avg = x.sum(1) / n
    else:
        w_sum = w.sum()
        if not bool(w_sum._data != 0):
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        avg = (x * w).sum(1) / w_sum
    if w is not None and correction != 0 and aweights is not None:
        factor = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        factor = w_sum - correction
    if float(factor._data if hasattr(factor, "_data") else factor) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        factor = factor * 0
    xc = x - avg.unsqueeze(1)
    c = xc @ (xc if w is None else xc * w).t()
    if not hasattr(factor, "_data"):
        factor = float(factor)
    with quiet():
        c = (c / factor).squeeze()
    c._view = None  # a new tensor to the user, as torch's (not a view of a temporary)
    return c


def corrcoef(input):
    """``torch.corrcoef``: Pearson correlation coefficients of the rows of ``input`` (V, N):
    R = C / √(diag C diag Cᵀ), C = :func:`cov`, clipped to [−1, 1] (torch). A single
    variable gives c/c (1, or nan for a constant row). Differentiable (composed of ops).

    Shapes: input (V, N) or (N,) → (V, V), or 0-d for one variable. Raises RuntimeError for an input
    of more than 2 dims. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "corrcoef")
    if input.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    c = cov(input)
    with quiet():
        if c.ndim == 0:
            return c / c
        i = Tensor._wrap(get_array_module(c._data).arange(c.shape[0]))
        sd = c[i, i].sqrt()
        c = c / sd.reshape(-1, 1)
        c = c / sd.reshape(1, -1)
        return c.clip(-1, 1)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["corrcoef", "cov", "std", "std_mean", "var", "var_mean"]

METHODS = {"var": var, "std": std, "cov": cov, "corrcoef": corrcoef}
