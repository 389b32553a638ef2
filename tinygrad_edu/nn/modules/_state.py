"""state_dict() / load_state_dict() of ``nn.Module`` (kept apart to keep module.py short)."""

from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple

from ...autograd import no_grad
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


class StateDictMixin:
    """The state_dict methods that ``Module`` inherits."""

    # ---- state_dict -----------------------------------------------------------------------
    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        if destination is None:
            destination = OrderedDict()
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
        return destination

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy values (tg tensors, NumPy arrays or torch tensors) into the parameters and
        persistent buffers; returns ``(missing_keys, unexpected_keys)``."""
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        for name, m in self.named_modules():  # a Lazy module first takes the shapes given
            hook = getattr(m, "_lazy_load_hook", None)
            if hook is not None:
                hook(state_dict, name + "." if name else "")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        with no_grad():
            for key, target in own.items():
                if key not in state_dict:
                    continue
                arr = _to_array(state_dict[key], None if assign else target._data)
                if tuple(arr.shape) != tuple(target._data.shape):
                    errors.append(
                        f"size mismatch for {key}: copying a param with shape "
                        f"torch.Size({list(arr.shape)}) from checkpoint, the shape in current "
                        f"model is torch.Size({list(target._data.shape)})."
                    )
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

