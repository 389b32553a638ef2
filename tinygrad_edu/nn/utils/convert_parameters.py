"""Flatten parameters into one vector and back (``parameters_to_vector`` and its inverse)."""

from __future__ import annotations

from ...autograd import no_grad
from ...ops.join import cat
from ...ops.shape import reshape
from ...tensor import Tensor


def parameters_to_vector(parameters) -> Tensor:
    """One 1-D tensor of every parameter, concatenated (differentiable, as torch's)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return cat([reshape(p, (-1,)) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy slices of ``vec`` into the parameters, in order (in place)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    pointer = 0
    with no_grad():
        for p in parameters:
            n = p.numel()
            p._data[...] = vec._data[pointer:pointer + n].reshape(p._data.shape)
            p._version += 1
            pointer += n
