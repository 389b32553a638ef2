"""The cases of test_default_dtype.py: calls where torch consults the default floating dtype,
each ``(id, f(lib))`` run with ``lib`` = torch and = tinygrad_edu under each default; and the
known gaps that are not about the default (KNOWN: strict xfails; REDUCED_TOL: tolerances for
float16/bfloat16 values)."""

from __future__ import annotations

import numpy as np


def _seeded(fn):
    def run(lib):
        lib.manual_seed(0)
        return fn(lib)
    return run


def _params(mod):
    return [p for _, p in sorted(mod.state_dict().items())]


def _optim(lib, name, **kw):
    """Three steps of an optimizer on a Linear(3, 2); its parameters, then every state value."""
    model = lib.nn.Linear(3, 2)
    opt = getattr(lib.optim, name)(model.parameters(), lr=0.1, **kw)
    x = lib.arange(6.0).reshape(2, 3) / 7
    for _ in range(3):
        opt.zero_grad()
        (model(x) ** 2).sum().backward()
        opt.step()
    state = [v for st in opt.state.values() for _, v in sorted(st.items())]
    return _params(model) + state


def _lazy(lib):
    m = lib.nn.LazyLinear(2)
    m(lib.ones(1, 3))
    return _params(m)


def _bn_stats(lib):
    bn = lib.nn.BatchNorm1d(3)
    bn(lib.randn(5, 3) * 2 + 1)
    return [v for _, v in sorted(bn.state_dict().items())]


def _mlp_grads(lib):
    """One backward through a two-layer net on default-dtype data: the gradients' values."""
    net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
    loss = lib.nn.functional.mse_loss(net(lib.randn(6, 3)), lib.randn(6, 1))
    loss.backward()
    return [loss] + [p.grad for p in net.parameters()]


