"""Random tensors: rand, randn, randint, randperm, the ``*_like`` draws, normal, bernoulli and
multinomial — drawn on the host from torch's generator (:mod:`tinygrad_edu.random`), each by
torch's CPU recipe, so the same seed gives torch's numbers; then copied to the tensor's device
in one transfer. normal and bernoulli join the graph with torch's zero gradients.
"""

from __future__ import annotations

import numpy as np

from . import dtype as _dt
from . import random as _random
from ._args import no_kernel, require_tensor
from ._draw_out import into as _into
from ._rng import kernels as _k
from .autograd.function import Function
from .backend import get_array_module, to_device
from .creation import _finish, _like, _size, draw_on, zeros_like
from .tensor import Tensor


def _float_dtype(dtype, op: str, name: str):
    d = _dt.to_dtype(dtype, name) if dtype is not None else _dt.default_float()
    if not d.is_floating_point:
        raise NotImplementedError(f'"{op}" not implemented for \'{_dt_name(d)}\'')
    return d


_dt_name = _dt.torch_type_name


# ---- random tensors: drawn on the host from torch's generator (see tinygrad_edu/random.py) ------
# Each is torch's recipe: an empty tensor filled by the in-place sampler (rand = uniform_(0, 1),
# randn = normal_(0, 1), randint = random_(low, high) ...), so the same seed gives torch's values.


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """U[0, 1) of ``size``: float32 takes the low 24 bits of one 32-bit word (× 2⁻²⁴), float64
    the low 53 bits of two words, float16 the float32 value rounded; torch's stream for the
    same seed.

    Raises TypeError for a non-int size, RuntimeError for a negative one.
    """
    d = _float_dtype(dtype, "check_uniform_bounds", "rand")
    arr = draw_on(device, _size(size, "rand"), d, lambda s: _k.uniform(_engine(generator), s, d.np))
    return _finish(arr, None, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """N(0, 1) of ``size`` by Box–Muller, on torch's two paths: fewer than 16 elements one value
    at a time (float64 math, second value cached in the generator); 16 or more in blocks of 16
    (the last 16 redone when the size is not a multiple of 16; float16 computes the blocks in
    float32 and draws no words for the partial last block).

    Raises TypeError for a non-int size, RuntimeError for a negative one.
    """
    d = _float_dtype(dtype, "normal_kernel_cpu", "randn")
    arr = draw_on(device, _size(size, "randn"), d, lambda s: _k.normal(_engine(generator), s, d.np))
    return _finish(arr, None, device, requires_grad)


def _check_range(low: int, high: int) -> None:
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers uniform on [low, high): low + (w mod (high − low)) with w one 32-bit word (a
    64-bit one when high − low ≥ 2³²). ``randint(high, size)`` means low = 0. int64 default.

    Raises RuntimeError for high ≤ low or a negative size, ValueError for a bound beyond int64.
    """
    if size is None:
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: expected (low=0, high, size)")
    low, high = int(low), int(high)
    if not -2**63 <= min(low, high) <= max(low, high) < 2**63:  # torch's parser: int64 args
        raise ValueError(f"randint(): Overflow when unpacking long long (low {low}, high {high})")
    _check_range(low, high)
    d = _dt.to_dtype(dtype, "randint") if dtype is not None else _dt.int64
    arr = draw_on(device, _size((size,), "randint"), d,
                  lambda s: _k.random_from_to(_engine(generator), s, d.np, low, high))
    return _finish(arr, None, device, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random permutation of 0..n−1 (forward Fisher–Yates on 32-bit words, as torch), in
    ``dtype`` (int64 by default).

    Raises RuntimeError for a negative n, or an n the dtype cannot count to exactly (above
    2049 for float16, 2^24 + 1 for float32, the integer maximum + 1); NotImplementedError for
    bool. bfloat16 has no limit in torch: each i is rounded to bfloat16 (so beyond 256 the
    values repeat), then shuffled.
    """
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    d = _dt.to_dtype(dtype, "randperm") if dtype is not None else _dt.int64
    _check_randperm_dtype(n, d)
    arr = draw_on(device, (n,), d, lambda s: _k.from_int64(_k.randperm(_engine(generator), n),
                                                             d.np.type))
    return _finish(arr, None, device, requires_grad)


_RANDPERM_FLOAT = {"float16": (2049, "2049 for Half"),
                   "float32": ((1 << 24) + 1, "2^24+1 for Float"),
                   "float64": ((1 << 53) + 1, "2^53+1 for Double")}
_C_INT = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int"}


def _check_randperm_dtype(n: int, d) -> None:
    """torch's ``check_supported_max_int_with_precision``: n − 1 must fit the dtype, and a
    float dtype must hold every integer up to n."""
    name = d.np.name
    if d.np == np.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if name in _C_INT and n - 1 > np.iinfo(d.np).max:
        raise RuntimeError(f"value cannot be converted to type {_C_INT[name]} without overflow")
    if name in _RANDPERM_FLOAT and n > _RANDPERM_FLOAT[name][0]:
        raise RuntimeError(f"n cannot be greater than {_RANDPERM_FLOAT[name][1]} type.")


def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """A new tensor of ``input``'s shape of U[0, 1) draws from the generator (torch's CPU stream:
    same seed, same numbers); dtype and device default to ``input``'s (``dtype=``/``device=``
    override them). Shapes: out has input's shape (any, 0-d and empty included). ``memory_format``
    is accepted and ignored (every tensor here is contiguous row-major). Raises TypeError when
    ``input`` is not a Tensor. Raises NotImplementedError for a non-floating dtype (torch's type).
    """
    d, dev = _like(input, dtype, device, "rand_like")
    return rand(tuple(input.shape), generator=generator, dtype=d, device=dev,
                requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """A new tensor of ``input``'s shape of N(0, 1) draws from the generator (torch's CPU stream:
    same seed, same numbers); dtype and device default to ``input``'s (``dtype=``/``device=``
    override them). Shapes: out has input's shape (any, 0-d and empty included). ``memory_format``
    is accepted and ignored (every tensor here is contiguous row-major). Raises TypeError when
    ``input`` is not a Tensor. Raises NotImplementedError for a non-floating dtype (torch's type).
    """
    d, dev = _like(input, dtype, device, "randn_like")
    return randn(tuple(input.shape), generator=generator, dtype=d, device=dev,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad=False) -> Tensor:
    """``randint`` with ``input``'s shape, dtype and device (``randint_like(x, high)`` too).

    Shapes: the input's shape. Raises RuntimeError for high ≤ low.
    """
    if high is None:
        low, high = 0, low
    d, dev = _like(input, dtype, device, "randint_like")
    return randint(low, high, tuple(input.shape), generator=generator, dtype=d, device=dev,
                   requires_grad=requires_grad)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, layout=None,
           device=None, pin_memory=False, requires_grad=False) -> Tensor:
    """N(mean, std²), torch's four overloads:

    - ``normal(mean: Tensor, std: Tensor)``: standard normals of the broadcast shape, · std + mean;
    - ``normal(mean: Tensor, std: float)``: N(0, std²) of mean's shape, + mean;
    - ``normal(mean: float, std: Tensor)``: standard normals of std's shape, · std + mean;
    - ``normal(mean: float, std: float, size)``: ``empty(size).normal_(mean, std)``.
    The result has the tensor argument's dtype (mean's when both are tensors).

    Raises RuntimeError for a negative std; NotImplementedError for a ``layout`` other than
    ``strided`` (as torch's sparse layouts) or a non-floating mean or std tensor.
    """
    if layout is not None and getattr(layout, "name", "strided") != "strided":
        raise NotImplementedError(f"normal: could not run 'aten::normal_' with layout {layout} "
                                  "(tinygrad_edu tensors are strided only)")
    g = _engine(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    for t in (mean, std):
        if isinstance(t, Tensor):
            no_kernel(t, "normal_kernel_cpu", "biu")
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected a size for float mean and std")
        _check_std(std)
        d = _float_dtype(dtype, "normal_kernel_cpu", "normal")
        arr = _k.normal(g, _size((size,), "normal"), d.np, mean, std)
        return _finish(arr, None, device, requires_grad)
    if st:
        s = _to_host(std)
        if s.size and (s < 0).any():
            raise RuntimeError(f"normal expects all elements of std >= 0.0 (std shape "
                               f"{list(std.shape)})")
    ref = mean if mt else std
    dt = ref._data.dtype
    if mt and st:
        try:
            shape = np.broadcast_shapes(tuple(mean.shape), tuple(std.shape))
        except ValueError:
            raise RuntimeError(f"normal: mean of shape {list(mean.shape)} and std of shape "
                               f"{list(std.shape)} do not broadcast") from None
        z = _on(_k.normal(g, shape, dt), ref)  # drawn on the host, one copy to the device
    elif mt:
        _check_std(std)
        z = _on(_k.normal(g, tuple(mean.shape), dt, 0.0, std), ref)
    else:
        z = _on(_k.normal(g, tuple(std.shape), dt), ref)
    out = NormalFn.apply(z, mean, std)
    if out._node is not None:  # torch names the node by overload: Tensor_float, float_Tensor, ...
        out._node.node_name = f"NormalBackward{3 if mt and st else 1 if mt else 2}"
    return out.requires_grad_(True) if requires_grad and not out.requires_grad else out


class NormalFn(Function):
    """y = z·std + mean for a fixed draw z (z ~ N(0, 1), or N(0, std²) when std is a float).

    torch treats the draw as a constant that does not depend on its parameters:
    ∂y/∂mean = 0 and ∂y/∂std = 0 (derivatives.yaml, normal.Tensor_Tensor), so the output joins
    the graph (requires grad when mean or std does) but sends back zeros, never the
    reparameterized z — use ``mean + std * randn_like(std)`` for that.
    """

    array_io = True
    opmath = False  # each step rounds to the output dtype, float16 and bfloat16 too (forward)

    @staticmethod
    def forward(ctx, z, mean, std):
        # torch: output.normal_(0, 1).mul_(std).add_(mean) (or normal_(0, std).add_(mean)), each
        # in-place step computed in the opmath type (float32 for float16/bfloat16) and rounded
        # to the output dtype; a float mean is first a 0-d tensor of that dtype (at::full)
        dt = z.dtype
        op = np.float64 if dt == np.float64 else np.float32
        if isinstance(mean, (int, float)):
            mean = _k.from_double(np.float64(mean), dt.type)
        if not isinstance(std, (int, float)):
            z = (z.astype(op) * std.astype(op)).astype(dt)
        return (z.astype(op) + mean.astype(op)).astype(dt)

    @staticmethod
    def backward(ctx, g):
        zero = _zero_grad(g)  # ∂y/∂mean = ∂y/∂std = 0 (summed back to each input's shape)
        return None, zero, zero


def _check_std(std) -> None:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def _on(arr: np.ndarray, like: Tensor):
    """A host draw moved to ``like``'s device (no copy on the CPU)."""
    return arr if isinstance(like._data, np.ndarray) else to_device(arr, like.device)


def _to_host(t: Tensor) -> np.ndarray:
    from .backend import to_numpy

    return to_numpy(t._data)


def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 draws, 1 with probability ``input`` (elementwise) or ``p`` (a float, for every
    element); the result has ``input``'s shape, dtype and device. u < p with u a float64
    uniform, or a float32 one (24 bits) when the probabilities are a float32 tensor.

    Shapes: the input's shape. Raises RuntimeError for probabilities outside [0, 1],
    NotImplementedError for non-floating probabilities (``p`` given: any dtype draws).
    Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "bernoulli")
    g = _engine(generator)
    dt = input._data.dtype
    if p is None:
        no_kernel(input, "bernoulli_tensor_cpu_p_", "biu")
        probs = _to_host(input)
        if probs.size and not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("bernoulli: expected all probabilities of input in [0, 1] "
                               f"(input shape {list(input.shape)})")
        arr = _k.bernoulli_tensor(g, probs, dt)
    else:
        arr = _k.bernoulli_scalar(g, tuple(input.shape), dt, _check_p(p))
    arr = _on(np.asarray(arr, dtype=dt), input)  # a 0-d draw stays an array
    if out is not None:
        return _into(out, arr, input, "bernoulli")
    return BernoulliFn.apply(arr, input)


class BernoulliFn(Function):
    """y = a fixed 0/1 draw with P(y = 1) = p. torch: ∂y/∂p = 0 (derivatives.yaml,
    bernoulli: ``self: zeros_like(grad)``): the output joins the graph when p requires grad,
    and sends back zeros (a score-function estimator is the user's to write)."""

    array_io = True

    @staticmethod
    def forward(ctx, y, p):
        return y

    @staticmethod
    def backward(ctx, g):
        return None, _zero_grad(g)  # ∂y/∂p = 0


def _zero_grad(g):
    """Zeros shaped like the upstream gradient ``g`` (an array, or a Tensor under create_graph);
    not ``g * 0``, which is nan where g is ±inf."""
    if isinstance(g, Tensor):
        return zeros_like(g)
    return get_array_module(g).zeros_like(g)


def _check_p(p) -> float:
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return p


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None) -> Tensor:
    """``num_samples`` category indices per row of the weights ``input`` (1-D or 2-D, int64).

    Shapes: input (C,) → (num_samples,); (N, C) → (N, num_samples), int64.
    Without replacement (and for a single sample): the top ``num_samples`` of p / q with
    q ~ Exp(1) per entry. With replacement: a float64 uniform per sample placed in the
    normalized cumulative weights. Raises RuntimeError (torch's messages) for negative, inf or
    nan weights, a zero row, more samples than categories without replacement, a non-float
    ``input``, and an ``out`` that is not int64. Raises TypeError when ``input`` is not a Tensor.
    """
    require_tensor(input, "multinomial")
    p = _to_host(input)
    if p.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim (got shape "
                           f"{list(input.shape)})")
    if _dt.kind_of(p.dtype) != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_dt_name(input.dtype)}")
    if p.shape[-1] > 2**24:  # torch checks the size before any value
        raise RuntimeError(f"multinomial: number of categories cannot exceed 2^24 (got "
                           f"{p.shape[-1]})")
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError("multinomial: cannot sample n_sample <= 0 samples")
    if not replacement and n > p.shape[-1]:
        raise RuntimeError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement (n_sample={n}, shape {list(input.shape)})")
    if out is not None and out._data.dtype != np.int64:
        raise RuntimeError(f"multinomial expects Long tensor out, got: {_dt_name(out.dtype)}")
    rows = np.atleast_2d(p)
    if not replacement or n == 1:  # torch's top-k path checks every entry at once
        if not (np.isfinite(rows).all() and (rows >= 0).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    elif not (rows >= 0).all():  # nan fails ``>= 0`` too, and torch reports it as ``< 0``
        raise RuntimeError("invalid multinomial distribution (encountering probability "
                           "entry < 0)")
    elif not np.isfinite(rows).all():
        raise RuntimeError("invalid multinomial distribution (encountering probability "
                           "entry = infinity or NaN)")
    if (rows.sum(-1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    g = _engine(generator)
    if replacement and n > 1:
        arr = _k.multinomial_with_replacement(g, rows, n)
    else:  # torch: argmax, or topk (libstdc++'s order of ties), of p / q with q ~ Exp(1)
        from .ops.sort import topk_indices  # here: ops imports this module

        score = _k.multinomial_scores(g, rows)
        arr = (np.argmax(score, axis=-1)[:, None] if n == 1
               else topk_indices(score, n, -1, largest=True, sorted_=True))
    arr = arr.reshape(p.shape[:-1] + (n,))
    if out is not None:
        return _into(out, arr, input, "multinomial")
    return _finish(arr, None, input.device, False)


def _engine(generator):
    return _random.engine_of(generator)
