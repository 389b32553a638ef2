"""torch's CPU random engine: mt19937 seeded with ``init_genrand``, and its state layout.

The engine is the 32-bit Mersenne Twister (Matsumoto & Nishimura, 1998). torch seeds it with the
reference ``init_genrand``: word 0 is the low 32 bits of the seed, and each next word is
``1812433253 · (w ^ (w >> 30)) + i`` (mod 2³²). NumPy's ``MT19937`` bit generator runs the same
recurrence and tempering, so we let it produce the words (``random_raw``, in C) and only set its
state ourselves: the stream is then torch's, word for word.

torch draws either one word (``random()``, 32 bits) or two (``random64()``: the first word is the
HIGH half). Box–Muller sampling of a single normal value makes two, and torch keeps the second
in the generator (``next_double_normal_sample``); that cache is part of the state.
"""

from __future__ import annotations

import numpy as np

from . import _mt_kernel

N = 624  # words of state
DEFAULT_SEED = 67280421310721  # torch's seed of a new torch.Generator()

# torch.get_rng_state(): the C struct torch copies byte for byte (little-endian, x86-64 padding)
STATE_DTYPE = np.dtype(
    {
        "names": ["seed", "left", "seeded", "next", "state", "normal_x", "normal_y",
                  "normal_rho", "normal_is_valid", "next_float", "next_float_valid"],
        "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", N), "<f8", "<f8", "<f8", "<i4", "<f4",
                    "u1"],
        "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
        "itemsize": 5056,
    }
)
STATE_SIZE = STATE_DTYPE.itemsize


def init_genrand(seed: int) -> np.ndarray:
    """The 624 state words that ``init_genrand(seed & 0xffffffff)`` produces."""
    key = np.empty(N, dtype=np.uint32)
    w = seed & 0xFFFFFFFF
    key[0] = w
    for i in range(1, N):
        w = (1812433253 * (w ^ (w >> 30)) + i) & 0xFFFFFFFF
        key[i] = w
    return key


