"""Which family each of torch's OpInfos belongs to: one readable table.

A name lists every OpInfo of that name (all its variants); an entry ``name.variant`` overrides it
for one variant (``max.binary`` is elementwise, ``max.reduction_with_dim`` a reduction). Names
from ``torch.masked`` sit with the family of their unmasked twin. The families are the
coverage table's rows (``tinygrad-edu parity``); ``OUT_OF_SCOPE`` needs complex tensors, sparse
layouts or CUDA-only kernels (jiterator, float8 matmul, flash attention), which tinygrad_edu does
not aim for. A test checks that every OpInfo of
torch 2.13 is classified exactly once.
"""

from __future__ import annotations

OUT_OF_SCOPE = "fft/complex/sparse (out of scope)"

FAMILIES: dict[str, str] = {
    "elementwise unary": """
        abs acos acosh asin asinh atan atanh bitwise_not ceil positive cos cosh deg2rad exp
        exp2 expm1 frac floor frexp i0 log log10 log1p log2 logical_not neg rad2deg round sin
        sinc sinh sign sgn signbit tan tanh trunc nan_to_num reciprocal rsqrt sqrt square
        isfinite isinf isposinf isneginf isnan isreal sigmoid digamma polygamma mvlgamma erf
        erfc erfinv lgamma logit fill bfloat16 bool byte char double float half int long short
        """,
    "elementwise binary": """
        add sub mul div true_divide floor_divide remainder fmod pow float_power rsub
        __radd__ __rsub__ __rmul__ __rdiv__ __rmod__ __rpow__ __rand__ __ror__ __rxor__
        eq ne lt le gt ge maximum minimum fmax fmin max.binary min.binary clamp clamp_min
        clamp_max atan2 hypot copysign ldexp nextafter heaviside logaddexp logaddexp2 xlogy
        igamma igammac gcd lcm bitwise_and bitwise_or bitwise_xor bitwise_left_shift
        bitwise_right_shift logical_and logical_or logical_xor isclose allclose equal
        addcmul addcdiv lerp where masked.logaddexp
        """,
    "reductions": """
        sum nansum prod mean nanmean var std var_mean std_mean amax amin aminmax argmax argmin
        max min all any count_nonzero logsumexp median nanmedian mode quantile nanquantile
        histc histogram histogramdd bincount cov corrcoef trapz trapezoid
        masked.sum masked.prod masked.amax masked.amin masked.argmax masked.argmin masked.mean
        masked.median masked.norm masked.var masked.std masked.logsumexp
        """,
    "scans": """
        cumsum cumprod cummax cummin logcumsumexp cumulative_trapezoid diff gradient
        masked.cumsum masked.cumprod
        """,
    "sort/search": """
        sort argsort msort topk kthvalue unique unique_consecutive searchsorted bucketize isin
        nonzero nonzero_static argwhere
        """,
    "shape/view": """
        reshape reshape_as view view_as view_copy flatten unflatten ravel squeeze squeeze_copy
        unsqueeze unsqueeze_copy permute permute_copy transpose transpose_copy t t_copy T H mT
        mH movedim expand expand_as expand_copy broadcast_to broadcast_tensors broadcast_shapes
        sum_to_size cat stack hstack vstack dstack column_stack _chunk_cat split unsafe_split
        split_with_sizes split_with_sizes_copy chunk unsafe_chunk tensor_split hsplit vsplit
        dsplit unbind unbind_copy narrow narrow_copy select slice as_strided as_strided_copy
        alias_copy unfold unfold_copy flip fliplr flipud roll rot90 repeat tile
        repeat_interleave tril triu diag diag_embed diagonal diagonal_copy diagflat
        block_diag cartesian_prod combinations meshgrid atleast_1d atleast_2d atleast_3d
        constant_pad_nd nn.functional.pad nn.functional.pixel_shuffle
        nn.functional.pixel_unshuffle nn.functional.channel_shuffle resize_ resize_as_ clone
        contiguous to
        """,
    "indexing/scatter": """
        __getitem__ index_select index_add index_copy index_fill index_reduce index_put gather
        scatter scatter_add scatter_reduce take take_along_dim put masked_fill masked_scatter
        masked_select select_scatter slice_scatter diagonal_scatter as_strided_scatter
        _unsafe_masked_index _unsafe_masked_index_put_accumulate unravel_index
        nn.functional.embedding nn.functional.embedding_bag nn.functional.one_hot
        """,
    "creation/random": """
        arange linspace logspace eye full zeros ones empty empty_strided empty_permuted
        scalar_tensor zeros_like ones_like full_like empty_like new_zeros new_ones new_full
        new_empty new_empty_strided tril_indices triu_indices zero_ rand_like randn randn_like
        randint randint_like normal uniform cauchy exponential geometric log_normal bernoulli
        multinomial nn.functional.dropout nn.functional.dropout2d nn.functional.dropout3d
        nn.functional.alpha_dropout nn.functional.feature_alpha_dropout
        signal.windows.hamming signal.windows.hann signal.windows.bartlett
        signal.windows.blackman signal.windows.cosine signal.windows.exponential
        signal.windows.gaussian signal.windows.kaiser signal.windows.general_cosine
        signal.windows.general_hamming signal.windows.nuttall
        """,
    "linalg": """
        matmul mm bmm mv dot vdot inner outer addmm addmv addbmm baddbmm addr einsum tensordot
        kron trace cross __rmatmul__ norm dist renorm cdist logdet matrix_exp pinverse
        cholesky cholesky_inverse cholesky_solve lu lu_solve lu_unpack qr geqrf ormqr svd
        svd_lowrank pca_lowrank triangular_solve nn.functional.linear nn.functional.bilinear
        nn.functional.pdist nn.functional.pairwise_distance nn.functional.cosine_similarity
        linalg.cross linalg.det linalg.diagonal linalg.cholesky linalg.cholesky_ex
        linalg.vecdot linalg.cond linalg.eig linalg.eigvals linalg.eigh linalg.eigvalsh
        linalg.householder_product linalg.ldl_factor linalg.ldl_factor_ex linalg.ldl_solve
        linalg.lstsq linalg.matrix_power linalg.multi_dot linalg.norm linalg.vector_norm
        linalg.matrix_norm linalg.qr linalg.slogdet linalg.vander linalg.lu_factor
        linalg.lu_factor_ex linalg.lu linalg.lu_solve linalg.inv linalg.inv_ex linalg.solve
        linalg.solve_ex linalg.solve_triangular linalg.matrix_rank linalg.pinv linalg.svd
        linalg.svdvals linalg.tensorinv linalg.tensorsolve
        """,
    "nn.functional activations": """
        nn.functional.relu nn.functional.relu6 nn.functional.leaky_relu nn.functional.prelu
        nn.functional.rrelu nn.functional.elu nn.functional.celu nn.functional.selu
        nn.functional.gelu nn.functional.silu nn.functional.mish nn.functional.softplus
        nn.functional.softsign nn.functional.hardsigmoid nn.functional.hardswish
        nn.functional.hardtanh nn.functional.hardshrink nn.functional.softshrink
        nn.functional.tanhshrink nn.functional.threshold nn.functional.logsigmoid
        nn.functional.glu softmax log_softmax nn.functional.softmin
        torch.ops.aten._safe_softmax.default masked.softmax masked.log_softmax masked.softmin
        """,
    "losses": """
        nn.functional.mse_loss nn.functional.l1_loss nn.functional.smooth_l1_loss
        nn.functional.huber_loss nn.functional.binary_cross_entropy
        nn.functional.binary_cross_entropy_with_logits nn.functional.cross_entropy
        nn.functional.linear_cross_entropy nn.functional.nll_loss nn.functional.kl_div
        nn.functional.poisson_nll_loss nn.functional.gaussian_nll_loss nn.functional.ctc_loss
        nn.functional.soft_margin_loss nn.functional.margin_ranking_loss
        nn.functional.multi_margin_loss nn.functional.multilabel_margin_loss
        nn.functional.multilabel_soft_margin_loss nn.functional.hinge_embedding_loss
        nn.functional.cosine_embedding_loss nn.functional.triplet_margin_loss
        nn.functional.triplet_margin_with_distance_loss
        """,
    "conv/pool": """
        nn.functional.conv1d nn.functional.conv2d nn.functional.conv3d
        nn.functional.conv_transpose1d nn.functional.conv_transpose2d
        nn.functional.conv_transpose3d nn.functional.unfold nn.functional.avg_pool1d
        nn.functional.avg_pool2d nn.functional.avg_pool3d nn.functional.max_pool1d
        nn.functional.max_pool2d nn.functional.max_pool3d max_pool2d_with_indices_backward
        nn.functional.max_unpool1d nn.functional.max_unpool2d nn.functional.max_unpool3d
        nn.functional.adaptive_avg_pool1d nn.functional.adaptive_avg_pool2d
        nn.functional.adaptive_avg_pool3d nn.functional.adaptive_max_pool1d
        nn.functional.adaptive_max_pool2d nn.functional.adaptive_max_pool3d
        nn.functional.fractional_max_pool2d nn.functional.fractional_max_pool3d
        nn.functional.interpolate nn.functional.upsample_bilinear
        nn.functional.upsample_nearest _upsample_bilinear2d_aa nn.functional.grid_sample
        grid_sampler_2d grid_sampler_3d
        """,
    "normalization": """
        nn.functional.batch_norm nn.functional.layer_norm nn.functional.group_norm
        nn.functional.instance_norm nn.functional.rms_norm nn.functional.local_response_norm
        nn.functional.normalize native_batch_norm _native_batch_norm_legit
        _batch_norm_with_update native_layer_norm native_group_norm masked.normalize
        """,
    "special": """
        special.airy_ai special.bessel_j0 special.bessel_j1 special.bessel_y0 special.bessel_y1
        special.modified_bessel_i0 special.modified_bessel_i1 special.modified_bessel_k0
        special.modified_bessel_k1 special.scaled_modified_bessel_k0
        special.scaled_modified_bessel_k1 special.spherical_bessel_j0 special.i0e special.i1
        special.i1e special.ndtr special.ndtri special.log_ndtr special.erfcx special.entr
        special.polygamma special.xlog1py special.zeta special.chebyshev_polynomial_t
        special.chebyshev_polynomial_u special.chebyshev_polynomial_v
        special.chebyshev_polynomial_w special.shifted_chebyshev_polynomial_t
        special.shifted_chebyshev_polynomial_u special.shifted_chebyshev_polynomial_v
        special.shifted_chebyshev_polynomial_w special.hermite_polynomial_h
        special.hermite_polynomial_he special.laguerre_polynomial_l
        special.legendre_polynomial_p
        """,
    OUT_OF_SCOPE: """
        fft.fft fft.fft2 fft.fftn fft.hfft fft.hfft2 fft.hfftn fft.rfft fft.rfft2 fft.rfftn
        fft.ifft fft.ifft2 fft.ifftn fft.ihfft fft.ihfft2 fft.ihfftn fft.irfft fft.irfft2
        fft.irfftn fft.fftshift fft.ifftshift stft istft complex polar conj conj_physical real
        imag angle view_as_real view_as_complex resolve_conj resolve_neg cfloat cdouble chalf
        nn.functional.silu.complex sparse.mm sparse.sampled_addmm to_sparse
        jiterator_unary jiterator_binary jiterator_binary_return_by_ref
        jiterator_4inputs_with_extra_args jiterator_2inputs_2outputs torch._scaled_mm
        torch._scaled_mm_v2 torch.ops.aten._flash_attention_forward
        torch.ops.aten._efficient_attention_forward
        """,
    "other": """
        item hash_tensor _segment_reduce _softmax_backward_data native_dropout_backward
        nn.functional.scaled_dot_product_attention nn.functional.multi_head_attention_forward
        """,
}

ORDER = tuple(FAMILIES)


def _index() -> dict:
    out = {}
    for family, names in FAMILIES.items():
        for name in names.split():
            if name in out:
                raise ValueError(f"{name} is listed in both {out[name]!r} and {family!r}")
            out[name] = family
    return out


INDEX = _index()


def family(name: str, variant: str = "") -> str:
    """The family of OpInfo ``name`` (variant ``variant``); "other" when unlisted."""
    if variant and f"{name}.{variant}" in INDEX:
        return INDEX[f"{name}.{variant}"]
    return INDEX.get(name, "other")