# (id, f(lib)): f returns a tensor, a number, a dtype, or a list/tuple of them
CASES = [
    # ---- inference from Python data
    ("tensor_float", lambda t: t.tensor(1.5)),
    ("tensor_list_float", lambda t: t.tensor([1.5, 2.0, 1e-30])),
    ("tensor_list_mixed", lambda t: t.tensor([1, 2.5])),
    ("block_diag_empty", lambda t: t.block_diag()),
    ("isclose_int", lambda t: t.isclose(t.tensor([1, 2]), t.tensor([1, 3]))),
    ("tensor_int", lambda t: t.tensor([1, 2])),
    ("tensor_bool", lambda t: t.tensor([True, False])),
    ("tensor_empty", lambda t: t.tensor([])),
    ("tensor_nested", lambda t: t.tensor([[0.1, 0.2], [0.3, 0.4]])),
    ("tensor_of_tensors", lambda t: t.tensor([t.tensor(1), 2.5])),
    ("tensor_big", lambda t: t.tensor([1e5, 3.0e38])),
    ("as_tensor_float", lambda t: t.as_tensor([0.1, 0.7])),
    ("as_tensor_int", lambda t: t.as_tensor([3])),
    ("from_numpy_f32", lambda t: t.from_numpy(np.array([0.1], dtype=np.float32))),
    ("from_numpy_f64", lambda t: t.from_numpy(np.array([0.1]))),
    ("tensor_np_f32", lambda t: t.tensor(np.array([0.1], dtype=np.float32))),
    ("tensor_np_scalar", lambda t: t.tensor(np.float64(0.1))),
    ("Tensor_list", lambda t: t.Tensor([1, 2])),
    ("Tensor_size", lambda t: t.Tensor(2, 3).shape and t.Tensor(2, 3).dtype),
    ("Tensor_empty", lambda t: t.Tensor()),
    ("FloatTensor", lambda t: t.FloatTensor([0.1])),
    ("DoubleTensor", lambda t: t.DoubleTensor([0.1])),
    ("get_default", lambda t: t.get_default_dtype()),
    # ---- factories without dtype=
    ("zeros", lambda t: t.zeros(2, 3)),
    ("ones", lambda t: t.ones(3)),
    ("empty", lambda t: t.empty(2).dtype),
    ("full_float", lambda t: t.full((2,), 0.1)),
    ("full_int", lambda t: t.full((2,), 3)),
    ("full_bool", lambda t: t.full((2,), True)),
    ("zeros_like_int", lambda t: t.zeros_like(t.tensor([1, 2]))),
    ("ones_like_f32", lambda t: t.ones_like(t.tensor([1.0], dtype=t.float32))),
    ("full_like_int", lambda t: t.full_like(t.tensor([1, 2]), 2.5)),
    ("arange_int", lambda t: t.arange(5)),
    ("arange_float", lambda t: t.arange(0.0, 1.0, 0.1)),
    ("arange_float_step", lambda t: t.arange(0, 3, 0.5)),
    ("linspace", lambda t: t.linspace(0, 1, 7)),
    ("linspace_float", lambda t: t.linspace(-1.5, 2.5, 9)),
    ("logspace", lambda t: t.logspace(0, 2, 5)),
    ("logspace_base", lambda t: t.logspace(0.0, 1.0, 4, base=2.0)),
    ("eye", lambda t: t.eye(3)),
    ("eye_nm", lambda t: t.eye(2, 3)),
    ("scalar_tensor_int", lambda t: t.scalar_tensor(3)),
    ("scalar_tensor_float", lambda t: t.scalar_tensor(0.1)),
    ("empty_strided", lambda t: t.empty_strided((2, 2), (2, 1)).dtype),
    ("tril_indices", lambda t: t.tril_indices(3, 3)),
    ("randint", _seeded(lambda t: t.randint(0, 5, (4,)))),
    ("randperm", _seeded(lambda t: t.randperm(5))),
    ("rand", _seeded(lambda t: t.rand(5))),
    ("randn", _seeded(lambda t: t.randn(2, 3))),
    ("rand_like_f32", _seeded(lambda t: t.rand_like(t.zeros(3, dtype=t.float32)))),
    ("normal_floats", _seeded(lambda t: t.normal(0.0, 1.0, size=(4,)))),
    ("normal_tensor", _seeded(lambda t: t.normal(t.zeros(3, dtype=t.float32), 1.0))),
    ("windows_gaussian", lambda t: t.signal.windows.gaussian(5)),
    ("windows_cosine", lambda t: t.signal.windows.cosine(5)),
    # ---- promotion of int/bool to float
    ("int_truediv_int", lambda t: t.tensor([1, 2, 7]) / 2),
    ("int_truediv_tensor", lambda t: t.tensor([1, 2, 7]) / t.tensor([3, 3, 3])),
    ("div_fn", lambda t: t.div(t.tensor([1, 5]), 3)),
    ("div_floor", lambda t: t.div(t.tensor([1, 5]), 3, rounding_mode="floor")),
    ("true_divide", lambda t: t.true_divide(t.tensor([1, 5]), t.tensor([2, 2]))),
    ("int_mul_float", lambda t: t.tensor([1, 2]) * 1.5),
    ("float_mul_int_r", lambda t: 0.1 * t.tensor([1, 2])),
    ("int_add_float", lambda t: t.tensor([1, 2]) + 0.1),
    ("int_sub_float", lambda t: t.tensor([1, 2]) - 0.3),
    ("bool_add_float", lambda t: t.tensor([True, False]) + 0.5),
    ("int_pow_float", lambda t: t.tensor([2, 3]) ** 0.5),
    ("float_pow_int", lambda t: 2.5 ** t.tensor([2, 3])),
    ("int_pow_int", lambda t: t.tensor([2, 3]) ** 2),
    ("int_floordiv_float", lambda t: t.tensor([7, 8]) // 2.0),
    ("int_mod_float", lambda t: t.tensor([7, 8]) % 2.5),
    ("int_eq_float", lambda t: t.tensor([1, 2]) == 1.0),
    ("int_lt_float", lambda t: t.tensor([1, 2]) < 1.5),
    ("int_maximum_f32", lambda t: t.maximum(t.tensor([1, 5]), t.tensor([2.5], dtype=t.float32))),
    ("f32_add_int", lambda t: t.tensor([1.5], dtype=t.float32) + t.tensor([1, 2])),
    ("f32_mul_float", lambda t: t.tensor([0.1], dtype=t.float32) * 0.3),
    ("f64_mul_float", lambda t: t.tensor([0.1], dtype=t.float64) * 0.3),
    ("f16_mul_float", lambda t: t.tensor([0.1], dtype=t.float16) * 0.3),
    ("sqrt_int", lambda t: t.sqrt(t.tensor([4, 2]))),
    ("exp_int", lambda t: t.exp(t.tensor([1, 2]))),
    ("log_int", lambda t: t.log(t.tensor([1, 2]))),
    ("sin_int", lambda t: t.sin(t.tensor([1, 2]))),
    ("rsqrt_int", lambda t: t.rsqrt(t.tensor([1, 2]))),
    ("reciprocal_int", lambda t: t.reciprocal(t.tensor([1, 3]))),
    ("sigmoid_int", lambda t: t.sigmoid(t.tensor([1, 2]))),
    ("tanh_int", lambda t: t.tanh(t.tensor([1, 2]))),
    ("erf_int", lambda t: t.erf(t.tensor([1, 2]))),
    ("expit_int", lambda t: t.special.expit(t.tensor([1, 2]))),
    ("lgamma_int", lambda t: t.lgamma(t.tensor([3, 4]))),
    ("digamma_int", lambda t: t.digamma(t.tensor([3, 4]))),
    ("atan2_int", lambda t: t.atan2(t.tensor([1, 2]), t.tensor([3, 1]))),
    ("hypot_int", lambda t: t.hypot(t.tensor([3.0]), t.tensor([4.0]))),
    ("deg2rad_int", lambda t: t.deg2rad(t.tensor([180]))),
    ("logit_int", lambda t: t.logit(t.tensor([0, 1]))),
    ("xlogy_int", lambda t: t.xlogy(t.tensor([1, 2]), t.tensor([3, 4]))),
    ("i0_int", lambda t: t.i0(t.tensor([1, 2]))),
    ("polygamma_int", lambda t: t.polygamma(1, t.tensor([1, 2]))),
    ("sinc_int", lambda t: t.sinc(t.tensor([0, 1]))),
    ("frac_float", lambda t: t.frac(t.tensor([1.5, -2.25]))),
    ("round_int", lambda t: t.round(t.tensor([1, 2]))),
    ("abs_int", lambda t: t.abs(t.tensor([-1, 2]))),
    ("where_scalars", lambda t: t.where(t.tensor([True, False]), 1.0, 0.0)),
    ("where_int_float", lambda t: t.where(t.tensor([True, False]), t.tensor([1, 2]), 0.5)),
    ("clamp_int_float", lambda t: t.clamp(t.tensor([1, 5]), 0.5, 2.5)),
    ("clamp_int_int", lambda t: t.clamp(t.tensor([1, 5]), 0, 2)),
    ("lerp_f32", lambda t: t.lerp(t.zeros(2, dtype=t.float32), t.ones(2, dtype=t.float32), 0.3)),
    ("add_alpha_int", lambda t: t.add(t.tensor([1, 2]), t.tensor([1, 1]), alpha=2)),
    ("mean_int", lambda t: t.tensor([1, 2]).mean()),
    ("mean_int_dtype", lambda t: t.tensor([1, 2]).mean(dtype=t.float64)),
    ("sum_int", lambda t: t.tensor([1, 2]).sum()),
    ("sum_bool", lambda t: t.tensor([True, True]).sum()),
    ("prod_int", lambda t: t.tensor([2, 3]).prod()),
    ("cumsum_int", lambda t: t.tensor([2, 3]).cumsum(0)),
    ("std_int", lambda t: t.tensor([1, 2]).std()),
    ("var_int", lambda t: t.var(t.tensor([1, 2, 4]))),
    ("logsumexp_int", lambda t: t.logsumexp(t.tensor([1, 2]), 0)),
    ("softmax_int", lambda t: t.softmax(t.tensor([1, 2]), 0)),
    ("norm_int", lambda t: t.tensor([3, 4]).norm()),
    ("dist_int", lambda t: t.dist(t.tensor([3, 4]), t.tensor([0, 0]))),
    ("cov_int", lambda t: t.cov(t.tensor([[1, 2, 4], [0, 1, 1]]))),
    ("corrcoef_int", lambda t: t.corrcoef(t.tensor([[1, 2, 4], [0, 1, 1]]))),
    ("trapezoid_int", lambda t: t.trapezoid(t.tensor([1, 2, 4]))),
    ("histc_int", lambda t: t.histc(t.tensor([1, 2, 4]), bins=3)),
    ("quantile_f32", lambda t: t.quantile(t.tensor([1.0, 2.0, 4.0], dtype=t.float32), 0.5)),
    ("float_method", lambda t: t.tensor([1, 2]).float()),
    ("double_method", lambda t: t.tensor([1, 2]).double()),
    ("to_float_type", lambda t: t.tensor([1, 2]).to(float)),
    ("zeros_dtype_float", lambda t: t.zeros(2, dtype=float)),
    ("int_item_mul", lambda t: (t.tensor(3) * 0.5).item()),
    ("result_type", lambda t: t.result_type(t.tensor([1, 2]), 1.0)),
    ("finfo_default", lambda t: t.finfo().bits),
    ("new_tensor_f32", lambda t: t.zeros(1, dtype=t.float32).new_tensor([0.1])),
    ("new_zeros_int", lambda t: t.tensor([1]).new_zeros(2)),
    ("new_full_int", lambda t: t.tensor([1]).new_full((2,), 0.5)),
    ("f32_fill_inplace", lambda t: t.tensor([1, 2]).fill_(2.5)),
    ("int_mul_inplace", lambda t: t.tensor([1, 2]).mul_(1.5)),
    ("int_div_inplace", lambda t: t.tensor([1, 2]).div_(2)),
    ("int_add_inplace", lambda t: t.tensor([1, 2]).add_(0.5)),
    ("f32_add_f64_0d", lambda t: t.zeros(2, dtype=t.float32) + t.tensor(0.1)),
    ("int_add_0d_float", lambda t: t.tensor([1, 2]) + t.tensor(0.1)),
    ("bool_div", lambda t: t.tensor([True, False]) / 2),
    ("f32_matmul_int", lambda t: t.tensor([[1, 2]]) @ t.tensor([[1.5], [2.0]])),
    # ---- nn: parameters and buffers are created in the default dtype
    ("linear", _seeded(lambda t: _params(t.nn.Linear(3, 2)))),
    ("linear_forward", _seeded(lambda t: t.nn.Linear(3, 2)(t.ones(4, 3)))),
    ("conv2d", _seeded(lambda t: _params(t.nn.Conv2d(2, 3, 2)))),
    ("conv1d", _seeded(lambda t: _params(t.nn.Conv1d(2, 3, 2)))),
    ("convtranspose2d", _seeded(lambda t: _params(t.nn.ConvTranspose2d(2, 3, 2)))),
    ("batchnorm1d", lambda t: [v for _, v in sorted(t.nn.BatchNorm1d(3).state_dict().items())]),
    ("batchnorm2d_fwd", _seeded(lambda t: t.nn.BatchNorm2d(2)(t.randn(2, 2, 3, 3)))),
    ("layernorm", lambda t: _params(t.nn.LayerNorm(4))),
    ("groupnorm", lambda t: _params(t.nn.GroupNorm(2, 4))),
    ("embedding", _seeded(lambda t: _params(t.nn.Embedding(5, 3)))),
    ("prelu", lambda t: _params(t.nn.PReLU())),
    ("rnn", _seeded(lambda t: _params(t.nn.RNN(3, 4)))),
    ("lstm", _seeded(lambda t: _params(t.nn.LSTM(3, 2)))),
    ("gru", _seeded(lambda t: _params(t.nn.GRU(3, 2)))),
    ("lstm_cell", _seeded(lambda t: _params(t.nn.LSTMCell(3, 2)))),
    ("bilinear", _seeded(lambda t: _params(t.nn.Bilinear(2, 3, 4)))),
    ("mha", _seeded(lambda t: _params(t.nn.MultiheadAttention(4, 2)))),
    ("lazy_linear", _seeded(lambda t: _lazy(t))),
    ("square_mask", lambda t: t.nn.Transformer.generate_square_subsequent_mask(3)),
    ("module_to_dtype_float", _seeded(lambda t: _params(t.nn.Linear(2, 2).to(dtype=float)))),
    ("batchnorm_train_stats", _seeded(lambda t: _bn_stats(t))),
    ("conv2d_forward", _seeded(lambda t: t.nn.Conv2d(1, 2, 2)(t.randn(1, 1, 4, 4)))),
    ("lstm_forward", _seeded(lambda t: t.nn.LSTM(3, 2, batch_first=True)(t.randn(2, 4, 3))[0])),
    ("gru_forward", _seeded(lambda t: t.nn.GRU(3, 2)(t.randn(4, 2, 3))[1])),
    ("mlp_backward", _seeded(lambda t: _mlp_grads(t))),
    ("cross_entropy", _seeded(lambda t: t.nn.functional.cross_entropy(
        t.randn(4, 3), t.tensor([0, 2, 1, 1])))),
    ("trunc_normal", _seeded(lambda t: t.nn.init.trunc_normal_(t.empty(5)))),
    ("orthogonal", _seeded(lambda t: t.nn.init.orthogonal_(t.empty(3, 3)))),
    ("eye_init", lambda t: t.nn.init.eye_(t.empty(2, 3))),
    ("empty_permuted", lambda t: t.empty_permuted((2, 3), (1, 0)).dtype),
    ("parameter_empty", lambda t: t.nn.Parameter()),
    ("buffer_empty", lambda t: t.nn.Buffer()),
    ("init_uniform", _seeded(lambda t: t.nn.init.uniform_(t.empty(3)))),
    ("init_xavier", _seeded(lambda t: t.nn.init.xavier_normal_(t.empty(2, 3)))),
    ("init_f32", _seeded(lambda t: t.nn.init.kaiming_uniform_(t.empty(2, 3, dtype=t.float32)))),
    ("module_float", _seeded(lambda t: _params(t.nn.Linear(2, 2).float()))),
    ("mse_int_target", lambda t: t.nn.functional.mse_loss(t.ones(2), t.zeros(2))),
    ("clip_grad_empty", lambda t: t.nn.utils.clip_grad_norm_([], 1.0)),
    ("one_hot", lambda t: t.nn.functional.one_hot(t.tensor([0, 2]), 3)),
    # ---- more elementwise and reduction ops on integer/bool inputs
    ("rtruediv_int", lambda t: 2 / t.tensor([1, 4])),
    ("rsub_float", lambda t: 1.5 - t.tensor([1, 4])),
    ("sub_alpha_float", lambda t: t.sub(t.tensor([1, 4]), 1.5, alpha=2)),
    ("fmod_int_float", lambda t: t.fmod(t.tensor([7, -7]), 1.5)),
    ("remainder_int_float", lambda t: t.remainder(t.tensor([7, -7]), 1.5)),
    ("copysign_int", lambda t: t.copysign(t.tensor([1, 2]), t.tensor([-1, 1]))),
    ("ldexp_int", lambda t: t.ldexp(t.tensor([1, 2]), t.tensor([3, 1]))),
    ("logaddexp_int", lambda t: t.logaddexp(t.tensor([1, 2]), t.tensor([3, 1]))),
    ("float_power_int", lambda t: t.float_power(t.tensor([2, 3]), 2)),
    ("pow_scalar_base", lambda t: t.pow(2.5, t.tensor([1, 2]))),
    ("pow_int_tensor_float", lambda t: t.pow(t.tensor([4, 9]), 0.5)),
    ("heaviside_f32", lambda t: t.heaviside(t.tensor([-1.0, 0.0], dtype=t.float32),
                                            t.tensor([0.5], dtype=t.float32))),
    ("erfinv_int", lambda t: t.erfinv(t.tensor([0, 0]))),
    ("ndtr_int", lambda t: t.special.ndtr(t.tensor([0, 1]))),
    ("entr_int", lambda t: t.special.entr(t.tensor([1, 2]))),
    ("xlog1py_int", lambda t: t.special.xlog1py(t.tensor([1, 2]), t.tensor([1, 2]))),
    ("zeta_int", lambda t: t.special.zeta(t.tensor([2, 3]), t.tensor([1, 1]))),
    ("i0e_int", lambda t: t.special.i0e(t.tensor([1, 2]))),
    ("log1p_int", lambda t: t.log1p(t.tensor([1, 2]))),
    ("expm1_int", lambda t: t.expm1(t.tensor([1, 2]))),
    ("exp2_int", lambda t: t.exp2(t.tensor([1, 2]))),
    ("log2_int", lambda t: t.log2(t.tensor([1, 8]))),
    ("acos_int", lambda t: t.acos(t.tensor([0, 1]))),
    ("cosh_int", lambda t: t.cosh(t.tensor([0, 1]))),
    ("sigmoid_bool", lambda t: t.sigmoid(t.tensor([True, False]))),
    ("nan_to_num_int", lambda t: t.nan_to_num(t.tensor([1, 2]))),
    ("cumulative_trapezoid_int", lambda t: t.cumulative_trapezoid(t.tensor([1, 2, 4]))),
    ("cdist_f32", lambda t: t.cdist(t.ones(1, 2, 2, dtype=t.float32),
                                    t.zeros(1, 3, 2, dtype=t.float32))),
    ("cartesian_prod_int", lambda t: t.cartesian_prod(t.tensor([1, 2]), t.tensor([3]))),
    ("bucketize", lambda t: t.bucketize(t.tensor([0.5, 2.5]), t.tensor([1.0, 2.0]))),
    ("nanmean_int", lambda t: t.nanmean(t.tensor([1, 2]))),
    ("sum_int_dtype_none", lambda t: t.sum(t.tensor([1, 2]), dtype=None)),
    ("median_int", lambda t: t.median(t.tensor([1, 5, 2]))),
    ("mvlgamma_int", lambda t: t.mvlgamma(t.tensor([3, 4]), 2)),
    ("gelu_int", lambda t: t.nn.functional.gelu(t.tensor([1, 2]))),
    ("relu_int", lambda t: t.relu(t.tensor([-1, 2]))),
    ("softplus_int", lambda t: t.nn.functional.softplus(t.tensor([1, 2]))),
    ("normalize_f32", lambda t: t.nn.functional.normalize(t.ones(2, 2, dtype=t.float32))),
    ("cosine_similarity_int", lambda t: t.nn.functional.cosine_similarity(
        t.tensor([[1, 2]]), t.tensor([[2, 2]]))),
    ("pad_value", lambda t: t.nn.functional.pad(t.tensor([1, 2]), (1, 1), value=1.5)),
    ("bce_f32", lambda t: t.nn.functional.binary_cross_entropy(
        t.tensor([0.3], dtype=t.float32), t.tensor([1.0], dtype=t.float32))),
    ("where_int_scalar_pair", lambda t: t.where(t.tensor([True, False]), 1, 0)),
    ("tensor_bool_mul", lambda t: t.tensor(True) * 1.5),
    ("type_FloatTensor", lambda t: t.tensor([1, 2]).type(t.FloatTensor)),
    ("type_str", lambda t: t.tensor([1, 2]).type()),
    ("float_type_str", lambda t: t.tensor([1.5]).type()),
    ("is_floating", lambda t: t.tensor([1.5]).is_floating_point()),
    ("element_size", lambda t: t.tensor([1.5]).element_size()),
    ("new_ones_f32", lambda t: t.zeros(1, dtype=t.float32).new_ones(2)),
    ("new_empty_int", lambda t: t.tensor([1]).new_empty(2).dtype),
    ("empty_like_int", lambda t: t.empty_like(t.tensor([1])).dtype),
    ("randn_like_f32", _seeded(lambda t: t.randn_like(t.zeros(2, dtype=t.float32)))),
    ("randint_like_int", _seeded(lambda t: t.randint_like(t.tensor([1, 2]), 5))),
    ("bernoulli_f32", _seeded(lambda t: t.bernoulli(t.full((4,), 0.5, dtype=t.float32)))),
    ("multinomial_f32", _seeded(lambda t: t.multinomial(t.ones(4, dtype=t.float32), 2))),
    ("normal_std_tensor", _seeded(lambda t: t.normal(0.5, t.ones(3, dtype=t.float32)))),
    ("uniform_inplace", _seeded(lambda t: t.empty(3).uniform_(-1, 1))),
    ("normal_inplace", _seeded(lambda t: t.empty(3).normal_())),
    ("tensor_neg_zero", lambda t: t.tensor(-0.0)),
    ("tensor_past_half", lambda t: t.tensor([70000.0, 1e-8])),
    ("full_past_half", lambda t: t.full((2,), 70000.0)),
    ("full_past_half_one", lambda t: t.full((1,), 70000.0)),
    ("scalar_tensor_past_half", lambda t: t.scalar_tensor(70000.0)),
    ("int_div_past_half", lambda t: t.tensor([140000]) / 2),
    ("tensor_inf", lambda t: t.tensor([float("inf"), float("nan"), 1e-8])),
    ("tensor_np_int", lambda t: t.tensor(np.array([1, 2]))),
    ("tensor_list_np_floats", lambda t: t.tensor([np.float32(0.1), np.float32(0.2)])),
    ("tensor_list_np_f64", lambda t: t.tensor([np.float64(0.1), 0.2])),
    ("tensor_list_np_f16_float", lambda t: t.tensor([np.float16(1), 0.1])),
    ("tensor_list_np_f16_int", lambda t: t.tensor([[np.float16(1)], [2]])),
    ("tensor_list_np_int", lambda t: t.tensor([np.int32(1), 2.5])),
    ("tensor_list_np_int8_big", lambda t: t.tensor([np.int8(1), 300])),
    ("as_tensor_f32_tensor", lambda t: t.as_tensor(t.zeros(1, dtype=t.float32))),
    ("full_0d", lambda t: t.full((), 0.1)),
    ("zeros_0d", lambda t: t.zeros(())),
    ("arange_tensor_bound", lambda t: t.arange(t.tensor(2.5))),
    ("linspace_steps1", lambda t: t.linspace(0.3, 1, 1)),
    ("repr_float", lambda t: repr(t.tensor([1.5, 2.0]))),
    ("repr_f32", lambda t: repr(t.tensor([1.5], dtype=t.float32))),
    ("repr_f64", lambda t: repr(t.tensor([1.5], dtype=t.float64))),
    ("repr_empty", lambda t: repr(t.zeros(0))),
    ("repr_empty_f32", lambda t: repr(t.zeros(0, dtype=t.float32))),
    ("repr_int", lambda t: repr(t.tensor([1, 2]))),
    ("str_param", lambda t: str(t.nn.Parameter(t.ones(2)))),
    # ---- optimizers: torch keeps scalar state (step ...) in float64 under a float64 default
    ("adam_state", _seeded(lambda t: _optim(t, "Adam"))),
    ("adamw_state", _seeded(lambda t: _optim(t, "AdamW", amsgrad=True))),
    ("nadam_state", _seeded(lambda t: _optim(t, "NAdam"))),
    ("radam_state", _seeded(lambda t: _optim(t, "RAdam"))),
    ("adamax_state", _seeded(lambda t: _optim(t, "Adamax"))),
    ("asgd_state", _seeded(lambda t: _optim(t, "ASGD"))),
    ("adagrad_state", _seeded(lambda t: _optim(t, "Adagrad"))),
    ("adadelta_state", _seeded(lambda t: _optim(t, "Adadelta"))),
    ("rmsprop_state", _seeded(lambda t: _optim(t, "RMSprop", momentum=0.9))),
    ("rprop_state", _seeded(lambda t: _optim(t, "Rprop"))),
    ("sgd_state", _seeded(lambda t: _optim(t, "SGD", momentum=0.9))),
    # ---- data
    ("collate_floats", lambda t: t.utils.data.default_collate([0.5, 1.5])),
    ("collate_ints", lambda t: t.utils.data.default_collate([1, 2])),
    ("collate_np", lambda t: t.utils.data.default_collate([np.ones(2, np.float32)])),
    ("tensordataset", lambda t: t.utils.data.TensorDataset(t.tensor([[0.5]]))[0]),
    # ---- errors where torch raises
    ("set_int", lambda t: t.set_default_dtype(t.int64)),
    ("set_bool", lambda t: t.set_default_dtype(t.bool)),
    ("set_uint8", lambda t: t.set_default_dtype(t.uint8)),
    ("set_str", lambda t: t.set_default_dtype("float64")),
    ("set_pytype", lambda t: t.set_default_dtype(float)),
    ("set_none", lambda t: t.set_default_dtype(None)),
    ("rand_int_dtype", lambda t: t.rand(2, dtype=t.int64)),
    ("mean_bool", lambda t: t.tensor([True]).mean()),
]


# Mismatches in values that are not about the default: the same op with an explicit float16
# tensor differs from torch too (``tg.deg2rad(tg.tensor([180.]).half())`` gives 3.1426, torch
# 3.1406: the float16 kernels round differently). The dtype still matches; strict, so a fix shows
# (sigmoid's was fixed so: its float16 forward now computes in float32, rounded once).
KNOWN = {
    ("deg2rad_int", "float16"): "deg2rad of a float16 tensor is not rounded as torch's",
    ("i0e_int", "float16"): "i0e of a float16 tensor is not rounded as torch's",
    ("mvlgamma_int", "bfloat16"): "mvlgamma of a bfloat16 tensor is not rounded as torch's",
    ("zeta_int", "float16"): "torch has no float16 zeta kernel (NotImplementedError); tg computes",
    ("zeta_int", "bfloat16"): "torch has no bfloat16 zeta kernel (NotImplementedError)",
    ("rmsprop_state", "bfloat16"): "a bfloat16 RMSprop step is not rounded as torch's",
}
# (rtol, atol) for values in float16/bfloat16 where tg is not bitwise torch's whatever the default
# (the same gap with explicit .half() models under a float32 default): BatchNorm (statistics
# summed in another order, two ulps; the running statistics one bfloat16 ulp), LSTM/GRU/
# cross-entropy/MLP backward in half, and three optimizer steps of a half Linear (forward,
# backward and update each rounding). The dtypes are still compared exactly.
_STEPS = (2e-2, 6e-3)
REDUCED_TOL = {"batchnorm2d_fwd": (1.6e-2, 0.0), "batchnorm_train_stats": (1.6e-2, 0.0),
               **{c: _STEPS for c in (
    "lstm_forward", "gru_forward", "cross_entropy", "mlp_backward")}, **{
    f"{o}_state": _STEPS for o in ("adam", "adamw", "nadam", "radam", "adamax", "asgd",
                                   "adagrad", "adadelta", "rmsprop", "rprop", "sgd")}}
