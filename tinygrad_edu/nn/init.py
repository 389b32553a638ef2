"""``nn.init``: fill a tensor in place (under no_grad) from the host generator.

The formulas and the draws are torch's (``tensor.uniform_`` / ``tensor.normal_`` on torch's
generator, see ``tinygrad_edu/random.py``), so after ``tg.manual_seed(s)`` a model starts from
exactly the weights torch gives it for the same seed. ``generator=`` draws from another stream.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..autograd import no_grad
from ..backend import get_array_module, to_device, to_numpy
from ..dtype import REDUCED_FLOATS as _REDUCED
from ..dtype import torch_type_name as _type_name
from ..sampling import randperm
from ..tensor import Tensor


def _fill(tensor: Tensor, arr) -> Tensor:
    """Write a host array into ``tensor``'s storage in place (the same array object)."""
    d = tensor._data
    if get_array_module(d) is not np:
        arr = to_device(np.asarray(arr), tensor.device)
    with no_grad():
        get_array_module(d).copyto(d, arr, casting="unsafe")
    tensor._version += 1
    return tensor


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The recommended gain for a nonlinearity (torch's table).

    Raises ValueError for an unknown nonlinearity or a non-number leaky_relu slope.
    """
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor):
    dims = tensor.dim()
    if dims < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    num_input_fmaps = tensor.shape[1]
    num_output_fmaps = tensor.shape[0]
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return num_input_fmaps * receptive, num_output_fmaps * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with U(a, b).

    Shapes: any; filled in place.

    Raises AttributeError for a non-Tensor.
    """
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with N(mean, std²).

    Shapes: any; filled in place.

    Raises AttributeError for a non-Tensor.
    """
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill with N(mean, std²) truncated to [a, b], torch's two samplers:

    - when [a, b] holds more than 30% of the mass: draw N(mean, std²) for the whole tensor,
      then redraw a whole tensor and take its values where the current ones fall outside,
      until none do;
    - otherwise: rejection from U(a, b), accepting x when log u' ≤ −½((x − mean)/std)² − log
      of the peak density, with u' ~ U(0, 1), redrawing candidates and u' until all accepted.
    (The second compares logarithms of float uniforms: a value a rounding away from its
    threshold may be accepted differently than by torch's vectorized log, which is rare.)

    Shapes: any; filled in place.

    Raises AttributeError for a non-Tensor.
    """
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)

    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
    dt = tensor._data.dtype.type
    with no_grad():
        if p > 0.3:
            lo, hi = float(dt(a)), float(dt(b))
            host = Tensor._wrap(np.empty(tensor.shape, dtype=dt))  # draw on the host: one copy
            result = host.normal_(mean, std, generator=generator).numpy()
            while True:
                bad = (result < lo) | (result > hi)
                if not bad.any():
                    break
                fresh = Tensor._wrap(np.empty(result.shape, dtype=result.dtype))
                fresh = fresh.normal_(mean, std, generator=generator).numpy()
                result = np.where(bad, fresh, result)
            return _fill(tensor, result)
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def log_pdf(x):
            return ((((x - dt(mean)) / dt(std)) ** 2) * dt(-0.5) - dt(log_peak)).astype(dt)

        def accept_draw():
            buf = Tensor._wrap(np.empty(tensor.shape, dtype=dt))
            with np.errstate(divide="ignore"):  # u = 0 (bfloat16: 1 in 512): −inf, accepted
                return np.log(buf.uniform_(generator=generator).numpy())

        host = Tensor._wrap(np.empty(tensor.shape, dtype=dt))
        result = host.uniform_(a, b, generator=generator).numpy()
        pending = accept_draw() > log_pdf(result)
        while pending.any():
            cand = Tensor._wrap(np.empty(tensor.shape, dtype=dt))
            cand = cand.uniform_(a, b, generator=generator).numpy()
            result = np.where(pending, cand, result)
            pending = np.where(pending, accept_draw() > log_pdf(cand), pending)
        return _fill(tensor, result)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with ``val`` in place, under no_grad (so a Parameter may be filled), keeping
    its dtype and device; bumps its version. Returns ``tensor``. Shapes: any.

    Raises AttributeError for a non-Tensor.
    """
    return _fill(tensor, np.full(tensor.shape, val))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with 0 in place, under no_grad (so a Parameter may be filled), keeping
    its dtype and device; bumps its version. Returns ``tensor``. Shapes: any.

    Raises AttributeError for a non-Tensor.
    """
    return _fill(tensor, np.zeros(tensor.shape))


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with 1 in place, under no_grad (so a Parameter may be filled), keeping
    its dtype and device; bumps its version. Returns ``tensor``. Shapes: any.

    Raises AttributeError for a non-Tensor.
    """
    return _fill(tensor, np.ones(tensor.shape))


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix.

    Shapes: (n, m); filled in place. Raises ValueError for a tensor that is not 2-D.
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """U(−b, b) with b = gain·√(6 / (fan_in + fan_out))  (Glorot & Bengio).

    Shapes: any shape of at least 2 dims (fan_in = size(1)·receptive field, fan_out =
    size(0)·receptive field); filled in place. Raises ValueError for a tensor below 2 dims (no
    fan-in/fan-out).
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).

    Shapes: any shape of at least 2 dims (fan_in = size(1)·receptive field, fan_out =
    size(0)·receptive field); filled in place. Raises ValueError for a tensor below 2 dims (no
    fan-in/fan-out).
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """U(−b, b) with b = gain·√(3 / fan)  (He et al.).

    Shapes: any shape of at least 2 dims (fan_in = size(1)·receptive field, fan_out =
    size(0)·receptive field); filled in place. Raises ValueError for a tensor below 2 dims (no
    fan-in/fan-out).
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std  # torch's order of operations: the same float bound
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """N(0, std²) with std = gain / √fan.

    Shapes: any shape of at least 2 dims (fan_in = size(1)·receptive field, fan_out =
    size(0)·receptive field); filled in place. Raises ValueError for a tensor below 2 dims (no
    fan-in/fan-out).
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix (Saxe et al.): Q of the QR factorization of a
    standard-normal (rows, cols) matrix (transposed when rows < cols), columns' signs fixed
    by diag(R), times ``gain``. The normal draws are torch's; the QR is NumPy's LAPACK, so the
    result agrees with torch's to rounding, not bit for bit.

    Shapes: at least 2 dims (viewed as (size(0), numel/size(0))); filled in place. Raises ValueError
    for a tensor below 2 dims, NotImplementedError for float16 and bfloat16 (after the draws, as
    torch).
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = Tensor._wrap(np.empty((rows, cols), dtype=tensor._data.dtype))
    flat = flat.normal_(0, 1, generator=generator).numpy()
    if flat.dtype in _REDUCED:  # torch draws, then its QR (geqrf) has no kernel for them
        name = _type_name(flat.dtype)
        raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{name}'")
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (q * gain).reshape(tensor.shape))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """N(0, std²) with ``ceil(sparsity·rows)`` zeros per column, at rows from a fresh
    ``randperm(rows)`` per column (drawn from the default generator, as torch does).

    Shapes: (rows, cols); filled in place. Raises ValueError for a tensor that is not 2-D.
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    normal_(tensor, 0, std, generator)
    vals = to_numpy(tensor._data).copy()
    for col in range(cols):
        vals[randperm(rows).numpy()[:num_zeros], col] = 0
    return _fill(tensor, vals)


# torch's deprecated spellings without the trailing underscore
uniform, normal, constant = uniform_, normal_, constant_
xavier_uniform, xavier_normal = xavier_uniform_, xavier_normal_
kaiming_uniform, kaiming_normal = kaiming_uniform_, kaiming_normal_


def default_layer_init_(weight, bias=None) -> None:
    """torch's default init of Linear and Conv layers: ``kaiming_uniform_(a=√5)``, i.e.
    W ~ U(±1/√fan_in), and bias ~ U(±1/√fan_in) (fan_in = in_features, or C/groups·kh·kw).

    Shapes: weight (out, in, *) (at least 2-D), bias (out,); filled in place.

    Raises ValueError for a weight below 2 dims (no fan-in).
    """
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
