"""The in-place activations of ``torch.nn.functional`` (``F.relu_``, ``F.hardtanh_``, ...) and
the five torch also has at its root (``torch.relu_``, ``celu_``, ``rrelu_``, ``selu_``,
``threshold_``): each is its out-of-place activation with ``inplace=True``, so the values,
derivative and checks are that activation's (``ops/activation.py``, ``activation2.py``,
``elu.py``), written back with torch's in-place rules (``ops/inplace.py``):

- the input itself is returned, holding the result; its history becomes the activation's node
  (x.grad_fn is e.g. HardtanhBackward0), so gradients flow through the write;
- a leaf that requires grad raises RuntimeError ("a leaf Variable that requires grad is being
  used in an in-place operation."), as does a view of one, or an input needed by a backward
  that the write would overwrite (the version-counter check at backward time).

Shapes: any; the result has the input's shape and dtype.
"""

from __future__ import annotations

import numbers

from .._args import require_tensor, type_of
from ._util import scalar_arg
from .activation import leaky_relu, relu
from .activation2 import HardtanhFn, celu, hardtanh, rrelu, selu, threshold
from .elu import elu
from .inplace import inplace as _write_back


def relu_(input):
    """``F.relu_`` / ``torch.relu_``: x ← max(x, 0) in place (derivative [x > 0]). Shapes: any; the
    input's shape. Raises as :func:`relu` (RuntimeError for bool) and for a leaf that requires
    grad."""
    return relu(input, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    """``F.leaky_relu_``: x ← x if x > 0 else a·x, in place (derivative 1 or a). Shapes: any; the
    input's shape. Raises as :func:`leaky_relu` and for a leaf that requires grad."""
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """``F.hardtanh_``: x ← clamp(x, min_val, max_val) in place (derivative 1 strictly inside,
    else 0). Unlike ``F.hardtanh`` (whose ValueError for min_val > max_val is Python code in
    torch), torch's C++ ``hardtanh_`` takes min_val > max_val and clamps: every element becomes
    max_val, with derivative 0. Shapes: any; the input's shape. Raises as :func:`hardtanh` otherwise
    (RuntimeError for bool, or uint8 with a negative limit) and for a leaf that requires grad."""
    require_tensor(input, "hardtanh_")
    for pos, (arg, v) in enumerate((("min_val", min_val), ("max_val", max_val)), 2):
        if not isinstance(v, numbers.Number):  # before comparing them
            raise TypeError(f"hardtanh_(): argument '{arg}' (position {pos}) must be Number, "
                            f"not {type_of(v)}")
        scalar_arg(v, input, "hardtanh", opmath=False)
    if min_val > max_val:
        hardtanh(input.detach().reshape(-1)[:0], max_val, max_val)  # its other checks
        return _write_back(input, "hardtanh_", HardtanhFn.apply, min_val, max_val)
    return hardtanh(input, min_val, max_val, inplace=True)


def elu_(input, alpha=1.0):
    """``F.elu_``: x ← x if x > 0 else α(eˣ − 1), in place (derivative 1 or αeˣ, computed from the
    result). Shapes: any; the input's shape. Raises as :func:`elu` and for a leaf that requires
    grad."""
    return elu(input, alpha, inplace=True)


def celu_(input, alpha=1.0):
    """``F.celu_`` / ``torch.celu_``: x ← x if x ≥ 0 else α(e^{x/α} − 1), in place. Shapes: any; the
    input's shape. Raises as :func:`celu` (RuntimeError for α = 0) and for a leaf that requires
    grad."""
    return celu(input, alpha, inplace=True)


def selu_(input):
    """``F.selu_`` / ``torch.selu_``: x ← scale·elu(x, α), in place. Shapes: any; the input's shape.
    Raises as :func:`selu` and for a leaf that requires grad."""
    return selu(input, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """``F.rrelu_`` / ``torch.rrelu_``: leaky ReLU in place, slope (lower + upper)/2 in eval,
    drawn from U(lower, upper) per element in training. Shapes: any; the input's shape. Raises as
    :func:`rrelu` and for a leaf that requires grad."""
    return rrelu(input, lower, upper, training, inplace=True)


def threshold_(input, threshold, value):
    """``F.threshold_`` / ``torch.threshold_``: x ← x where x > threshold, else value, in place
    (derivative [x > threshold]). Shapes: any; the input's shape. Raises as :func:`threshold` and
    for a leaf that requires grad."""
    return _threshold(input, threshold, value, inplace=True)


_threshold = threshold  # (the parameter named ``threshold`` shadows the function above)

METHODS: dict = {}
# torch.<name> functions this module provides (re-exported by the package root); F has all eight
__all__ = ["celu_", "relu_", "rrelu_", "selu_", "threshold_"]
F_ALL = ["celu_", "elu_", "hardtanh_", "leaky_relu_", "relu_", "rrelu_", "selu_", "threshold_"]
