"""Draw one op-fuzzer case from a seed.

A case is a JSON-friendly dict: ``op``, ``variant`` (``plain``, ``inplace``, ``out``),
``inputs`` (values.make_input dicts, named ``x``, ``y``, ``z``; ``o`` is the out= tensor),
``code`` (source lines; the last one binds ``r``) and ``grad`` (float64 gradients compared).
``source(case)`` is the standalone program, the same text run with ``torch`` bound to torch
and to tinygrad_edu.
"""

from __future__ import annotations

import numpy as np

from .optable import OPS, Op
from .values import (
    DTYPES,
    FLOATS,
    INTS,
    draw_scalar,
    draw_shape,
    make_input,
    partner_shape,
    tensor_source,
)

_TUPLE_OUT = {"max", "min", "median", "nanmedian", "aminmax", "cummax", "cummin", "std_mean",
              "var_mean"}
_CAST_DT = DTYPES
# torch 2.13's var/std backward with dim=() or dim=[] reduces nothing (forward reduces all):
# gradcheck fails in torch itself (inf where finite differences give x - mean), so not compared
_TORCH_WRONG_GRAD = {"std", "var", "std_mean", "var_mean"}


def _dtype(rng, op: Op) -> str:
    if "I" in op.flags and rng.random() < 0.8:
        pool = ["bool"] + INTS
    elif "F" in op.flags and rng.random() < 0.8:
        pool = FLOATS
    elif rng.random() < 0.35:
        pool = ["float32", "float64"]
    else:
        pool = DTYPES
    return pool[rng.integers(len(pool))]


def _scalar(rng) -> str:
    return ["bool", "int", "float", "float", "int"][rng.integers(5)]


def _operand(rng, name, shape, op, special, grad, inputs):
    """Append a tensor operand ``name`` (or return a scalar literal) for a binary/ternary op."""
    from .values import lit
    if "T" not in op.flags and rng.random() < 0.25:
        return lit(draw_scalar(rng, _scalar(rng)))
    dt = "float64" if grad else _dtype(rng, op)
    shp = partner_shape(rng, shape)
    inputs.append(make_input(rng, name, dt, shp, special))
    return name


def _call(op: Op) -> str:
    return "torch." + op.call


