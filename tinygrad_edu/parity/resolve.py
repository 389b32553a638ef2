"""From an OpInfo to the tinygrad_edu callables that a torch user would reach for.

An OpInfo named ``nn.functional.relu`` is implemented when ``tg.nn.functional.relu`` exists; one
named ``add`` when ``tg.add`` or the Tensor method ``add`` exists (``__radd__``, ``T``, ``byte``,
``new_zeros`` are Tensor attributes only). An implemented OpInfo is then tried through every
variant torch defines *and* tinygrad_edu has:

=========  ==============================  =============================================
variant    torch side                      tinygrad_edu side
=========  ==============================  =============================================
function   ``op.op``                       the same dotted name under ``tinygrad_edu``
method     ``op.method_variant``           ``x.<name>(...)`` on the tg tensor
operator   ``op.operator_variant``         the same ``operator`` function (``x + y``)
inplace    ``op.inplace_variant``          ``x.<name>_(...)``
=========  ==============================  =============================================

Some OpInfos wrap their op in a small lambda of torch's test module (``where`` reorders its
arguments, ``T`` is ``lambda x: x.T``, random ops seed themselves through
``wrapper_set_seed``). Such a lambda is *rebound*: the same code runs with the global name
``torch`` bound to ``tinygrad_edu`` (and ``wrapper_set_seed`` seeding tinygrad_edu's generator),
so both libraries receive exactly the same call.
"""

from __future__ import annotations

import functools
import types
from dataclasses import dataclass, field
from typing import Callable

import tinygrad_edu as tg

KINDS = ("function", "method", "operator", "inplace", "inplace_operator")
_REBINDABLE_GLOBALS = {"torch", "wrapper_set_seed"}


@dataclass(frozen=True)
class Variant:
    """One way to call an op: torch's callable and tinygrad_edu's, with a readable label."""

    kind: str
    torch_fn: Callable
    tg_fn: Callable
    label: str  # e.g. "tg.nn.functional.relu", "Tensor.add_", "operator.add"


@dataclass
class Binding:
    """What tinygrad_edu offers for one OpInfo."""

    implemented: bool
    variants: list = field(default_factory=list)  # Variant, kinds in KINDS order
    missing: list = field(default_factory=list)  # variants torch has and tg lacks (labels)

    def of(self, *kinds) -> list:
        return [v for v in self.variants if v.kind in kinds]


def tg_attr(dotted: str, root=tg):
    """``root.a.b.c`` for ``"a.b.c"``, or None when any part is missing."""
    obj = root
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _is_op(obj) -> bool:
    """A callable that is an operation (``tg.float`` is a dtype, not a function)."""
    return callable(obj) and not isinstance(obj, (type, tg.dtype))


def tensor_attr(name: str):
    """``tg.Tensor.<name>`` as Tensor itself defines it, or None. (Plain ``getattr`` would also
    find ``object``'s defaults and the metaclass's, e.g. ``type.__ror__`` for ``int | Tensor``.)"""
    for klass in tg.Tensor.__mro__[:-1]:  # every class but object
        if name in vars(klass):
            return getattr(tg.Tensor, name)
    return None


def is_implemented(name: str) -> bool:
    """The naming rule: ``tg.<dotted name>`` is a function, or ``Tensor.<name>`` exists, or
    (for an op torch only has in place, like ``cauchy``: no ``torch.cauchy``, no
    ``Tensor.cauchy``) ``Tensor.<name>_`` exists."""
    if _is_op(tg_attr(name)):
        return True
    if "." in name:
        return False
    if tensor_attr(name) is not None:
        return True
    import torch

    in_place_only = not hasattr(torch, name) and not hasattr(torch.Tensor, name)
    return in_place_only and tensor_attr(name + "_") is not None


def from_test_module(fn) -> bool:
    return isinstance(fn, types.FunctionType) and (fn.__module__ or "").startswith(
        "torch.testing._internal"
    )


def _tg_wrapper_set_seed(op, *args, **kwargs):
    """tinygrad_edu's twin of torch's ``wrapper_set_seed``: seed 42, then call."""
    tg.manual_seed(42)
    return op(*args, **kwargs)


