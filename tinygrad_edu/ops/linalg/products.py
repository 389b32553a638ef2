"""Products with a scale-and-add: addmm, baddbmm, addbmm, addmv, addr, and mv.

Each computes ``y = β·C + α·(product)``, C broadcast to the product's shape. The backward is
the product's (∂(AB)/∂A = G Bᵀ, ∂(AB)/∂B = Aᵀ G; Giles 2008, "An extended collection of matrix
derivative results", §2.2.1) times α, and β·G for C. With β = 0, C is ignored (its nan/inf do
not propagate, as in torch) and receives a zero gradient.
"""

from __future__ import annotations

import numpy as np

from ...autograd import Function, is_grad_enabled, no_grad
from ...dtype import kind_of, torch_type_name
from ...tensor import Tensor
from .._dual import xp_of
from .._util import named
from ..inplace import check_inplace, inplace
from ..matmul import MatMulFn
from ._common import mT

_HALF, _FLOAT = np.dtype(np.float16), np.dtype(np.float32)


def _scale_add(c, p, beta, alpha):
    """β·c + α·p, skipping the multiplications by 1 and ignoring c when β = 0.

    dtype rule (torch's CPU kernels): float16 is computed in float32 (its opmath type) and
    rounded once at the end, so the product's sums and the scale-and-add are not rounded to
    half precision step by step; integer dtypes wrap in their own width; bool is logical,
    (β ∧ c) ∨ (α ∧ p). The scalars have already been converted by :func:`_scalars`.
    """
    dt = c.dtype  # every operand has this dtype (checked); p may be float32 already (half)
    if kind_of(dt) == "b":
        p = p & bool(alpha)
        return p if not beta else p | c
    if dt == _HALF:
        p, c = p.astype(_FLOAT), c.astype(_FLOAT)
    if alpha != 1:
        p = p * alpha
    if beta != 0:
        p = p + (c if beta == 1 else c * beta)
    return p.astype(dt, copy=False)


def _product(a, b):
    """a @ b, accumulated in float32 for float16 operands (rounded by :func:`_scale_add`)."""
    if a.dtype == _HALF:
        return a.astype(_FLOAT) @ b.astype(_FLOAT)
    return a @ b


class AddmmFn(Function):
    """y = β·C + α·(A @ B)  (A (n, m), B (m, p); batched for baddbmm)"""

    array_io = True

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        return _scale_add(c, _product(a, b), beta, alpha)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        nc, na, nb = ctx.needs_input_grad[:3]
        gc = g * ctx.beta if nc else None  # ∂y/∂C = β
        ga = (g @ mT(b)) * ctx.alpha if na else None  # ∂y/∂A = α G Bᵀ
        gb = (mT(a) @ g) * ctx.alpha if nb else None  # ∂y/∂B = α Aᵀ G
        return gc, ga, gb, None, None


class BaddbmmFn(AddmmFn):
    """y = β·C + α·(A @ B) for a batch of matrices (same derivative as addmm, batched)"""


class AddbmmFn(Function):
    """y = β·C + α·Σ_b A_b @ B_b  (the batch of products summed into one matrix)"""

    array_io = True

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        if a.shape[0] == 0:  # no batches: β·C alone
            return _scale_add(c, xp_of(a).zeros((a.shape[1], b.shape[2]), c.dtype), beta, alpha)
        # torch's CPU order: one addmm per batch into the result, each rounded to the dtype
        # (y = β·C + α·A₀B₀, then y = y + α·A_bB_b), which matters for float16
        y = _scale_add(c, _product(a[0], b[0]), beta, alpha)
        for k in range(1, a.shape[0]):
            y = _scale_add(y, _product(a[k], b[k]), 1, alpha)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        nc, na, nb = ctx.needs_input_grad[:3]
        gc = g * ctx.beta if nc else None  # ∂y/∂C = β
        ga = (g @ mT(b)) * ctx.alpha if na else None  # ∂y/∂A_b = α G B_bᵀ (G shared by all b)
        gb = (mT(a) @ g) * ctx.alpha if nb else None  # ∂y/∂B_b = α A_bᵀ G
        return gc, ga, gb, None, None


