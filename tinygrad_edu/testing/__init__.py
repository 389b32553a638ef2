"""``tg.testing``, as ``torch.testing``: :func:`assert_close` (torch's comparison rules,
default tolerances and report) and :func:`make_tensor` (random test tensors). No torch import."""

from ._comparison import assert_close, default_tolerances  # noqa: F401  (not in torch.testing)
from ._creation import make_tensor

__all__ = ["assert_close", "make_tensor"]
