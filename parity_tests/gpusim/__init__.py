"""gpusim: a strict, NumPy-backed stand-in for CuPy, so the CUDA path is tested without a GPU.

Tests only: it is never installed or importable as ``cupy``. :func:`install` hands its
``cupy``/``cupyx`` module objects to ``tinygrad_edu.backend`` (the only module that touches
CuPy), after which ``device="cuda"`` tensors hold simulated device arrays. The API (names, kinds,
signatures) is generated from the real ``cupy-cuda12x`` wheel by ``gen_api.py`` into
``cupy_api.json``; the math is NumPy's.

Where it behaves like CuPy 14 (the point of it)
-----------------------------------------------
- ``cupy.ndarray`` is its own type: ``__array__`` raises TypeError, so ``np.asarray(x)``,
  ``np.array(x)`` and anything that silently converts fails, as on a GPU.
- Ufuncs accept device arrays and Python/NumPy scalars only: a NumPy array (even 0-d) or a
  list raises ``TypeError: Unsupported type``. Functions refuse host arrays anywhere in their
  arguments. NumPy ufuncs/functions applied to device arrays dispatch (``__array_ufunc__``,
  ``__array_function__``) to the CuPy function of the same name, and so refuse mixes too.
- Only the names, methods and keyword arguments of the real API exist (e.g. no ufunc
  ``where=``, no ``ndarray.max(initial=)``, no ``__index__``); a call is bound to CuPy's
  recorded signature and raises TypeError where CuPy would.
- Reductions and integer indexing return 0-d device arrays, never host scalars.
- The implicit copies CuPy *does* make are made and logged: host index arrays/lists in
  ``a[idx]``, host values in advanced-index assignment and ``scatter_add``. ``a[basic] =
  host_array`` raises ValueError (CuPy gh-2079).
- Every host<->device copy is counted in :data:`TRANSFERS` (``h2d``/``d2h``, with the calling
  ``file:line``): ``asarray`` of host data (a Python scalar too), ``get``/``asnumpy``,
  ``item``/``tolist``, ``float``/``int``/``bool`` of an array, ``repr``/``str``, pickling.

More lenient than real CuPy
---------------------------
- Numbers are NumPy's: a CPU-exact twin of the numpy backend. A real GPU differs in the last
  bits (reduction order, transcendental kernels, cuBLAS GEMMs), which the parity tolerance for
  GPU float32 (x10) is there to absorb; only a real run checks those numbers.
- No asynchrony, streams, memory limits or second device; no compilation (dtype/kernel
  support gaps of CuPy, e.g. missing float16 routines, do not show).
- Non-ufunc functions accept Python lists/scalars wherever NumPy does (many CuPy functions
  require an ndarray); type promotion and error messages are NumPy 2's (CuPy 14 also follows
  NEP 50, but corner cases and messages differ).
- ``__cuda_array_interface__``, ``__dlpack__``, ``toDlpack``, ``cstruct``, ``mdspan``,
  ``reduced_view`` and ``flat`` are absent or not simulated.

Stricter than real CuPy
-----------------------
- Out-of-bounds integer-array indices raise IndexError (CuPy wraps around silently).
- Uninitialized memory (``empty``, ``empty_like``, ``ndarray(shape)``) is NaN (floats) or a
  sentinel (ints) instead of leftovers, so reading it shows up.
- CuPy names without a NumPy twin (``RawKernel``, ``fuse``, ``cupy.random``, ``cupy.fft``,
  ``r_``/``c_``, streams and events) raise NotImplementedError when used.
- No ``shape`` setter; device arrays take no extra attributes.
"""

from __future__ import annotations

from ._api import CUPY_VERSION
from ._array import ndarray
from ._module import cupy, cupyx
from ._transfers import TRANSFERS, Transfer

__all__ = ["CUPY_VERSION", "TRANSFERS", "Transfer", "cupy", "cupyx", "install", "ndarray",
           "uninstall", "describe"]


def install():
    """Put the simulated device behind ``device="cuda"``; returns what to pass to
    :func:`uninstall` to restore the previous backend state."""
    from tinygrad_edu import backend

    return backend._set_cuda_module(cupy, cupyx, available=True)


def uninstall(previous) -> None:
    from tinygrad_edu import backend

    backend._set_cuda_module(*previous)


def describe() -> str:
    return (f"simulated CuPy {CUPY_VERSION} API (parity_tests/gpusim: NumPy math, "
            "CuPy's host/device wall, transfers counted; no GPU)")
