"""tinygrad_edu: a NumPy tensor-and-autograd engine with the PyTorch API.

``import tinygrad_edu as torch`` and the PyTorch code you know runs here, with every op's
forward and backward written out to read.
"""

from __future__ import annotations


from . import _malloc  # noqa: F401  (keeps freed array memory for the next step; see there)
from . import autograd, cuda, dtype as _dt
from ._format import set_printoptions  # noqa: E402,F401  (torch.set_printoptions)
from ._args import require_tensor as _require_tensor
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from . import random  # noqa: F401  (tg.random, as torch.random)
from .backend import device, get_default_device  # noqa: F401  (torch.get_default_device)
from .creation import (
    BoolTensor, ByteTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor, arange,
    as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones, ones_like,
    tensor, zeros, zeros_like,
)
from .sampling import (
    bernoulli, multinomial, normal, rand, rand_like, randint, randint_like, randn, randn_like,
    randperm,
)
from .factories import *  # noqa: F401,F403
# each ops module lists in __all__ the torch.<name> functions it provides
from .ops.activation import *  # noqa: F401,F403
from .ops.activation2 import *  # noqa: F401,F403
from .ops.activation_inplace import *  # noqa: F401,F403
from .ops.arithmetic import *  # noqa: F401,F403
from .ops.bits import *  # noqa: F401,F403
from .ops.real_complex import *  # noqa: F401,F403
from .ops.copies import *  # noqa: F401,F403
from .ops.diagonal import *  # noqa: F401,F403
from .ops.bitwise import *  # noqa: F401,F403
from .ops.division import *  # noqa: F401,F403
from .ops.difference import *  # noqa: F401,F403
from .ops.exp_log import *  # noqa: F401,F403
from .ops.extrema import *  # noqa: F401,F403
from .ops.gamma import *  # noqa: F401,F403
from .ops.grid_sampler import *  # noqa: F401,F403
from .ops.affine_grid import *  # noqa: F401,F403
from .ops.histogram import *  # noqa: F401,F403
from .ops.index import *  # noqa: F401,F403
from .ops.index_ops import *  # noqa: F401,F403
from .ops.inplace import *  # noqa: F401,F403
from .ops.inplace_views import *  # noqa: F401,F403
from .ops.join import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.logic import *  # noqa: F401,F403
from .ops.matmul import *  # noqa: F401,F403
from .ops.matrix import *  # noqa: F401,F403
from .ops.pointwise import *  # noqa: F401,F403
from .ops.order import *  # noqa: F401,F403
from .ops.padding import *  # noqa: F401,F403
from .ops.quantile import *  # noqa: F401,F403
from .ops.reorder import *  # noqa: F401,F403
from .ops.repeat import *  # noqa: F401,F403
from .ops.reduce import *  # noqa: F401,F403
from .ops.rounding import *  # noqa: F401,F403
from .ops.scatter import *  # noqa: F401,F403
from .ops.scan import *  # noqa: F401,F403
from .ops.search import *  # noqa: F401,F403
from .ops.select import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.shape_as import *  # noqa: F401,F403
from .ops.split import *  # noqa: F401,F403
from .ops.sort import *  # noqa: F401,F403
from .ops.statistics import *  # noqa: F401,F403
from .ops.ternary import *  # noqa: F401,F403
from .ops.trig import *  # noqa: F401,F403
from .ops.unary import *  # noqa: F401,F403
from .ops.upsample_aa import *  # noqa: F401,F403
from .ops.view_scatter import *  # noqa: F401,F403
from .ops.views import *  # noqa: F401,F403
from .ops.softmax import log_softmax_dim as log_softmax, softmax_dim as softmax  # dim: an int
from .tensor import Size, Tensor

__version__ = "0.1.0"

# dtypes, with torch's aliases
bool = _dt.bool_  # noqa: A001
uint8, int8, int16, int32, int64 = _dt.uint8, _dt.int8, _dt.int16, _dt.int32, _dt.int64
float16, bfloat16, float32, float64 = _dt.float16, _dt.bfloat16, _dt.float32, _dt.float64
float, double, half = float32, float64, float16  # noqa: A001
long, int, short = int64, int32, int16  # noqa: A001
dtype = _dt.dtype
from .typeinfo import finfo, iinfo  # noqa: E402
memory_format = _dt.memory_format
contiguous_format, preserve_format = _dt.contiguous_format, _dt.preserve_format
channels_last, channels_last_3d = _dt.channels_last, _dt.channels_last_3d
promote_types, can_cast = _dt.promote_types, _dt.can_cast


from .random import (  # noqa: E402,F401  (torch.manual_seed & co live on torch too)
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)


