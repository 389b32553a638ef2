"""The argument-type rules that need no Tensor (so ``tensor.py`` itself can use them):
torch's parser refuses a value of the wrong Python type before any kernel runs.

``_args.py`` (above ``tensor.py``) re-exports them beside the rules that do need a Tensor.
"""

from __future__ import annotations


def type_name(x) -> str:
    """The type as torch's parser names it: ``int``, ``Tensor``, ``numpy.bool``."""
    t = type(x)
    if t.__module__ == "builtins" or t.__module__.startswith("tinygrad_edu"):
        return t.__name__
    return f"{t.__module__}.{t.__name__}"


def at(position) -> str:
    """`` (position N)`` for an argument with a place in the signature, else nothing."""
    return "" if position is None else f" (position {position})"


def require_bool(value, op: str, arg: str, position: int | None = None) -> None:
    """torch's TypeError for a bool parameter given anything but True or False: torch's parser
    refuses an int 1, a NumPy bool and a one-element tensor alike ("qr(): argument 'some'
    (position 1) must be bool, not int"). Two identity tests: free on the accepted path."""
    if value is not True and value is not False:
        raise TypeError(f"{op}(): argument '{arg}'{at(position)} must be bool, not "
                        f"{type_name(value)}")
