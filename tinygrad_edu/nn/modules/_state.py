"""state_dict() / load_state_dict() of ``nn.Module`` (kept apart to keep module.py short)."""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, namedtuple

from ...autograd import no_grad
from ...autograd.hooks import RemovableHandle
from ...backend import device_of, get_array_module, is_meta, to_device
from ...tensor import Tensor, _as_array


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _to_array(value, like):
    """The array inside a state_dict value: a tg Tensor, a NumPy array or a torch tensor."""
    try:
        arr = _as_array(value, None)
    except TypeError:
        raise TypeError(
            f"load_state_dict: cannot load a value of type {type(value).__name__}"
        ) from None
    if like is not None and type(arr) is not type(like):  # onto the target's device
        arr = to_device(arr, device_of(like))
    return arr


_META_NO_OP = ("copying from a non-meta parameter in the checkpoint to a meta parameter in the "
               "current model, which is a no-op. (Did you mean to pass `assign=True` to assign "
               "items in the state dictionary to their corresponding key in the module instead "
               "of copying them in place?)")


def _hooks(module, name: str) -> OrderedDict:
    """The module's hook dict ``name``, made on first use (Module.__init__ need not know it)."""
    d = module.__dict__.get(name)
    if d is None:
        d = module.__dict__[name] = OrderedDict()
    return d


def _add(module, name: str, hook) -> RemovableHandle:
    store = _hooks(module, name)
    handle = RemovableHandle(store, RemovableHandle.new_id())
    store[handle.id] = hook
    return handle


class StateDictMixin:
    """The state_dict methods that ``Module`` inherits, with torch's four kinds of hooks:

    - ``register_state_dict_pre_hook(hook)``: ``hook(module, prefix, keep_vars)`` before the
      module's entries are written;
    - ``register_state_dict_post_hook(hook)``: ``hook(module, state_dict, prefix,
      local_metadata)`` after them (and its children's); it may edit the dict in place and
      must return None (RuntimeError otherwise; the private ``_register_state_dict_hook``'s
      hooks may return a new dict instead);
    - ``register_load_state_dict_pre_hook(hook)``: ``hook(module, state_dict, prefix,
      local_metadata, strict, missing_keys, unexpected_keys, error_msgs)`` before the module
      loads its own entries (``_register_load_state_dict_pre_hook(hook, with_module=False)``:
      the same without ``module``); it may edit the dict (a copy of the caller's) and the lists;
    - ``register_load_state_dict_post_hook(hook)``: ``hook(module, incompatible_keys)`` after
      the module and its children loaded; it may edit the two key lists in place and must
      return None (AssertionError otherwise).

    Each returns a handle whose ``remove()`` takes the hook out.
    """

    def register_state_dict_pre_hook(self, hook) -> RemovableHandle:
        return _add(self, "_state_dict_pre_hooks", hook)

    def register_state_dict_post_hook(self, hook) -> RemovableHandle:
        handle = _add(self, "_state_dict_hooks", hook)
        _hooks(self, "_state_dict_public_hooks")[handle.id] = True
        return handle

    def _register_state_dict_hook(self, hook) -> RemovableHandle:
        return _add(self, "_state_dict_hooks", hook)

    def register_load_state_dict_pre_hook(self, hook) -> RemovableHandle:
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(self, hook, with_module: bool = False):
        return _add(self, "_load_state_dict_pre_hooks",
                    functools.partial(hook, self) if with_module else hook)

    def register_load_state_dict_post_hook(self, hook) -> RemovableHandle:
        return _add(self, "_load_state_dict_post_hooks", hook)

    # ---- state_dict -----------------------------------------------------------------------
    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        d = self.__dict__
        for hook in list(d.get("_state_dict_pre_hooks", {}).values()):
            hook(self, prefix, keep_vars)
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination=destination, prefix=prefix + name + ".",
                             keep_vars=keep_vars)
        public = d.get("_state_dict_public_hooks", {})
        for key, hook in list(d.get("_state_dict_hooks", {}).items()):
            result = hook(self, destination, prefix, local_metadata)
            if result is not None and key in public:
                raise RuntimeError("state_dict post-hook must return None")
            if result is not None:
                destination = result
        return destination

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy values (tg tensors, NumPy arrays or torch tensors) into the parameters and
        persistent buffers, module by module as torch does (each one's load pre-hooks, its own
        entries, its children, its load post-hooks); returns ``(missing_keys,
        unexpected_keys)``. Raises RuntimeError listing the missing and unexpected keys (with
        ``strict``) and the shape mismatches."""
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # hooks may edit it; the caller's stays as it is

        def load(module, local, prefix=""):
            meta = dict({} if metadata is None else metadata.get(prefix[:-1], {}))
            meta["assign_to_params_buffers"] = assign  # (how torch passes it down)
            module._load_from_state_dict(local, prefix, meta, True, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    cp = prefix + name + "."
                    load(child, {k: v for k, v in local.items() if k.startswith(cp)}, cp)
            keys = _IncompatibleKeys(missing, unexpected)
            for hook in list(module.__dict__.get("_load_state_dict_post_hooks", {}).values()):
                out = hook(module, keys)
                assert out is None, ("Hooks registered with ``register_load_state_dict_post_hook``"
                                     " are not expected to return new values, if "
                                     "incompatible_keys need to be modified, it should be done "
                                     "inplace.")

        load(self, state_dict)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t"
                               + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        """Load this module's own parameters and persistent buffers from ``state_dict`` (keys
        ``prefix + name``), after its load pre-hooks (a Lazy module first takes the shapes
        given); record missing and unexpected keys and shape mismatches."""
        assign = local_metadata.get("assign_to_params_buffers", False)
        lazy = getattr(self, "_lazy_load_hook", None)
        if lazy is not None:
            lazy(state_dict, prefix)
        for hook in list(self.__dict__.get("_load_state_dict_pre_hooks", {}).values()):
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                 error_msgs)
        own = {k: v for k, v in self._parameters.items() if v is not None}
        own.update((k, v) for k, v in self._buffers.items()
                   if v is not None and k not in self._non_persistent_buffers_set)
        with no_grad():
            for name, target in own.items():
                key = prefix + name
                if key not in state_dict:
                    if strict:
                        missing_keys.append(key)
                    continue
                arr = _to_array(state_dict[key], None if assign else target._data)
                if tuple(arr.shape) != tuple(target._data.shape):
                    error_msgs.append(
                        f"size mismatch for {key}: copying a param with shape "
                        f"torch.Size({list(arr.shape)}) from checkpoint, the shape in current "
                        f"model is torch.Size({list(target._data.shape)}).")
                    continue
                if assign:  # torch's assign=True: the module takes the checkpoint's tensor
                    target._data = arr
                    continue
                src = state_dict[key]
                if is_meta(target._data) and not (isinstance(src, Tensor) and src.is_meta):
                    warnings.warn(f"for {key}: {_META_NO_OP}", UserWarning, stacklevel=2)
                get_array_module(target._data).copyto(target._data, arr, casting="unsafe")
                target._version += 1
        if strict:
            for key in state_dict:
                if key.startswith(prefix):  # "a.b" must name a child, "a" an entry here
                    parts = key[len(prefix):].split(".", 1)
                    if parts[0] not in (self._modules if len(parts) > 1 else own):
                        unexpected_keys.append(key)
