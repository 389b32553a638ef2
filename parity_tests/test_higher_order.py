"""Higher-order gradients (engine v2): ``create_graph=True`` records the backward pass, so
gradients can be differentiated again — compared with torch for second derivatives of many ops,
autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp), a gradient penalty through a
network, the n-th derivative of tanh and Newton's method."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.inspect import GradcheckError, gradgradcheck

R = np.random.RandomState(0)
X = R.randn(3, 4)
Y = R.randn(3, 4)
P = R.rand(3, 4) + 0.5
IDX = np.array([0, 3, 1])

# expressions over x, y (3×4 float64, require grad), p (positive), i (class indices), F, L
EXPRS = [
    "x * y", "x / p", "x.exp() * y", "(x * y).sum()", "x.tanh()", "x.sigmoid()", "p.log()",
    "p.sqrt()", "p ** y", "x ** 3", "x.abs() * y", "x.sin() * x.cos()", "p.log1p()",
    "F.relu(x) * y", "F.leaky_relu(x, 0.2) * y", "F.elu(x)", "F.gelu(x)",
    "F.gelu(x, approximate='tanh')", "F.silu(x)", "F.softplus(x)", "F.softmax(x, 1)",
    "F.log_softmax(x, 0)", "L.maximum(x, y)", "x.clamp(-0.5, 0.5) * y", "L.where(x > 0, x, y)",
    "x.sum(1)", "x.mean()", "x.var(1)", "x.std(0)", "x.logsumexp(1)", "x.norm()",
    "x.norm(dim=1)", "x.amax(1)", "x.cumsum(1)", "x.max(1).values", "x.sort(1).values",
    "x.reshape(4, 3) * y.t()", "x.permute(1, 0) @ y", "x.expand(2, 3, 4) * y", "x.repeat(2, 1)",
    "L.cat([x, y], 1)", "L.stack([x, y], 0)", "x[1:, ::2] * y[:2, 1::2]", "x[[0, 0, 2]]",
    "x.gather(1, L.tensor([[0, 0], [1, 2], [3, 3]]))", "x.masked_fill(x > 0, 0.5) * y",
    "x @ y.t()", "F.linear(x, y, y[0, :3])", "x.tril() * y", "(x @ y.t()).diag()",
    "x.flip(1) * y", "F.mse_loss(x, y)", "F.smooth_l1_loss(x, y)",
    "F.binary_cross_entropy(x.sigmoid(), y.sigmoid())",
    "F.binary_cross_entropy_with_logits(x, y.sigmoid())", "F.cross_entropy(x, i)",
    "F.cross_entropy(x, i, label_smoothing=0.2)", "F.cross_entropy(x, y.softmax(1))",
    "F.nll_loss(x.log_softmax(1), i, reduction='sum')", "F.cosine_similarity(x, y)",
    "F.batch_norm(x, None, None, y[0], y[1], training=True)",
    "F.layer_norm(x, (4,), y[0], y[1])", "F.embedding(L.tensor([[0, 2], [2, 1]]), x)",
    "F.conv2d(x.reshape(1, 1, 3, 4), y.reshape(1, 1, 3, 4)[:, :, :2, :2])",
    "F.conv2d(x.reshape(1, 2, 2, 3), y.reshape(2, 2, 3, 1)[:, :, :2, :], padding=1, stride=(2, 1))",
    "F.max_pool2d(x.reshape(1, 1, 3, 4), 2, padding=1)", "F.avg_pool2d(x.reshape(1, 1, 3, 4), 2)",
]


def _second_order(lib, expr):
    """f(x, y); first derivatives under a random upstream v (with a graph); then the gradient
    of those under another random w, with respect to x, y and v."""
    x = lib.tensor(X.copy(), requires_grad=True)
    y = lib.tensor(Y.copy(), requires_grad=True)
    p = lib.tensor(P.copy(), requires_grad=True)
    env = {"F": lib.nn.functional, "L": lib, "x": x, "y": y, "p": p, "i": lib.tensor(IDX)}
    out = eval(expr, env)  # noqa: S307 - fixed expressions above
    rs = np.random.RandomState(1)
    v = lib.tensor(np.asarray(rs.randn(*out.shape)), requires_grad=True)
    wrt = [x, y, p]
    g1 = lib.autograd.grad(out, wrt, v, create_graph=True, allow_unused=True)
    firsts = [None if g is None else g.detach().numpy().copy() for g in g1]
    pairs = [(g, lib.tensor(np.asarray(rs.randn(*g.shape)))) for g in g1
             if g is not None and g.requires_grad]
    second = lib.autograd.grad([g for g, _ in pairs], wrt + [v], [w for _, w in pairs],
                               allow_unused=True) if pairs else [None] * 4
    return out.detach().numpy(), firsts, [None if g is None else g.numpy() for g in second]


def _same(a, b, what):
    if a is None or b is None:  # an unused input: None on one side, zeros on the other is fine
        z = b if a is None else a
        assert z is None or np.allclose(z, 0), what
        return
    np.testing.assert_allclose(b, a, rtol=1e-7, atol=1e-9, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("expr", EXPRS)
def test_second_derivatives_match_torch(expr):
    ref = _second_order(torch, expr)
    ours = _second_order(tg, expr)
    _same(ref[0], ours[0], "forward")
    for k, (a, b) in enumerate(zip(ref[1], ours[1])):
        _same(a, b, f"first derivative {k}")
    for k, (a, b) in enumerate(zip(ref[2], ours[2])):
        _same(a, b, f"second derivative {k}")


def test_backward_create_graph_keeps_a_graph_on_grad():
    for lib in (torch, tg):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        (x**3).sum().backward(create_graph=True)
        assert x.grad.requires_grad and x.grad.grad_fn is not None
        g = x.grad.clone()
        x.grad.sum().backward()  # accumulates d(3x²)/dx = 6x into x.grad
        if lib is torch:
            want = x.grad.detach().numpy()
        else:
            np.testing.assert_allclose(x.grad.detach().numpy(), want)
            np.testing.assert_allclose(g.detach().numpy(), 3 * np.array([0.25, 1.0, 4.0]))


def test_nth_derivative_of_tanh():
    """tanh and its derivatives up to the 4th, each by differentiating the previous one."""
    xs = np.linspace(-3, 3, 13)
    got = {}
    for lib in (torch, tg):
        x = lib.tensor(xs, requires_grad=True)
        y = x.tanh()
        out = [y.detach().numpy()]
        for _ in range(4):
            (y,) = lib.autograd.grad(y.sum(), x, create_graph=True)
            out.append(y.detach().numpy())
        got[lib.__name__] = out
    for a, b in zip(got["torch"], got["tinygrad_edu"]):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)
    t = np.tanh(xs)  # and the closed forms: tanh'' = −2 tanh (1 − tanh²)
    np.testing.assert_allclose(got["tinygrad_edu"][2], -2 * t * (1 - t * t), atol=1e-12)


def test_newton_on_rosenbrock_matches_torch():
    """x ← x − H⁻¹∇f with the Hessian built row by row from double backward."""
    def newton(lib):
        x = lib.tensor([-1.2, 1.0], dtype=lib.float64, requires_grad=True)
        path = []
        for _ in range(6):
            f = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            (g,) = lib.autograd.grad(f, x, create_graph=True)
            H = np.stack([lib.autograd.grad(g[k], x, retain_graph=True)[0].detach().numpy()
                          for k in range(2)])
            step = np.linalg.solve(H, g.detach().numpy())
            x = lib.tensor(x.detach().numpy() - step, requires_grad=True)
            path.append(x.detach().numpy())
        return np.array(path)

    ours, ref = newton(tg), newton(torch)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    np.testing.assert_allclose(ours[-1], [1.0, 1.0], atol=1e-6)  # Newton finds the minimum


def test_gradient_penalty_through_a_network_matches_torch():
    """WGAN-GP style: ‖∂D(x)/∂x‖² backpropagated to D's weights."""
    rs = np.random.RandomState(3)
    params = [rs.randn(16, 5) * 0.4, rs.randn(16) * 0.1, rs.randn(1, 16) * 0.4, rs.randn(1) * 0.1]
    xs = rs.randn(8, 5)
    grads = {}
    for lib in (torch, tg):
        nn = lib.nn
        D = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 1)).double()
        with lib.no_grad():
            for p, a in zip(D.parameters(), params):
                p.copy_(lib.tensor(a))
        x = lib.tensor(xs, requires_grad=True)
        (gx,) = lib.autograd.grad(D(x).sum(), x, create_graph=True)
        penalty = ((gx.norm(dim=1) - 1) ** 2).mean()
        penalty.backward()
        grads[lib.__name__] = [None if p.grad is None else p.grad.numpy()
                               for p in D.parameters()]
    assert grads["torch"][3] is None and grads["tinygrad_edu"][3] is None  # b₂ drops out of ∂D/∂x
    for a, b in zip(grads["torch"][:3], grads["tinygrad_edu"][:3]):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_autograd_functional_matches_torch(name):
    xs = np.array([0.3, -1.2, 2.0])
    vs = np.array([1.0, -0.5, 0.25])

    def f(lib):
        if name in ("hessian", "hvp", "vhp"):
            return lambda a: (a.exp() * a.sin()).sum() + (a ** 3).prod()
        return lambda a: a.exp() * a.roll(1) if hasattr(a, "roll") else a.exp() * a[[2, 0, 1]]

    out = {}
    for lib in (torch, tg):
        x = lib.tensor(xs)
        fn = getattr(lib.autograd.functional, name)
        fx = (lambda a, lib=lib: lib.exp(a) * a[[2, 0, 1]]) if name not in (
            "hessian", "hvp", "vhp") else f(lib)
        r = fn(fx, x) if name in ("jacobian", "hessian") else fn(fx, x, lib.tensor(vs))
        r = r if isinstance(r, tuple) else (r,)
        out[lib.__name__] = [t.detach().numpy() for t in r]
    for a, b in zip(out["torch"], out["tinygrad_edu"]):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_gradgradcheck_passes_and_catches_a_wrong_second_derivative():
    x = tg.tensor([0.3, -1.2, 2.0], dtype=tg.float64, requires_grad=True)
    assert gradgradcheck(lambda a: (a * a.exp()).tanh(), (x,))

    class WrongCube(tg.autograd.Function):
        """y = x³ whose backward is right to first order (3x²) but written so that its own
        derivative is wrong: 3·x·stop(x) has derivative 3x, not 6x."""

        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a**3

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * 3 * a * a.detach()

    with pytest.raises(GradcheckError):
        gradgradcheck(WrongCube.apply, (x,))


def test_double_backward_refuses_an_op_that_has_none():
    """An op whose backward runs on arrays only says so instead of dropping the graph."""

    class Opaque(tg.autograd.Function):
        array_io = True
        double_backward = False

        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * 2 * a

    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    assert np.allclose(tg.autograd.grad(Opaque.apply(x).sum(), x)[0].numpy(), [2, 4])
    with pytest.raises(NotImplementedError, match="double backward through OpaqueBackward0"):
        tg.autograd.grad(Opaque.apply(x).sum(), x, create_graph=True)
