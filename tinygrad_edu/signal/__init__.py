"""``tg.signal``: signal-processing helpers in torch's names (``tg.signal.windows``)."""

from . import windows  # noqa: F401