class MT19937:
    """One mt19937 stream with torch's seed bookkeeping and normal-sample caches.

    The 624 state words and the position live in one of two places, whichever drew last: this
    object's own ``_key``/``_pos`` (the compiled loops of :mod:`._mt_kernel` draw from them) or
    NumPy's ``MT19937`` bit generator (``random_raw`` and ``randint`` draw from it). A draw
    through the other moves them over first (``_own`` / ``_numpy``): ~130 µs, paid once when
    numba is switched on or off, never per draw."""

    __slots__ = ("_bits", "_key", "_pos", "_in_numpy", "_seed", "_fresh", "normal_cache",
                 "float_normal_cache")

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self._bits = np.random.MT19937()
        self.manual_seed(seed)

    # ---- seeding -----------------------------------------------------------------------------
    def manual_seed(self, seed: int) -> None:
        """Reset to ``seed`` (a 64-bit value; the engine uses its low 32 bits, as torch's)."""
        self._seed = int(seed)
        self._set_words(init_genrand(self._seed), 624)
        self._fresh = True  # torch reports next=0 until the first word is drawn
        self.normal_cache = None  # torch.normal's second Box–Muller value (a float64)
        self.float_normal_cache = None

    @property
    def initial_seed(self) -> int:
        return self._seed

    def _set_words(self, key, pos: int) -> None:
        self._key, self._pos, self._in_numpy = np.array(key, dtype=np.uint32), int(pos), False

    def _numpy(self):
        """NumPy's bit generator, holding the state (moved there if this object held it)."""
        if not self._in_numpy:
            self._bits.state = {"bit_generator": "MT19937",
                                "state": {"key": self._key, "pos": self._pos}}
            self._in_numpy = True
        return self._bits

    def _own(self) -> np.ndarray:
        """This object's state words (moved here if NumPy's generator held them)."""
        if self._in_numpy:
            st = self._bits.state["state"]
            self._key, self._pos = np.array(st["key"], dtype=np.uint32), int(st["pos"])
            self._in_numpy = False
        return self._key

    def _words(self):
        """(key, pos) of the state wherever it is, without moving it."""
        if self._in_numpy:
            st = self._bits.state["state"]
            return st["key"], int(st["pos"])
        return self._key, self._pos

    def _run(self, kernel, *args) -> None:
        """``kernel(key, pos, *args)`` on this object's state words; it returns the position."""
        key = self._own()
        self._pos = kernel(key, self._pos, *args)

    # ---- drawing -----------------------------------------------------------------------------
    def random(self, n: int) -> np.ndarray:
        """``n`` 32-bit words (torch's ``random()``), as uint64 values below 2³²."""
        self._fresh = False
        fill = _compiled("mt_fill")
        if fill is None:
            return self._numpy().random_raw(int(n))
        out = np.empty(int(n), dtype=np.uint64)
        self._run(fill, out)
        return out

    def bernoulli(self, n: int, p: float) -> np.ndarray:
        """``n`` booleans u < p, u a float64 uniform (``uniform_double``), as torch's
        ``bernoulli(p)``: one compiled pass with numba (:mod:`._mt_kernel`), else these passes."""
        self._fresh = False
        kernel = _compiled("mt_bernoulli")
        if kernel is None:
            return self.uniform_double(n) < p
        out = np.empty(int(n), dtype=np.bool_)
        self._run(kernel, float(p), out, np.empty(2 * _mt_kernel.CHUNK, np.uint32))
        return out

    def random24(self, n: int) -> np.ndarray:
        """The low 24 bits of ``n`` words (torch's float32 uniform bits), as uint32. NumPy's
        legacy ``randint`` draws one word per value and masks it when the range is a power of
        two (never rejecting), so this is ``random(n) & 0xFFFFFF`` in one pass."""
        self._fresh = False
        fill = _compiled("mt_fill")
        if fill is None:
            return np.random.RandomState(self._numpy()).randint(0, 1 << 24, int(n),
                                                                dtype=np.uint32)
        out = np.empty(int(n), dtype=np.uint32)  # the compiled words, then the mask
        self._run(fill, out)
        return np.bitwise_and(out, np.uint32(0xFFFFFF), out=out)

    def random64(self, n: int) -> np.ndarray:
        """``n`` 64-bit words (torch's ``random64()``): two words each, the first one high."""
        w = self.random(2 * int(n))
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def uniform_float(self, n: int) -> np.ndarray:
        """U[0, 1) float32: the low 24 bits of one word × 2⁻²⁴ (exact)."""
        return np.multiply(self.random24(n), np.float32(2.0**-24), dtype=np.float32)

    def uniform_double(self, n: int) -> np.ndarray:
        """U[0, 1) float64: the low 53 bits of ``random64()`` × 2⁻⁵³ (exact)."""
        k = self.random64(n) & np.uint64((1 << 53) - 1)
        return k.astype(np.float64) * 2.0**-53

    # ---- torch's byte layout -----------------------------------------------------------------
    def get_state(self) -> np.ndarray:
        """The 5056 bytes of ``torch.Generator.get_state()`` for this stream."""
        key, pos = self._words()
        rec = np.zeros((), dtype=STATE_DTYPE)
        rec["seed"] = self._seed & 0xFFFFFFFFFFFFFFFF
        # torch counts down `left` (words until the next twist, plus one) and indexes with `next`;
        # NumPy keeps `pos`, the index of the next word (624: twist before the next draw).
        rec["left"] = N + 1 - pos
        rec["seeded"] = 1
        rec["next"] = 0 if self._fresh else pos
        rec["state"] = key.astype(np.uint64)
        if self.normal_cache is not None:
            rec["normal_is_valid"] = 1
            rec["normal_y"] = self.normal_cache
        if self.float_normal_cache is not None:
            rec["next_float_valid"] = 1
            rec["next_float"] = self.float_normal_cache
        return np.frombuffer(rec.tobytes(), dtype=np.uint8).copy()

    def set_state(self, data: np.ndarray) -> None:
        """Restore from the 5056 bytes of a ``get_state()`` (ours or torch's)."""
        rec = np.frombuffer(np.ascontiguousarray(data, dtype=np.uint8).tobytes(),
                            dtype=STATE_DTYPE)[0]
        left, nxt = int(rec["left"]), int(rec["next"])
        if not (1 <= left <= N + 1) or not (0 <= nxt <= N) or (left != 1 and left + nxt != N + 1):
            raise RuntimeError("Invalid mt19937 state")
        self._seed = int(rec["seed"])
        self._set_words((rec["state"] & np.uint64(0xFFFFFFFF)).astype(np.uint32), N + 1 - left)
        self._fresh = left == 1 and nxt == 0
        self.normal_cache = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self.float_normal_cache = (np.float32(rec["next_float"]) if rec["next_float_valid"]
                                   else None)

    def clone(self) -> "MT19937":
        other = MT19937.__new__(MT19937)
        other._bits = np.random.MT19937()
        other._set_words(*self._words())
        other._seed, other._fresh = self._seed, self._fresh
        other.normal_cache, other.float_normal_cache = self.normal_cache, self.float_normal_cache
        return other


def _compiled(name: str):
    """The compiled mt19937 loop ``name`` of :mod:`._mt_kernel`, or None (numba missing or
    switched off: NumPy's generator draws)."""
    return _mt_kernel.kernel(getattr(_mt_kernel, name))
