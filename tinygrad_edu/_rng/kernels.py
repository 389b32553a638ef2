"""What torch's CPU sampling kernels compute, step for step, on host NumPy arrays.

Every function takes an :class:`~.engine.MT19937` stream, draws exactly the words torch's kernel
draws, in the same order, and returns a NumPy array in the requested dtype. Elements are filled
in memory order (torch's serial kernels walk a tensor the same way), so a contiguous result is
filled in the usual row-major order.

Uniform bits (see ``engine``): a float32 draw uses one 32-bit word (its low 24 bits), a float64
draw one ``random64`` (its low 53 bits). Formulas below are torch's transformations; where
torch's AVX2/AVX-512 build fuses a multiply-add, so do we (``libm.fma32`` / ``fma64``).
float16 and bfloat16 (``REDUCED``): torch computes in float32 (their ``opmath_type``: the same
24-bit uniforms and float32 math) and rounds at the end; results computed in float64 reach
them through float32 (:func:`from_double`).
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np

from ..dtype import bfloat16, cpp_type_name, finfo, kind_of, torch_type_name
from . import fast, fast32, libm
from .engine import MT19937

f32, f64 = np.float32, np.float64
bf16 = bfloat16.np.type  # ml_dtypes.bfloat16
REDUCED = (np.float16, bf16)  # torch's Half and BFloat16: float32 opmath, made from floats
TWO_PI = 2.0 * math.pi


@lru_cache(maxsize=None)
def capability() -> str:
    """torch's kernel build on this CPU (read once, as torch does): AVX512, AVX2 or DEFAULT."""
    return libm.cpu_capability()


def _fused() -> bool:
    return capability() != "DEFAULT"


def _madd(a, b, c, dtype):
    """a·b + c rounded as torch's build rounds it (one fma, or a product and a sum)."""
    if _fused():
        return libm.fma32(a, b, c) if dtype == f32 else libm.fma64(a, b, c)
    return (np.asarray(a, dtype) * dtype(b) + dtype(c)).astype(dtype)


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


# ---- uniform ------------------------------------------------------------------------------------
def uniform(gen: MT19937, shape, dtype, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """U[low, high): u·(high − low) + low in torch's opmath type (float32 for ``REDUCED``, the
    bounds float32 too), u from 24 (float32, ``REDUCED``) or 53 (float64) random bits, then
    cast to the output dtype. A value that rounds to ``high`` there becomes ``low`` (torch's
    clamp: [low, high)).
    Raises RuntimeError as torch (:func:`check_uniform_bounds`)."""
    dtype = np.dtype(dtype).type
    check_uniform_bounds(dtype, low, high)
    op = _opmath(dtype)
    n = _size(shape)
    u = gen.uniform_double(n) if op == f64 else gen.uniform_float(n)
    lo, hi = op(low), op(high)
    v = u if lo == 0 and hi == 1 else _madd(u, hi - lo, lo, op)  # u·1 + 0 is u itself
    with np.errstate(over="ignore"):
        v = v.astype(dtype, copy=False)
    v[v == dtype(high)] = dtype(low)
    return v.reshape(shape)


def check_uniform_bounds(dtype, low: float, high: float) -> None:
    """torch's checks before ``uniform_``: RuntimeError when low or high lies outside the
    dtype's finite range, when low > high, or when high − low exceeds the dtype's maximum."""
    top = float(finfo(dtype).max)
    name = cpp_type_name(dtype)
    for value, what in ((low, "from"), (high, "to")):
        if not -top <= value <= top:
            raise RuntimeError(f"{what} is out of bounds for {name}")
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={low:g} > to={high:g}")
    if high - low > top:
        kind = torch_type_name(np.dtype(dtype))
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{kind}>::max(), but "
                           f"found to={high:g} and from={low:g} which result in to-from to "
                           "exceed the limit")


def _opmath(dtype):
    """The type torch's kernels compute in: float32 for ``REDUCED`` (``at::opmath_type``)."""
    return f64 if dtype == f64 else f32


