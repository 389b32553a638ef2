"""The reduction, scan, sort and search family against torch, by failure kind (issue 9): NaN
at kinks, torch's argument forms, integer dtypes, empty and 0-d inputs, ties, and second
derivatives without a reference twin. Each case runs the same call in torch and tinygrad_edu
and compares values, dtypes and gradients (torch's OpInfo samples are in test_torch_ops.py;
these pin down the cases they leave out)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

NAN = math.nan


def same(got, want, rtol=1e-6, atol=1e-7):
    """Values, dtype and shape of a tg result equal torch's (recursing into tuples)."""
    if isinstance(want, (tuple, list)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w, rtol, atol)
        return
    assert isinstance(got, tg.Tensor), type(got)
    assert got.dtype.name == str(want.dtype).removeprefix("torch."), (got.dtype, want.dtype)
    arr = got.detach().numpy()
    assert isinstance(arr, np.ndarray), "a NumPy scalar inside a Tensor"
    np.testing.assert_allclose(arr, want.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True)


def grads(fn, data, dtype="float64", upstream=None):
    """(torch's, tg's) gradient of sum(fn(x) * upstream) at x = data."""
    xt = torch.tensor(data, dtype=getattr(torch, dtype), requires_grad=True)
    xg = tg.tensor(np.array(data, dtype=dtype), requires_grad=True)
    yt, yg = fn(torch, xt), fn(tg, xg)
    u = np.ones(tuple(yt.shape)) if upstream is None else np.asarray(upstream)
    (yt * torch.tensor(u, dtype=yt.dtype)).sum().backward()
    (yg * tg.tensor(u.astype(dtype))).sum().backward()
    return xt.grad, xg.grad


# ---- NaN at kinks: the gradient goes where torch sends it --------------------------------
NAN_KINKS = {
    "max()": lambda m, x: x.max(),
    "min()": lambda m, x: x.min(),
    "max(dim)": lambda m, x: x.max(0).values,
    "amax": lambda m, x: m.amax(x, 0),
    "median()": lambda m, x: x.median(),
    "median(dim)": lambda m, x: x.median(0).values,
    "nanmedian()": lambda m, x: x.nanmedian(),
    "nanmedian(dim)": lambda m, x: x.nanmedian(0).values,
    "kthvalue": lambda m, x: x.kthvalue(2, 0).values,
    "sort": lambda m, x: x.sort(0).values,
    "sort desc": lambda m, x: x.sort(0, descending=True).values,
    "cummax": lambda m, x: x.cummax(0).values,
    "cummin": lambda m, x: x.cummin(0).values,
    "topk": lambda m, x: x.topk(2).values,
    "aminmax": lambda m, x: m.aminmax(x).max,
    "quantile": lambda m, x: m.quantile(x, 0.5),
    "nanquantile": lambda m, x: m.nanquantile(x, 0.3),
}


@pytest.mark.parametrize("name", list(NAN_KINKS))
@pytest.mark.parametrize("data", [[1.0, NAN, 3.0], [1.0, NAN, 3.0, NAN], [2.0, 2.0, 1.0]])
def test_nan_and_ties_at_kinks(name, data):
    gt, gg = grads(NAN_KINKS[name], data)
    same(gg, gt)


