"""Optional one-pass Adam kernel, compiled by numba when numba is installed.

NumPy has no fused ``lerp``/``addcmul``/``addcdiv``: :meth:`Adam.step`'s NumPy path makes 13
passes over each parameter-sized array (lerp 3, second moment 4, denominator 3, update 3), where
torch's single-tensor Adam makes 7. :func:`adam_elementwise` below is the same update written
as one loop over the elements: each line is one of those NumPy passes, on one element, in the
same order and in the parameter's dtype, so each float is rounded exactly where NumPy rounds
it and the result equals the NumPy path bit for bit (``parity_tests/test_adam_kernel.py``
checks it against :func:`~tinygrad_edu.optim.adam.reference` and against the NumPy path).

numba compiles that loop (one pass: p, d, m, v read once, p, m, v written once) with
``error_model="numpy"`` (a division by zero gives inf/nan as NumPy does, no exception) and
without ``fastmath`` (so no reassociation and no fused multiply-add: every product and sum is
rounded on its own, as in NumPy). Measured at 567k float32 parameters on a 2-core AMD EPYC,
one thread: ~0.11 ms against ~0.62 ms for the 13 NumPy passes.

numba is optional: without it (or with ``TINYGRAD_EDU_NUMBA=0``) :func:`kernel` returns None
and Adam runs its NumPy passes. The kernel takes only what it was written for: NumPy arrays,
float32 or float64, all C-contiguous, of one dtype and size; anything else takes the NumPy path.
"""

from __future__ import annotations

import numpy as np

from .._numba import load_kernel

_KERNELS: dict = {}  # the compiled kernel (None: not available), filled on first use
ENABLED = True  # False: kernel() answers None (the benchmark's "NumPy passes" row sets it)


def adam_elementwise(p, d, m, v, vmax, amsgrad, small, w, b2, c2, nss, bc2s, eps):
    """One Adam(W) update, element by element, in place on the flat arrays ``p, m, v`` (and
    ``vmax`` when ``amsgrad``; otherwise pass ``v`` again, it is not touched).

    ``d`` is the gradient the rule sees (already negated for maximize, plus wd·p for Adam's L2
    decay); the scalars are of the arrays' dtype: ``w`` the lerp weight (1 - β1, or β1 on
    torch's other branch, ``small`` False), ``b2 = β2``, ``c2 = 1 - β2``,
    ``nss = -lr / (1 - β1^t)``, ``bc2s = sqrt(1 - β2^t)``, ``eps``. Each line is one NumPy pass
    of :meth:`Adam.step` (the comment names it).
    """
    for i in range(p.size):
        di = d[i]
        mi = m[i]
        if small:  # m = m + w·(d - m)          (t = d - m; t = t·w; m = m + t)
            mi = mi + (di - mi) * w
        else:  # m = d - (d - m)·(1 - w)       (t = d - m; t = t·(1 - w); m = d - t)
            mi = di - (di - mi) * w
        m[i] = mi
        vi = v[i] * b2 + (di * c2) * di  # v = v·β2; t = d·(1 - β2); t = t·d; v = v + t
        v[i] = vi
        if amsgrad:  # vmax = np.maximum(vmax, v): nan if either is nan
            a = vmax[i]
            if not (a != a or a >= vi):
                a = vi
            vmax[i] = a
            vi = a
        den = np.sqrt(vi) / bc2s + eps  # den = sqrt(v); den = den / bc2s; den = den + eps
        p[i] = p[i] + (mi * nss) / den  # t = m·nss; t = t / den; p = p + t


def kernel():
    """The compiled :func:`adam_elementwise`, or None without numba (or TINYGRAD_EDU_NUMBA=0).

    Compiled on first use for float32 and float64 (about a second; numba caches the machine
    code on disk, so a later process loads it). If numba is installed but cannot compile it,
    a RuntimeWarning says so and Adam keeps its NumPy passes."""
    return load_kernel(__name__, adam_elementwise, _warm_up, "Adam", "Adam uses its NumPy passes")


def _warm_up(fn):
    for dtype in (np.float32, np.float64):  # compile now, not inside someone's step
        a = np.ones(2, dtype)
        f = a.dtype.type
        fn(a, a.copy(), a.copy(), a.copy(), a.copy(), True, True, *(f(0.5),) * 6)


def flat_views(*arrays):
    """The arrays as 1-D views when the kernel can take them (NumPy, float32/float64, one
    dtype, one size, C-contiguous, writeable), else None."""
    a0 = arrays[0]
    if type(a0) is not np.ndarray or a0.dtype not in (np.float32, np.float64):
        return None
    for a in arrays:
        flags = a.flags if type(a) is np.ndarray else None
        if (flags is None or a.dtype != a0.dtype or a.size != a0.size
                or not flags.c_contiguous or not flags.writeable):
            return None
    return [a.reshape(-1) for a in arrays]
