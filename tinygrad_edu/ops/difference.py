"""Finite differences and integrals along a dim: diff, gradient, trapezoid (trapz),
cumulative_trapezoid.

Each is composed of slices and arithmetic exactly as torch composes it (same formula, same
order of rounding), so the gradient, and its gradient, come from those ops.
"""

from __future__ import annotations

import numbers

from .._args import require_tensor
from ..tensor import Tensor, _wrap_dim
from ._reduction import reduce_dims
from .join import cat


def _slice(t: Tensor, dim: int, start=None, stop=None) -> Tensor:
    """``t`` sliced along ``dim`` (a differentiable view)."""
    return t[(slice(None),) * dim + (slice(start, stop),)]


def _select(t: Tensor, dim: int, i: int) -> Tensor:
    return t[(slice(None),) * dim + (i,)]


# ---- diff ---------------------------------------------------------------------------------------
def _diff_check(input, n, dim, prepend, append):
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    ax = _wrap_dim(dim, input.ndim, "diff")
    for name, t in (("prepend", prepend), ("append", append)):
        if t is None:
            continue
        if t.ndim != input.ndim:
            raise RuntimeError(f"diff expects {name} to be the same dimension as input "
                               f"({t.ndim} vs {input.ndim})")
        for d in range(input.ndim):
            if d != ax and t.shape[d] != input.shape[d]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of "
                    f"input except along the differencing dimension; input.size({d}) = "
                    f"{input.shape[d]}, but got tensor.size({d}) = {t.shape[d]}")
    return ax


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """``torch.diff``: the n-th forward difference along ``dim``: out[i] = x[i+1] − x[i],
    applied n times (``prepend``/``append`` are concatenated to the input first; bool inputs
    use xor). Shapes: the dim shrinks by n (to 0 at most). Raises RuntimeError for a 0-d
    input, n < 0, or prepend/append of another rank or shape. Derivative: the adjoint of the
    differences (the gradient of each slice). Raises TypeError when ``input`` is not a Tensor."""
    require_tensor(input, "diff")
    ax = _diff_check(input, n, dim, prepend, append)
    if n == 0:
        return input.clone()
    if prepend is not None or append is not None:
        parts = [t for t in (prepend, input, append) if t is not None]
        input = cat(parts, ax)
    out = input
    length = input.shape[ax] - 1
    for _ in range(min(n, input.shape[ax])):
        hi, lo = out.narrow(ax, 1, length), out.narrow(ax, 0, length)
        out = hi.logical_xor(lo) if out.dtype.name == "bool" else hi - lo
        length -= 1
    return out


# ---- gradient -----------------------------------------------------------------------------------
def _gradient_checks(input, n_spacing, dims, edge_order):
    if input.dtype.name == "uint8":
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if n_spacing is not None and dims is None and n_spacing != input.ndim:
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
            f"equal to 'self.dim() = {input.ndim}', since dim argument was not given, but got "
            f"a list of length {n_spacing}")
    if n_spacing is not None and dims is not None and n_spacing != len(dims):
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
            f"arguments to have the same length, but got a spacing argument of length "
            f"{n_spacing} and a dim argument of length {len(dims)}.")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in range(input.ndim) if dims is None else dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")


def _gradient_uniform(x, h, ax, edge_order):
    """Central differences with a constant step h: (x[i+1] − x[i−1]) / 2h inside, one-sided
    first- or second-order differences at the two ends (torch's gradient_helper_float)."""
    center = (_slice(x, ax, 2) - _slice(x, ax, 0, -2)) / h
    if edge_order == 1:
        first = (_slice(x, ax, 1, 2) - _slice(x, ax, 0, 1)) / h
        last = (_slice(x, ax, -1) - _slice(x, ax, -2, -1)) / h
    else:
        first = (_slice(x, ax, 0, 1) * -1.5 + _slice(x, ax, 1, 2) * 2
                 - _slice(x, ax, 2, 3) * 0.5) / h
        last = (_slice(x, ax, -3, -2) * 0.5 + _slice(x, ax, -2, -1) * -2
                + _slice(x, ax, -1) * 1.5) / h
    return cat([first, center / 2, last], ax)


