"""Optional numba compilation, shared by the compiled kernels.

A few hot loops have a one-pass twin that numba compiles when it is installed (the ``[fast]``
extra): Adam's update (``optim/_adam_kernel.py``) and the LSTM's per-step gate gradients
(``nn/modules/_lstm_kernel.py``). Each is plain Python over array elements, written to round
every float exactly where the NumPy path rounds it, so the compiled result equals the NumPy
path bit for bit, and each has its NumPy path beside it as the reference the tests compare with.

:func:`numba_module` says whether to try numba at all (installed, and ``TINYGRAD_EDU_NUMBA`` is
not ``"0"``); :func:`load_kernel` compiles a kernel module's function once, on first use, and
keeps it in that module's ``_KERNELS`` dict under the function's name (``ENABLED = False``
there switches the module's kernels off);
:func:`compile_kernel` compiles one function with the options every kernel uses:

* ``error_model="numpy"``: a division by zero gives inf/nan as NumPy does, no exception;
* no ``fastmath``: no reassociation and no fused multiply-add, so every product and sum is
  rounded on its own, as in NumPy;
* ``cache=True`` where a cache directory is writable (a later process loads the machine code).
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np

MIN_ELEMENTS = 1 << 14  # an elementwise kernel's call (numba's argument dispatch, ~2-3 µs)
# costs more than it saves on fewer elements than this (measured on BatchNorm and ReLU)


def takes(*arrays, min_size: int = 0) -> bool:
    """Whether a compiled loop can take these arrays: NumPy arrays of one float dtype (float32
    or float64), C-contiguous, the first with at least ``min_size`` elements. The loops index
    without bounds checks, so every kernel module asks this (or a stricter question) first."""
    a0 = arrays[0]
    if type(a0) is not np.ndarray or a0.dtype not in (np.float32, np.float64):
        return False
    if a0.size < min_size:
        return False
    return all(type(a) is np.ndarray and a.dtype == a0.dtype and a.flags.c_contiguous
               for a in arrays)


def numba_module():
    """The numba module, or None when it is not installed or ``TINYGRAD_EDU_NUMBA=0``."""
    if os.environ.get("TINYGRAD_EDU_NUMBA", "1") == "0":
        return None
    try:
        import numba
    except ImportError:
        return None
    return numba


def compile_kernel(numba, fn, warm_up, what: str, fallback: str):
    """``fn`` compiled by ``numba.njit``, or None (with a RuntimeWarning naming ``what`` and the
    ``fallback`` path) when numba cannot compile it. ``warm_up(compiled)`` calls it once per
    dtype it will see, so compiling happens here and not inside someone's training step."""
    options = dict(error_model="numpy", nogil=True)
    try:
        compiled = numba.njit(cache=True, **options)(fn)
    except Exception:  # no writable cache location: compile in each process instead
        compiled = numba.njit(**options)(fn)
    try:
        warm_up(compiled)
    except Exception as err:  # a numba that cannot compile it: the NumPy path still works
        warnings.warn(f"tinygrad_edu: numba could not compile the {what} kernel ({err!r}); "
                      f"{fallback}", RuntimeWarning, stacklevel=4)
        return None
    return compiled


def load_kernel(module_name: str, fn, warm_up, what: str, fallback: str, helpers=()):
    """The compiled ``fn`` of kernel module ``module_name``, or None: compiled on its first use
    (about a second; numba caches the machine code on disk, so a later process loads it) and
    kept in the module's ``_KERNELS[fn.__name__]`` (None there: tried, not available); None
    while the module's ``ENABLED`` is False, without numba, or when numba cannot compile it
    (then a RuntimeWarning names ``what``). ``helpers``: plain functions ``fn`` calls, compiled
    first and bound in place of the plain ones for the compiled ``fn`` only."""
    mod = sys.modules[module_name]
    if not mod.ENABLED:
        return None
    kernels = mod._KERNELS
    name = fn.__name__
    if name not in kernels:
        numba = numba_module()
        if numba is not None and helpers:
            fn = _with_compiled_helpers(numba, fn, helpers)
        kernels[name] = (None if numba is None
                         else compile_kernel(numba, fn, warm_up, what, fallback))
    return kernels[name]


def _with_compiled_helpers(numba, fn, helpers):
    """A copy of ``fn`` whose global names of ``helpers`` are their numba-compiled versions
    (numba compiles only calls to compiled functions; the module keeps its plain ones)."""
    import types

    scope = dict(fn.__globals__)
    for h in helpers:
        scope[h.__name__] = numba.njit(error_model="numpy", nogil=True, inline="always")(
            types.FunctionType(h.__code__, scope, h.__name__, h.__defaults__))
    return types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__)