def test_max_of_nan_is_torchs_example():
    x = tg.tensor([1.0, NAN, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


# ---- argument forms -------------------------------------------------------------------------
X = np.arange(12, dtype=np.float32).reshape(3, 4) - 5.0

FORMS = {
    "sum axis": lambda m, x: m.sum(x, axis=1),
    "mean axis keepdims": lambda m, x: m.mean(x, axis=0, keepdims=True),
    "amax axis": lambda m, x: m.amax(x, axis=(0, 1)),
    "std axis": lambda m, x: x.std(axis=1, keepdim=True),
    "var_mean": lambda m, x: m.var_mean(x, 1, correction=0),
    "std_mean": lambda m, x: m.std_mean(x, dim=0),
    "std_mean legacy unbiased": lambda m, x: m.std_mean(x, False),
    "sum dim=()": lambda m, x: x.sum(dim=()),
    "logsumexp tuple": lambda m, x: m.logsumexp(x, (0, 1)),
    "sort stable": lambda m, x: m.sort(x.round(), dim=0, descending=True, stable=True),
    "argsort stable": lambda m, x: m.argsort(x, dim=1, stable=True),
    "cumsum axis": lambda m, x: m.cumsum(x, axis=1),
    "argmax keepdim": lambda m, x: m.argmax(x, keepdim=True),
    "count_nonzero tuple": lambda m, x: m.count_nonzero(x, (0, 1)),
    "max axis": lambda m, x: m.max(x, axis=1),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_argument_forms(name):
    same(FORMS[name](tg, tg.tensor(X)), FORMS[name](torch, torch.tensor(X)))


ERRORS = {
    "sum dim twice": (lambda m, x: x.sum(dim=(0, 0)), RuntimeError),
    "sum dim twice (negative)": (lambda m, x: m.sum(x, (0, -2)), RuntimeError),
    "amax dim twice": (lambda m, x: m.amax(x, (1, 1)), RuntimeError),
    "mean dim twice": (lambda m, x: x.mean((1, -1)), RuntimeError),
    "max of empty": (lambda m, x: x[:0].max(), RuntimeError),
    "argmax over empty dim": (lambda m, x: x[:0].argmax(0), IndexError),
    "argmax of empty": (lambda m, x: x[:0].argmax(), IndexError),
    "amax of empty": (lambda m, x: m.amax(x[:0]), RuntimeError),
    "aminmax of empty": (lambda m, x: m.aminmax(x[:0]), RuntimeError),
    "median over empty dim": (lambda m, x: x[:0].median(0), IndexError),
    "kthvalue k too big": (lambda m, x: x.kthvalue(9), RuntimeError),
    "cumsum dim": (lambda m, x: x.cumsum(2), IndexError),
    "quantile q > 1": (lambda m, x: m.quantile(x, 1.5), RuntimeError),
    "var of int": (lambda m, x: x.long().var(), RuntimeError),
    "amax out dtype": (lambda m, x: m.amax(x, 0, out=m.empty(4, dtype=m.float64)), RuntimeError),
    "logcumsumexp of int": (lambda m, x: x.long().logcumsumexp(0), RuntimeError),
    "bucketize 2-D boundaries": (lambda m, x: m.bucketize(x, x), RuntimeError),
    "searchsorted side vs right": (
        lambda m, x: m.searchsorted(x[0], x, side="left", right=True), RuntimeError),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_as_torch(name):
    fn, exc = ERRORS[name]
    with pytest.raises(exc):
        fn(torch, torch.tensor(X))
    with pytest.raises(exc):
        fn(tg, tg.tensor(X))


# ---- integer dtypes, 0-d and empty inputs ----------------------------------------------------
DTYPES = {
    "uint8 cumsum": lambda m: m.tensor([200, 100], dtype=m.uint8).cumsum(0),
    "uint8 sum": lambda m: m.tensor([200, 100], dtype=m.uint8).sum(),
    "int32 prod": lambda m: m.tensor([3, 5], dtype=m.int32).prod(),
    "bool sum": lambda m: m.tensor([True, True]).sum(),
    "int8 cumprod": lambda m: m.tensor([100, 3], dtype=m.int8).cumprod(0),
    "int16 nansum": lambda m: m.tensor([300, 300], dtype=m.int16).nansum(),
    "sum dtype": lambda m: m.tensor([1, 2]).sum(dtype=m.float64),
    "cumsum dtype": lambda m: m.tensor([1.5, 2.5]).cumsum(0, dtype=m.float64),
    "argmax 0-d": lambda m: m.tensor(3.0).argmax(),
    "argmax 0-d dim": lambda m: m.tensor(3.0).argmax(0, keepdim=True),
    "argmin dim": lambda m: m.tensor([1.0, 2.0]).argmin(-1),
    "max 0-d dim": lambda m: m.tensor(3.0).max(0),
    "median 0-d": lambda m: m.tensor(3.0).median(0),
    "cummax 0-d": lambda m: m.tensor(3.0).cummax(0),
    "sum empty dim": lambda m: m.zeros(2, 0).sum(1),
    "prod empty": lambda m: m.zeros(0).prod(),
    "mean empty": lambda m: m.zeros(0, 3).mean(0),
    "median empty": lambda m: m.zeros(0).median(),
    "logsumexp empty": lambda m: m.zeros(3, 0).logsumexp(1),
    "cumprod empty": lambda m: m.zeros(0, 2).cumprod(0),
    "unique": lambda m: m.unique(m.tensor([3.0, 1.0, NAN, 1.0]), return_inverse=True,
                                 return_counts=True),
    "unique dim": lambda m: m.unique(m.tensor([[1, 2], [0, 1], [1, 2]]), dim=0,
                                     return_counts=True),
    "unique 0-d": lambda m: m.unique(m.tensor(2.0), return_inverse=True),
    "histc": lambda m: m.histc(m.tensor([1.0, 2.0, 1.0, 7.0]), bins=4, min=0, max=3),
    "bincount": lambda m: m.bincount(m.tensor([0, 3, 3]), minlength=5),
    "searchsorted nan": lambda m: m.searchsorted(m.tensor([1.0, 2.0, NAN]),
                                                 m.tensor([3.0, NAN, 0.0])),
    "mode ties": lambda m: m.tensor([[1.0, 2.0, 2.0, 3.0, 3.0, 0.0]]).mode(1),
    "kthvalue ties": lambda m: m.tensor([[1.0, 2.0, 2.0, 3.0, 2.0]]).kthvalue(2, 1),
    "median ties": lambda m: m.tensor([[3.0, 1.0, 2.0, 2.0]]).median(1),
}


@pytest.mark.parametrize("name", list(DTYPES))
def test_dtypes_0d_empty_ties(name):
    same(DTYPES[name](tg), DTYPES[name](torch))


# ---- double backward: prod and the scans, exact with zeros, no reference twin -------------
SECOND = {
    "prod zeros": (lambda m, x: x.prod(), [[1.0, 0.0, 3.0], [2.0, 0.5, 4.0]]),
    "prod dim one zero": (lambda m, x: x.prod(1), [[1.0, 0.0, 3.0], [2.0, 0.5, 4.0]]),
    "prod dim two zeros": (lambda m, x: x.prod(0), [[1.0, 0.0, 3.0], [0.0, 0.5, 4.0]]),
    "cumprod zeros": (lambda m, x: x.cumprod(1), [[1.0, 0.0, 3.0, 0.0], [2.0, 0.5, 4.0, 1.5]]),
    "cumsum": (lambda m, x: x.cumsum(0), [[1.0, 0.0], [2.0, 0.5]]),
    "logcumsumexp": (lambda m, x: x.logcumsumexp(1), [[1.0, -2.0, 3.0], [0.1, 0.5, -4.0]]),
    "logsumexp": (lambda m, x: x.logsumexp(1), [[1.0, -2.0, 3.0], [0.1, 0.5, -4.0]]),
    "std_mean": (lambda m, x: m.std_mean(x, 1)[0] * m.std_mean(x, 1)[1],
                 [[1.0, -2.0, 3.0], [0.1, 0.5, -4.0]]),
    "quantile": (lambda m, x: m.quantile(x, 0.4, dim=1), [[1.0, -2.0, 3.0], [0.1, 0.5, -4.0]]),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_second_derivative(name):
    fn, data = SECOND[name]
    xt = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    (gt,) = torch.autograd.grad((fn(torch, xt) ** 2).sum(), xt, create_graph=True)
    (ht,) = torch.autograd.grad((gt * torch.arange(gt.numel()).reshape(gt.shape)).sum(), xt)
    xg = tg.tensor(np.array(data), requires_grad=True)
    (gg,) = tg.autograd.grad((fn(tg, xg) ** 2).sum(), xg, create_graph=True)
    (hg,) = tg.autograd.grad((gg * tg.arange(gg.numel()).reshape(gg.shape)).sum(), xg)
    same(gg, gt)
    same(hg, ht)


def test_prod_has_no_reference_twin():
    """prod's backward is a formula of ops (cumprod), differentiated like any other."""
    from tinygrad_edu.ops.reduce import ProdFn
    from tinygrad_edu.ops.scan import CumprodFn

    assert ProdFn.reference is None and CumprodFn.reference is None


def test_cumprod_fast_and_graph_gradients_agree():
    """The O(n) first-order path with zeros equals the O(n²) differentiable one."""
    from tinygrad_edu.ops.scan import _cumprod_grad_with_zeros, _cumprod_grad_zeros_fast

    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 7))
    x[rng.random((4, 7)) < 0.3] = 0.0
    g = rng.standard_normal((4, 7))
    for ax in (0, 1):
        y = np.cumprod(x, axis=ax)
        np.testing.assert_allclose(_cumprod_grad_zeros_fast(x, y, g, ax),
                                   _cumprod_grad_with_zeros(x, g, ax), rtol=1e-12, atol=1e-12)


def test_masked_namespace_as_torch():
    x = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    mask = np.array([[True, False, True], [False, False, False]])
    for name in ("sum", "amax", "mean", "logsumexp", "std", "norm"):
        got = getattr(tg.masked, name)(tg.tensor(x), 1, mask=tg.tensor(mask))
        want = getattr(torch.masked, name)(torch.tensor(x), 1, mask=torch.tensor(mask))
        same(got, want)
    same(tg.masked.softmax(tg.tensor(x), 1, mask=tg.tensor(mask)),
         torch.masked.softmax(torch.tensor(x), 1, mask=torch.tensor(mask)))


# ---- infinities: nan where torch gives nan, silently (RuntimeWarnings are errors here) ------
INF = math.inf
INFINITE = {
    "prod inf·0": (lambda m, x: x.prod(0), [[INF, 2.0], [0.0, 3.0]]),
    "prod inf": (lambda m, x: x.prod(1), [[INF, 2.0], [3.0, INF]]),
    "cumprod inf·0": (lambda m, x: x.cumprod(1), [[INF, 0.0, 2.0], [1.0, -INF, 3.0]]),
    "var inf": (lambda m, x: x.var(1), [[INF, 1.0, 2.0], [1.0, 2.0, 4.0]]),
    "std inf": (lambda m, x: x.std(1), [[INF, -INF, 2.0], [1.0, 2.0, 4.0]]),
    "nansum inf nan": (lambda m, x: x.nansum(1), [[INF, NAN, 2.0], [NAN, NAN, NAN]]),
    "nansum inf -inf": (lambda m, x: x.nansum(1), [[INF, NAN, -INF], [NAN, NAN, NAN]]),
}


@pytest.mark.parametrize("name", list(INFINITE))
def test_infinities_as_torch(name):
    fn, data = INFINITE[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        got = fn(tg, tg.tensor(np.array(data)))
        gt, gg = grads(fn, data)
    same(got, fn(torch, torch.tensor(data, dtype=torch.float64)))
    same(gg, gt)


def test_nansum_second_derivative_through_the_mask():
    """nansum's backward multiplies by the not-NaN mask, under create_graph too."""
    data = [[1.0, NAN, 2.0], [NAN, 3.0, -1.0]]
    xt = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    (gt,) = torch.autograd.grad((xt.nansum(1) ** 2).sum(), xt, create_graph=True)
    (ht,) = torch.autograd.grad(gt.nansum(), xt)
    xg = tg.tensor(np.array(data), requires_grad=True)
    (gg,) = tg.autograd.grad((xg.nansum(1) ** 2).sum(), xg, create_graph=True)
    (hg,) = tg.autograd.grad(gg.nansum(), xg)
    same(gg, gt)
    same(hg, ht)