def _gradient_coords(x, coords, ax, edge_order):
    """Second-order accurate differences on the sample coordinates ``coords`` (1-D), with
    uneven steps (torch's gradient_helper, after NumPy's)."""
    if coords.ndim != 1:
        raise RuntimeError("torch.gradient expected each element of spacing to have one "
                           f"dimension, but got an element with {coords.ndim} dimensions!")
    shape = [1] * x.ndim
    shape[ax] = -1
    h = diff(coords, 1, 0)
    h1, h2 = h[:-1], h[1:]
    a = (-h2 / (h1 * (h1 + h2))).reshape(shape)
    b = ((h2 - h1) / (h1 * h2)).reshape(shape)
    c = (h1 / (h2 * (h1 + h2))).reshape(shape)
    center = a * _slice(x, ax, 0, -2) + b * _slice(x, ax, 1, -1) + c * _slice(x, ax, 2)
    if edge_order == 1:
        first = (_slice(x, ax, 1, 2) - _slice(x, ax, 0, 1)) / h[0]
        last = (_slice(x, ax, -1) - _slice(x, ax, -2, -1)) / h[-1]
    else:
        a = -(2.0 * h[0] + h[1]) / (h[0] * (h[0] + h[1]))
        b = (h[0] + h[1]) / (h[0] * h[1])
        c = (-h[0]) / (h[1] * (h[0] + h[1]))
        first = a * _slice(x, ax, 0, 1) + b * _slice(x, ax, 1, 2) + c * _slice(x, ax, 2, 3)
        a = h[-1] / (h[-2] * (h[-1] + h[-2]))
        b = -(h[-1] + h[-2]) / (h[-1] * h[-2])
        c = (2 * h[-1] + h[-2]) / (h[-1] * (h[-1] + h[-2]))
        last = a * _slice(x, ax, -3, -2) + b * _slice(x, ax, -2, -1) + c * _slice(x, ax, -1)
    return cat([first, center, last], ax)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """``torch.gradient``: the derivative of the sampled function ``input`` along each dim
    (a tuple, one tensor per dim), by central differences inside and one-sided differences of
    order ``edge_order`` (1 or 2) at the ends.

    ``spacing``: a number (the same step everywhere), one number per dim, or one 1-D tensor
    of sample coordinates per dim. Shapes: each output has the input's shape. dtype: integer
    inputs give the default float dtype. Raises RuntimeError for a bad spacing length, an
    edge_order other than 1 or 2, a dim shorter than edge_order + 1, uint8 input, a spacing
    tensor on another device than the input (cpu and meta, cpu and cuda); IndexError
    for a dim out of range. Derivative: the adjoint of the (linear) difference stencils.
    Raises TypeError when ``input`` is not a Tensor."""
    require_tensor(input, "gradient")
    dims = None
    if dim is not None:  # in the order given (a repeated dim is torch's RuntimeError)
        listed = list(dim) if isinstance(dim, (list, tuple)) else [dim]
        reduce_dims(listed, input.ndim, "gradient")
        dims = tuple(_wrap_dim(int(d), input.ndim, "gradient") for d in listed)
    if spacing is None:
        spacing = 1
    if isinstance(spacing, Tensor) and spacing.ndim == 0:
        spacing = spacing.item()
    many = isinstance(spacing, (list, tuple))
    _gradient_checks(input, len(spacing) if many else None, dims, edge_order)
    for h in spacing if many else ():  # torch: every spacing tensor on the input's device
        if isinstance(h, Tensor) and h.device != input.device:
            raise RuntimeError("torch.gradient expected each tensor to be on the same device, "
                               f"but got devices {input.device} and {h.device}!")
    axes = dims if dims is not None else tuple(range(input.ndim))
    steps = list(spacing) if many else [spacing] * len(axes)
    out = []
    for ax, h in zip(axes, steps):
        if isinstance(h, Tensor) and h.ndim == 0:
            h = h.item()
        if isinstance(h, numbers.Number):
            out.append(_gradient_uniform(input, h, ax, edge_order))
        else:
            out.append(_gradient_coords(input, h, ax, edge_order))
    return tuple(out)


