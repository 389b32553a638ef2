"""Differences the differential fuzzer (parity_tests/scripts/fuzz/) found, fixed, and pinned here
against torch: each case is run with torch and with tinygrad_edu from the same source text and
everything observable is compared (values, dtype, requires_grad, is_leaf, grad_fn presence, the
leaves' .grad, and whether a write through one name shows in another).
"""

import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _observe(lib, src: str) -> dict:
    ns = {"torch": lib}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(src, ns)
    out = {}
    for k, v in sorted(ns.items()):
        if isinstance(v, (torch.Tensor, tg.Tensor)):
            g = v.grad if v.is_leaf else None
            out[k] = (np.asarray(v.detach().tolist(), dtype=float), str(v.dtype).split(".")[-1],
                      v.requires_grad, v.is_leaf, v.grad_fn is not None,
                      None if g is None else np.asarray(g.tolist(), dtype=float))
        elif isinstance(v, (bool, int, float)):
            out[k] = v
    return out


def _same(src: str) -> None:
    want, got = _observe(torch, src), _observe(tg, src)
    assert set(got) == set(want)
    for k in want:
        w, g = want[k], got[k]
        if not isinstance(w, tuple):
            assert g == w, k
            continue
        np.testing.assert_allclose(g[0], w[0], rtol=1e-12, atol=0, equal_nan=True, err_msg=k)
        assert g[1:5] == w[1:5], (k, g[1:5], w[1:5])
        if w[5] is None or g[5] is None:
            assert g[5] is None and w[5] is None, (k, "grad", g[5], w[5])
        else:
            np.testing.assert_allclose(g[5], w[5], rtol=1e-12, atol=0, equal_nan=True,
                                       err_msg=f"{k}.grad")


# ---- identity views: t()/transpose of 0-d and 1-D, expand to the same shape are new views ------
@pytest.mark.parametrize("expr", ["a.t()", "a.transpose(0, -1)", "a.expand(a.shape)",
                                  "a.expand_as(a)", "a.broadcast_to(a.shape)", "a.flatten()",
                                  "a.flatten(0, 0)", "torch.flatten(a)"])
@pytest.mark.parametrize("shape", ["()", "(2,)"])
def test_identity_views(expr, shape):
    if "flatten(0, 0)" in expr and shape == "()":
        pytest.skip("no dim 0 to name in a 0-d tensor")
    _same(f"a = torch.ones({shape}, dtype=torch.float64, requires_grad=True)\n"
          f"v = {expr}\nsame = v is a\nw = (v * 3).sum()\nw.backward()")


def test_identity_view_write_through():
    _same("a = torch.ones(2, dtype=torch.float64)\nv = a.expand(2)\nv.add_(1)\nw = a * 1\n"
          "b = torch.ones((), dtype=torch.float64, requires_grad=True)\nc = b * 1\nd = c.t()\n"
          "d.mul_(3)\nc.backward()")


# ---- a 0-d integer tensor indexes as an int (a view); a uint8 tensor is a mask ----------------
@pytest.mark.parametrize("src", [
    "a = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64)\nv = a[a.abs().argmax(0)]\na.neg_()",
    "a = torch.arange(6.0, dtype=torch.float64).reshape(2, 3)\nv = a[:, torch.tensor(1)]\n"
    "v.mul_(10)",
    "x = torch.arange(6.0, dtype=torch.float64, requires_grad=True)\na = x * 1\n"
    "v = a[torch.tensor(2)]\nv.mul_(4)\na.sum().backward()",
    "a = torch.arange(6.0, dtype=torch.float64)\nv = a[torch.tensor([1, 0, 1, 0, 0, 2], "
    "dtype=torch.uint8)]",
    "a = torch.arange(6.0, dtype=torch.float64)\nv = a[torch.tensor(1, dtype=torch.uint8)]\n"
    "w = a[torch.tensor(0, dtype=torch.uint8)]",
    "a = torch.zeros(6, dtype=torch.float64)\n"
    "a[torch.tensor([1, 0, 1, 0, 0, 2], dtype=torch.uint8)] = torch.tensor([1.0, 2, 3], "
    "dtype=torch.float64)",
])
def test_tensor_index_kinds(src):
    _same(src)


