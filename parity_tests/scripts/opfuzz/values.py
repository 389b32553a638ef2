"""Drawing dtypes, shapes, layouts and values, and writing them as source text.

A drawn input is a plain dict (JSON-friendly, so a failure can be stored and replayed):
``{"name": "a", "dtype": "int8", "shape": [2, 3], "data": [...], "layout": "t", "grad": False}``
``data`` holds the values in row-major order of the *logical* tensor, already rounded to the
dtype (float16/bfloat16/float32 values are exactly representable), so the source literal creates
the same bits in torch and in tinygrad_edu. ``layout`` makes the input non-contiguous the same
way in both: ``"t"`` stores the transpose and takes ``.mT``; ``"step"`` stores every value
twice along the last dim and takes ``[..., ::2]``.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np

INTS = ["uint8", "int8", "int16", "int32", "int64"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]
DTYPES = ["bool"] + INTS + FLOATS

_NP = {"bool": np.bool_, "uint8": np.uint8, "int8": np.int8, "int16": np.int16,
       "int32": np.int32, "int64": np.int64, "float16": np.float16,
       "bfloat16": ml_dtypes.bfloat16, "float32": np.float32, "float64": np.float64}

FLOAT_SPECIALS = {
    "common": [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 2.0, 3.0, -3.0,
               math.nan, math.inf, -math.inf, 1e-3, 100.0, -100.0, 1e4],
    "float16": [65504.0, -65504.0, 6e-8, -6e-8, 1e-5, 6.1e-5],
    "bfloat16": [3e38, -3e38, 1e-40, 1.2e-38, 1e30],
    "float32": [3.4e38, -3.4e38, 1e-40, -1e-45, 1.18e-38, 1e30, -1e30, 1e-30, 16777217.0],
    "float64": [1.7e308, -1.7e308, 5e-324, -1e-310, 2.3e-308, 1e300, 1e30, 1e-300,
                9007199254740993.0],
}


def np_dtype(name: str):
    return _NP[name]


def kind(dtype: str) -> str:
    """'b' bool, 'i' integer, 'f' floating."""
    return "b" if dtype == "bool" else ("f" if dtype in FLOATS else "i")


def int_specials(dtype: str) -> list[int]:
    info = np.iinfo(_NP[dtype])
    lo, hi = int(info.min), int(info.max)
    vals = [0, 1, 2, 3, 7, 8, 31, 32, 63, 64, hi, hi - 1, hi // 2 + 1]
    if lo < 0:
        vals += [-1, -2, -3, -7, -8, lo, lo + 1, lo // 2]
    return [v for v in vals if lo <= v <= hi]


def round_to(vals, dtype: str) -> list:
    """Round Python numbers to ``dtype`` and return them as Python numbers."""
    k = kind(dtype)
    if k == "b":
        return [bool(v) for v in vals]
    if k == "i":
        return [int(v) for v in vals]
    with np.errstate(over="ignore"):
        arr = np.array(vals, dtype=np.float64).astype(_NP[dtype]).astype(np.float64)
    return [float(v) for v in arr]


def draw_values(rng, dtype: str, n: int, special: float) -> list:
    """``n`` values of ``dtype``; each one is a special value with probability ``special``."""
    k = kind(dtype)
    if k == "b":
        return [bool(v) for v in rng.random(n) < 0.5]
    out = []
    if k == "i":
        info = np.iinfo(_NP[dtype])
        sp = int_specials(dtype)
        for _ in range(n):
            if rng.random() < special:
                out.append(sp[rng.integers(len(sp))])
            else:
                v = int(rng.integers(-9, 10))
                out.append(min(max(v, int(info.min)), int(info.max)))
        return out
    sp = FLOAT_SPECIALS["common"] + FLOAT_SPECIALS[dtype]
    for _ in range(n):
        if rng.random() < special:
            out.append(sp[rng.integers(len(sp))])
        elif rng.random() < 0.2:
            out.append(float(rng.integers(-4, 5)))
        else:
            out.append(float(rng.normal() * (3.0 if rng.random() < 0.8 else 1e3)))
    return round_to(out, dtype)


SCALARS = {
    "bool": [True, False],
    "int": [0, 1, 2, 3, -1, -2, 5, 7, 100, 300, -129, 2**31, 2**40, -(2**31) - 1],
    "float": [0.5, -1.5, 2.0, 0.0, -0.0, 1e-3, 3.25, 1e30, -1e30, 1e-45, 1e300,
              math.nan, math.inf, -math.inf, 1.0, -2.0],
}


def draw_scalar(rng, kind_: str):
    vals = SCALARS[kind_]
    return vals[rng.integers(len(vals))]


def lit(v) -> str:
    """Python source for one scalar value."""
    if isinstance(v, bool):
        return repr(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    return repr(int(v))


def _nest(flat: list, shape: list) -> str:
    if not shape:
        return lit(flat[0])
    if len(shape) == 1:
        return "[" + ", ".join(lit(v) for v in flat) + "]"
    step = len(flat) // shape[0] if shape[0] else 0
    return "[" + ", ".join(_nest(flat[i * step:(i + 1) * step], shape[1:])
                           for i in range(shape[0])) + "]"


def _numel(shape) -> int:
    return int(np.prod(shape)) if shape else 1


def tensor_source(inp: dict) -> list[str]:
    """Source lines that create input ``inp`` (its leaf is ``<name>0``, the tensor ``<name>``)."""
    name, dtype, shape, data = inp["name"], inp["dtype"], list(inp["shape"]), inp["data"]
    layout = inp.get("layout", "contig")
    rg = ", requires_grad=True" if inp.get("grad") else ""
    dt = f"dtype=torch.{dtype}"
    if _numel(shape) == 0:
        return [f"{name}0 = torch.zeros({tuple(shape)!r}, {dt}{rg})", f"{name} = {name}0"]
    if layout == "t" and len(shape) >= 2:
        arr = np.array(data, dtype=object).reshape(shape)
        stored = np.swapaxes(arr, -1, -2)
        body = _nest(list(stored.reshape(-1)), list(stored.shape))
        return [f"{name}0 = torch.tensor({body}, {dt}{rg})", f"{name} = {name}0.mT"]
    if layout == "step" and len(shape) >= 1:
        arr = np.array(data, dtype=object).reshape(shape)
        stored = np.repeat(arr, 2, axis=-1)
        body = _nest(list(stored.reshape(-1)), list(stored.shape))
        return [f"{name}0 = torch.tensor({body}, {dt}{rg})", f"{name} = {name}0[..., ::2]"]
    return [f"{name}0 = torch.tensor({_nest(data, shape)}, {dt}{rg})", f"{name} = {name}0"]


SHAPES = [[], [], [1], [4], [3], [2, 3], [3, 1], [1, 4], [2, 2, 2], [0], [2, 0], [5], [3, 4]]


def draw_shape(rng) -> list[int]:
    return list(SHAPES[rng.integers(len(SHAPES))])


def partner_shape(rng, shape: list[int]) -> list[int]:
    """A shape that broadcasts against ``shape`` to ``shape`` (same, 1s, fewer dims, or 0-d)."""
    r = rng.random()
    if r < 0.45 or not shape:
        return list(shape) if rng.random() < 0.85 else []
    if r < 0.65:
        return []
    if r < 0.85:
        return [1 if rng.random() < 0.5 else d for d in shape]
    return list(shape[rng.integers(1, len(shape) + 1):])


def draw_layout(rng, shape) -> str:
    if _numel(shape) == 0 or not shape:
        return "contig"
    r = rng.random()
    if r < 0.15 and len(shape) >= 2:
        return "t"
    if r < 0.3:
        return "step"
    return "contig"


def make_input(rng, name, dtype, shape, special, layout=None) -> dict:
    return {"name": name, "dtype": dtype, "shape": list(shape),
            "data": draw_values(rng, dtype, _numel(shape), special),
            "layout": layout if layout is not None else draw_layout(rng, shape), "grad": False}
