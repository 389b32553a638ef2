"""Moving a torch sample into tinygrad_edu, and describing it in one line.

:class:`ToTg` converts the arguments of an OpInfo sample, recursively:

- a ``torch.Tensor`` becomes a tg tensor with the same values, dtype, shape *and memory layout*
  (strides, storage offset, including non-contiguous and expanded ones: the storage is copied
  and viewed the same way), ``requires_grad`` mirrored; a ``meta`` tensor (no data) becomes a
  tg meta tensor of its shape and dtype; one torch tensor met twice becomes one
  tg tensor, and tensors sharing a storage share the copy (aliasing carries over);
- ``torch.dtype`` -> the tg dtype of the same name; ``torch.Size`` -> tuple; ``torch.device`` ->
  ``tg.device``; any other torch object (``torch.contiguous_format``, ``torch.strided``) -> tg's
  attribute of the same name;
- lists, tuples and dicts are converted element by element; Python scalars, strings, slices,
  ``None`` and ``...`` pass unchanged.

What tinygrad_edu cannot represent raises :class:`Unconvertible` (the sample then fails with
that message), except complex numbers, which are out of scope: :func:`has_complex` finds them
and the harness skips (and counts) such samples.
"""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import torch

import tinygrad_edu as tg
from tinygrad_edu._torch_io import array_from_torch as to_numpy  # noqa: F401
from tinygrad_edu._torch_io import torch_from_array as to_torch  # noqa: F401


class Unconvertible(Exception):
    """A torch object without a tinygrad_edu counterpart."""


class Unbuildable(Unconvertible):
    """A tensor a user cannot build in tinygrad_edu: building it raises ``error`` (a 65-d
    tensor: tg.empty raises torch's "only tensors with up to 64 dims" RuntimeError)."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


def leaves(obj):
    """Every leaf of a nested sample argument."""
    if isinstance(obj, (list, tuple)):
        for o in obj:
            yield from leaves(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from leaves(o)
    else:
        yield obj


def has_complex(*objs) -> bool:
    """True when a sample holds a complex tensor, complex dtype or complex Python number."""
    for leaf in leaves(objs):
        if isinstance(leaf, torch.Tensor) and leaf.is_complex():
            return True
        if isinstance(leaf, torch.dtype) and leaf.is_complex:
            return True
        if isinstance(leaf, complex):
            return True
    return False


def tg_dtype(d: torch.dtype):
    """The tinygrad_edu dtype named like ``d`` (``torch.float32`` -> ``tg.float32``)."""
    name = str(d).removeprefix("torch.")
    out = getattr(tg, name, None)
    if not isinstance(out, tg.dtype):
        raise Unconvertible(f"tinygrad_edu has no dtype {name}")
    return out


def numpy_dtype(d: torch.dtype) -> np.dtype:
    """The NumPy dtype holding torch dtype ``d``'s values (bfloat16: ml_dtypes' type, which
    torch's ``.numpy()`` does not know)."""
    if d == torch.bfloat16:
        return tg.bfloat16.np
    return torch.empty(0, dtype=d).numpy().dtype


def _storage_copy(t: torch.Tensor) -> np.ndarray:
    """A private NumPy copy of ``t``'s whole storage (bytes; it owns its memory)."""
    storage = t.detach().untyped_storage().clone()
    return torch.empty(0, dtype=torch.uint8).set_(storage).numpy().copy()


def _same_layout_view(t: torch.Tensor, storage: np.ndarray) -> np.ndarray:
    """``t`` as a NumPy view of ``storage`` with ``t``'s strides and storage offset (so the
    view's ``.base`` is the storage, as every other view of it: storage offsets and aliasing
    carry over)."""
    item = t.element_size()
    dtype = numpy_dtype(t.dtype)
    if t.numel() == 0:  # nothing to alias; NumPy would still check the strides' reach
        return np.empty(tuple(t.shape), dtype)
    return np.ndarray(tuple(t.shape), dtype, buffer=storage, offset=t.storage_offset() * item,
                      strides=tuple(s * item for s in t.stride()))