def from_double(x: np.ndarray, dtype) -> np.ndarray:
    """``static_cast<scalar_t>(double)`` as torch compiles it: ``c10::Half`` and
    ``c10::BFloat16`` have only a constructor from float, so a double becomes float32 first,
    then float16/bfloat16 (two roundings, which differ from a direct float64 → float16 cast
    for about 1 value in 16 000)."""
    with np.errstate(over="ignore", invalid="ignore"):  # beyond the range: ±inf, as torch
        if dtype in REDUCED:
            return np.asarray(x, dtype=f64).astype(f32).astype(dtype)
        return np.asarray(x).astype(dtype)


# ---- normal -------------------------------------------------------------------------------------
def standard_normal_serial(gen: MT19937, n: int) -> np.ndarray:
    """n float64 N(0, 1) values the one-at-a-time way (torch's ``normal_distribution<double>``):
    u1, u2 ~ U[0,1) (float64), r = √(−2·log1p(−u2)), θ = 2π·u1; return r·cos θ and keep r·sin θ
    in the generator for the next value. A value left in the cache is used first."""
    out = np.empty(n, dtype=f64)
    start = 0
    if n and gen.normal_cache is not None:
        out[0], gen.normal_cache, start = gen.normal_cache, None, 1
    m = n - start
    if m <= 0:
        return out
    pairs = (m + 1) // 2
    u = gen.uniform_double(2 * pairs).reshape(pairs, 2)
    r = np.sqrt(-2.0 * libm.elementwise(math.log1p, -u[:, 1]))
    theta = TWO_PI * u[:, 0]
    both = np.empty((pairs, 2), dtype=f64)
    both[:, 0] = r * libm.elementwise(math.cos, theta)
    both[:, 1] = r * libm.elementwise(math.sin, theta)
    flat = both.reshape(-1)
    out[start:] = flat[:m]
    if m % 2:
        gen.normal_cache = float(flat[m])  # the unused sine of the last pair
    return out


def _box_muller_16_fast(d: np.ndarray, dtype) -> np.ndarray:
    """:func:`_box_muller_16` on whole arrays (``fast``): the same bits, checked against it by
    ``test_rng_fast.py``. The float32 AVX path starts from the words instead (``fast32``);
    torch's DEFAULT float32 build (glibc's logf per element) has no fast path."""
    if dtype == f64:
        return fast.box_muller_16_f64(d)
    return _box_muller_16(d, dtype)


def _box_muller_16(d: np.ndarray, dtype) -> np.ndarray:
    """The plain reference of torch's ``normal_fill_16`` on rows of 16 uniforms:
    u1 = 1 − d[j], u2 = d[j+8] (j < 8), radius = √(−2 log u1), θ = 2π·u2;
    d[j] = radius·cos θ, d[j+8] = radius·sin θ."""
    u1, u2 = dtype(1) - d[:, :8], d[:, 8:]
    out = np.empty_like(d)
    if dtype == f64:
        radius = np.sqrt(-2.0 * libm.elementwise(math.log, u1))
        theta = TWO_PI * u2
        out[:, :8] = radius * libm.elementwise(math.cos, theta)
        out[:, 8:] = radius * libm.elementwise(math.sin, theta)
    elif capability() == "DEFAULT":  # glibc's logf/cosf/sinf, θ computed in double, stored float
        radius = np.sqrt(f32(-2) * libm.elementwise_f32("log", u1))
        theta = (TWO_PI * u2.astype(f64)).astype(f32)
        out[:, :8] = radius * libm.elementwise_f32("cos", theta)
        out[:, 8:] = radius * libm.elementwise_f32("sin", theta)
    else:  # AVX2 / AVX-512 build: avx_mathfun polynomials on 8 lanes
        for i in range(0, d.shape[0], _ROWS):  # a cache-sized slab of rows at a time
            a, b = u1[i:i + _ROWS].ravel(), u2[i:i + _ROWS].ravel()
            radius = np.sqrt(f32(-2) * libm.log_ps(a))
            sin, cos = libm.sincos_ps(b * f32(TWO_PI))
            out[i:i + _ROWS, :8] = (radius * cos).reshape(-1, 8)
            out[i:i + _ROWS, 8:] = (radius * sin).reshape(-1, 8)
    return out


