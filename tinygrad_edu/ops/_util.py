"""What every op family shares: argument normalization and torch's type promotion."""

from __future__ import annotations

import numpy as np

from .._args import not_tensor, require_tensor  # noqa: F401  (re-exported for the ops)
from ..backend import get_array_module
from ..dtype import REDUCED_FLOATS, checked_scalar, kind_of, torch_type_name
from ..tensor import Tensor, _as_array, _wrap_dim


def as_tensor_like(x, ref: Tensor) -> Tensor:
    """A Tensor for ``x`` (scalar, list, ndarray) on ``ref``'s device."""
    if isinstance(x, Tensor):
        return x
    arr = _as_array(x, None)
    xp = get_array_module(ref._data)
    if xp is not np:
        arr = xp.asarray(arr)
    return Tensor._wrap(arr)


try:  # NumPy >= 2 keeps the floating-point error state in a context variable
    from numpy._core._ufunc_config import _extobj_contextvar as _ERRSTATE
    from numpy._core.umath import _make_extobj

    _IGNORE_ALL = _make_extobj(all="ignore")
except ImportError:  # older NumPy: fall back to np.errstate
    _ERRSTATE = None


class quiet:
    """``with quiet():`` means ``with np.errstate(all="ignore")``: float math never warns, as in
    torch (1/0 is inf, 0/0 is nan, silently).

    Speed (docs/design.md §7): building and entering an ``np.errstate`` costs ~1 µs, more than
    a small division itself; this sets NumPy's error-state context variable to a prebuilt
    "ignore all" value and restores it on exit, which is what ``np.errstate`` does inside.
    """

    __slots__ = ("_token",)

    def __enter__(self):
        if _ERRSTATE is None:
            self._token = np.errstate(all="ignore")
            self._token.__enter__()
        else:
            self._token = _ERRSTATE.set(_IGNORE_ALL)

    def __exit__(self, *exc):
        if _ERRSTATE is None:
            self._token.__exit__(*exc)
        else:
            _ERRSTATE.reset(self._token)
        return False


def raise_broadcast_error(op: str, *shapes) -> None:
    """Raise torch's RuntimeError for shapes that do not broadcast (naming the op)."""
    shapes = [tuple(s) for s in shapes]
    nd = max(len(s) for s in shapes)
    padded = [(1,) * (nd - len(s)) + s for s in shapes]
    names = "abcdefgh"
    for d in range(nd - 1, -1, -1):
        sizes = [(i, s[d]) for i, s in enumerate(padded) if s[d] != 1]
        for (i, n), (j, k) in zip(sizes, sizes[1:]):
            if n != k:
                raise RuntimeError(
                    f"The size of tensor {names[i]} ({n}) must match the size of tensor "
                    f"{names[j]} ({k}) at non-singleton dimension {d} ({op}: shapes "
                    + ", ".join(str(list(s)) for s in shapes) + ")"
                )
    raise RuntimeError(f"{op}: shapes {', '.join(str(list(s)) for s in shapes)} cannot be "
                       "broadcast together")


