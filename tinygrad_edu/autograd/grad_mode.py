"""Grad mode: whether ops record the graph (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``), and anomaly mode (``detect_anomaly``).

Both are one flag in :data:`state`, read by ``Function.apply`` on every op call.
"""

from __future__ import annotations

import functools
import warnings


class _State:
    """The engine's switches. ``enabled``: record graphs; ``anomaly``: check gradients for nan;
    ``saved_hooks``: the active (pack, unpack) pair of ``autograd.graph.saved_tensors_hooks``
    or None; ``slow``: anomaly mode or saved-tensor hooks, which the fast paths of
    ``Function.apply`` leave to the general one (one test for both; :func:`update_slow`)."""

    __slots__ = ("enabled", "anomaly", "saved_hooks", "slow")

    def __init__(self):
        self.enabled = True
        self.anomaly = False
        self.saved_hooks = None
        self.slow = False


state = _State()


def update_slow() -> None:
    """Recompute ``state.slow`` after ``anomaly`` or ``saved_hooks`` changed."""
    state.slow = bool(state.anomaly) or state.saved_hooks is not None


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default; off inside ``no_grad``)."""
    return state.enabled


class _GradMode:
    """Base of the grad-mode switches: each is a context manager and a decorator."""

    _mode = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Turn graph recording off: results have ``requires_grad=False`` (torch.no_grad)."""

    _mode = False


class enable_grad(_GradMode):
    """Turn graph recording back on inside ``no_grad`` (torch.enable_grad)."""

    _mode = True


class inference_mode(_GradMode):
    """As ``no_grad`` here (torch also skips version counting there; we keep counting)."""

    _mode = False

    def __init__(self, mode: bool = True):
        self._mode = not mode

    def __call__(self, fn=None):  # usable as @inference_mode and @inference_mode()
        if fn is None:
            return self
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            ctx = inference_mode()
            ctx._mode = mode
            with ctx:
                return fn(*args, **kwargs)

        return wrapper


def _require_bool(mode, op: str) -> None:
    """torch's TypeError for a switch that is not a Python bool (torch refuses NumPy's too)."""
    if not isinstance(mode, bool):
        raise TypeError(f"{op}(): argument 'enabled' (position 1) must be bool, not "
                        f"{type(mode).__name__}")


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` switches at once (as a call) or for a ``with`` block. Raises
    TypeError for a ``mode`` that is not a bool (torch's parser: ``set_grad_enabled("x")``)."""

    def __init__(self, mode: bool):
        _require_bool(mode, "set_grad_enabled")
        self._mode = bool(mode)
        self._prev = state.enabled
        state.enabled = self._mode  # torch applies it immediately when used as a function

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False


class detect_anomaly:
    """Anomaly mode, as torch's: every node records the stack of the forward call that created
    it, and the first backward function that returns a gradient holding nan raises
    RuntimeError ("Function 'SqrtBackward0' returned nan values in its 0th output."), after a
    UserWarning that shows that stack. nan in a forward output and inf anywhere pass (an
    infinite derivative such as sqrt'(0) is legitimate). ``check_nan=False``: no check.
    Entering warns that the mode is for debugging (torch's UserWarning)."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self._prev = state.anomaly
        state.anomaly = self.check_nan
        update_slow()

    def __exit__(self, *exc):
        state.anomaly = self._prev
        update_slow()
        return False


class set_detect_anomaly(detect_anomaly):
    """``set_detect_anomaly(True)`` switches at once (as a call) or for a ``with`` block. Raises
    TypeError for a ``mode`` that is not a bool."""

    def __init__(self, mode: bool, check_nan: bool = True):
        _require_bool(mode, "set_anomaly_enabled")
        self._prev = state.anomaly
        state.anomaly = bool(mode) and check_nan
        update_slow()

    def __enter__(self):
        pass


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` / after ``set_detect_anomaly(True)``: backward then
    checks every gradient for nan and names the node that returned it."""
    return state.anomaly
