"""A float16/bfloat16 tensor times or divided by a 0-d float tensor of another dtype that
requires grad, as torch's CPU kernels compute it.

torch's mul/div kernels read a 0-d CPU tensor in the second place as a scalar in float32
(their opmath type, ``is_cpu_scalar(2)``), whether it requires grad or not: bf16 100 ·
tensor(1.00390625) is 100.5, where casting the operand to bfloat16 first gives 100. Its
backward formulas meet the 0-d tensor the same way (``grad * other``, ``grad / other``), and
compose the operand's own gradient of half-type ops, summed to 0-d in the half type and cast
to the operand's dtype. promotion.cpu_scalar_operand turns such an operand that does not
require grad into a Python number; one that does goes through :class:`HalfScalarFn` here.

    h: (*) float16/bfloat16,  s: () another float dtype,  z = h ∘ s: (*) h's dtype
    mul:  ∂z/∂h = s (read in float32),  ∂z/∂s = h (each g·h rounded to the type, then Σ)
    div:  ∂z/∂h = 1/s,  ∂z/∂s = −g·((h/s)/s) (torch's order, each step rounded)
    div(rounding_mode=): both 0;  floor_divide: no derivative (RuntimeError, as torch)
"""

from __future__ import annotations

import numpy as np

from .. import dtype as _dt
from ..autograd import Function
from ..tensor import Tensor
from ._util import half_steps, quiet

_F32 = np.dtype(np.float32)
_NODE = {"mul": "MulBackward0", "div": "DivBackward0", "div_floor": "DivBackward2",
         "div_trunc": "DivBackward2", "floor_divide": "torch::autograd::NotImplemented"}


class HalfScalarFn(Function):
    """z = h ∘ s, s read as a float32 scalar (torch's CPU kernel: ``is_cpu_scalar(2)``)"""

    array_io = True
    double_backward = False  # its backward runs on arrays (create_graph refuses)
    opmath = False  # the kernels (the number paths of mul/div) handle the half types

    @staticmethod
    def forward(ctx, h, s, by_number, op, read):
        # by_number(x, v): the op of the half-type array x and the Python float v (the path a
        # number takes); read: the number the forward reads (float(s), or s rounded to h's
        # type where torch's kernel does not read it as a scalar: s · h)
        ctx.save_for_backward(h, s)
        ctx.by_number, ctx.op = by_number, op
        return by_number(h, read)

    @staticmethod
    def backward(ctx, g):
        h, s = ctx.saved_tensors
        op, v = ctx.op, float(s)
        if op == "floor_divide":
            raise RuntimeError("derivative for aten::floor_divide is not implemented")
        nh, ns = ctx.needs_input_grad[:2]
        if op != "mul" and op != "div":  # a rounding mode: zero gradients, as torch
            return (np.zeros_like(h) if nh else None,
                    np.zeros((), s.dtype) if ns else None, None, None, None)
        by, r = ctx.by_number, half_steps(h.dtype)  # r: a step stored in h's type
        gh = by(g, v) if nh else None  # ∂z/∂h: g·s or g/s, s read in float32
        gs = None
        if ns:
            with quiet():
                if op == "mul":  # ∂z/∂s = h: g·h in the half type, each product rounded
                    t = r(g.astype(_F32) * h.astype(_F32))
                else:  # ∂z/∂s = −h/s²: torch's −g·((h/s)/s), each step in the half type
                    t = r(-g.astype(_F32) * by(by(h, v), v).astype(_F32))
                # summed to 0-d in the half type (float32 accumulation), then cast to s's dtype
                gs = np.asarray(r(t.sum(dtype=_F32))).astype(s.dtype)
        return gh, gs, None, None, None


# one node class per op, named as torch's node (type(z.grad_fn).__name__ is MulBackward0)
_FNS = {op: type(f"HalfScalar{i}Fn", (HalfScalarFn,), {"node_name": name, "__module__": __name__})
        for i, (op, name) in enumerate(_NODE.items())}


def half_scalar(h, s, by_number, op: str, first: bool = False):
    """``h ∘ s`` through :class:`HalfScalarFn` when ``h`` is a float16/bfloat16 tensor (not
    0-d) and ``s`` a 0-d float tensor of another dtype that requires grad; None otherwise.
    ``by_number(x, v)``: the op of an array of h's type and a Python float. ``first``: s is
    the first operand (``s * h``): torch's kernel then computes in the half type (s rounded),
    while the backward's ``grad * s`` still reads s in float32."""
    if not (isinstance(h, Tensor) and isinstance(s, Tensor)):
        return None
    dh, ds = h._data, s._data
    if not (dh.dtype in _dt.REDUCED_FLOATS and dh.ndim and ds.ndim == 0 and ds.dtype != dh.dtype
            and _dt.kind_of(ds.dtype) == "f" and s.requires_grad and type(dh) is np.ndarray):
        return None
    with quiet():
        read = float(ds.astype(dh.dtype)) if first else float(ds)
    return _FNS[op].apply(h, s, by_number, op, read)