_ROWS = 1024  # rows of 16 per slab in the float32 polynomial path (~64 KiB per temporary)


def normal_fill(gen: MT19937, n: int, dtype, mean: float, std: float) -> np.ndarray:
    """torch's vectorized path (n ≥ 16, contiguous): Box–Muller over blocks of 16 uniforms in
    the opmath type (float32 for float16/bfloat16), z·std + mean as one fma (``std::fma``, or
    the AVX2 ``fmadd``, in every build), then cast to ``dtype``. When n is not a multiple of 16
    the LAST 16 outputs are redone from 16 fresh uniforms. The words differ by type:
    float32/float64 draw all n uniforms first (the partial row's too, then overwritten);
    float16/bfloat16 draw 16 per full block and 16 for the redone tail, never the partial
    row's.
    float32 math on the AVX builds: ``fast32.normal_fill``, the same draws taken slab by slab."""
    op = _opmath(dtype)
    partial = dtype not in REDUCED  # whether the words of the partial last row are drawn
    if op == f32 and capability() != "DEFAULT":
        d = fast32.normal_fill(gen, n, partial)
    else:
        draw = gen.uniform_double if op == f64 else gen.uniform_float
        full = n // 16 * 16
        d = np.empty(n, dtype=op)
        d[:full] = _box_muller_16_fast(draw(full).reshape(-1, 16), op).reshape(-1)
        if n % 16:
            if partial:
                draw(n % 16)
            d[n - 16:] = _box_muller_16_fast(draw(16).reshape(1, 16), op).reshape(-1)
    if not (mean == 0 and std == 1):  # z·1 + 0 is z itself
        d = libm.fma32(d, f32(std), f32(mean)) if op == f32 else libm.fma64(d, std, mean)
    with np.errstate(over="ignore"):
        return d.astype(dtype, copy=False)


def normal(gen: MT19937, shape, dtype, mean: float = 0.0, std: float = 1.0,
           contiguous: bool = True) -> np.ndarray:
    """N(mean, std²) as torch's ``normal_`` draws it: the block path with 16 or more contiguous
    elements (:func:`normal_fill`), else one value at a time (float64, cached pairs), each
    cast to ``dtype`` (float16/bfloat16 through float32, :func:`from_double`)."""
    dtype = np.dtype(dtype).type
    n = _size(shape)
    if n >= 16 and contiguous:
        return normal_fill(gen, n, dtype, float(mean), float(std)).reshape(shape)
    z = standard_normal_serial(gen, n)
    return from_double(_madd(z, float(std), float(mean), f64), dtype).reshape(shape)


def log_normal(gen: MT19937, shape, dtype, mean: float, std: float) -> np.ndarray:
    """exp(N(mean, std²)), one value at a time (so it shares the Box–Muller cache)."""
    z = _madd(standard_normal_serial(gen, _size(shape)), float(std), float(mean), f64)
    return from_double(libm.elementwise(math.exp, z), dtype).reshape(shape)


# ---- distributions from one float64 uniform each ------------------------------------------------
def exponential(gen: MT19937, shape, dtype, lambd: float) -> np.ndarray:
    """−(1/λ)·log1p(−u): the inverse CDF of Exp(λ)."""
    u = gen.uniform_double(_size(shape))
    return from_double((-1.0 / lambd) * libm.elementwise(math.log1p, -u), dtype).reshape(shape)


def geometric(gen: MT19937, shape, dtype, p: float) -> np.ndarray:
    """⌈log u / log1p(−p)⌉: trials up to the first success, on {1, 2, ...}."""
    u = gen.uniform_double(_size(shape))
    k = np.ceil(libm.elementwise(math.log, u) / math.log1p(-p))
    return from_double(k, dtype).reshape(shape)


def cauchy(gen: MT19937, shape, dtype, median: float, sigma: float) -> np.ndarray:
    """median + σ·tan(π·(u − ½)): the inverse CDF of Cauchy(median, σ)."""
    u = gen.uniform_double(_size(shape))
    t = libm.elementwise(math.tan, math.pi * (u - 0.5))
    return from_double(_madd(f64(sigma), t, f64(median), f64), dtype).reshape(shape)