def draw(seed: int, op_name: str | None = None) -> dict:
    rng = np.random.default_rng(seed)
    names = sorted(OPS)
    name = op_name or names[rng.integers(len(names))]
    op = OPS[name]
    variants = ["plain"] * 3 + (["inplace"] if "i" in op.flags else []) + \
        (["out"] if "o" in op.flags and op.call not in _TUPLE_OUT else [])
    variant = variants[rng.integers(len(variants))]
    special = 0.0 if rng.random() < 0.4 else float(rng.uniform(0.1, 0.6))
    grad = "g" in op.flags and variant == "plain" and rng.random() < 0.3
    kw = op.kw[rng.integers(len(op.kw))]
    if name in _TORCH_WRONG_GRAD and ("dim=()" in kw or "dim=[]" in kw):
        grad = False
    shape = draw_shape(rng)
    if op.kind in "rs" and not shape and rng.random() < 0.7:
        shape = [2, 3]
    xdt = "float64" if grad else _dtype(rng, op)
    inputs = [make_input(rng, "x", xdt, shape, special)]
    code = []
    fn = _call(op)
    method = name if op.kind != "o" else None
    if op.kind == "u":
        if op.call == "polygamma":
            args, margs = f"{kw}, x", kw
        else:
            args, margs = "x" + kw, kw[2:]
        if variant == "inplace":
            code.append(f"r = x.{method}_({margs})")
        else:
            code.append(f"r = {fn}({args}{', out=o' if variant == 'out' else ''})")
    elif op.kind == "b" and "polynomial" in name:   # n stays small: a huge n runs for hours
        n = [0, 1, 2, 3, 5, 6, -1, 2.5, True][rng.integers(9)]
        if rng.random() < 0.5:
            inputs.append(make_input(rng, "y", "int64", partner_shape(rng, shape), 0.0))
            inputs[-1]["data"] = [int(v) % 7 for v in inputs[-1]["data"]]
            n = "y"
        pre = "r = " + (f"x.{method}_({n})" if variant == "inplace" else
                        f"{fn}(x, {n}{', out=o' if variant == 'out' else ''})")
        code.append(pre)
    elif op.kind == "b":
        y = _operand(rng, "y", shape, op, special, grad, inputs)
        if y == "y" and rng.random() < 0.2:   # the smaller operand first
            inputs[0]["name"], inputs[1]["name"] = "y", "x"
            inputs.reverse()
        first, second = "x", y
        if "S" in op.flags and y != "y" and variant != "inplace" and rng.random() < 0.4:
            first, second = y, "x"
        if variant == "inplace":
            code.append(f"r = {first}.{method}_({second}{kw})")
        else:
            code.append(f"r = {fn}({first}, {second}{kw}{', out=o' if variant == 'out' else ''})")
    elif op.kind == "o":
        y = _operand(rng, "y", shape, op, special, grad, inputs)
        if variant == "inplace":
            code += [f"x {op.call}= {y}", "r = x"]
        elif y != "y" and rng.random() < 0.4:
            code.append(f"r = {y} {op.call} x")
        else:
            code.append(f"r = x {op.call} {y}")
    elif op.kind == "t":
        if op.call == "where":
            inputs[0] = make_input(rng, "c", "bool", partner_shape(rng, shape), special)
            inputs.append(make_input(rng, "x", xdt, shape, special))
            y = _operand(rng, "y", shape, op, special, grad, inputs)
            args = ["c", "x", y] if rng.random() < 0.7 else ["c", y, "x"]
        elif op.call in ("clamp", "clip"):
            lo = _operand(rng, "y", shape, op, special, grad, inputs)
            hi = _operand(rng, "z", shape, op, special, grad, inputs)
            r = rng.random()
            args = ["x", lo, hi] if r < 0.6 else (
                ["x", lo, "None"] if r < 0.8 else ["x", "None", hi])
            if r >= 0.6:
                gone = "z" if r < 0.8 else "y"
                inputs[:] = [i for i in inputs if i["name"] != gone]
        else:
            y = _operand(rng, "y", shape, op, special, grad, inputs)
            z = _operand(rng, "z", shape, op, special, grad, inputs)
            args = ["x", y, z]
        a = ", ".join(args)
        if variant == "inplace":
            code.append(f"r = x.{method}_({', '.join(args[1:])}{kw})")
        else:
            code.append(f"r = {fn}({a}{kw}{', out=o' if variant == 'out' else ''})")
    elif op.kind in "rs":
        if variant == "inplace":
            code.append(f"r = x.{method}_({kw[2:]})")
        else:
            code.append(f"r = {fn}(x{kw}{', out=o' if variant == 'out' else ''})")
    elif op.kind == "c":
        dt = _CAST_DT[rng.integers(len(_CAST_DT))]
        if op.call == "to":
            code.append(f"r = x.to(torch.{dt})")
        elif op.call == "type":
            code.append(f"r = x.type(torch.{dt})")
        else:
            code.append(f"r = x.{op.call}()")
    if variant == "out":
        odt = inputs[0]["dtype"] if rng.random() < 0.5 else DTYPES[rng.integers(len(DTYPES))]
        oshape = [0] if rng.random() < 0.6 else shape
        inputs.append({"name": "o", "dtype": odt, "shape": oshape, "layout": "contig",
                       "data": [0] * int(np.prod(oshape)), "grad": False})
    if name in ("gcd", "lcm", "op%", "op//", "remainder", "fmod", "floor_divide", "div"):
        for i in inputs:  # torch's lcm(-2**63, 31) and INT_MIN // -1 die of SIGFPE
            if i["dtype"] in INTS:
                lo = int(np.iinfo(np.dtype(i["dtype"])).min)
                i["data"] = [v + 1 if v == lo else v for v in i["data"]]
    if grad:
        for i in inputs:
            if i["dtype"] in FLOATS and i["name"] != "o":
                i["dtype"] = "float64"
                i["data"] = [float(v) for v in i["data"]]
                i["grad"] = True
    return {"seed": seed, "op": name, "variant": variant, "inputs": inputs, "code": code,
            "grad": grad}


def source(case: dict, backward: bool = True) -> str:
    """The case as a standalone program (``torch`` is whichever library runs it)."""
    lines = []
    for inp in case["inputs"]:
        lines += tensor_source(inp)
    lines += case["code"]
    if backward and case.get("grad"):
        lines.append("R = r[0] if isinstance(r, tuple) else r")
        lines.append("R.backward(W(R)) if R.requires_grad else None")
    return "\n".join(lines)
