"""The binary family against torch, kind by kind (issues 9 and 10): every elementwise binary op
over every pair of dtypes torch accepts (float32/64, int64/32, uint8, bool), with ±inf, NaN,
-0.0, 0-d and empty inputs and Python numbers on either side; the Python operators, reflected
and in place; gradients at kinks and special values; second derivatives at ties.

Each comparison is tg vs torch 2.13 on the same inputs: the same dtype and shape, the same
values (NaN where torch has NaN, the sign of a zero included), or the same exception type.
"""

from __future__ import annotations

import itertools
import operator as O
import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

# NumPy warns on inf - inf or 0 * inf where torch is silent; add/sub/mul stay outside
# ``quiet()`` (it costs more than the add itself: docs/design.md §7), so warnings are allowed
# here and counted by ``python -m tinygrad_edu.parity.status`` instead
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

INF, NAN = float("inf"), float("nan")
VALUES = {
    "float32": [-INF, -2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0, INF, NAN],
    "float64": [-INF, -2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0, INF, NAN],
    "int64": [-7, -1, 0, 1, 2, 5],
    "int32": [-7, -1, 0, 1, 3],
    "uint8": [0, 1, 3, 200, 255],
    "bool": [True, False],
}
NUMBERS = [2, -3, 0, 2.5, -0.0, True, False, INF, NAN]


