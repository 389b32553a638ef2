"""The ops the op fuzzer draws, with how each is called.

Each entry is ``name: Op(kind, call, flags, kw)``:
- ``kind``: ``u`` unary, ``b`` binary (other may be a tensor, a 0-d tensor or a Python scalar),
  ``t`` ternary, ``r`` reduction, ``s`` scan, ``c`` cast, ``o`` Python operator (``+``, ``//=``).
- ``call``: the function path under ``torch`` (``special.ndtr``, ``nn.functional.gelu``), or for
  kind ``o`` the operator symbol.
- ``flags``: ``i`` has an in-place method ``x.<name>_``; ``o`` accepts ``out=``; ``g``
  differentiable (float64 gradients are compared); ``I`` mostly integer/bool inputs (bitwise);
  ``F`` floating inputs preferred; ``S`` a Python scalar may come first (``torch.pow(2, x)``);
  ``T`` tensor-only operands.
- ``kw``: keyword-argument snippets, one drawn per case (``""`` means none).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Op:
    kind: str
    call: str
    flags: str = ""
    kw: tuple = field(default=("",))


def _u(call, flags="iog", kw=("",)):
    return Op("u", call, flags, tuple(kw))


def _b(call, flags="iog", kw=("",)):
    return Op("b", call, flags, tuple(kw))


OPS: dict[str, Op] = {}

for n in ["abs", "neg", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin",
          "sinh", "tan", "tanh", "exp", "exp2", "expm1", "log", "log10", "log1p", "log2", "sqrt",
          "rsqrt", "reciprocal", "sigmoid", "erf", "erfc", "erfinv", "lgamma", "digamma", "i0",
          "sinc", "deg2rad", "rad2deg", "ceil", "floor", "trunc", "frac", "sign", "sgn",
          "square", "fix", "arccos", "arcsinh", "negative", "absolute"]:
    OPS[n] = _u(n)
OPS["round"] = _u("round", kw=("", ", decimals=1", ", decimals=-1", ", decimals=2"))
OPS["logit"] = _u("logit", kw=("", ", eps=0.1", ", eps=1e-6"))
OPS["nan_to_num"] = _u("nan_to_num", kw=("", ", nan=1.5", ", posinf=7.0, neginf=-7.0",
                                         ", nan=300", ", posinf=1e10"))
OPS["angle"] = _u("angle", "og")
OPS["relu"] = _u("relu", "ig")
OPS["positive"] = _u("positive", "g")
OPS["bitwise_not"] = _u("bitwise_not", "ioI")
OPS["logical_not"] = _u("logical_not", "io")
for n in ["signbit", "isposinf", "isneginf"]:
    OPS[n] = _u(n, "o")
for n in ["isnan", "isinf", "isfinite", "isreal"]:
    OPS[n] = _u(n, "")
for n in ["expit", "ndtr", "ndtri", "log_ndtr", "i0e", "i1", "i1e", "entr", "erfcx",
          "bessel_j0", "bessel_j1", "spherical_bessel_j0", "sinc", "round", "expm1", "exp2",
          "gammaln", "psi", "modified_bessel_i0", "modified_bessel_k0",
          "scaled_modified_bessel_k1"]:
    OPS["special." + n] = _u("special." + n, "og")
for n in ["silu", "mish", "selu", "hardsigmoid", "hardswish", "logsigmoid", "softsign",
          "tanhshrink", "relu6", "sigmoid", "tanh", "relu"]:
    OPS["F." + n] = _u("nn.functional." + n, "g")
OPS["F.gelu"] = _u("nn.functional.gelu", "g",
                   ("", ", approximate='tanh'", ", approximate='none'"))
OPS["F.softplus"] = _u("nn.functional.softplus", "g",
                       ("", ", beta=2.0", ", beta=0.5, threshold=3.0", ", beta=-1.0"))
OPS["F.elu"] = _u("nn.functional.elu", "g", ("", ", alpha=0.5", ", alpha=-1.0"))
OPS["F.celu"] = _u("nn.functional.celu", "g", ("", ", alpha=2.0", ", alpha=0.0"))
OPS["F.hardtanh"] = _u("nn.functional.hardtanh", "g", ("", ", min_val=-0.5, max_val=2.0",
                                                       ", min_val=2.0, max_val=-2.0"))
OPS["F.leaky_relu"] = _u("nn.functional.leaky_relu", "g", ("", ", negative_slope=0.3",
                                                          ", negative_slope=-2.0"))
OPS["F.hardshrink"] = _u("nn.functional.hardshrink", "g", ("", ", lambd=1.5", ", lambd=0.0"))
OPS["F.softshrink"] = _u("nn.functional.softshrink", "g", ("", ", lambd=1.5", ", lambd=0.0"))
OPS["F.threshold"] = _u("nn.functional.threshold", "g", (", 0.5, -3.0", ", 1.0, 2", ", 0, 0"))
OPS["F.softmax"] = _u("nn.functional.softmax", "g", (", dim=-1", ", dim=0",
                                                     ", dim=-1, dtype=torch.float64"))
OPS["F.log_softmax"] = _u("nn.functional.log_softmax", "g", (", dim=-1", ", dim=0",
                                                             ", dim=0, dtype=torch.float32"))
OPS["polygamma"] = Op("u", "polygamma", "og", ("0", "1", "2", "3"))   # kw = n, called (n, x)
OPS["mvlgamma"] = _u("mvlgamma", "iog", (", p=1", ", p=2", ", 3"))
for n in ["chebyshev_polynomial_t", "hermite_polynomial_h", "laguerre_polynomial_l",
          "legendre_polynomial_p"]:
    OPS["special." + n] = _b("special." + n, "o")

for n in ["mul", "true_divide", "floor_divide", "remainder", "fmod", "atan2", "hypot",
          "copysign", "nextafter", "logaddexp", "logaddexp2", "xlogy", "maximum", "minimum",
          "fmax", "fmin", "multiply", "arctan2", "float_power", "ldexp"]:
    OPS[n] = _b(n)
OPS["add"] = _b("add", kw=("", ", alpha=2", ", alpha=0.5", ", alpha=True", ", alpha=-1"))
OPS["sub"] = _b("sub", kw=("", ", alpha=2", ", alpha=1.5", ", alpha=False"))
OPS["rsub"] = _b("rsub", "g", ("", ", alpha=2", ", alpha=0.5"))
OPS["div"] = _b("div", kw=("", ", rounding_mode='trunc'", ", rounding_mode='floor'",
                           ", rounding_mode=None"))
OPS["pow"] = _b("pow", "iogS")
for n in ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
          "greater", "less_equal", "not_equal"]:
    OPS[n] = _b(n, "io")
for n in ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
          "bitwise_right_shift", "gcd", "lcm"]:
    OPS[n] = _b(n, "ioI")
OPS["heaviside"] = _b("heaviside", "ioT")
OPS["igamma"] = _b("igamma", "ioT")
OPS["igammac"] = _b("igammac", "ioT")
OPS["isclose"] = _b("isclose", "T", ("", ", equal_nan=True", ", rtol=0.1, atol=0.5"))
OPS["clamp_min"] = _b("clamp_min", "iog")
OPS["clamp_max"] = _b("clamp_max", "iog")
OPS["special.xlog1py"] = _b("special.xlog1py", "og")
OPS["special.zeta"] = _b("special.zeta", "o")
OPS["special.xlogy"] = _b("special.xlogy", "og")
for sym in ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "==", "!=", "<",
            "<=", ">", ">="]:
    OPS["op" + sym] = Op("o", sym, "ig" if sym not in "&|^<<>>==!=<=>=" else "i")

OPS["where"] = Op("t", "where", "og")
OPS["lerp"] = Op("t", "lerp", "iog")
OPS["addcmul"] = Op("t", "addcmul", "iog", ("", ", value=2", ", value=0.5", ", value=-1"))
OPS["addcdiv"] = Op("t", "addcdiv", "iog", ("", ", value=2", ", value=0.5"))
OPS["clamp"] = Op("t", "clamp", "iog")
OPS["clip"] = Op("t", "clip", "iog")

_DIMS = (", dim=0", ", dim=-1", ", dim=(0, -1)", ", dim=()", ", dim=[]", "")
_KEEP = ("", ", keepdim=True")
_DT = ("", ", dtype=torch.float64", ", dtype=torch.int64", ", dtype=torch.float16",
       ", dtype=torch.int8", ", dtype=torch.bool", ", dtype=torch.bfloat16")


def _red(call, dims=_DIMS, keep=True, dt=False, extra=("",), flags="og"):
    kws = []
    for d in dims:
        for k in (_KEEP if keep and d else ("",)):
            for t in (_DT if dt else ("",)):
                for e in extra:
                    kws.append(d + k + t + e)
    return Op("r", call, flags, tuple(kws))


OPS["sum"] = _red("sum", dt=True)
OPS["nansum"] = _red("nansum", dt=True)
OPS["mean"] = _red("mean", dt=True)
OPS["nanmean"] = _red("nanmean", dt=True)
OPS["prod"] = _red("prod", dims=(", dim=0", ", dim=-1", ""), dt=True)
OPS["amax"] = _red("amax")
OPS["amin"] = _red("amin")
OPS["max"] = _red("max", dims=(", dim=0", ", dim=-1", ""))
OPS["min"] = _red("min", dims=(", dim=0", ", dim=-1", ""))
OPS["argmax"] = _red("argmax", dims=(", dim=0", ", dim=-1", ""))
OPS["argmin"] = _red("argmin", dims=(", dim=0", ", dim=-1", ""), flags="o")
OPS["all"] = _red("all", dims=(", dim=0", ", dim=-1", ", dim=(0, -1)", ""), flags="o")
OPS["any"] = _red("any", dims=(", dim=0", ", dim=-1", ", dim=(0, -1)", ""), flags="o")
OPS["std"] = _red("std", extra=("", ", correction=0", ", correction=2", ", unbiased=False"))
OPS["var"] = _red("var", extra=("", ", correction=0", ", correction=2"))
OPS["std_mean"] = _red("std_mean", extra=("", ", correction=0"), flags="g")
OPS["var_mean"] = _red("var_mean", extra=("", ", correction=0"), flags="g")
OPS["logsumexp"] = _red("logsumexp", dims=(", dim=0", ", dim=-1", ", dim=(0, -1)", ", dim=()"))
OPS["norm"] = _red("norm", dims=(", dim=0", ", dim=-1", ""),
                   extra=("", ", p=1", ", p=float('inf')", ", p=0", ", p=3.0", ", p=-1"),
                   flags="g")
OPS["linalg.vector_norm"] = _red("linalg.vector_norm", dims=(", dim=0", ", dim=-1", ""),
                                 extra=("", ", ord=1", ", ord=float('inf')", ", ord=0",
                                        ", ord=-float('inf')", ", dtype=torch.float64"))
OPS["count_nonzero"] = _red("count_nonzero", dims=(", dim=0", ", dim=-1", ", dim=(0, -1)", ""),
                            keep=False, flags="")
OPS["median"] = _red("median", dims=(", dim=0", ", dim=-1", ""), flags="og")
OPS["nanmedian"] = _red("nanmedian", dims=(", dim=0", ", dim=-1", ""), flags="og")
OPS["aminmax"] = _red("aminmax", dims=(", dim=0", ", dim=-1", ""), flags="o")

_SC = (", dim=0", ", dim=-1", ", 0")
OPS["cumsum"] = Op("s", "cumsum", "iog", _SC + (", dim=-1, dtype=torch.float64",
                                                 ", dim=0, dtype=torch.int8",
                                                 ", dim=0, dtype=torch.float16"))
OPS["cumprod"] = Op("s", "cumprod", "iog", _SC + (", dim=0, dtype=torch.int64",
                                                   ", dim=-1, dtype=torch.float32"))
OPS["cummax"] = Op("s", "cummax", "og", _SC)
OPS["cummin"] = Op("s", "cummin", "og", _SC)
OPS["logcumsumexp"] = Op("s", "logcumsumexp", "og", _SC)

OPS["to"] = Op("c", "to", "g")
OPS["type"] = Op("c", "type", "")
for n in ["float", "double", "half", "bfloat16", "int", "long", "short", "char", "byte", "bool"]:
    OPS["." + n] = Op("c", n, "g" if n in ("float", "double") else "")