def rebind(fn):
    """``fn`` (a function of torch's test module) with ``torch`` meaning ``tinygrad_edu``;
    None when its code uses other module globals that have no tinygrad_edu twin."""
    used = {n for n in fn.__code__.co_names if n in fn.__globals__}
    if not used <= _REBINDABLE_GLOBALS:
        return None
    g = dict(fn.__globals__, torch=tg, wrapper_set_seed=_tg_wrapper_set_seed)
    return types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)


def _tensor_method_name(fn) -> str | None:
    """``"add"`` for ``torch.Tensor.add`` (a Tensor method passed around unbound), else None."""
    import torch

    name = getattr(fn, "__name__", None)
    if name and getattr(torch.Tensor, name, None) is fn:
        return name
    return None


def call_method(name: str) -> Callable:
    """``x.<name>(*args, **kwargs)``, looked up on the instance as a user writes it."""

    def method(x, *args, **kwargs):
        return getattr(x, name)(*args, **kwargs)

    method.__name__ = name
    return method


def _function(op):
    """The function variant: torch's ``op.op`` and tinygrad_edu's twin (or a reason it has none)."""
    if from_test_module(op.op):
        fn = rebind(op.op)
        return (fn, f"torch's OpInfo lambda for {op.name}, run on tg") if fn else (None, None)
    name = _tensor_method_name(op.op)
    if name is not None:  # e.g. __radd__: op.op *is* torch.Tensor.__radd__, called unbound
        fn = tensor_attr(name)
        return (fn, f"Tensor.{name}") if fn is not None else (None, f"Tensor.{name}")
    fn = tg_attr(op.name)
    return (fn, f"tg.{op.name}") if _is_op(fn) else (None, f"tg.{op.name}")


def _method(op):
    mv = op.method_variant
    if mv is None or mv is op.op:
        return None, None
    if from_test_module(mv):
        fn = rebind(mv)
        return (fn, f"torch's method lambda for {op.name}, run on tg") if fn else (None, None)
    name = _tensor_method_name(mv) or getattr(mv, "__name__", op.name)
    if tensor_attr(name) is not None:
        return call_method(name), f"Tensor.{name}"
    return None, f"Tensor.{name}"


def _inplace(op):
    iv = op.inplace_variant
    if iv is None:
        return None, None
    if isinstance(iv, functools.partial):  # F.hardsigmoid(..., inplace=True)
        fn = tg_attr(op.name)
        label = f"tg.{op.name}(inplace=True)"
        return (
            (functools.partial(fn, *iv.args, **iv.keywords), label) if _is_op(fn) else (None, label)
        )
    if from_test_module(iv):  # lambda x: F.elu(x, inplace=True)
        fn = rebind(iv)
        return (fn, f"torch's in-place lambda for {op.name}, run on tg") if fn else (None, None)
    name = _tensor_method_name(iv) or getattr(iv, "__name__", op.name + "_")
    if tensor_attr(name) is not None:
        return call_method(name), f"Tensor.{name}"
    return None, f"Tensor.{name}"


def bind(op) -> Binding:
    """Resolve every variant of ``op`` that torch defines; see the module docstring."""
    b = Binding(implemented=is_implemented(op.name))
    if not b.implemented:
        return b
    found = [("function", op.op, *_function(op)), ("method", op.method_variant, *_method(op))]
    if op.operator_variant is not None:
        found.append(
            (
                "operator",
                op.operator_variant,
                op.operator_variant,
                f"operator.{op.operator_variant.__name__}",
            )
        )
    found.append(("inplace", op.inplace_variant, *_inplace(op)))
    iop = op.inplace_operator_variant
    if iop is not None:  # x += y: in place only when Tensor defines __iadd__
        has = tensor_attr(f"__{iop.__name__}__") is not None
        found.append(("inplace_operator", iop, iop if has else None, f"Tensor.__{iop.__name__}__"))
    for kind, torch_fn, tg_fn, label in found:
        if tg_fn is not None:
            b.variants.append(Variant(kind, torch_fn, tg_fn, label))
        elif label is not None:
            b.missing.append(label)
    return b


def short_names(op) -> set:
    """Names an error message may use for ``op``: ``cat`` for ``cat``, ``pad`` for
    ``nn.functional.pad``, ``add`` for ``__radd__`` (and torch's aten name)."""
    base = op.name.split(".")[-1]
    names = {base, base.strip("_"), op.aten_name or base}
    if base.startswith("__r") and base.endswith("__"):
        names.add(base[3:-2])
    return {n for n in names if n}
