"""``tg.random``: seeding and state of the host random generator (``torch.random``).

There is one default generator (``tg.default_generator``) and any number of
``tg.Generator()`` objects. Each is torch's CPU generator rebuilt: the same seed gives the same
stream of 32-bit words (mt19937), and the sampling functions (``rand``, ``randn``, ``randint``,
``randperm``, ``normal_``, ``bernoulli``, ``multinomial``, dropout, ``nn.init``, DataLoader
shuffling ...) turn those words into numbers exactly as torch does, so ``tg.manual_seed(s)``
reproduces torch's numbers bit for bit. Randomness is always drawn on the host: a tensor for
``device="cuda"`` gets its values in one transfer, identical to the CPU ones.

Like torch, the default generator starts from a fresh nondeterministic seed in every process
(unseeded code differs from run to run); ``tg.manual_seed(s)`` makes it reproducible.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from ._rng.engine import DEFAULT_SEED, MT19937, STATE_SIZE
from .backend import device as _device
from .backend import to_numpy
from .tensor import Tensor

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
           "manual_seed", "seed", "set_rng_state"]

_U64 = 1 << 64


def _check_seed(seed) -> int:
    """torch's rule: any integer in [−2⁶³, 2⁶⁴); negatives wrap modulo 2⁶⁴."""
    s = int(seed)
    if not -(1 << 63) <= s < _U64:
        raise ValueError("Overflow when unpacking long long")
    return s % _U64


def _fresh_seed() -> int:
    return int.from_bytes(os.urandom(8), "little")


class Generator:
    """``torch.Generator``: an independent random stream, torch's CPU generator bit for bit.

    ``Generator().manual_seed(s)`` is seeded like ``tg.manual_seed(s)``; a new generator starts
    from torch's default seed 67280421310721. Pass it as ``generator=`` to any sampling function.
    ``device`` is recorded for torch compatibility; every generator draws on the host.

    Raises RuntimeError for an unknown device.
    """

    __slots__ = ("device", "_engine")

    def __init__(self, device="cpu") -> None:
        self.device = _device(device)
        self._engine = MT19937(DEFAULT_SEED)

    def manual_seed(self, seed) -> "Generator":
        """Seed the stream (an integer; negatives wrap modulo 2⁶⁴). Returns this generator."""
        self._engine.manual_seed(_check_seed(seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return that seed."""
        s = _fresh_seed()
        self._engine.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed this stream was last seeded with."""
        return self._engine.initial_seed

    def get_state(self):
        """The state as a uint8 tensor of 5056 bytes, in torch's layout (so
        ``torch.Generator().set_state(torch.from_numpy(g.get_state().numpy()))`` continues it)."""
        return Tensor._wrap(self._engine.get_state())

    def set_state(self, new_state) -> "Generator":
        """Restore a state from :meth:`get_state` (ours, or torch's bytes as an array)."""
        data = getattr(new_state, "_data", None)
        if data is None:
            data = np.asarray(new_state.numpy() if hasattr(new_state, "numpy") else new_state)
        data = to_numpy(data)
        if data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if data.size != STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but "
                               f"found the input RNG state size to be {data.size}")
        self._engine.set_state(data.reshape(-1))
        return self

    def clone_state(self) -> "Generator":
        g = Generator(self.device)
        g._engine = self._engine.clone()
        return g

    @property
    def bit_generator(self):
        """A JSON-friendly view of the state (``.state`` get/set), for code written against the
        earlier NumPy-backed generator; prefer :meth:`get_state` / :meth:`set_state`."""
        return _StateView(self)

    def __repr__(self) -> str:
        return f"<tinygrad_edu.Generator object, device='{self.device}'>"


class _StateView:
    __slots__ = ("_gen",)

    def __init__(self, gen: Generator) -> None:
        self._gen = gen

    @property
    def state(self) -> dict:
        return {"torch_cpu_generator_state": self._gen._engine.get_state().tolist()}

    @state.setter
    def state(self, value: dict) -> None:
        raw = value.get("torch_cpu_generator_state") if isinstance(value, dict) else None
        if raw is None:
            raise ValueError("not a tinygrad_edu generator state (expected the dict that "
                             "bit_generator.state returned)")
        self._gen.set_state(np.asarray(raw, dtype=np.uint8))


default_generator = Generator()
default_generator.seed()  # torch: the default generator starts from a nondeterministic seed


def engine_of(generator=None) -> MT19937:
    """The mt19937 stream to draw from: ``generator``'s, or the default one."""
    if generator is None:
        return default_generator._engine
    if isinstance(generator, Generator):
        return generator._engine
    raise TypeError(f"generator must be a tinygrad_edu.Generator (or None for the default "
                    f"one), got {type(generator).__name__}")


def manual_seed(seed) -> Generator:
    """Seed the default generator (``torch.manual_seed``); returns it.

    Raises ValueError for a seed that is not an integer.
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator nondeterministically and return the seed (``torch.seed``)."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed (``torch.initial_seed``)."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state: a uint8 tensor in torch's 5056-byte layout."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator from :func:`get_rng_state` (or torch's bytes).

    Raises RuntimeError for a state of the wrong size.
    """
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, **_kwargs):
    """Run a block and then restore the default generator's state (``torch.random.fork_rng``)."""
    if not enabled:
        yield
        return
    state = default_generator._engine.clone()
    try:
        yield
    finally:
        default_generator._engine = state
