"""Neural-network building blocks in torch's names (``tg.nn.Linear``, ``tg.nn.MSELoss`` ...).

Laid out as torch's: ``nn.modules`` (the layers), ``nn.functional`` (F), ``nn.init``,
``nn.parameter``, ``nn.utils``.
"""

from . import functional, init, utils  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import __dict__ as _mods
from .parameter import Buffer, Parameter  # noqa: F401

__all__ = [n for n in _mods if not n.startswith("_") and n[0].isupper()] + [
    "Parameter", "Buffer", "functional", "init", "utils"]
