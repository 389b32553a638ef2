"""Optional compiled Mersenne Twister loops, compiled by numba when it is installed (the ``[fast]``
extra; :mod:`tinygrad_edu._numba`).

:class:`~tinygrad_edu._rng.engine.MT19937` lets NumPy's ``MT19937`` bit generator produce the
words (``random_raw``, in C), one function call per word into a uint64 array, and then makes
each value with NumPy passes over that array: Bernoulli sampling (dropout's mask) takes eight
passes (pair the words, mask 53 bits, convert, scale, compare). These loops run the same
generator (Matsumoto & Nishimura's mt19937: the twist of 624 words, then the tempering) on
the same 624-word state, and make each value where its words are drawn:

* :func:`mt_fill`: ``n`` tempered words, as ``random_raw`` gives them (into uint64, or into
  uint32 for ``random24``);
* :func:`mt_bernoulli`: torch's ``bernoulli(p)`` of a float64 uniform, one value per two words
  (``random64()``: the first word is the HIGH half), u = (k mod 2⁵³)·2⁻⁵³ < p.

Integers and an exact conversion (k < 2⁵³ is a float64 exactly, and the scaling by 2⁻⁵³ is
exact), so the results equal the NumPy path bit for bit; the tests
(``parity_tests/test_mt_kernel.py``) check the words, the state after, and the values against
NumPy's generator and torch. Without numba, with ``TINYGRAD_EDU_NUMBA=0`` or with ``ENABLED =
False``, :func:`kernel` answers None and the engine keeps NumPy's generator and passes.
"""

from __future__ import annotations

import numpy as np

from .._numba import load_kernel

_KERNELS: dict = {}  # name -> compiled kernel (None: not available), filled on first use
ENABLED = True  # False: kernel() answers None (tests switch it off to run the NumPy path)

N, M = 624, 397  # words of state; the recurrence's middle offset
U32 = np.uint32
MATRIX_A, UPPER, LOWER = U32(0x9908B0DF), U32(0x80000000), U32(0x7FFFFFFF)
ONE, SHIFT1 = U32(1), U32(1)
T11, T7, T15, T18 = U32(11), U32(7), U32(15), U32(18)  # the tempering's shifts and masks
B, C = U32(0x9D2C5680), U32(0xEFC60000)
CHUNK = 2048  # Bernoulli values per block of words (the scratch array holds 2·CHUNK words)


def mt_twist(key):
    """The next 624 words of state, in place (uint32 arithmetic, as the reference C code):
    key[i] = key[i + M] ⊕ (y ≫ 1) ⊕ A·(y & 1) with y = the upper bit of key[i] joined to the
    lower 31 bits of key[i + 1]; indices past the end wrap round, and read words this loop has
    already replaced (the last M − 1 ... ), as the reference does."""
    for i in range(N - M):
        y = (key[i] & UPPER) | (key[i + 1] & LOWER)
        key[i] = key[i + M] ^ (y >> SHIFT1) ^ (MATRIX_A * (y & ONE))
    for i in range(N - M, N - 1):
        y = (key[i] & UPPER) | (key[i + 1] & LOWER)
        key[i] = key[i + M - N] ^ (y >> SHIFT1) ^ (MATRIX_A * (y & ONE))
    y = (key[N - 1] & UPPER) | (key[0] & LOWER)
    key[N - 1] = key[M - 1] ^ (y >> SHIFT1) ^ (MATRIX_A * (y & ONE))


def mt_fill(key, pos, out):
    """out[i] = the next tempered word, for every i (as ``random_raw``: values below 2³²);
    returns the new position (624: twist before the next word). ``key`` is the uint32 state,
    twisted in place whenever it runs out. Words are tempered a run at a time (up to the next
    twist), a loop the compiler vectorizes."""
    i, n = 0, out.size
    while i < n:
        if pos >= N:
            mt_twist(key)
            pos = 0
        m = min(N - pos, n - i)
        for t in range(m):
            y = key[pos + t]
            y ^= y >> T11
            y ^= (y << T7) & B
            y ^= (y << T15) & C
            out[i + t] = y ^ (y >> T18)
        i += m
        pos += m
    return pos


def mt_bernoulli(key, pos, p, out, scratch):
    """out[i] = u < p with u = (k mod 2⁵³)·2⁻⁵³ and k = (w₁ ≪ 32) | w₂ from the next two words
    (torch's ``random64()`` and ``uniform_real_distribution<double>``); returns the position.
    ``scratch``: uint32, 2·CHUNK words (drawn a block at a time, then paired)."""
    scale = 2.0**-53
    i, n = 0, out.size
    while i < n:
        m = min(CHUNK, n - i)
        pos = mt_fill(key, pos, scratch[: 2 * m])
        for t in range(m):  # k mod 2⁵³ = (the low 21 bits of w₁) · 2³² + w₂
            hi = np.uint64(scratch[2 * t] & U32(0x1FFFFF))
            k = (hi << np.uint64(32)) | np.uint64(scratch[2 * t + 1])
            out[i + t] = np.float64(k) * scale < p  # k < 2⁵³: exact, and so is the scaling
        i += m
    return pos


def kernel(fn):
    """The compiled ``fn`` (:func:`mt_fill` or :func:`mt_bernoulli`), or None: no numba,
    ``TINYGRAD_EDU_NUMBA=0``, ``ENABLED`` False, or numba could not compile it (then a
    RuntimeWarning says so and NumPy's generator runs)."""
    return load_kernel(__name__, fn, _WARM_UP[fn.__name__], fn.__name__,
                       "NumPy's MT19937 and passes are used", helpers=(mt_twist, mt_fill))


def _warm_fill(fn):
    for dtype in (np.uint64, np.uint32):  # random() words, random24()'s
        fn(np.arange(N, dtype=np.uint32), N, np.empty(2, dtype))


def _warm_bernoulli(fn):
    fn(np.arange(N, dtype=np.uint32), N, 0.5, np.empty(2, np.bool_),
       np.empty(2 * CHUNK, np.uint32))


_WARM_UP = {"mt_fill": _warm_fill, "mt_bernoulli": _warm_bernoulli}