# ---- trapezoid ----------------------------------------------------------------------------------
def _dx_from_x(y, x, ax, op):
    """The sample spacings x[i+1] − x[i] along ``ax``, shaped to broadcast against y's."""
    if x.dtype.name == "bool" or y.dtype.name == "bool":
        raise RuntimeError(f"{op}: received a bool input for `x` or `y`, but bool is not "
                           "supported")
    if x.ndim == 1:
        if x.shape[0] != y.shape[ax]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[ax] = x.shape[0]
        x = x.reshape(shape)
    elif x.ndim < y.ndim:
        x = x.reshape((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    return _slice(x, ax, 1) - _slice(x, ax, 0, -1)


def _check_dx(y, dx, op):
    if y.dtype.name == "bool":
        raise RuntimeError(f"{op}: received a bool input for `y`, but bool is not supported")
    if isinstance(dx, bool) or not isinstance(dx, numbers.Real):
        raise RuntimeError(f"{op}: Currently, we only support dx as a real number.")
    return float(dx)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """``torch.trapezoid``: ∫ y dx along ``dim`` by the trapezoid rule,
    Σᵢ (xᵢ₊₁ − xᵢ)(yᵢ + yᵢ₊₁)/2 (sample points ``x``, or a constant spacing ``dx``, 1 by
    default: then dx·(Σ y − (y₀ + yₙ₋₁)/2)). The dim is removed; a size-0 dim gives zeros
    (NumPy's convention). Raises RuntimeError for bool inputs or an x of the wrong length.
    Derivative: the trapezoid weights (to y) and the half-sums (to x).

    Shapes: y (*) → the shape with ``dim`` removed; ``x`` either 1-D of the dim's length or
    broadcasting with y. Raises TypeError when ``y`` is not a Tensor.
    """
    require_tensor(y, "trapezoid", "y", 1)
    ax = _wrap_dim(dim, y.ndim, "trapezoid")
    if x is not None and dx is not None:
        raise TypeError("trapezoid(): pass either x or dx, not both")
    if y.shape[ax] == 0:
        shape = list(y.shape)
        del shape[ax]
        return y.new_zeros(shape)
    if x is not None:
        d = _dx_from_x(y, x, ax, "trapezoid")
        return ((_slice(y, ax, 0, -1) + _slice(y, ax, 1)) * d).sum(ax) / 2.0
    h = _check_dx(y, 1 if dx is None else dx, "trapezoid")
    return (y.sum(ax) - (_select(y, ax, 0) + _select(y, ax, -1)) * 0.5) * h


def trapz(y, x=None, *, dx=None, dim=-1):
    """``torch.trapz``: the older name of :func:`trapezoid`.

    Shapes: y (*) → the shape with ``dim`` removed; ``x`` either 1-D of the dim's length or
    broadcasting with y. Raises IndexError for ``dim`` out of range.
    Raises TypeError when ``y`` is not a Tensor.
    """
    require_tensor(y, "trapz", "y", 1)
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """``torch.cumulative_trapezoid``: the running trapezoid integral along ``dim`` (the dim
    shrinks by one): out[k] = Σ_{i ≤ k} (xᵢ₊₁ − xᵢ)(yᵢ + yᵢ₊₁)/2. Raises as
    :func:`trapezoid`. Derivative: the adjoint of that cumulative sum.

    Shapes: y (*) → the shape with ``dim`` one shorter; ``x`` either 1-D of the dim's length or
    broadcasting with y. Raises IndexError for ``dim`` out of range.
    Raises TypeError when ``y`` is not a Tensor.
    """
    require_tensor(y, "cumulative_trapezoid", "y", 1)
    ax = _wrap_dim(dim, y.ndim, "cumulative_trapezoid")
    if x is not None and dx is not None:
        raise TypeError("cumulative_trapezoid(): pass either x or dx, not both")
    pair = _slice(y, ax, 0, -1) + _slice(y, ax, 1)
    if x is not None:
        d = _dx_from_x(y, x, ax, "cumulative_trapezoid")
        return (pair * d).cumsum(ax) / 2.0
    h = _check_dx(y, 1 if dx is None else dx, "cumulative_trapezoid")
    return (h / 2.0 * pair).cumsum(ax)


# torch.<name> functions this module provides (re-exported by the package root)
__all__ = ["cumulative_trapezoid", "diff", "gradient", "trapezoid", "trapz"]

METHODS = {"diff": diff}
