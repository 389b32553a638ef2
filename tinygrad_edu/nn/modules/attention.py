"""``nn.MultiheadAttention``: the parameters, init and batch_first handling around
:func:`~tinygrad_edu.nn.functional.multi_head_attention_forward`.

Parameters (torch's names): ``in_proj_weight`` (3E, E) packing W_q, W_k, W_v when
kdim == vdim == E, else ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim),
``v_proj_weight`` (E, vdim); ``in_proj_bias`` (3E,); ``out_proj`` (a Linear E -> E);
``bias_k``/``bias_v`` (1, 1, E) with ``add_bias_kv``.
Init (torch's, in torch's order so a seed gives torch's weights): out_proj as a Linear, then
xavier_uniform_ on the in-projection weights, zeros for in_proj_bias and out_proj.bias,
xavier_normal_ for bias_k/bias_v.
Shapes: query (L, N, E) (``batch_first``: (N, L, E)) or unbatched (L, E); key (S, N, kdim),
value (S, N, vdim) -> (output like query, weights (N, L, S) or None).
"""

from __future__ import annotations

from ...tensor import Tensor
from .. import init
from ..functional.mha import canonical_mask, multi_head_attention_forward
from ..parameter import Parameter
from ..parameter import uninitialized as _empty
from .linear import NonDynamicallyQuantizableLinear
from .module import Module


class MultiheadAttention(Module):
    """Attention with ``num_heads`` heads of size embed_dim // num_heads; see the module
    docstring. Raises ValueError for a non-positive embed_dim/num_heads and AssertionError
    when embed_dim is not divisible by num_heads (torch's messages).

    Shapes: query (L, N, E), key (S, N, kdim), value (S, N, vdim) ((N, ·, ·) with ``batch_first``;
    unbatched without N) → output (L, N, E) and weights (N, L, S) (per head (N, heads, L, S) without
    averaging).
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim="
                             f"{embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        E = embed_dim
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(_empty((E, E), device, dtype))
            self.k_proj_weight = Parameter(_empty((E, self.kdim), device, dtype))
            self.v_proj_weight = Parameter(_empty((E, self.vdim), device, dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(_empty((3 * E, E), device, dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(_empty((3 * E,), device, dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(E, E, bias=bias, device=device,
                                                        dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(_empty((1, 1, E), device, dtype))
            self.bias_v = Parameter(_empty((1, 1, E), device, dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask=None,
                need_weights: bool = True, attn_mask=None, average_attn_weights: bool = True,
                is_causal: bool = False):
        batched = query.dim() == 3
        key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask",
                                          None if attn_mask is None else attn_mask.dtype,
                                          "attn_mask", query.dtype)
        attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if self.batch_first and batched:  # (N, L, E) -> (L, N, E)
            query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and batched:
            return out.transpose(1, 0), weights
        return out, weights