class AddmvFn(Function):
    """y = β·c + α·(A @ v)  (A (n, m), v (m,))"""

    array_io = True

    @staticmethod
    def forward(ctx, c, a, v, beta, alpha):
        ctx.save_for_backward(a, v)
        ctx.beta, ctx.alpha = beta, alpha
        return _scale_add(c, _product(a, v), beta, alpha)

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_tensors
        xp = xp_of(g)
        nc, na, nv = ctx.needs_input_grad[:3]
        gc = g * ctx.beta if nc else None  # ∂y/∂c = β
        ga = xp.expand_dims(g, -1) * v * ctx.alpha if na else None  # ∂y/∂A = α g vᵀ
        gv = (mT(a) @ g) * ctx.alpha if nv else None  # ∂y/∂v = α Aᵀ g
        return gc, ga, gv, None, None


class AddrFn(Function):
    """y = β·C + α·(u vᵀ)  (the outer product of u (n,) and v (m,))"""

    array_io = True

    @staticmethod
    def forward(ctx, c, u, v, beta, alpha):
        ctx.save_for_backward(u, v)
        ctx.beta, ctx.alpha = beta, alpha
        xp = xp_of(u)
        if kind_of(c.dtype) == "b":
            return _scale_add(c, xp.expand_dims(u, -1) & v, beta, alpha)
        # torch's kernel, in the dtype (float16 rounded after every operation, as its
        # Vectorized<Half> does): β·C + (α·u)·v, with β and α cast to the dtype first
        def t(x):  # a scalar in the dtype (integers wrap, as torch's cast)
            return np.asarray(x).astype(c.dtype)[()]

        outer = xp.expand_dims(u * t(alpha), -1) * v
        return outer if beta == 0 else t(beta) * c + outer

    @staticmethod
    def backward(ctx, g):
        u, v = ctx.saved_tensors
        nc, nu, nv = ctx.needs_input_grad[:3]
        gc = g * ctx.beta if nc else None  # ∂y/∂C = β
        gu = (g @ v) * ctx.alpha if nu else None  # ∂yᵢⱼ/∂uᵢ = α vⱼ
        gv = (mT(g) @ u) * ctx.alpha if nv else None  # ∂yᵢⱼ/∂vⱼ = α uᵢ
        return gc, gu, gv, None, None


# ---- argument checks --------------------------------------------------------------------------
def _tname(t) -> str:
    return torch_type_name(t.dtype)


def _check_tensors(op, **named_tensors) -> None:
    for name, t in named_tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")


def _check_dtypes(op, pairs) -> None:
    """torch: every operand of these products has one dtype (no promotion)."""
    (n0, t0), rest = pairs[0], pairs[1:]
    for n, t in rest:
        if t._data.dtype != t0._data.dtype:
            raise RuntimeError(f"{op}: {n0} and {n} must have the same dtype, but got "
                               f"{_tname(t0)} and {_tname(t)}")


def _scalars(op, t, beta, alpha):
    """(β, α) as torch converts them to the inputs' dtype: a float is truncated toward zero
    for integer tensors (torch 2.13; 0.6 → 0) and rejected for bool tensors (RuntimeError);
    for bool tensors they act as truth values."""
    kind = kind_of(t._data.dtype)
    if kind in "iu":
        return tuple(int(v) for v in (beta, alpha))
    if kind == "b":
        for name, v in (("beta", beta), ("alpha", alpha)):
            if isinstance(v, float):
                raise RuntimeError(f"{op}: For integral input tensors, argument {name} must not "
                                   "be a floating point number.")
        return bool(beta), bool(alpha)
    return beta, alpha


def _check_rank(op, t, name, nd, what) -> None:
    if t._data.ndim != nd:
        raise RuntimeError(f"{op}: {name} must be a {what}, got {t._data.ndim}-D tensor")


def _check_broadcast(op, c, shape) -> None:
    cs = c._data.shape
    if len(cs) > len(shape) or any(
            a != 1 and a != b for a, b in zip(reversed(cs), reversed(shape))):
        raise RuntimeError(f"{op}: the input of shape {list(cs)} cannot be broadcast to the "
                           f"product's shape {list(shape)}")