def _run(f, *args, **kwargs):
    try:
        return True, f(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return False, e


def check_same(want, got, where: str) -> None:
    """tg's (ok, result) equals torch's: dtype, shape, values with NaN and -0.0, or the
    exception type."""
    (ok_t, t), (ok_g, g) = want, got
    if not ok_t:
        assert not ok_g, f"{where}: torch raises {type(t).__name__}: {t}; tg returns {g}"
        assert isinstance(g, type(t)), f"{where}: tg raises {type(g).__name__}: {g}; torch {t!r}"
        return
    assert ok_g, f"{where}: tg raises {type(g).__name__}: {g}"
    if not isinstance(t, torch.Tensor):
        assert type(g) is type(t) and g == t, f"{where}: tg {g!r}, torch {t!r}"
        return
    assert isinstance(g, tg.Tensor), f"{where}: tg returns {type(g).__name__}"
    assert repr(g.dtype) == repr(t.dtype), f"{where}: dtype {g.dtype}, torch {t.dtype}"
    assert tuple(g.shape) == tuple(t.shape), f"{where}: shape {tuple(g.shape)}, torch {t.shape}"
    a, b = t.detach().numpy(), g.detach().numpy()
    assert isinstance(b, np.ndarray), f"{where}: a NumPy scalar inside the Tensor"
    if a.dtype.kind != "f":
        assert (a == b).all(), f"{where}: tg {b}, torch {a}"
        return
    tol = 1e-12 if a.dtype == np.float64 else 2e-6
    close = ((a == b) | (np.isnan(a) & np.isnan(b))
             | (np.abs(a - b) <= tol * np.maximum(1, np.abs(a))))
    assert close.all(), f"{where}: tg {b[~close]}, torch {a[~close]}"
    zero_sign = (a != 0) | np.isnan(a) | (np.signbit(a) == np.signbit(b))
    assert zero_sign.all(), f"{where}: the sign of a zero differs: tg {b}, torch {a}"


def pairs(da: str, db: str):
    """Every value of ``da`` against every value of ``db`` (two equal-length lists)."""
    a, b = VALUES[da], VALUES[db]
    return [x for x in a for _ in b], [y for _ in a for y in b]


def both(data, dtype: str):
    return torch.tensor(data, dtype=getattr(torch, dtype)), tg.tensor(data,
                                                                      dtype=getattr(tg, dtype))


# ---- the issue's reproductions ----------------------------------------------------------------
def test_the_issue_examples():
    assert (tg.tensor([7]) // 2.0).dtype == tg.float32  # torch: float32, not float64
    a = tg.tensor([5, 6], dtype=tg.int32)
    for r in (a & 3, a | 1, a ^ a, ~a, a << 2, a >> 1):
        assert r.dtype == tg.int32  # bitwise, not logical
    assert (a & 3).tolist() == [1, 2] and (~a).tolist() == [-6, -7]
    assert tg.where(tg.tensor([True, False]), -4.2, -5.7).dtype == tg.float32
    with pytest.raises(RuntimeError, match="logical_not"):
        1 - (tg.tensor([1, 0]) == 0)
    x = tg.tensor([3.5, -1.5], requires_grad=True)
    ((x % 2) + x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    assert (100 % tg.tensor([7])).tolist() == [2] and (0x1337 ^ tg.tensor([1])).tolist() == [4918]
    assert (1 << tg.tensor([3])).tolist() == [8] and (-16 >> tg.tensor([2])).tolist() == [-4]
    y = tg.tensor([7.0, -7.0])
    assert y.div_(2, rounding_mode="floor") is y and y.tolist() == [3.0, -4.0]
    assert tg.clamp(tg.tensor([0, 3]), 0.5, 2.5).tolist() == [0.5, 2.5]


def test_floor_divide_in_a_graph_raises_on_backward_as_torch():
    x = tg.tensor([3.5, -1.5], requires_grad=True)
    y = tg.floor_divide(x, 2.0)
    assert y.requires_grad and y.grad_fn.name() == "torch::autograd::NotImplemented"
    with pytest.raises(RuntimeError, match="floor_divide"):
        y.sum().backward()


def test_rounding_division_has_a_zero_gradient_and_a_graph():
    for mode in ("trunc", "floor"):
        x = tg.tensor([3.5, -1.5], requires_grad=True)
        z = tg.div(x, 2.0, rounding_mode=mode)
        assert z.grad_fn.name() == "DivBackward2"
        z.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]


# ---- forward: every dtype pair, special values, numbers on either side ------------------------
def _fn(lib, name: str):
    if name.startswith("div_"):
        return lambda a, b: lib.div(a, b, rounding_mode=name[4:])
    return getattr(lib, name)


BINARY = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod",
          "div_trunc", "div_floor", "pow", "float_power", "atan2", "hypot", "copysign",
          "logaddexp", "logaddexp2", "xlogy", "ldexp", "nextafter", "heaviside", "igamma",
          "igammac", "maximum", "minimum", "fmax", "fmin", "eq", "ne", "lt", "le", "gt", "ge",
          "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
          "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm", "isclose", "rsub",
          "clamp_min", "clamp_max"]


@pytest.mark.parametrize("name", BINARY)
def test_forward_over_dtypes_and_special_values(name):
    ft, fg = _fn(torch, name), _fn(tg, name)
    for da, db in itertools.product(VALUES, VALUES):
        (ta, ga), (tb, gb) = (both(v, d) for v, d in zip(pairs(da, db), (da, db)))
        check_same(_run(ft, ta, tb), _run(fg, ga, gb), f"{name}({da}, {db})")
    for da, n in itertools.product(VALUES, NUMBERS):
        ta, ga = both(VALUES[da], da)
        check_same(_run(ft, ta, n), _run(fg, ga, n), f"{name}({da} tensor, {n!r})")
        check_same(_run(ft, n, ta), _run(fg, n, ga), f"{name}({n!r}, {da} tensor)")
    check_same(_run(ft, 2.5, -3), _run(fg, 2.5, -3), f"{name}(2.5, -3)")
    for sa, sb in [((), (3,)), ((0,), (1,)), ((2, 0), (0,)), ((), ()), ((2, 1), (3,)),
                   ((2,), (3,))]:
        a = np.linspace(-2, 3, int(np.prod(sa))).reshape(sa).astype(np.float32)
        b = np.linspace(1, 4, int(np.prod(sb))).reshape(sb).astype(np.float32)
        check_same(_run(ft, torch.tensor(a), torch.tensor(b)), _run(fg, tg.tensor(a),
                                                                     tg.tensor(b)),
                   f"{name} of shapes {sa} and {sb}")


OPERATORS = {"+": O.add, "-": O.sub, "*": O.mul, "/": O.truediv, "//": O.floordiv, "%": O.mod,
             "**": O.pow, "&": O.and_, "|": O.or_, "^": O.xor, "<<": O.lshift, ">>": O.rshift,
             "==": O.eq, "!=": O.ne, "<": O.lt, "<=": O.le, ">": O.gt, ">=": O.ge}
IN_PLACE = {"+=": O.iadd, "-=": O.isub, "*=": O.imul, "/=": O.itruediv, "//=": O.ifloordiv,
            "%=": O.imod, "**=": O.ipow, "&=": O.iand, "|=": O.ior, "^=": O.ixor,
            "<<=": O.ilshift, ">>=": O.irshift}
SOME = ["float32", "int64", "uint8", "bool"]


@pytest.mark.parametrize("sym", list(OPERATORS))
def test_operators_and_reflected_operators(sym):
    f = OPERATORS[sym]
    for da, n in itertools.product(SOME, NUMBERS):
        ta, ga = both(VALUES[da], da)
        check_same(_run(f, ta, n), _run(f, ga, n), f"{da} tensor {sym} {n!r}")
        check_same(_run(f, n, ta), _run(f, n, ga), f"{n!r} {sym} {da} tensor")
    for da, db in itertools.product(SOME, SOME):
        (ta, ga), (tb, gb) = (both(v, d) for v, d in zip(pairs(da, db), (da, db)))
        check_same(_run(f, ta, tb), _run(f, ga, gb), f"{da} {sym} {db}")


@pytest.mark.parametrize("sym", list(IN_PLACE))
def test_in_place_operators(sym):
    f = IN_PLACE[sym]
    for da, db in itertools.product(SOME, SOME + ["number"]):
        for n in NUMBERS if db == "number" else [None]:
            xa, xb = (VALUES[da], n) if db == "number" else pairs(da, db)
            ta, ga = both(xa, da)
            tb, gb = (n, n) if db == "number" else both(xb, db)
            want, got = _run(f, ta, tb), _run(f, ga, gb)
            check_same(want, got, f"{da} {sym} {db if n is None else repr(n)}")
            assert not want[0] or got[1] is ga, f"{da} {sym} {db}: not in place"


def test_unbound_reflected_operators_refuse_a_number_as_torch():
    t = tg.tensor([1, 2])
    for name in ("__radd__", "__rmul__", "__rand__", "__ror__", "__rxor__", "__rtruediv__"):
        with pytest.raises(TypeError):
            getattr(tg.Tensor, name)(2, t)
    assert tg.Tensor.__rsub__(2.0, t) is NotImplemented  # torch's Python wrapper


# ---- gradients ---------------------------------------------------------------------------------
def _grad_ops(m):
    return {
        "add": lambda a, b: m.add(a, b, alpha=2), "sub": lambda a, b: m.sub(a, b, alpha=-1.5),
        "mul": m.mul, "div": m.div, "remainder": m.remainder, "fmod": m.fmod, "pow": m.pow,
        "div_trunc": lambda a, b: m.div(a, b, rounding_mode="trunc"),
        "float_power": m.float_power, "atan2": m.atan2, "hypot": m.hypot,
        "copysign": m.copysign, "logaddexp": m.logaddexp, "logaddexp2": m.logaddexp2,
        "xlogy": m.xlogy, "ldexp": m.ldexp, "nextafter": m.nextafter, "maximum": m.maximum,
        "minimum": m.minimum, "fmax": m.fmax, "fmin": m.fmin, "clamp_min": m.clamp_min,
        "clamp_max": m.clamp_max, "rsub": m.rsub, "clamp_lo": lambda a, b: m.clamp(a, b),
        "clamp_both": lambda a, b: m.clamp(a, b, b * 0 + 1),
        "clamp_numbers": lambda a, b: m.clamp(a, -1.0, 1.0) * b,
        "where": lambda a, b: m.where(a > b, a, b), "lerp": lambda a, b: m.lerp(a, b, 0.3),
        "lerp_tensor": lambda a, b: m.lerp(a, b, b * 0.25),
        "addcmul": lambda a, b: m.addcmul(a, a, b, value=0.5),
        "addcdiv": lambda a, b: m.addcdiv(a, a, b, value=2.0),
        "numbers": lambda a, b: (m.remainder(a, 1.5) * b + m.fmod(a, -1.5) + m.xlogy(2.0, b)
                                 + a**2.0 + 2.0**b + m.copysign(a, -0.0)),
    }


GRAD_T, GRAD_G = _grad_ops(torch), _grad_ops(tg)
KINKS = [-2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0]


def _grads(lib, f, xa, xb, dtype, u, second=None):
    a = lib.tensor(xa, dtype=getattr(lib, dtype), requires_grad=True)
    b = lib.tensor(xb, dtype=getattr(lib, dtype), requires_grad=True)
    out = f(a, b)
    g = lib.autograd.grad(out, (a, b), lib.tensor(u, dtype=out.dtype),
                          allow_unused=True, create_graph=second is not None)
    if second is None:
        return g
    terms = [(gi * lib.tensor(w, dtype=gi.dtype)).sum() for gi, w in zip(g, second)
             if gi is not None and gi.requires_grad]
    if not terms:
        return None
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return lib.autograd.grad(total, (a, b), allow_unused=True)


def _compare_grads(want, got, n, where, tol):
    for k in range(2):
        a = np.zeros(n) if want[k] is None else want[k].detach().numpy().astype(np.float64)
        b = np.zeros(n) if got[k] is None else got[k].detach().numpy().astype(np.float64)
        ok = (a == b) | (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= tol * np.maximum(
            1, np.abs(a)))
        assert ok.all(), f"{where}, input {k}: tg {b[~ok]}, torch {a[~ok]}"


@pytest.mark.parametrize("name", list(GRAD_T))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradients_at_kinks_and_special_values(name, dtype):
    xa, xb = pairs("float64", "float64")
    u = np.linspace(-1, 1, len(xa))
    want = _grads(torch, GRAD_T[name], xa, xb, dtype, u)
    got = _grads(tg, GRAD_G[name], xa, xb, dtype, u)
    _compare_grads(want, got, len(xa), f"{name} {dtype}", 1e-5 if dtype == "float32" else 1e-12)


@pytest.mark.parametrize("name", list(GRAD_T))
def test_second_derivatives_at_ties(name):
    xa = [x for x in KINKS for _ in KINKS]
    xb = [y for _ in KINKS for y in KINKS]
    u, w = np.linspace(-1, 1, len(xa)), (np.cos(np.arange(len(xa))), np.sin(np.arange(len(xa))))
    want = _grads(torch, GRAD_T[name], xa, xb, "float64", u, second=w)
    got = _grads(tg, GRAD_G[name], xa, xb, "float64", u, second=w)
    if want is None:
        return  # torch's first derivative is constant: nothing to differentiate again
    assert got is not None, f"{name}: the first derivatives carry no graph"
    _compare_grads(want, got, len(xa), f"{name} second derivative", 1e-10)


# ---- ternary ops and where ----------------------------------------------------------------------
TERNARY = {
    "where": lambda m, c: (lambda a, b: m.where(m.tensor(c), a, b)),
    "clamp_lo": lambda m, c: (lambda a, b: m.clamp(a, b)),
    "clamp_hi": lambda m, c: (lambda a, b: m.clamp(a, max=b)),
    "clamp_both": lambda m, c: (lambda a, b: m.clamp(a, b, b + 1)),
    "lerp": lambda m, c: (lambda a, b: m.lerp(a, b, 0.3)),
    "lerp_tensor": lambda m, c: (lambda a, b: m.lerp(a, b, b)),
    "addcmul": lambda m, c: (lambda a, b: m.addcmul(a, b, b, value=2)),
    "addcdiv": lambda m, c: (lambda a, b: m.addcdiv(a, b, b, value=0.5)),
}


@pytest.mark.parametrize("name", list(TERNARY))
def test_ternary_ops_over_dtypes(name):
    for da, db in itertools.product(["float32", "float64", "int64", "bool"], repeat=2):
        xa, xb = pairs(da, db)
        c = [bool(i % 3) for i in range(len(xa))]
        (ta, ga), (tb, gb) = both(xa, da), both(xb, db)
        check_same(_run(TERNARY[name](torch, c), ta, tb), _run(TERNARY[name](tg, c), ga, gb),
                   f"{name}({da}, {db})")


WITH_NUMBERS = [lambda m, x, n: m.where(x != 0, x, n), lambda m, x, n: m.where(x != 0, n, x),
                lambda m, x, n: m.where(x != 0, n, 1.5), lambda m, x, n: m.clamp(x, n),
                lambda m, x, n: m.clamp(x, n, 2), lambda m, x, n: m.clamp(x, -1, n)]


def test_where_and_clamp_with_numbers():
    for da, n in itertools.product(["float32", "float64", "int64", "bool"], NUMBERS):
        ta, ga = both(VALUES[da], da)
        for k, f in enumerate(WITH_NUMBERS):
            check_same(_run(f, torch, ta, n), _run(f, tg, ga, n), f"case {k}: {da} with {n!r}")


def test_masked_logaddexp():
    x, y = torch.tensor([-100.0, -200, -300]), torch.tensor([-1.0, -2, -3])
    mask = torch.tensor([True, False, True])
    want = torch.masked.logaddexp(x, y, input_mask=mask, other_mask=mask)
    got = tg.masked.logaddexp(tg.tensor(x.numpy()), tg.tensor(y.numpy()),
                              input_mask=tg.tensor(mask.numpy()),
                              other_mask=tg.tensor(mask.numpy()))
    check_same((True, want), (True, got), "masked.logaddexp")


# ---- out= and argument forms --------------------------------------------------------------------
OUT_CASES = [("add", (1.5,), "float32"), ("add", (1.5,), "int64"), ("mul", (2,), "int64"),
             ("div", (2,), "float64"), ("eq", (1.0,), "float32"), ("eq", (1.0,), "bool"),
             ("maximum", "self", "float32"), ("remainder", (2,), "int64"),
             ("bitwise_and", (3,), "float32"), ("atan2", "self", "int64"),
             ("float_power", (2,), "float32"), ("float_power", (2,), "float64"),
             ("clamp", (0, 1), "float32"), ("where", None, "float32")]


@pytest.mark.parametrize("name, args, out_dtype", OUT_CASES)
def test_out_argument(name, args, out_dtype):
    """``out=``: the result written into ``out`` (resized when its shape differs) and ``out``
    returned; torch's RuntimeError where the result cannot be cast to ``out``'s dtype."""
    base = [3.0, -1.0, 0.0, 2.0] if name != "bitwise_and" else [3, -1, 0, 2]
    for lib in (torch, tg):
        x = lib.tensor(base)
        if name == "where":
            call_args = (x > 0, x, x * 0)
        else:
            call_args = (x, x) if args == "self" else (x, *args)
        out = lib.zeros(0, dtype=getattr(lib, out_dtype))  # empty: resized without a warning
        got = _run(getattr(lib, name), *call_args, out=out)
        if lib is torch:
            want = got
        else:
            check_same(want, got, f"{name}(..., out={out_dtype})")
            assert not got[0] or got[1] is out, f"{name}: out= must return the out tensor"


def test_non_numbers_are_refused_as_torch():
    t = tg.tensor([1.0, 2.0])
    assert (t == None) is False and (t != None) is True  # noqa: E711 - torch's answer
    for bad in ([1, 2], None, "a"):
        with pytest.raises(TypeError):
            tg.add(t, bad)
    with pytest.raises(TypeError):
        tg.maximum(t, 2)  # torch: maximum takes tensors only
    with pytest.raises(TypeError):
        tg.eq(2, t)


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
def test_logaddexp_is_silent_on_nan_and_inf(name):
    """torch warns about nothing here; NumPy's 'invalid value' warning must not leak out."""
    x = [NAN, INF, -INF, 1.0]
    y = [1.0, INF, -INF, NAN]
    want = getattr(torch, name)(torch.tensor(x), torch.tensor(y))
    with warnings.catch_warnings():  # the module's filter ignores RuntimeWarning: override it
        warnings.simplefilter("error", RuntimeWarning)
        got = getattr(tg, name)(tg.tensor(x), tg.tensor(y))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
