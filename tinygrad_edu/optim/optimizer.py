"""The Optimizer base: parameter groups, per-parameter state, zero_grad and state_dict.

Each optimizer (SGD, Adam, ...) only writes ``step``; everything else - how parameters are grouped
with their own hyperparameters, how state is keyed, saved and loaded - lives here and follows
``torch.optim.Optimizer`` field for field, so a state_dict saved by torch loads here and back.

Updates run on the raw arrays (``param._data``) in place. The few temporaries an update rule
needs come from a small workspace keyed by (shape, dtype), so a step allocates no new
parameter-sized arrays after the first one.
"""

from __future__ import annotations

import functools
import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from ..autograd import enable_grad, no_grad
from ..backend import get_array_module, to_device, to_numpy
from ..dtype import default_float, float64, kind_of
from ..tensor import Tensor, _as_array


class _RequiredParameter:
    """Singleton marking a hyperparameter that has no default (torch's ``required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _wrap_step(step):
    """Run ``step`` without recording a graph (recording it when the optimizer was built with
    ``differentiable=True``, as torch) and note that it ran (for the scheduler's check)."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        self._opt_called = True
        with enable_grad() if self.defaults.get("differentiable") else no_grad():
            return step(self, *args, **kwargs)

    return wrapper


def scalar_dtype():
    """The NumPy dtype of an optimizer's scalar state (``step``, NAdam's ``mu_product``, ASGD's
    ``eta`` and ``mu``): float64 when the default dtype is float64, else float32 (torch's
    ``_get_scalar_dtype``)."""
    return np.float64 if default_float() is float64 else np.float32


def _to_array(value, like: Tensor | None, key=None):
    """A private copy of a state value (tg Tensor, torch tensor or ndarray) as a raw array,
    cast to ``like``'s float dtype and device (``step`` stays a CPU scalar of its own float
    dtype, as torch; :func:`scalar_dtype` when it is not a float)."""
    arr = _as_array(value, None)
    if key == "step":
        arr = to_numpy(arr)
        return np.array(arr, dtype=arr.dtype if kind_of(arr.dtype) == "f" else scalar_dtype())
    xp = get_array_module(arr)
    arr = xp.array(arr, copy=True)
    if like is not None:
        if kind_of(like._data.dtype) == "f" and arr.dtype != like._data.dtype:
            arr = arr.astype(like._data.dtype)
        arr = to_device(arr, like.device)
    return arr


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``).

    Parameters
    ----------
    params : iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts
        What to optimize; dicts define parameter groups with their own hyperparameters.
    defaults : dict
        Default hyperparameters for groups that do not set them.

    Raises
    ------
    ValueError
        An empty parameter list.
    TypeError
        A Tensor instead of an iterable of Tensors.
    """

    _free_shape_state: tuple = ("step",)  # state keys not shaped like their parameter

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:  # every subclass's step runs under no_grad
            cls.step = _wrap_step(cls.__dict__["step"])

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__module__}.{type(params).__name__}"
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        self._workspace: dict = {}
        self._opt_called = False
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ---- groups -------------------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (torch's rules and errors)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__module__}.{type(p).__name__}"
                )
            if not self.defaults.get("differentiable") and not (p.is_leaf or p._retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    f"{name}"
                )
            param_group.setdefault(name, default)
        if len({id(p) for p in tensors}) != len(tensors):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                has = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {has} to the optimizer"
                )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- gradients ----------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: to None (default, as torch), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:  # torch's zero_grad (a view's detach_ raises)
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad._data[...] = 0

    def step(self, closure=None):
        raise NotImplementedError

    @staticmethod
    def _closure_loss(closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ---- helpers for the update rules ---------------------------------------------------------
    def _scratch(self, like, slot: int):
        """A reusable temporary shaped like the array ``like`` (one per shape, dtype, slot)."""
        key = (like.shape, like.dtype.str, slot, type(like))
        buf = self._workspace.get(key)
        if buf is None:
            buf = get_array_module(like).empty_like(like)
            self._workspace[key] = buf
        return buf

    def _grad(self, p: Tensor, group: dict, weight_decay: float):
        """The gradient the update rule sees: ``-g`` if maximize, plus ``weight_decay * p``.

        Returns ``p.grad``'s array itself when neither applies (it is never written to)."""
        xp = get_array_module(p._data)
        g = p.grad._data
        if g.shape != p._data.shape:
            raise RuntimeError(
                f"{type(self).__name__}.step: gradient shape {list(g.shape)} does not match "
                f"parameter shape {list(p._data.shape)}"
            )
        if not group["maximize"] and weight_decay == 0:
            return g
        d = self._scratch(p._data, 0)
        if group["maximize"]:
            xp.negative(g, out=d)  # d = -g
            if weight_decay != 0:  # d = -g + wd * p
                t = self._scratch(p._data, 1)
                xp.multiply(p._data, weight_decay, out=t)
                xp.add(d, t, out=d)
        else:  # d = g + wd * p   (torch: grad.add(param, alpha=weight_decay))
            xp.multiply(p._data, weight_decay, out=d)
            xp.add(g, d, out=d)
        return d

    @staticmethod
    def _new_step() -> Tensor:
        # torch keeps `step` as a float32 0-d CPU tensor (float64 under a float64 default)
        return Tensor._wrap(np.zeros((), dtype=scalar_dtype()))

    @staticmethod
    def _bump(p: Tensor) -> None:
        p._version += 1  # an in-place update: tensors saved for backward are now stale

    # ---- state_dict ---------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``,
        the layout of torch's optimizer state_dict (state tensors are returned, not copied)."""
        mapping: dict[int, int] = {}
        start = 0

        def pack(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        groups = [pack(g) for g in self.param_groups]
        state = {
            (mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a state_dict made by :meth:`state_dict` (ours or torch's). Values are copied."""
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected a dict with keys 'state' and "
                f"'param_groups', got {type(state_dict).__name__}"
                + (f" with keys {sorted(map(str, state_dict))}" if isinstance(state_dict, dict)
                   else "")
            )
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )

        def cast(param, value, key=None):
            if isinstance(value, Tensor) or (
                hasattr(value, "detach") and type(value).__module__.startswith("torch")
            ) or isinstance(value, np.ndarray):
                arr = _to_array(value, param, key)
                if key not in self._free_shape_state and arr.ndim and param is not None:
                    shape = tuple(param.shape)
                    if arr.shape != shape:
                        raise ValueError(
                            f"{type(self).__name__}.load_state_dict: state '{key}' has shape "
                            f"{list(arr.shape)} but its parameter has shape {list(shape)}"
                        )
                return Tensor._wrap(arr)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v, key) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            k = int(k) if isinstance(k, str) and k.isdigit() else k
            if k in id_map:
                state[id_map[k]] = cast(id_map[k], v)
            else:
                state[k] = v
        new_groups = []
        for g, ng in zip(groups, saved_groups):
            ng["params"] = g["params"]
            if "param_names" in g and "param_names" not in ng:
                ng["param_names"] = g["param_names"]
            for key, default in self.defaults.items():  # keys a foreign state_dict may lack
                ng.setdefault(key, default)
            if isinstance(ng.get("betas"), list):
                ng["betas"] = tuple(ng["betas"])
            new_groups.append(ng)
        self.state = state
        self.param_groups = new_groups

    # ---- printing and pickling ----------------------------------------------------------------
    def __repr__(self) -> str:
        s = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._workspace = {}
        self._opt_called = False


def _check_lr(lr) -> None:
    """torch's first constructor check: a Tensor learning rate must hold one element."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)
