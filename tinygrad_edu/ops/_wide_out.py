"""std, var and logsumexp into an ``out=`` of another floating dtype, computed where torch
computes them (not in the input's dtype and then cast, which differs in the last bits).

- std/var: torch's ``make_reduction`` casts the input to out's dtype and reduces that
  (``std(x32, 0, out=o64)`` is ``std(x32.double(), 0)``), except when the result has one
  element and out is float32/float64: its all-reduce kernel then reads the input as it is, and
  refuses float16/bfloat16 (RuntimeError "std_var_all: Unsupported dtype Half").
- logsumexp: m = amax(x) and e = exp(x − m) in x's dtype, Σ e summed into out's dtype,
  log there, then + m in the wider of the two (torch's ``logsumexp_out_impl``). The one step
  NumPy cannot repeat to the bit is torch's float32 exp (SLEEF's): e^d computed in float64 and
  rounded to float32 differs from it in ~1% of elements (by one ulp), NumPy's float32 exp in
  ~39%; out's float64 shows that last bit. Its float32 log is C's logf: float64's, rounded.

Only reached with a float ``out`` whose dtype is not the input's; out= beside grad is refused
by ``write_out`` afterwards, as before (nothing here is differentiated).
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..tensor import Tensor
from ._reduction import count
from ._util import half_steps, quiet


def other_float_out(input, out) -> bool:
    """Whether ``out`` is a floating tensor of a dtype other than ``input``'s."""
    return isinstance(out, Tensor) and out.dtype != input.dtype and out.dtype.is_floating_point \
        and type(input._data) is np.ndarray  # (NumPy arrays: the steps below are NumPy's)


def std_var_input(op: str, input, axes, out):
    """The tensor std/var reduce for ``out``: input cast to out's dtype, or input itself when
    the result has one element (float16/bfloat16 there: torch's RuntimeError)."""
    from .promotion import cast
    x = input._data
    if x.size != count(x.shape, axes) or out._data.dtype in _dt.REDUCED_FLOATS:
        return cast(input, out.dtype)  # more than one output, or a half out: x.to(out.dtype)
    if x.dtype in _dt.REDUCED_FLOATS:
        raise RuntimeError(f"std_var_all: Unsupported dtype {_dt.torch_type_name(x.dtype)} "
                           f"({op} of a {input.dtype.name} input into a single-element out= of "
                           f"{out.dtype.name})")
    return input


def _same(a):
    return a


def logsumexp_into(input, axes, keepdim: bool, out) -> Tensor:
    """torch's logsumexp of ``input`` (floating) into ``out``'s dtype, step by step (module
    docstring). Shapes: input (*) → the shape with ``axes`` removed (size 1 with keepdim)."""
    x, o = input._data, out._data.dtype
    r = half_steps(x.dtype) or _same  # float16/bfloat16: each step rounded to the type
    xf = x.astype(np.float32) if x.dtype in _dt.REDUCED_FLOATS else x
    with quiet():
        if x.size:
            m = xf.max(axis=axes, keepdims=True)
            m = np.where(np.abs(m) == np.inf, 0, m).astype(xf.dtype)
        else:  # log Σ over nothing = log 0 = −inf
            m = np.zeros(xf.sum(axis=axes, keepdims=True).shape, xf.dtype)
        d = r(xf - m)  # float32 e^d via float64, rounded: NumPy's own float32 exp is 1 ulp off
        e = r(np.exp(d.astype(np.float64)).astype(d.dtype) if d.dtype == np.float32 else np.exp(d))
        e = e.astype(x.dtype)  # torch's in ~39% of elements, this in ~1% (float32 exp(-1))
        s = _dt.reduce_in_dtype(np.ndarray.sum, e.astype(o), axes, True)  # torch's sum order
        log_s = np.log(s.astype(np.float64))  # float32 ln: float64's, rounded (C's logf)
        log_s = log_s if o == np.float64 else (half_steps(o) or _same)(log_s.astype(np.float32))
        wide = np.float64 if np.float64 in (o, x.dtype) else np.float32  # + m's opmath
        y = (log_s.astype(wide) + m.astype(wide)).astype(o)
    if not keepdim:
        y = y.reshape(()) if axes is None else y.squeeze(axis=axes)
    return Tensor._wrap(np.ascontiguousarray(y))
