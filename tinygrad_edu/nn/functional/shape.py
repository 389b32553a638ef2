"""Shape functionals of ``torch.nn.functional``: ``pad``, ``pixel_shuffle``,
``pixel_unshuffle``, ``channel_shuffle`` (the ops live in ``tinygrad_edu.ops.padding``)."""

from ...ops.padding import channel_shuffle, pad, pixel_shuffle, pixel_unshuffle

__all__ = ["channel_shuffle", "pad", "pixel_shuffle", "pixel_unshuffle"]