def test_uint8_index_warns_as_torch():
    x = tg.arange(6.0)
    with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
        x[tg.tensor([1, 0, 1, 0, 0, 1], dtype=tg.uint8)]


# ---- complex-number ops on real tensors -------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64", "bool"])
def test_angle(dtype):
    vals = "[-1.0, 0.0, -0.0, 2.0, float('nan'), float('-inf'), float('inf')]"
    if dtype in ("int64", "bool"):
        vals = "[-1, 0, 3]" if dtype == "int64" else "[True, False]"
    rg = ", requires_grad=True" if dtype.startswith(("float", "bf")) else ""
    _same(f"x = torch.tensor({vals}, dtype=torch.{dtype}{rg})\ny = torch.angle(x)\n"
          + ("y.float().sum().backward()" if rg else ""))


@pytest.mark.parametrize("name", ["conj", "conj_physical", "resolve_conj", "resolve_neg", "real"])
def test_real_tensor_is_itself(name):
    for lib in (torch, tg):
        x = lib.ones(2, requires_grad=True)
        assert getattr(lib, name)(x) is x
    x = tg.ones(2)
    assert x.real is x and not x.is_conj() and not x.is_neg() and not tg.is_complex(x)


def test_imag_raises_as_torch():
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex"):
        _ = tg.ones(2).imag


# ---- writes into expanded tensors: allowed where no element repeats (size-1 or empty dims) -----
@pytest.mark.parametrize("src", [
    "b = torch.tensor([1.0, 2.0], dtype=torch.float64)\nb[None].mul_(2)",
    "b = torch.tensor([1.0, 2.0], dtype=torch.float64)\nb[:, None].add_(1)",
    "b = torch.tensor([[1.0, 2.0]], dtype=torch.float64)\nv = b.expand(1, 2)\nv[0, 1] = 7",
    "b = torch.zeros(0, dtype=torch.float64)\nv = b.expand(2, 0)\nv[...] = -0.5",
    "b = torch.tensor([1.0], dtype=torch.float64)\nv = b.expand(3)\nv2 = v * 2",
])
def test_writes_into_expanded(src):
    _same(src)


def test_write_into_repeating_expand_raises_as_torch():
    for lib in (torch, tg):
        v = lib.tensor([1.0]).expand(3)
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            v.mul_(2)


# ---- cat: a skipped 1-D empty tensor still takes part in promotion and gets a gradient ---------
@pytest.mark.parametrize("src", [
    "a = torch.zeros(0, dtype=torch.float64)\nb = torch.tensor([[1.0, 2.0]])\n"
    "v = torch.cat([b, a], 1)",
    "a = torch.zeros(0, dtype=torch.float64, requires_grad=True)\n"
    "b = torch.ones(2, 2, requires_grad=True)\nc = torch.ones(1, 2)\n"
    "y = torch.cat([a, b, a, c], 0)\n(y * torch.arange(6.0).reshape(3, 2)).sum().backward()",
    "y = torch.cat([torch.zeros(0), torch.zeros(0, dtype=torch.float64)])",
])
def test_cat_with_skipped_empty(src):
    _same(src)


# ---- a write that replaces every value: the history before it gets zeros, not None, and never
# the gradient of the values that were overwritten (random fills did that: silent wrong grads) --
@pytest.mark.parametrize("op", [
    "v.zero_()", "v.fill_(3)", "v.copy_(torch.ones(2, dtype=torch.float64))", "v[:] = 3",
    "v.uniform_()", "v.normal_()", "v.bernoulli_(0.5)", "v.bernoulli_(torch.full((2,), 0.5))",
    "v.exponential_()", "v.random_(0, 5)", "v.random_(5)", "v.random_()", "v.geometric_(0.5)",
    "v.cauchy_()", "v.log_normal_()", "v[:1].uniform_()", "torch.fill(v, 2.0).sum().backward()"])