def _finish(y, out, name):
    y = named(y, name)
    if out is not None:
        out.data = y.detach()
        return out
    return y


# ---- public functions -------------------------------------------------------------------------
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``torch.addmm``: β·input + α·(mat1 @ mat2). Shapes: mat1 (n, m), mat2 (m, p), input
    broadcastable to (n, p) -> (n, p). dtype: all three the same (no promotion). Raises
    RuntimeError for non-matrices, mismatched inner sizes or dtypes. Derivative: ∂/∂input = β,
    ∂/∂mat1 = α G mat2ᵀ, ∂/∂mat2 = α mat1ᵀ G."""
    _check_tensors("addmm", input=input, mat1=mat1, mat2=mat2)
    _check_rank("addmm", mat1, "mat1", 2, "matrix")
    _check_rank("addmm", mat2, "mat2", 2, "matrix")
    (n, m), (m2, p) = mat1._data.shape, mat2._data.shape
    if m != m2:
        raise RuntimeError(f"addmm: mat1 and mat2 shapes cannot be multiplied ({n}x{m} and "
                           f"{m2}x{p})")
    _check_dtypes("addmm", [("self", input), ("mat1", mat1), ("mat2", mat2)])
    beta, alpha = _scalars("addmm", input, beta, alpha)
    _check_broadcast("addmm", input, (n, p))
    return _finish(AddmmFn.apply(input, mat1, mat2, beta, alpha), out, "AddmmBackward0")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``torch.baddbmm``: β·input + α·(batch1 @ batch2) per batch. Shapes: batch1 (b, n, m),
    batch2 (b, m, p), input broadcastable to (b, n, p). Derivative as addmm, per batch.

    Raises RuntimeError for batches that are not 3-D or whose sizes do not match.
    """
    beta, alpha = _check_bmm("baddbmm", input, batch1, batch2, beta, alpha)
    b, n, _ = batch1._data.shape
    _check_broadcast("baddbmm", input, (b, n, batch2._data.shape[2]))
    return _finish(BaddbmmFn.apply(input, batch1, batch2, beta, alpha), out, "BaddbmmBackward0")


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``torch.addbmm``: β·input + α·Σ_b batch1[b] @ batch2[b]. Shapes: batch1 (b, n, m),
    batch2 (b, m, p), input broadcastable to (n, p) -> (n, p). Derivative: ∂/∂batch1[b] =
    α G batch2[b]ᵀ, ∂/∂batch2[b] = α batch1[b]ᵀ G.

    Raises RuntimeError for batches that are not 3-D or whose sizes do not match.
    """
    beta, alpha = _check_bmm("addbmm", input, batch1, batch2, beta, alpha)
    _check_broadcast("addbmm", input, (batch1._data.shape[1], batch2._data.shape[2]))
    return _finish(AddbmmFn.apply(input, batch1, batch2, beta, alpha), out, "AddbmmBackward0")


def _check_bmm(op, input, b1, b2, beta, alpha) -> tuple:
    _check_tensors(op, input=input, batch1=b1, batch2=b2)
    _check_rank(op, b1, "batch1", 3, "3D tensor")
    _check_rank(op, b2, "batch2", 3, "3D tensor")
    s1, s2 = b1._data.shape, b2._data.shape
    if s1[0] != s2[0]:
        raise RuntimeError(f"{op}: batch1 and batch2 must have same number of batches, got "
                           f"{s1[0]} and {s2[0]}")
    if s1[2] != s2[1]:
        raise RuntimeError(f"{op}: Incompatible matrix sizes for bmm ({s1[1]}x{s1[2]} and "
                           f"{s2[1]}x{s2[2]})")
    _check_dtypes(op, [("self", input), ("batch1", b1), ("batch2", b2)])
    return _scalars(op, input, beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``torch.addmv``: β·input + α·(mat @ vec). Shapes: mat (n, m), vec (m,), input
    broadcastable to (n,) -> (n,). Derivative: ∂/∂mat = α g vecᵀ, ∂/∂vec = α matᵀ g.

    Raises RuntimeError for sizes that do not match.
    """
    _check_tensors("addmv", input=input, mat=mat, vec=vec)
    if mat._data.ndim != 2 or vec._data.ndim != 1 or input._data.ndim > 1:
        raise RuntimeError(f"addmv: vector + matrix @ vector expected, got "
                           f"{input._data.ndim}, {mat._data.ndim}, {vec._data.ndim}")
    n, m = mat._data.shape
    if vec._data.shape[0] != m or input._data.size not in (1, n):
        raise RuntimeError(f"addmv: size mismatch, got input ({input._data.size}), mat "
                           f"({n}x{m}), vec ({vec._data.shape[0]})")
    _check_dtypes("addmv", [("self", input), ("mat", mat), ("vec", vec)])
    beta, alpha = _scalars("addmv", input, beta, alpha)
    return _finish(AddmvFn.apply(input, mat, vec, beta, alpha), out, "AddmvBackward0")


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``torch.addr``: β·input + α·(vec1 ⊗ vec2). Shapes: vec1 (n,), vec2 (m,), input
    broadcastable to (n, m). Derivative: ∂/∂vec1 = α G vec2, ∂/∂vec2 = α Gᵀ vec1.

    Raises RuntimeError for vectors that are not 1-D.
    """
    _check_tensors("addr", input=input, vec1=vec1, vec2=vec2)
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    _check_dtypes("addr", [("self", input), ("vec1", vec1), ("vec2", vec2)])
    beta, alpha = _scalars("addr", input, beta, alpha)
    _check_broadcast("addr", input, (vec1._data.shape[0], vec2._data.shape[0]))
    return _finish(AddrFn.apply(input, vec1, vec2, beta, alpha), out, "AddrBackward0")


def mv(input, vec, *, out=None):
    """``torch.mv``: the matrix-vector product. Shapes: input (n, m), vec (m,) -> (n,).
    Derivative: ∂/∂input = g vecᵀ, ∂/∂vec = inputᵀ g.

    Raises RuntimeError for sizes that do not match or a vec that is not 1-D; IndexError for a
    0-d input (as torch).
    """
    _check_tensors("mv", input=input, vec=vec)
    if input._data.ndim == 0:  # torch reads input.size(0) first
        raise IndexError("mv: Dimension specified as 0 but tensor has no dimensions")
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"mv: vector + matrix @ vector expected, got 1, "
                           f"{input._data.ndim}, {vec._data.ndim}")
    n, m = input._data.shape
    if vec._data.shape[0] != m:
        raise RuntimeError(f"mv: size mismatch, got input ({n}), mat ({n}x{m}), vec "
                           f"({vec._data.shape[0]})")
    _check_dtypes("mv", [("self", input), ("vec", vec)])
    return _finish(MatMulFn.apply(input, vec), out, "MvBackward0")


def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    """``Tensor.addbmm_``. torch resizes ``self`` to the (n, p) result when its shape differs
    (its in-place addbmm writes through ``resize_``); other in-place products refuse.

    Shapes: batch1 (b, n, m), batch2 (b, m, p) → this tensor, resized to (n, p). Raises RuntimeError
    for batches that are not 3-D or whose sizes do not match.
    """
    shape = (batch1.shape[1], batch2.shape[2]) if batch1.ndim == 3 and batch2.ndim == 3 else None
    if shape is None or tuple(self.shape) == shape or (self.requires_grad and is_grad_enabled()):
        return inplace(self, "addbmm_", addbmm, batch1, batch2, beta=beta, alpha=alpha)
    check_inplace(self, "addbmm_")
    with no_grad():
        y = addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    self._data = y._data  # resized, as torch's resize_
    self._version += 1
    return self


__all__ = ["addbmm", "addmm", "addmv", "addr", "baddbmm", "mv"]

METHODS = {"addmm": addmm, "baddbmm": baddbmm, "addbmm": addbmm, "addmv": addmv, "addr": addr,
           "mv": mv, "addbmm_": addbmm_}
INPLACE = ("addmm", "baddbmm", "addmv", "addr")
