"""What the linear-algebra ops share: torch's argument checks and errors, the batched-matrix
helpers their backward formulas are written with, and the named result tuples.

Every helper here takes either arrays or Tensors (docs/design.md §3 "one formula, two modes"):
``mT(x)``, ``diagonal(x)``, ``diag_embed(v)``, ``eye_like(x)`` ... run on NumPy/CuPy arrays in
plain backward and record differentiable ops under ``create_graph=True``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..._args import no_kernel
from ...backend import get_array_module
from ...dtype import torch_type_name
from ...tensor import Tensor
from .._dual import xp_of
from ..diagonal import DiagEmbedFn, DiagonalFn
from ..join import cat as CatFn_call
from ..matrix import TrilFn, TriuFn


class LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: the input is numerically unfit (singular, not positive
    definite, an iteration that did not converge). A RuntimeError, as in torch."""


# ---- argument checks (torch's messages) -------------------------------------------------------
LOW_PRECISION = "{op}: Low precision dtypes not supported. Got {name}"  # torch's words (inv)
FLOAT_DOUBLE = "This function doesn't handle types other than float and double"  # (lstsq)


def check_float(t, op: str, kernel: str | None = None, half: bool = False,
                half_kernel: str | None = None, half_message: str | None = None) -> None:
    """torch's rule for linalg inputs: float32 or float64 (complex is not supported here), and
    float16/bfloat16 where ``half`` (the norms built from reductions, which torch computes in
    float).
    Raises TypeError for a non-Tensor; RuntimeError for another dtype, or, for an op whose
    LAPACK kernel torch dispatches by dtype without a check first (``kernel``: torch's name,
    ``"lu_cpu"``), that kernel's NotImplementedError ('"lu_cpu" not implemented for 'Bool'').
    ``half_kernel``: float16/bfloat16 pass torch's dtype check and fail in that kernel
    (NotImplementedError '"lu_cpu" not implemented for 'BFloat16''); ``half_message``: the
    RuntimeError torch words for them instead (``LOW_PRECISION``, ``FLOAT_DOUBLE``)."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    name = t.dtype.name
    if name not in ("float32", "float64") and not (half and name in ("float16", "bfloat16")):
        if kernel is not None:  # bool, integers, float16: no case in torch's kernel
            no_kernel(t, kernel, "biue")
        if half_kernel is not None:  # floating, but the LAPACK kernel has no half case
            no_kernel(t, half_kernel, "e")
        if half_message is not None and name in ("float16", "bfloat16"):
            raise RuntimeError(half_message.format(op=op, name=torch_type_name(t.dtype)))
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{torch_type_name(t.dtype)}")


def check_matrix(t, op: str, name: str = "A", kernel: str | None = None,
                 half: bool = False, half_kernel: str | None = None,
                 half_message: str | None = None) -> None:
    check_float(t, op, kernel, half, half_kernel, half_message)
    if t._data.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")


def check_square(t, op: str, name: str = "A", kernel: str | None = None,
                 half: bool = False, half_kernel: str | None = None,
                 half_message: str | None = None) -> None:
    check_matrix(t, op, name, kernel, half, half_kernel, half_message)
    r, c = t._data.shape[-2:]
    if r != c:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are {r} "
                           f"by {c} matrices")


def check_same_dtype(a, b, op: str, names=("A", "B")) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{op}: Expected {names[1]} to have the same dtype as {names[0]}, but "
                           f"got {names[1]}.dtype = {b.dtype.name} and {names[0]}.dtype = "
                           f"{a.dtype.name} (shapes {list(a.shape)} and {list(b.shape)})")


def raise_singular(op: str, what: str = "The solver failed because the input matrix is "
                   "singular.") -> None:
    raise LinAlgError(f"{op}: {what}")


def lapack_svd(xp, a, **kwargs):
    """``xp.linalg.svd(a, **kwargs)`` as torch's LAPACK behaves on non-finite input: a matrix
    holding nan raises torch's LinAlgError (NumPy's own is a ValueError), one holding ±inf gets
    nan singular values (here with identities for U and Vᴴ, so pinv is 0 and the rank 0, as
    torch's); the others are computed as usual. (NumPy's LAPACK can loop forever on inf.)"""
    finite = xp.isfinite(a).all(axis=(-2, -1))
    if not bool(finite.all()):
        nan = xp.isnan(a).any(axis=(-2, -1)).reshape(-1)
        if bool(nan.any()):
            where = f"(Batch element {int(nan.argmax())}): " if a.ndim > 2 else ""
            raise LinAlgError(f"linalg.svd: {where}The algorithm failed to converge because the "
                              "input matrix contained non-finite values.")
        out = lapack_svd(xp, xp.where(finite[..., None, None], a, 0), **kwargs)
        inf = ~finite
        if not kwargs.get("compute_uv", True):
            out[inf] = xp.nan
            return out
        u, s, vh = out
        s[inf], u[inf], vh[inf] = xp.nan, xp.eye(*u.shape[-2:]), xp.eye(*vh.shape[-2:])
        return u, s, vh
    try:
        return xp.linalg.svd(a, **kwargs)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.svd: The algorithm failed to converge.") from None


# ---- helpers for formulas (arrays or Tensors) -------------------------------------------------
def mT(x):
    """The transpose of each matrix in a batch (last two axes)."""
    return xp_of(x).swapaxes(x, -1, -2)


def const(arr, like):
    """``arr`` as a constant of the same kind as ``like`` (a Tensor under create_graph)."""
    return Tensor._wrap(arr) if isinstance(like, Tensor) else arr


def array_of(x):
    """The array inside a Tensor (or the array itself)."""
    return x._data if isinstance(x, Tensor) else x


def eye_like(x, n: int | None = None):
    """The n×n identity (n = x's last size) with x's dtype and device, as a constant."""
    a = array_of(x)
    n = a.shape[-1] if n is None else n
    return const(get_array_module(a).eye(n, dtype=a.dtype), x)


def diagonal(x):
    """The main diagonals of a batch of matrices: (..., n, n) -> (..., n)."""
    if isinstance(x, Tensor):
        return DiagonalFn.call(x, 0, -2, -1)
    return get_array_module(x).diagonal(x, 0, -2, -1)


def diag_embed(v):
    """Batch of diagonal matrices with v on the diagonal: (..., n) -> (..., n, n)."""
    nd = len(v.shape)
    return DiagEmbedFn.call(v, 0, nd - 1, nd)


def tril(x, k: int = 0):
    return TrilFn.call(x, k)


def triu(x, k: int = 0):
    return TriuFn.call(x, k)


def unsqueeze(x, axis: int):
    return xp_of(x).expand_dims(x, axis)


def concat(parts, axis: int):
    """Concatenate arrays (NumPy/CuPy) or Tensors (the recorded ``cat``) along ``axis``."""
    if any(isinstance(p, Tensor) for p in parts):
        like = next(p for p in parts if isinstance(p, Tensor))
        return CatFn_call([const(p, like) if not isinstance(p, Tensor) else p for p in parts], axis)
    return get_array_module(parts[0]).concatenate(parts, axis=axis)


# ---- result types: named tuples that print as torch's torch.return_types.<name> ---------------
def return_type(name: str, fields: str):
    base = namedtuple(name, fields.split())

    def __repr__(self):
        inner = ",\n".join(f"{f}={getattr(self, f)!r}" for f in base._fields)
        return f"torch.return_types.{name}(\n{inner})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__})