def bernoulli_scalar(gen: MT19937, shape, dtype, p: float) -> np.ndarray:
    """1 where u < p (u a float64 uniform), else 0."""
    return gen.bernoulli(_size(shape), p).astype(dtype, copy=False).reshape(shape)


def bernoulli_tensor(gen: MT19937, p: np.ndarray, dtype) -> np.ndarray:
    """1 where u < p[i]: u a float64 uniform for float64 p, else a float32 one (24 bits)."""
    if p.dtype == f64:
        u = gen.uniform_double(p.size)
    else:
        u, p = gen.uniform_float(p.size), p.astype(f32)
    return (u.reshape(p.shape) < p).astype(dtype)


# ---- integers -----------------------------------------------------------------------------------
_DIGITS = {f32: 24, f64: 53, np.float16: 11, bf16: 8}  # std::numeric_limits<T>::digits
_INT64_MIN = -(1 << 63)


def from_int64(v, dtype) -> np.ndarray:
    """``static_cast<scalar_t>(int64_t)``: one C conversion (an int64 array's cast, not a
    Python int's trip through double); ``REDUCED`` through float32, their only constructor."""
    v = np.asarray(v, dtype=np.int64)
    with np.errstate(over="ignore"):
        return v.astype(f32).astype(dtype) if dtype in REDUCED else v.astype(dtype)


def _to_int64(x) -> int:
    """``static_cast<int64_t>(float)`` on x86-64: truncation; a value outside int64 (or inf)
    gives the "integer indefinite" value INT64_MIN, as ``cvttss2si`` does."""
    x = float(x)
    return int(x) if -(2.0**63) <= x < 2.0**63 else _INT64_MIN


def _float_bounds(dtype, low: int, high: int):
    """torch's bound fix-up for float dtypes (``update_from``/``update_to``). When high − 1
    (the largest value wanted) rounds to high or above in the dtype, high becomes that rounded
    value minus one unit at the magnitude of high − 1; when low + 1 rounds strictly below low,
    low becomes that rounded value plus one such unit. (Only beyond 2^8 for bfloat16, 2^11
    for float16, 2^24 for float32, 2^53 for float64; a bound beyond the dtype's range is left
    for :func:`check_random_bounds`.)"""
    digits = _DIGITS.get(dtype)
    if digits is None or not (_INT64_MIN <= low + 1 and high - 1 < 1 << 63):
        return low, high
    top, bottom = (_to_int64(v) for v in from_int64([high - 1, low + 1], dtype))
    if top >= high:
        high = top - (1 << (abs(high - 1).bit_length() - 1 - digits + 1))
    if bottom < low:
        low = bottom + (1 << (abs(low + 1).bit_length() - 1 - digits + 1))
    return low, high


def check_random_bounds(dtype, low: int, to_inc: int) -> None:
    """torch's ``check_from_to_in_range`` for ``random_``/``randint``: RuntimeError when
    ``low`` or ``to_inc`` (= high − 1) lies outside the dtype's range; for a float dtype, a
    UserWarning when one lies beyond ±2^digits (not every integer there is representable)."""
    dtype = np.dtype(dtype).type
    name = cpp_type_name(dtype)
    if dtype == np.bool_:
        lo, hi = 0, 1
    elif kind_of(np.dtype(dtype)) == "f":
        hi = float(finfo(dtype).max)
        lo = -hi
    else:
        lo, hi = int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
    for value, what in ((low, "from"), (to_inc, "to - 1")):
        if not lo <= value <= hi:
            raise RuntimeError(f"{what} is out of bounds for {name}")
    digits = _DIGITS.get(dtype)
    for value, what in ((low, "from"), (to_inc, "to - 1")):
        if digits is not None and abs(value) > 1 << digits:
            warnings.warn(f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                          f"limitations {name} can support discrete uniform distribution only "
                          "within this range. This warning will become an error in version 1.7 "
                          "release, please fix the code in advance", UserWarning, stacklevel=4)