class ToTg:
    """Converts the parts of one sample; remembers tensors so that aliases stay aliases."""

    def __init__(self):
        self.memo: dict[int, tg.Tensor] = {}
        self.storages: dict[tuple, np.ndarray] = {}  # torch storage -> its NumPy copy

    def tensor(self, t: torch.Tensor) -> tg.Tensor:
        if id(t) in self.memo:
            return self.memo[id(t)]
        if t.layout != torch.strided:
            raise Unconvertible(f"tinygrad_edu has no {t.layout} tensors")
        tg_dtype(t.dtype)  # raises for dtypes tg lacks
        if t.device.type == "meta":  # no data: a tg meta tensor of the same shape and dtype
            out = tg.empty(tuple(t.shape), dtype=tg_dtype(t.dtype), device="meta",
                           requires_grad=t.requires_grad)
            self.memo[id(t)] = out
            return out
        if t.device.type != "cpu":
            raise Unconvertible(f"tinygrad_edu has no {t.device.type} device")
        if t.ndim > 64:  # build it as a user would; NumPy's limit makes that raise
            try:
                tg.empty(tuple(t.shape), dtype=tg_dtype(t.dtype))
            except Exception as e:  # noqa: BLE001 - the error a user meets
                raise Unbuildable(e) from None
        try:
            st = t.untyped_storage()
            key = (st.data_ptr(), st.nbytes())
            storage = self.storages.get(key) if st.nbytes() else None
            if storage is None:
                storage = self.storages[key] = _storage_copy(t)
            arr = _same_layout_view(t, storage)
        except (ValueError, RuntimeError, TypeError) as e:  # e.g. more dimensions than NumPy's 64
            raise Unconvertible(f"no NumPy array can hold a {t.ndim}-d tensor: {e}") from None
        out = tg.from_numpy(arr)
        if t.requires_grad:
            out.requires_grad_(True)
        self.memo[id(t)] = out
        return out

    def __call__(self, obj):
        if isinstance(obj, torch.Tensor):
            return self.tensor(obj)
        if isinstance(obj, torch.Size):
            return tuple(obj)
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return type(obj)(*(self(o) for o in obj))
        if isinstance(obj, (list, tuple)):
            return type(obj)(self(o) for o in obj)
        if isinstance(obj, dict):
            return {k: self(v) for k, v in obj.items()}
        if isinstance(obj, torch.dtype):
            return tg_dtype(obj)
        if isinstance(obj, torch.device):
            return tg.device(str(obj))
        if isinstance(obj, torch.nn.Module):
            return self.module(obj)
        name = getattr(obj, "__name__", None)
        if callable(obj) and name and getattr(torch.nn.functional, name, None) is obj:
            if not hasattr(tg.nn.functional, name):  # an activation= argument (F.gelu)
                raise Unconvertible(f"tinygrad_edu has no torch.nn.functional.{name}")
            return getattr(tg.nn.functional, name)
        if dataclasses.is_dataclass(obj) and type(obj).__module__.startswith("torch.nn."):
            cls = getattr(tg.nn, type(obj).__name__, None)  # LinearCrossEntropyOptions
            if not isinstance(cls, type):
                raise Unconvertible(f"tinygrad_edu has no torch.nn.{type(obj).__name__}")
            return cls(**{f.name: self(getattr(obj, f.name)) for f in dataclasses.fields(obj)})
        if type(obj).__module__.split(".")[0] == "torch":  # memory_format, layout, ...
            name = str(obj).removeprefix("torch.")
            if not hasattr(tg, name):
                raise Unconvertible(f"tinygrad_edu has no torch.{name}")
            return getattr(tg, name)
        return obj

    def module(self, m: torch.nn.Module):
        """A module passed as an argument (``TransformerEncoder(layer, 2)``,
        ``distance_function=nn.PairwiseDistance()``): ``tg.nn`` class of the same name, its
        attributes, parameters, buffers and submodules converted."""
        name = type(m).__name__
        cls = getattr(tg.nn, name, None)
        if cls is None and type(m).__module__.startswith("torch.nn.modules."):
            try:  # torch.nn.modules.linear.NonDynamicallyQuantizableLinear: same file in tg
                mirror = importlib.import_module("tinygrad_edu" + type(m).__module__[5:])
                cls = getattr(mirror, name, None)
            except ImportError:
                cls = None
        if not isinstance(cls, type):
            raise Unconvertible(f"tinygrad_edu has no torch.nn.{name}")
        out = cls.__new__(cls)
        tg.nn.Module.__init__(out)
        out.train(m.training)
        for k, v in vars(m).items():
            if not k.startswith("_") or k in ("_qkv_same_embed_dim",):
                object.__setattr__(out, k, self(v))
        for k, p in m._parameters.items():
            out.register_parameter(k, None if p is None else tg.nn.Parameter(self.tensor(p)))
        for k, b in m._buffers.items():
            out.register_buffer(k, None if b is None else self.tensor(b))
        for k, sub in m._modules.items():
            setattr(out, k, None if sub is None else self.module(sub))
        return out

    def sample(self, s):
        """``(input, args, kwargs)`` of a SampleInput, converted."""
        return self(s.input), self(tuple(s.args)), self(dict(s.kwargs))


# ------------------------------------------------------------------ one-line descriptions ---
def describe(obj, depth: int = 0) -> str:
    """A short readable form: ``Tensor[2, 3] f32 nc`` for a non-contiguous float32 tensor."""
    if isinstance(obj, torch.Tensor):
        dt = str(obj.dtype).removeprefix("torch.")
        flags = ""
        if obj.layout == torch.strided and not obj.is_contiguous():
            flags += " nc"
        if obj.requires_grad:
            flags += " rg"
        if obj.numel() == 1 and obj.layout == torch.strided and not obj.is_complex():
            v = obj.detach().reshape(()).item()
            shown = f"{v:.4g}" if isinstance(v, float) else repr(v)
            return f"Tensor{list(obj.shape)}={shown} {dt}{flags}"
        return f"Tensor{list(obj.shape)} {dt}{flags}"
    if isinstance(obj, (list, tuple)) and not isinstance(obj, torch.Size):
        if depth > 1 or len(obj) > 6:
            inner = ", ".join(describe(o, depth + 1) for o in obj[:3])
            body = f"{inner}, ... ({len(obj)} items)" if len(obj) > 3 else inner
        else:
            body = ", ".join(describe(o, depth + 1) for o in obj)
        return f"[{body}]" if isinstance(obj, list) else f"({body}{',' if len(obj) == 1 else ''})"
    if isinstance(obj, dict):
        return "{" + ", ".join(f"{k}={describe(v, depth + 1)}" for k, v in obj.items()) + "}"
    if isinstance(obj, float):
        text = repr(obj)
        return text if len(text) <= 10 else f"{obj:.6g}"
    text = repr(obj)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_sample(s) -> str:
    """``input=Tensor[3] f32, args=(2,), kwargs={dim=0}`` for a SampleInput."""
    parts = [f"input={describe(s.input)}"]
    if s.args:
        parts.append(f"args={describe(tuple(s.args))}")
    if s.kwargs:
        parts.append(f"kwargs={describe(dict(s.kwargs))}")
    if getattr(s, "name", ""):
        parts.append(f"name={s.name!r}")
    return ", ".join(parts)
