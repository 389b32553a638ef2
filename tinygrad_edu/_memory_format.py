"""torch's memory formats (``torch.contiguous_format`` ...); :mod:`tinygrad_edu.dtype` re-exports
them."""

from __future__ import annotations


class memory_format:
    """How a tensor's elements are laid out (``torch.contiguous_format`` ...). tinygrad_edu's
    arrays are row-major; the formats are accepted wherever torch takes one, and layouts other
    than row-major give the same values (only their strides would differ)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_format_by_name, (self.name,))


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
_FORMATS = {f.name: f for f in (contiguous_format, preserve_format, channels_last,
                                channels_last_3d)}


def _format_by_name(name: str) -> memory_format:
    return _FORMATS[name]