def random_from_to(gen: MT19937, shape, dtype, low: int, high: int) -> np.ndarray:
    """low + (w mod (high − low)), w one 32-bit word, or a 64-bit one once the range reaches
    2²⁸ (torch's bound on the modulo bias, about 5%), whatever the dtype; float dtypes first
    narrow their bounds (:func:`_float_bounds`). Raises RuntimeError, as torch, when the
    narrowed bounds cross or lie outside the dtype (:func:`check_random_bounds`)."""
    dtype = np.dtype(dtype).type
    low, high = _float_bounds(dtype, int(low), int(high))
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than 'to' casted "
                           f"to dtype, but got from={low} >= to={high}")
    check_random_bounds(dtype, low, high - 1)
    span = high - low
    n = _size(shape)
    w = gen.random64(n) if span >= 1 << 28 else gen.random(n)
    vals = (w % np.uint64(span)).astype(np.int64) + np.int64(low)
    return from_int64(vals, dtype).reshape(shape)


_FULL_RANGE = {np.int64: 1 << 63, np.float64: (1 << 53) + 1, np.float32: (1 << 24) + 1,
               np.float16: (1 << 11) + 1, bf16: (1 << 8) + 1, np.int32: 1 << 31,
               np.int16: 1 << 15, np.int8: 1 << 7, np.uint8: 1 << 8}


def random_full(gen: MT19937, shape, dtype) -> np.ndarray:
    """``random_()`` with no bounds: w mod (max + 1) for integers, mod (2^digits + 1) for floats
    (64-bit words for int64/float64), w & 1 for bool."""
    dtype = np.dtype(dtype).type
    n = _size(shape)
    if dtype == np.bool_:
        return (gen.random(n) & np.uint64(1)).astype(np.bool_).reshape(shape)
    w = gen.random64(n) if dtype in (np.int64, np.float64) else gen.random(n)
    return (w % np.uint64(_FULL_RANGE[dtype])).astype(dtype).reshape(shape)


def randperm(gen: MT19937, n: int) -> np.ndarray:
    """A random permutation of 0..n−1 by forward Fisher–Yates: for i = 0..n−2 swap p[i] with
    p[i + (w mod (n − i))], one 32-bit word per step."""
    if n >= 0xFFFFFFFF // 20:  # torch switches to an inside-out shuffle on 64-bit words here
        raise RuntimeError(f"randperm: n={n} is beyond what tinygrad_edu reproduces "
                           f"(torch changes algorithm at n >= {0xFFFFFFFF // 20})")
    perm = list(range(n))
    if n > 1:
        w = gen.random(n - 1)
        offsets = (w % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        for i, z in enumerate(offsets):
            j = i + z
            perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm, dtype=np.int64)


def multinomial_scores(gen: MT19937, p: np.ndarray) -> np.ndarray:
    """p / q with q ~ Exp(1) for every entry of ``p`` (in p's dtype, q drawn as
    :func:`exponential`): torch's multinomial without replacement (or of one sample) takes
    the argmax (one sample) or the top k (``topk``) of these scores per row, the
    Gumbel-top-k trick in exponential form."""
    q = exponential(gen, p.shape, p.dtype.type, 1.0)
    op = _opmath(p.dtype.type)
    with np.errstate(divide="ignore", invalid="ignore"):  # float16/bfloat16: a float32 quotient
        return (p.astype(op, copy=False) / q.astype(op, copy=False)).astype(p.dtype, copy=False)


def multinomial_with_replacement(gen: MT19937, p: np.ndarray, num_samples: int) -> np.ndarray:
    """Category indices (int64, (rows, num_samples)) for each row of ``p`` (2-D, non-negative
    weights): per row, the running sum in p's dtype (float32 for float16/bfloat16), divided by its
    total, the last entry forced to 1; for each sample a float64 uniform u placed by binary
    search (the first c[k] ≥ u)."""
    acc = _opmath(p.dtype.type)
    out = np.empty((p.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(p):
        cum = np.cumsum(row, dtype=acc)  # sequential, as torch's loop
        cum = (cum / cum[-1]).astype(acc, copy=False)
        cum[-1] = 1
        out[i] = np.searchsorted(cum.astype(f64), gen.uniform_double(num_samples), side="left")
    return out
