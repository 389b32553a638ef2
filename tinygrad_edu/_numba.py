"""Optional numba compilation, shared by the compiled kernels.

A few hot loops have a one-pass twin that numba compiles when it is installed (the ``[fast]``
extra): Adam's update (``optim/_adam_kernel.py``) and the LSTM's per-step gate gradients
(``nn/modules/_lstm_kernel.py``). Each is plain Python over array elements, written to round
every float exactly where the NumPy path rounds it, so the compiled result equals the NumPy
path bit for bit, and each has its NumPy path beside it as the reference the tests compare with.

:func:`numba_module` says whether to try numba at all (installed, and ``TINYGRAD_EDU_NUMBA`` is
not ``"0"``); :func:`load_kernel` compiles a kernel module's function once, on first use, and
keeps it in that module's ``_KERNEL`` (``ENABLED = False`` there switches it off);
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


def load_kernel(module_name: str, fn, warm_up, what: str, fallback: str):
    """The compiled ``fn`` of kernel module ``module_name``, or None: compiled on its first use
    (about a second; numba caches the machine code on disk, so a later process loads it) and
    kept in the module's ``_KERNEL``; None while the module's ``ENABLED`` is False, without
    numba, or when numba cannot compile it (then a RuntimeWarning names ``what``)."""
    mod = sys.modules[module_name]
    if not mod.ENABLED:
        return None
    if not mod._LOADED:
        mod._LOADED = True
        numba = numba_module()
        if numba is not None:
            mod._KERNEL = compile_kernel(numba, fn, warm_up, what, fallback)
    return mod._KERNEL
