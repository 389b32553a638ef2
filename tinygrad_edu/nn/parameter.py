"""``nn.Parameter``: a Tensor that a Module registers as learnable (``requires_grad=True``)."""

from __future__ import annotations

import numpy as np

from ..backend import asarray
from ..dtype import float32 as _float32
from ..dtype import to_dtype as _to_dtype
from ..tensor import Tensor, _as_array, _device


class Parameter(Tensor):
    """A leaf Tensor that ``Module.__setattr__`` registers in ``_parameters``.

    ``Parameter(data)`` shares ``data``'s storage (as torch does) and requires grad.

    Shapes: data's shape.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = _as_array(data, None)
        self._init(arr, None)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        new = Parameter(Tensor._wrap(self._data.copy()), self.requires_grad)
        if self.grad is not None:
            new.grad = Tensor._wrap(self.grad._data.copy())
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        """Pickled by value on the host; unpickled on the device it was on (as torch)."""
        from ..backend import to_numpy

        return (_rebuild_parameter, (to_numpy(self._data), self.requires_grad, str(self.device)))


def _rebuild_parameter(arr, requires_grad, device="cpu"):
    from ..backend import device as _device
    from ..backend import to_device

    return Parameter(Tensor._wrap(to_device(arr, _device(device))), requires_grad)


class Buffer(Tensor):
    """``nn.Buffer(data, persistent=True)``: a Tensor a Module registers as a buffer.

    Shapes: data's shape.
    """

    __slots__ = ("persistent",)

    def __init__(self, data, *, persistent: bool = True):
        self._init(data._data if isinstance(data, Tensor) else _as_array(data, None), None)
        self.persistent = persistent


def uninitialized(shape, device=None, dtype=None) -> Tensor:
    """An uninitialized (zero-filled) tensor for a new parameter, on ``device`` in ``dtype``.
    Raises RuntimeError for a negative size, as torch.empty does."""
    d = _to_dtype(dtype) if dtype is not None else _float32
    dev = _device(device) if device is not None else _device("cpu")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(n < 0 for n in shape):  # torch: RuntimeError, not NumPy's ValueError
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(shape)}: {list(shape)}")
    return Tensor._wrap(asarray(np.zeros(shape, dtype=d.np), dev=dev))
