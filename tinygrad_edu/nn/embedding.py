"""nn.Embedding and F.embedding: a lookup table of learnable vectors (backward in
``ops/embedding.py``)."""

from __future__ import annotations

import numpy as np

from ..autograd import no_grad
from ..backend import get_array_module
from ..ops.embedding import Embedding as _Embedding
from ..tensor import Tensor
from . import init
from .linear import _empty
from .module import Module
from .parameter import Parameter


def _renorm_(weight: Tensor, idx, max_norm: float, norm_type: float) -> None:
    """torch's max_norm: rows used by ``idx`` with norm > max_norm are scaled (in place, no
    grad) to norm max_norm (torch: scale = max_norm / (norm + 1e-7))."""
    xp = get_array_module(weight._data)
    rows = xp.unique(idx.reshape(-1))
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if bool(big.any()):
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        with no_grad():
            w[rows[big]] *= scale[:, None]
        weight._version += 1


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows ``weight[input]``; see :class:`Embedding`."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead "
                           "(while checking arguments for embedding)")
    if weight._data.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got size {list(weight.shape)}")
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported; "
                                  "tinygrad_edu keeps gradients dense")
    n = weight._data.shape[0]
    xp = get_array_module(idx)
    poison = None
    if idx.size and xp is np:
        if int(idx.min()) < 0 or int(idx.max()) >= n:
            raise IndexError(f"embedding: index out of range in self (indices must be in [0, "
                             f"{n}), got min {int(idx.min())}, max {int(idx.max())})")
    elif idx.size:  # GPU: a host check would sync every step (torch: a device-side assert);
        bad = (idx < 0) | (idx >= n)  # so out-of-range rows read row 0 and come out nan
        poison = xp.where(bad.any(), xp.nan, 1.0).astype(weight._data.dtype)
        idx = xp.where(bad, 0, idx)
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += n
        if not 0 <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    out = _Embedding.apply(weight, idx, padding_idx, bool(scale_grad_by_freq))
    return out if poison is None else out * Tensor._wrap(poison)


class Embedding(Module):
    """A (num_embeddings, embedding_dim) table; ``forward(idx)`` returns ``weight[idx]``.

    torch's init: N(0, 1), then the ``padding_idx`` row (if any) set to zero; that row gets
    no gradient.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 _freeze: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if padding_idx > 0:
                if padding_idx >= num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
            elif padding_idx < 0:
                if padding_idx < -num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if _weight is None:
            self.weight = Parameter(_empty((num_embeddings, embedding_dim), device, dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)
        self.sparse = sparse

    def reset_parameters(self) -> None:
        init.normal_(self.weight)  # torch: N(0, 1)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with no_grad():
                self.weight._data[self.padding_idx] = 0
            self.weight._version += 1

    def forward(self, input: Tensor) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = "{num_embeddings}, {embedding_dim}"
        if self.padding_idx is not None:
            s += ", padding_idx={padding_idx}"
        if self.max_norm is not None:
            s += ", max_norm={max_norm}"
        if self.norm_type != 2:
            s += ", norm_type={norm_type}"
        if self.scale_grad_by_freq is not False:
            s += ", scale_grad_by_freq={scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s.format(**self.__dict__)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding holding ``embeddings`` (2-D); frozen unless ``freeze=False``."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
