"""Parity with torch for the ops added in fix18 (torch is the oracle in every test):

- ``torch.ops.aten._upsample_bilinear2d_aa`` (``tg._upsample_bilinear2d_aa``; its OpInfo runs in
  test_torch_ops.py too): both overloads, align_corners, explicit scales, up/down/mixed/same
  sizes, N = 0, uint8, gradients (against torch and finite differences), bad arguments;
- ``torch.special.gammainc`` / ``gammaincc`` (aliases of igamma / igammac);
- the in-place activations ``F.relu_``, ``leaky_relu_``, ``hardtanh_``, ``elu_``, ``celu_``,
  ``selu_``, ``rrelu_``, ``threshold_`` (and torch's root ``relu_``, ``celu_``, ``rrelu_``,
  ``selu_``, ``threshold_``), which have no OpInfo of their own.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from parity_tests.helpers import GRAD_FACTOR, assert_close, numerical_grads

TG_AA = tg._upsample_bilinear2d_aa
TH_AA = torch.ops.aten._upsample_bilinear2d_aa


def _both(fn_th, fn_tg, *arrays, grad: bool = False, extra=(), kwargs=None):
    """Call torch and tinygrad_edu on copies of ``arrays`` (then ``extra`` args): (torch out,
    tg out, torch inputs, tg inputs) or the two exceptions."""
    kwargs = kwargs or {}
    th_in = [torch.tensor(a, requires_grad=grad) for a in arrays]
    tg_in = [tg.tensor(a, requires_grad=grad) for a in arrays]
    return fn_th(*th_in, *extra, **kwargs), fn_tg(*tg_in, *extra, **kwargs), th_in, tg_in


def _same_exception(fn_th, fn_tg, *args, **kwargs):
    """Both raise, with the same exception type (tg's message is not NumPy's)."""
    with pytest.raises(Exception) as th_e:
        fn_th(*[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    with pytest.raises(Exception) as tg_e:
        fn_tg(*[tg.tensor(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    assert type(tg_e.value) is type(th_e.value), (th_e.value, tg_e.value)
    assert "numpy" not in str(tg_e.value).lower()
    return tg_e.value


def _compare(out_th, out_tg, op: str, dtype: str, check: str = "forward", factor: float = 1.0):
    assert_close(out_tg.detach().numpy(), out_th.detach().numpy(), op=op, what="out",
                 dtype=dtype, backend="numpy", check=check, factor=factor, record=False)


# ---- _upsample_bilinear2d_aa -------------------------------------------------------------------
AA_CASES = [  # (input shape, positional args after the input, kwargs)
    ((2, 3, 10, 20), ([3, 3], False), {}),  # shrink both axes (the filter widened by the scale)
    ((2, 3, 10, 20), ([5, 7], True), {}),  # align_corners
    ((1, 2, 5, 6), ([11, 13], False), {}),  # enlarge: the plain triangle, 2 taps
    ((1, 2, 9, 6), ([4, 13], False), {}),  # shrink one axis, enlarge the other
    ((1, 2, 9, 6), ([9, 4], False), {}),  # H unchanged: skipped, as torch
    ((1, 1, 7, 7), ([7, 7], False), {}),  # nothing changes: a copy
    ((2, 3, 10, 20), ([3, 3], False, 1.7, 0.9), {}),  # explicit scales override S/O
    ((2, 3, 10, 20), ([3, 3], True, 1.7, 0.9), {}),  # ... but not with align_corners
    ((1, 1, 6, 8), ([3, 2], False, 0.0, None), {}),  # scale 0: torch falls back to S/O
    ((2, 3, 10, 20), (None, False, [1.7, 0.9]), {}),  # the .vec overload
    ((2, 3, 10, 20), (None, False), {"scale_factors": [0.33, 0.27]}),
    ((1, 1, 5, 6), (None, True, [2.5, 0.59]), {}),  # int(5·2.5) = 12, int(6·0.59) = 3
    ((0, 2, 5, 6), ([3, 3], False), {}),  # N = 0 is allowed
    ((1, 1, 1, 1), ([4, 3], False), {}),
    ((1, 1, 30, 2), ([1, 1], False), {}),  # to a single pixel: the whole image's mean-ish
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, args, kwargs", AA_CASES)
def test_upsample_aa_forward_and_grad(shape, args, kwargs, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    out_th, out_tg, (xt,), (xg,) = _both(TH_AA, TG_AA, x, grad=True, extra=args, kwargs=kwargs)
    _compare(out_th, out_tg, "_upsample_bilinear2d_aa", dtype)
    g = rng.standard_normal(tuple(out_th.shape)).astype(dtype)
    out_th.backward(torch.tensor(g))
    out_tg.backward(tg.tensor(g))
    assert_close(xg.grad.numpy(), xt.grad.numpy(), op="_upsample_bilinear2d_aa", what="grad",
                 dtype=dtype, backend="numpy", check="grad", factor=GRAD_FACTOR, record=False)


def test_upsample_aa_matches_finite_differences():
    """The backward (the transposed weights) against central differences of the forward."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 2, 7, 9))
    up = rng.standard_normal((1, 2, 3, 4))

    def f(a):
        return [TG_AA(tg.tensor(a), [3, 4], False).numpy()]

    xg = tg.tensor(x, requires_grad=True)
    TG_AA(xg, [3, 4], False).backward(tg.tensor(up))
    (num,) = numerical_grads(f, [x], [up])
    np.testing.assert_allclose(xg.grad.numpy(), num, rtol=1e-6, atol=1e-8)