def test_overwriting_writes_give_zero_gradients(op):
    grads, names = [], []
    for lib in (torch, tg):
        b = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        v = b * 2
        exec(op, {"v": v, "torch": lib})
        if b.grad is None:
            v.sum().backward()
        grads.append(b.grad.tolist())
        names.append(v.grad_fn.name())
    assert grads[1] == grads[0]
    if "[" not in op and "fill(" not in op:
        assert names[1] == names[0]


def test_random_fill_in_graph_draws_torch_numbers():
    torch.manual_seed(3)
    tg.manual_seed(3)
    vt = torch.ones(5, requires_grad=True) * 1
    vg = tg.ones(5, requires_grad=True) * 1
    np.testing.assert_array_equal(vg.normal_().detach().numpy(), vt.normal_().detach().numpy())


# ---- kinks: the gradient at nan and the second derivative at the kink, as torch ---------------
_KINK_X = "[float('nan'), -1.0, 0.0, -0.0, 1.5, float('inf'), -float('inf')]"


@pytest.mark.parametrize("expr", ["x.abs()", "torch.nn.functional.elu(x)",
                                  "torch.nn.functional.elu(x, alpha=2.0)",
                                  "torch.nn.functional.selu(x)",
                                  "torch.nn.functional.celu(x, alpha=0.5)", "x ** 0",
                                  "x.pow(torch.tensor(0.0, dtype=torch.float64))"])
def test_kink_first_and_second_derivatives(expr):
    _same(f"x = torch.tensor({_KINK_X}, dtype=torch.float64, requires_grad=True)\n"
          f"y = {expr}\ng = torch.autograd.grad(y.sum(), x, create_graph=True)[0]\n"
          "gg = g.detach()\nreq = g.requires_grad\n"
          "if req and 'abs' not in 'EXPR':\n    g.sum().backward()\n".replace("EXPR", expr))


def test_elu_output_may_change_in_place():
    # torch's elu saves its input, not its output: writing into y does not spoil the backward
    _same("x = torch.tensor([-1.0, 2.0], dtype=torch.float64, requires_grad=True)\n"
          "y = torch.nn.functional.elu(x)\nz = y + 1\ny.mul_(2)\nz.sum().backward()")


# ---- results torch lays out row-major whatever the input's layout (so .view works on them) ----
@pytest.mark.parametrize("expr", [
    "x.softmax(0)", "x.log_softmax(1)", "x.cumsum(0)", "x.cumprod(1)", "x.cummax(0).values",
    "x.cummin(1).indices", "x.logcumsumexp(1)", "x.roll(1, 0)", "x.masked_fill(x > 0, 0)",
    "x.renorm(2, 0, 1)"])
def test_row_major_results(expr):
    for lib in (torch, tg):
        x = lib.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=lib.float64).t()
        r = eval(expr, {"x": x, "torch": lib})
        assert r.is_contiguous() and tuple(r.stride()) == (2, 1), lib.__name__
        r.view(6)


# ---- x[idx] = v: leading size-1 dims of v are dropped (its gradient keeps v's shape); a write
# outside the graph goes straight into the region, right on overlapping views too -------------
@pytest.mark.parametrize("src", [
    "a = torch.tensor([[0.61, -0.88, 0.5]], dtype=torch.float64, requires_grad=True)\n"
    "v = torch.ones(2, 3, dtype=torch.float64).sum(-2, keepdim=True)\nv[0] = a\n"
    "g = torch.autograd.grad(v.sum(), a, create_graph=True)[0]",
    "a = torch.tensor([[[1.0, 2, 3]]], requires_grad=True)\nx = torch.zeros(2, 3)\nx[1] = a * 2\n"
    "x.sum().backward()",
    "a = torch.tensor([1.6, -1.0, -1.97, 1.06], dtype=torch.float64)\nv = a.unfold(-1, 2, 1)\n"
    "v[0] = 1.5",
    "a = torch.arange(12.0).reshape(3, 4)\nv = a.t()\n"
    "v[1:, ::2] = torch.tensor([[7.0], [8.0], [9.0]])",
    "a = torch.zeros(5, dtype=torch.int64)\na[0:2] = torch.tensor([2.7, -1.5])",
    "a = torch.zeros(5, dtype=torch.int64)\na[torch.tensor([True, False, True, False, False])]"
    " = torch.tensor(2.7)",
])
def test_setitem_forms(src):
    _same(src)