def is_tensor(obj) -> bool:
    """True when ``obj`` is a tinygrad_edu Tensor (or a Parameter), as torch.is_tensor.
    Raises nothing (any object is accepted)."""
    return isinstance(obj, Tensor)


def numel(input) -> builtins_int:  # type: ignore[name-defined]  # noqa: F821
    """The number of elements of ``input`` (the product of its shape; 1 for 0-d).

    Shapes: any; returns a Python bool / int. Raises TypeError for an input that is not a Tensor.
    """
    _require_tensor(input, "numel")
    return input.numel()


def get_default_dtype():
    """The default floating dtype (``torch.get_default_dtype``): the dtype a float Python
    number or list becomes, and factories without ``dtype=`` make. float32 at start; changed
    for the whole process by :func:`set_default_dtype`. Raises nothing."""
    return _dt.default_float()


set_default_dtype = _dt.set_default_dtype  # torch.set_default_dtype (rules: see there)


def set_default_tensor_type(t) -> None:
    """``torch.set_default_tensor_type`` (deprecated in torch 2.1, which warns; use
    :func:`set_default_dtype`): ``t`` a floating legacy type (``tg.DoubleTensor``) or its name
    (``"torch.DoubleTensor"``; ``Float``, ``Double``, ``Half``, ``BFloat16``) sets the default
    dtype to its dtype. Raises TypeError for an integer or bool type ("only floating-point
    types are supported as the default type") and for a non-type ("invalid type object: ...");
    a name that does not resolve raises what importing it does (ModuleNotFoundError,
    AttributeError)."""
    import warnings as _warnings

    _warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                   "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                   UserWarning, stacklevel=2)
    from .creation import LEGACY_TYPES

    by_name = {lt.__name__: lt.dtype for lt in LEGACY_TYPES.values()}
    by_name.update(HalfTensor=_dt.float16, BFloat16Tensor=_dt.bfloat16)
    if isinstance(t, str):
        mod, _, name = t.rpartition(".")  # torch imports the dotted name
        if mod not in ("torch", "tinygrad_edu"):
            raise ModuleNotFoundError(f"No module named '{mod or name}'")
        if name not in by_name:
            raise AttributeError(f"module '{mod}' has no attribute '{name}'")
        d = by_name[name]
    elif t in tuple(LEGACY_TYPES.values()):
        d = t.dtype
    else:
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    _dt.set_default_dtype(d)


def set_num_threads(n) -> None:
    """Accepted for compatibility: NumPy's BLAS threads are set by the environment."""


def get_num_threads():
    """The number of CPU cores (os.cpu_count()). NumPy's BLAS picks its own thread count
    from the environment (OMP_NUM_THREADS and friends) when NumPy is imported; see
    :func:`set_num_threads` and the benchmarks page.
    """
    import os as _os

    return _os.cpu_count() or 1



def result_type(a, b):
    """The dtype torch would give ``a op b`` (torch.result_type): tensors outrank 0-d tensors,
    which outrank Python numbers, within the same category (bool < integer < floating); a
    higher category always wins (``int64 tensor + 1.5`` → the default float dtype).
    """
    return _dt.result_type(a, b)


def is_floating_point(input):
    """True when ``input``'s dtype is floating (float16/32/64).

    Shapes: any; returns a Python bool / int. Raises TypeError for an input that is not a Tensor.
    """
    _require_tensor(input, "is_floating_point")
    return input.is_floating_point()


import builtins as _builtins  # noqa: E402

builtins_int = _builtins.int

# torch.backends.cudnn.deterministic = True and similar switches in seed code are accepted
from . import backends  # noqa: E402,F401

from . import linalg, nn, optim, signal, utils  # noqa: E402,F401
from .nn.functional.pixelshuffle import (  # noqa: E402,F401  (torch.pixel_shuffle & co)
    channel_shuffle, pixel_shuffle, pixel_unshuffle,
)
from .nn.functional.native import *  # noqa: E402,F401,F403  (torch.native_layer_norm & co)
from . import masked  # noqa: E402,F401  (tg.masked, as torch.masked)
from .serialization import load, save  # noqa: E402,F401
from . import serialization  # noqa: E402,F401
from . import inspect  # noqa: E402,F401  (tg.inspect: graph, trace, gradcheck tools)
from . import special  # noqa: E402,F401  (tg.special, as torch.special)
from . import testing  # noqa: E402,F401  (tg.testing: assert_close, make_tensor)
from . import accelerator  # noqa: E402,F401  (tg.accelerator, as torch.accelerator)
from .autograd import functional as _autograd_functional  # noqa: E402,F401  (needs the ops)
from . import func  # noqa: E402,F401  (tg.func, as torch.func: grad, vmap, jacrev, ...)
from .func import vmap  # noqa: E402,F401  (tg.vmap, as torch.vmap)