def test_upsample_aa_second_order_and_node_names():
    x = torch.randn(1, 1, 6, 5, dtype=torch.float64, requires_grad=True)
    xg = tg.tensor(x.detach().numpy(), requires_grad=True)
    yt, yg = TH_AA(x, [3, 2], False), TG_AA(xg, [3, 2], False)
    assert yg.grad_fn.name() == yt.grad_fn.name() == "UpsampleBilinear2DAaBackward0"
    yi = tg.nn.functional.interpolate(xg, size=(3, 2), mode="bilinear", antialias=True)
    assert yi.grad_fn.name() == "UpsampleBilinear2DAaBackward0"
    # d/dx of <grad_x(<y, g>), v> for a linear op is 0, and the double backward must run
    g = torch.randn(1, 1, 3, 2, dtype=torch.float64)
    (gx,) = tg.autograd.grad(yg, xg, tg.tensor(g.numpy()), create_graph=True)
    (gxt,) = torch.autograd.grad(yt, x, g, create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), gxt.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("values", ["tails", "specials"])
def test_upsample_aa_extreme_values(values):
    """Both tails (±1e30 / ±3e38 in float32) and inf/nan: the same products as torch (a weight
    of 0 times inf is nan there too; the padding taps add exactly nothing)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 2, 8, 9)).astype(np.float32)
    if values == "tails":
        x[0, 0] *= 1e30
        x[0, 1, 0, :3] = [3e38, -3e38, 1e-40]
    else:
        x[0, 0, 2, 3], x[0, 1, 5, 5], x[0, 1, 0, 0] = np.inf, -np.inf, np.nan
    for size in ([3, 4], [16, 5], [8, 9]):
        out_th, out_tg, _, _ = _both(TH_AA, TG_AA, x, extra=(size, False))
        _compare(out_th, out_tg, "_upsample_bilinear2d_aa", "float32")


@pytest.mark.parametrize("size, align", [([3, 4], False), ([12, 17], False), ([5, 13], True)])
def test_upsample_aa_uint8(size, align):
    """uint8 goes through torch's int16 fixed point: bit-equal (C ≤ 4, torch's AVX2 kernel)."""
    x = np.random.default_rng(3).integers(0, 256, (2, 3, 9, 11), dtype=np.uint8)
    out_th, out_tg, _, _ = _both(TH_AA, TG_AA, x, extra=(size, align))
    assert out_tg.dtype == tg.uint8
    np.testing.assert_array_equal(out_tg.numpy(), out_th.numpy())


@pytest.mark.parametrize("dtype", [np.int32, np.bool_, np.float16])
def test_upsample_aa_other_dtypes_copy_when_unchanged(dtype):
    x = (np.random.default_rng(4).standard_normal((1, 2, 4, 5)) * 3).astype(dtype)
    out_th, out_tg, _, _ = _both(TH_AA, TG_AA, x, extra=([4, 5], False))
    assert str(out_tg.dtype) == str(out_th.dtype)
    np.testing.assert_array_equal(out_tg.numpy(), out_th.numpy())


_X4 = np.ones((1, 1, 5, 6), np.float32)
AA_ERRORS = [
    (np.ones((1, 5, 6), np.float32), [3, 3], False),  # 3-D input
    (np.ones((1, 1, 1, 5, 6), np.float32), [3, 3], False),  # 5-D input
    (_X4, [3], False),  # output_size of length 1
    (_X4, [0, 3], False),  # an empty output
    (_X4, [-3, 3], False),
    (np.ones((1, 1, 0, 6), np.float32), [3, 3], False),  # an empty input plane
    (np.ones((2, 0, 5, 6), np.float32), [3, 3], False),  # C = 0
    (_X4.astype(np.int32), [3, 3], False),  # no kernel for int32 / bool / float16
    (_X4.astype(np.bool_), [3, 3], False),
    (_X4.astype(np.float16), [5, 3], False),
    (np.zeros((0, 1, 5, 6), np.int32), [3, 3], False),  # ... even for N = 0
    (_X4, [3, 3], False, [0.5, 0.5]),  # both output_size and scale_factors
    (_X4, None, False, [0.5]),  # scale_factors of length 1
    (_X4, None, False, [0.1, 0.5]),  # int(5·0.1) = 0
    (_X4, None, False, [-0.5, 0.5]),
    ([[1.0, 2.0]], [3, 3], False),  # not a tensor: torch's dispatcher says RuntimeError
    (_X4, [3.0, 3], False),  # a float size
    (_X4, 3, False),  # an int, not a list
    (_X4, [3, 3], "yes"),
    (_X4, [3, 3], False, "a", None),
]


@pytest.mark.parametrize("args", AA_ERRORS, ids=range(len(AA_ERRORS)))
def test_upsample_aa_errors(args):
    _same_exception(TH_AA, TG_AA, *args)


def test_upsample_aa_neither_size_nor_scales():
    with pytest.raises(RuntimeError):  # torch's schema refuses None for the first overload
        TH_AA(torch.ones(1, 1, 5, 6), None, False)
    with pytest.raises(RuntimeError, match="exactly one of output_size and scale_factors"):
        TG_AA(tg.ones(1, 1, 5, 6), None, False)


# ---- special.gammainc / gammaincc --------------------------------------------------------------
_A = np.array([0.0, 1e-30, 0.5, 1.0, 2.5, 10.0, 1e3, 1e20, np.inf, -1.0, np.nan])
_XS = np.array([0.0, 1e-30, 0.3, 1.0, 4.0, 9.0, 1e3, 1e20, np.inf, -2.0, np.nan])


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gammainc_values_and_grad(name, dtype):
    """Every (a, x) pair of two grids with both tails, zero, ±inf, negatives and nan."""
    a = np.repeat(_A, _XS.size).astype(dtype)
    x = np.tile(_XS, _A.size).astype(dtype)
    th_fn, tg_fn = getattr(torch.special, name), getattr(tg.special, name)
    out_th, out_tg, _, _ = _both(th_fn, tg_fn, a, x)
    _compare(out_th, out_tg, f"special.{name}", dtype)
    # d/dx = x^(a-1)e^(-x)/Γ(a), where it is not rounding noise: at a = x = 1e20 it is
    # exp(4.6e21 - 1e20 - 4.5e21), whose ulps make it 0, 1 or inf (torch: inf)
    interior = (a > 0.2) & (a < 50) & (x > 0.1) & (x < 50)
    xt, xg = torch.tensor(x[interior], requires_grad=True), tg.tensor(x[interior],
                                                                     requires_grad=True)
    th_fn(torch.tensor(a[interior]), xt).sum().backward()
    tg_fn(tg.tensor(a[interior]), xg).sum().backward()
    assert_close(xg.grad.numpy(), xt.grad.numpy(), op=f"special.{name}", what="grad x",
                 dtype=dtype, backend="numpy", check="grad", factor=GRAD_FACTOR, record=False)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_gammainc_is_igamma_and_shapes(name):
    """The alias is the same function; 0-d, empty and broadcast shapes as torch."""
    assert getattr(tg.special, name) is {"gammainc": tg.igamma, "gammaincc": tg.igammac}[name]
    th_fn, tg_fn = getattr(torch.special, name), getattr(tg.special, name)
    for a, x in [(np.float64(2.0), np.float64(1.5)), (np.zeros((0, 3)), np.ones(3)),
                 (np.full((2, 1), 1.5), np.linspace(0.1, 4, 5))]:
        out_th, out_tg, _, _ = _both(th_fn, tg_fn, np.asarray(a), np.asarray(x))
        _compare(out_th, out_tg, f"special.{name}", "float64")


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_gammainc_errors(name):
    th_fn, tg_fn = getattr(torch.special, name), getattr(tg.special, name)
    f = np.ones(3)
    _same_exception(th_fn, tg_fn, np.ones(3, np.int64), np.ones(3, np.int64))  # NotImplemented
    _same_exception(th_fn, tg_fn, f > 0, f > 0)
    _same_exception(th_fn, tg_fn, f, 1.0)  # TypeError: other must be a Tensor
    _same_exception(th_fn, tg_fn, np.ones(3), np.ones(4))  # shapes do not broadcast
    a = torch.ones(3, dtype=torch.float64, requires_grad=True)
    ag = tg.ones(3, dtype=tg.float64, requires_grad=True)
    with pytest.raises(Exception) as th_e:  # no derivative towards a
        th_fn(a, torch.ones(3, dtype=torch.float64)).sum().backward()
    with pytest.raises(Exception) as tg_e:
        tg_fn(ag, tg.ones(3, dtype=tg.float64)).sum().backward()
    assert type(tg_e.value) is type(th_e.value)


# ---- the in-place activations ------------------------------------------------------------------
INPLACE = [  # (F name, extra args, also at torch's root)
    ("relu_", (), True),
    ("leaky_relu_", (0.2,), False),
    ("hardtanh_", (), False),
    ("hardtanh_", (-0.5, 2.0), False),
    ("elu_", (0.7,), False),
    ("celu_", (2.0,), True),
    ("selu_", (), True),
    ("rrelu_", (0.1, 0.3), True),  # eval: the mean slope
    ("threshold_", (0.1, -2.0), True),
]
_EDGE = np.array([-1e30, -3.0, -1.0, -0.5, -0.0, 0.0, 0.1, 0.5, 1.0, 2.0, 3.0, 1e30,
                  np.inf, -np.inf])


def _inplace_fns(name: str, root: bool):
    fns = [(getattr(torch.nn.functional, name), getattr(tg.nn.functional, name))]
    if root:
        fns.append((getattr(torch, name), getattr(tg, name)))
    return fns


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, args, root", INPLACE)
def test_inplace_activation_values_and_grad(name, args, root, dtype):
    """Through a non-leaf (x·1): the same values written into the same tensor (returned), the
    gradient through the write as torch's. Both tails and ±inf; nan only in the forward
    (torch's own hardtanh backward passes or drops nan's gradient by SIMD lane)."""
    for fn_th, fn_tg in _inplace_fns(name, root):
        for x in (_EDGE, np.array(-1.5), np.zeros((0, 3)), np.array([np.nan, 1.0])):
            x = np.asarray(x, dtype)
            xt, xg = torch.tensor(x, requires_grad=True), tg.tensor(x, requires_grad=True)
            yt, yg = xt * 1, xg * 1
            rt, rg = fn_th(yt, *args), fn_tg(yg, *args)
            assert rg is yg and rt is yt
            _compare(rt, rg, name, dtype)
            if np.isnan(x).any():
                continue
            g = np.linspace(-1, 2, x.size).reshape(x.shape).astype(dtype)
            rt.backward(torch.tensor(g))
            rg.backward(tg.tensor(g))
            assert_close(xg.grad.numpy(), xt.grad.numpy(), op=name, what="grad", dtype=dtype,
                         backend="numpy", check="grad", factor=GRAD_FACTOR, record=False)


@pytest.mark.parametrize("name, args, root", INPLACE)
def test_inplace_activation_gradcheck(name, args, root):
    """float64 gradient against central differences, away from the kinks."""
    x = np.array([-2.3, -0.7, -0.2, 0.3, 0.8, 1.7, 2.6])
    up = np.linspace(0.5, 1.5, x.size)
    fn = getattr(tg.nn.functional, name)

    def f(a):
        return [fn(tg.tensor(a) * 1, *args).numpy()]

    xg = tg.tensor(x, requires_grad=True)
    fn(xg * 1, *args).backward(tg.tensor(up))
    (num,) = numerical_grads(f, [x], [up])
    np.testing.assert_allclose(xg.grad.numpy(), num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name, args, root", INPLACE)
def test_inplace_activation_errors(name, args, root):
    for fn_th, fn_tg in _inplace_fns(name, root):
        # a leaf that requires grad cannot be written in place
        xt = torch.ones(3, requires_grad=True)
        xg = tg.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            fn_th(xt, *args)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            fn_tg(xg, *args)
        assert xg.detach().numpy().tolist() == [1.0, 1.0, 1.0]  # and nothing was written
        _same_exception(fn_th, fn_tg, [1.0, -1.0], *args)  # not a tensor
        _same_exception(fn_th, fn_tg, np.array([True, False]), *args)  # bool


def test_hardtanh_inplace_bad_limits_and_integers():
    # min_val > max_val: F.hardtanh raises ValueError, F.hardtanh_ (C++) clamps to max_val
    x = np.array([-3.0, 0.0, 1.5, 3.0])
    _same_exception(torch.nn.functional.hardtanh, tg.nn.functional.hardtanh, x, 2.0, 1.0)
    out_th, out_tg, (xt,), (xg,) = _both(
        lambda t, *a: torch.nn.functional.hardtanh_(t * 1, *a),
        lambda t, *a: tg.nn.functional.hardtanh_(t * 1, *a), x, grad=True, extra=(2.0, 1.0))
    _compare(out_th, out_tg, "hardtanh_", "float64")
    out_th.sum().backward()
    out_tg.sum().backward()
    np.testing.assert_array_equal(xg.grad.numpy(), xt.grad.numpy())  # 0: every x is clamped
    _same_exception(torch.nn.functional.hardtanh_, tg.nn.functional.hardtanh_,
                    np.ones(3, np.uint8), 2.0, -1.0)  # uint8 with a negative limit
    _same_exception(torch.nn.functional.hardtanh_, tg.nn.functional.hardtanh_,
                    np.ones(3), np.ones(2))  # a tensor limit: TypeError, before comparing
    _same_exception(torch.nn.functional.hardtanh_, tg.nn.functional.hardtanh_,
                    np.ones(3, np.uint8), -1.0, 1.0)
    x = np.array([-5, -1, 0, 1, 7], np.int64)  # integers: clamped in place, as torch
    out_th, out_tg, _, _ = _both(torch.nn.functional.hardtanh_, tg.nn.functional.hardtanh_, x,
                                 extra=(-2, 3))
    np.testing.assert_array_equal(out_tg.numpy(), out_th.numpy())
    assert str(out_tg.dtype) == str(out_th.dtype)