def dims(dim, ndim: int, op: str):
    """Normalize ``dim`` (None, int, or tuple) to a tuple of non-negative axes, or None."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        return tuple(sorted({_wrap_dim(int(d), ndim, op) for d in dim}))
    return (_wrap_dim(int(dim), ndim, op),)


def check_float(t: Tensor, op: str) -> None:
    if kind_of(t._data.dtype) != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor, got {t.dtype}")


def shape_str(*ts) -> str:
    return " and ".join(str(list(t.shape)) if isinstance(t, Tensor) else repr(t) for t in ts)


def named(t, name: str):
    """Give ``t``'s graph node torch's name for this call (torch names some nodes by how the
    op was called: ``x[1:]`` is SliceBackward0, ``x[1]`` SelectBackward0). Returns ``t``."""
    node = getattr(t, "_node", None)
    if node is not None:
        node.node_name = name
    return t




def _float_only(input, op: str) -> None:
    """torch has no integer kernel for these activations: NotImplementedError, as torch."""
    try:
        kind = kind_of(input._data.dtype)
    except AttributeError:  # not a Tensor: torch's TypeError (this path costs nothing until then)
        raise not_tensor(op, input) from None
    if kind in "iub":
        name = torch_type_name(input._data.dtype)
        raise NotImplementedError(f'"{op}" not implemented for \'{name}\' (an integer tensor; '
                                  f"convert it with .float() first)")
    check_float(input, op)


_HALF, _FLOAT = np.dtype(np.float16), np.dtype(np.float32)


def half_opmath(forward=None, *, mutates: tuple = ()):
    """Decorate a Function's ``forward``: float16 arrays are computed in float32 and the
    float32 results rounded back to float16 once, as torch's CPU kernels do for Half (their
    "opmath" type is float). Without it a forward of k NumPy steps rounds to half precision k
    times (NumPy's float16 ufuncs round after each step) and a reduction accumulates in
    float16. Saved arrays are rounded to float16 too, so the backward computes as before, in
    NumPy's float16 steps (torch's derivative formulas are composed of float16 ops; its fused
    backward kernels, e.g. softmax's, compute in float and may differ in the last bit).

    Only for ops whose floating outputs have the input's dtype, and only when every floating
    array argument is float16; anything else passes through untouched. Where torch itself
    composes an op of float16 steps (soft_margin_loss, transposed convolution, the grid
    sampler) the decorator is wrong and not used: ``parity_tests/scripts/sweep_dtypes.py``
    tells which. Sets ``ctx.from_half`` for a forward with such a path inside.

    ``mutates``: the positions (in ``forward``'s arguments after ctx) of arrays the forward
    updates in place (batch norm's running statistics): their float32 copies are rounded back
    into them afterwards, once, as torch stores its float-computed update (without it the
    update would land in a copy and be lost)."""
    if forward is None:  # @half_opmath(mutates=(...))
        return lambda f: half_opmath(f, mutates=mutates)

    def forward_in_opmath(ctx, *args, **kwargs):
        floats = [a.dtype == _HALF for a in args
                  if type(a) is np.ndarray and kind_of(a.dtype) == "f"]
        if not floats or not all(floats):  # no float16, or mixed with wider floats: as is
            return forward(ctx, *args, **kwargs)
        orig = args
        args = [a.astype(_FLOAT) if type(a) is np.ndarray and a.dtype == _HALF else a
                for a in args]
        ctx.from_half = True  # for a forward with a path torch runs in half steps
        out = forward(ctx, *args, **kwargs)
        for i in mutates:  # the in-place updates, back into the caller's float16 arrays
            if i < len(orig) and type(orig[i]) is np.ndarray and orig[i].dtype == _HALF:
                orig[i][...] = _to_half(args[i])
        saved = getattr(ctx, "_saved", None)
        if type(saved) is tuple:  # the backward runs on float16 values, as torch's formulas do
            ctx._saved = tuple(_to_half(a) for a in saved)
        if type(out) is tuple:
            return tuple(_to_half(o) for o in out)
        return _to_half(out)

    forward_in_opmath.__doc__, forward_in_opmath.__name__ = forward.__doc__, forward.__name__
    forward_in_opmath.__wrapped__ = forward
    return forward_in_opmath


_INT_OF_SIZE = {2: np.int16, 4: np.int32, 8: np.int64}


def select_grad(mask, g):
    """torch's ``mask ? grad : 0`` (``threshold_backward``, ``hardtanh_backward``, the shrink
    and hard-activation backwards): ``g`` where ``mask`` holds and +0.0 elsewhere, even where
    ``g`` is nan or negative. ``g * mask`` is not that: nan·0 = nan leaks an upstream nan
    through a blocked unit, and −g·0 = −0.0.

    Branch-free on NumPy floats: each value's bits AND'ed with 0 or all-ones (``np.where`` on a
    random mask is ~30x slower, about a multiply's cost here). ``mask`` (bool) has ``g``'s shape;
    anything else (Tensors under create_graph, CuPy, broadcasting) takes ``where``."""
    it = _INT_OF_SIZE.get(getattr(g, "itemsize", 0))
    if (type(g) is np.ndarray and type(mask) is np.ndarray and it is not None
            and g.dtype.kind == "f" and mask.shape == g.shape and mask.dtype == np.bool_):
        bits = np.negative(mask.view(np.int8), dtype=it)  # True → -1 (all ones), False → 0
        np.bitwise_and(g.view(it), bits, out=bits)
        return bits.view(g.dtype)
    from ._dual import xp_of

    return xp_of(g).where(mask, g, 0)


def half_opmath_backward(backward):
    """Decorate a Function's ``backward``: with float16 gradients, the backward computes in
    float32 from the float16 values it saved, and the engine rounds each input's gradient to
    float16 once (``engine.fit``). This is what torch's native backward kernels do for Half
    (``elu_backward``, ``gelu_backward``, ``hardswish_backward``, the grid sampler's and the
    pooling backward, ...): they read the float16 tensors and compute in float, their opmath
    type. Without it the backward's k NumPy steps round to half precision k times.

    Only where the sweep (``parity_tests/scripts/sweep_dtypes.py``) shows torch's backward is
    such a kernel; where torch composes a derivative of float16 ops (derivatives.yaml
    formulas), the float16 steps are right and the decorator is not used. Gradients that are
    Tensors (``create_graph=True``) pass through untouched."""
    def backward_in_opmath(ctx, g, *more):
        # speed: one gradient (the commonest call) costs two tests (dtypes are singletons), and
        # naming it (not *grads) spares the tuple and its len()
        if not more:
            if type(g) is not np.ndarray or g.dtype is not _HALF:
                return backward(ctx, g)
        elif not any(type(x) is np.ndarray and x.dtype == _HALF for x in (g, *more)):
            return backward(ctx, g, *more)
        grads = (g, *more)
        saved = ctx._saved
        if type(saved) is tuple:
            ctx._saved = tuple(_widen_half(a) for a in saved)
        try:
            return backward(ctx, *[_widen_half(g) for g in grads])
        finally:
            ctx._saved = saved

    backward_in_opmath.__doc__, backward_in_opmath.__name__ = backward.__doc__, backward.__name__
    backward_in_opmath.__wrapped__ = backward
    return backward_in_opmath


def half_steps(dtype):
    """torch composes some ops (logsumexp, log_softmax over the last dim) of steps that each
    store their result in the tensor's float16/bfloat16 type, each computed in float32. For
    such a ``dtype``: the function that rounds a float32 step's result to ``dtype`` and back
    to float32 (beyond the type's range ±inf, silently, as torch's cast). None for any other
    dtype (no rounding between the steps)."""
    if dtype not in REDUCED_FLOATS:
        return None

    def step(a):
        with quiet():
            return a.astype(dtype).astype(_FLOAT)
    return step


def _widen_half(a):
    return a.astype(_FLOAT) if type(a) is np.ndarray and a.dtype == _HALF else a


def _to_half(a):
    """A float32 result (array, or the NumPy scalar a 0-d computation gives) back in float16
    (beyond 65504: ±inf, silently, as torch's cast)."""
    if isinstance(a, (np.ndarray, np.float32)) and a.dtype == _FLOAT:
        with np.errstate(over="ignore"):
            return a.astype(_HALF)
    return a


def scalar_arg(value, t, op: str, opmath: bool = True):
    """A Scalar argument (alpha, beta, a bound, a slope) of a kernel on tensor ``t``, checked as
    torch converts it (``c10::checked_convert``): a finite number beyond the kernel's type is
    torch's RuntimeError "value cannot be converted to type float without overflow" (the type
    is float32 for a float16/bfloat16 tensor when ``opmath``: those kernels compute in float).
    inf and nan pass. Returns ``value`` unchanged."""
    d, k = t._data.dtype, kind_of(t._data.dtype)
    if type(value) is int and k in "iu":
        int_scalar(value, d, op)
    elif type(value) in (int, float) and (k == "f" or k in "iu" and type(value) is float):
        try:  # (an integer kernel takes a float Scalar as int64_t: nan and 1e39 raise)
            checked_scalar(value, d if k == "f" and not (opmath and d in REDUCED_FLOATS) else
                           _FLOAT if k == "f" else np.dtype(np.int64))
        except RuntimeError as e:
            raise RuntimeError(f"{op}: {e}") from None
    return value


def int_scalar(value, d, op: str) -> None:
    """An int Python number that an integer kernel of dtype ``d`` (NumPy's, or ours) takes as
    its C type (a clamp bound, pow's exponent, where's value, alpha, addcmul's value): torch's
    ``c10::checked_convert`` refuses one beyond the type's range (an unsigned type also takes
    negatives down to −max) with RuntimeError "value cannot be converted to type int8_t without
    overflow". Callers come here only for an int beside an integer dtype, so the float path
    pays nothing; other cases pass."""
    npd = getattr(d, "np", d)
    if type(value) is int and kind_of(npd) in "iu":
        checked_in(value, npd, op)


def checked_in(value, d, op: str) -> None:
    """:func:`~tinygrad_edu.dtype.checked_scalar` of ``value`` in dtype ``d``, the op named in
    its RuntimeError ("pow: value cannot be converted to type c10::Half without overflow")."""
    try:
        checked_scalar(value, d)
    except RuntimeError as e:
        raise RuntimeError(f"{op}: {e}") from None


def c_order(a):
    """``a`` laid out row-major (a copy only when it is not; unlike ``ascontiguousarray``, a 0-d
    array stays 0-d). For results that torch returns contiguous whatever the input's layout."""
    return a if a.flags.c_contiguous else get_array_module(a).ascontiguousarray(a)