@pytest.mark.parametrize("idx", ["torch.tensor([0, 3])", "[0, 1]",
                                 "torch.tensor([True, False, True, False, False])"])
def test_advanced_setitem_refuses_other_dtype(idx):
    for lib in (torch, tg):
        a = lib.zeros(5, dtype=lib.int64)
        with pytest.raises(RuntimeError, match="Index put requires the source and destination "
                           "dtypes match, got Long for the destination and Float"):
            a[eval(idx, {"torch": lib})] = lib.tensor([2.7, -1.5])


# ---- rsqrt is its own op: gradient -½·g·y³ from the result, as torch (pow(x, -½) differed at
# ±0 in sign and in the second derivative) ------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_rsqrt_special_values(dtype):
    _same(f"a = torch.tensor([-0.0, 0.0, 1.0, 4.0, -1.0, float('inf'), float('nan'), 1e-30], "
          f"dtype=torch.{dtype}, requires_grad=True)\ny = a.rsqrt()\n"
          "g = torch.autograd.grad(y.sum(), a, create_graph=True)[0]\n"
          "h = torch.autograd.grad(g.sum(), a)[0]")


def test_empty_bool_mask_write_into_leaf_raises():
    for lib in (torch, tg):
        b = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            b[lib.tensor(-1.0) > 0] = 0.5


# ---- in-place ops whose input partly overlaps what they write: torch refuses ------------------
_OVERLAP_CASES = [
    "x.add_(x[0])", "x[1:].add_(x[:-1])", "x.add_(x)", "x.add_(x.t())", "x[::2].copy_(x[0])",
    "x[1:] = x[:-1]", "x[0] = x[1]", "x[::2] = x[0]", "x.addcmul_(x, x)", "x.t().add_(x)",
    "x.copy_(x.t())", "x[0].copy_(x[0])", "x.clamp_(min=x[0])", "x.unsqueeze(0).copy_(x)",
    "x[:2] += x[1:]", "x.view(-1)[:3].mul_(x[0])", "x[0].add_(x[0, 0])", "x.fill_(x[0, 0])",
    "x.index_fill_(0, torch.tensor([1]), x[0, 0])", "x.masked_fill_(x > 3, x[0, 0])",
    "x.index_copy_(0, torch.tensor([0, 1, 2]), x)", "x.index_add_(0, torch.tensor([2, 0, 2]), x)",
    "x.scatter_add_(0, torch.zeros(3, 3, dtype=torch.long), x)", "x.put_(torch.tensor([0]), "
    "x[1, :1])", "x.index_put_((torch.tensor([0]),), x[1])", "x.masked_scatter_(x > 5, x)"]


@pytest.mark.parametrize("case", _OVERLAP_CASES)
def test_overlapping_in_place(case):
    outcome = []
    for lib in (torch, tg):
        x = lib.arange(9.0).reshape(3, 3)
        try:
            exec(case, {"x": x, "torch": lib})
            outcome.append(x.tolist())
        except RuntimeError as e:
            assert "some elements of the input tensor and the written-to tensor" in str(e)
            outcome.append("refused")
    assert outcome[1] == outcome[0]


def test_hardsigmoid_create_graph_gradient_is_torchs():
    # (its Tensor-mode backward had raised a raw AttributeError)
    for dt in ("float32", "float64"):
        got, want = [
            lib.autograd.grad(lib.nn.functional.hardsigmoid(b).sum(), b, create_graph=True)[0]
            for lib, b in ((L, L.tensor([-1.0, 0.5, 2.0, -3.5], dtype=getattr(L, dt),
                                         requires_grad=True)) for L in (tg, torch))]
        assert got.tolist() == want.tolist()
