"""The safetensors format for ``tg.save`` / ``tg.load`` (through the ``safetensors`` library).

safetensors is the weight format torch, JAX and the Hugging Face tools all read: an 8-byte
little-endian header length, a JSON header ``{name: {dtype, shape, data_offsets}}`` and the raw
little-endian tensor bytes. It holds a *flat* ``{str: tensor}`` mapping (a ``state_dict``), no
nested objects, and nothing in it can run code.

dtype mapping (tinygrad_edu <-> safetensors <-> torch)::

    bool    BOOL  torch.bool        int8   I8   torch.int8     float16  F16  torch.float16
    uint8   U8    torch.uint8       int16  I16  torch.int16    bfloat16 BF16 torch.bfloat16
                                    int32  I32  torch.int32    float32  F32  torch.float32
                                    int64  I64  torch.int64    float64  F64  torch.float64

The ``F8_*`` types and the unsigned ``U16``/``U32``/``U64`` (no tinygrad_edu dtype) are refused
on load with the tensor's name. The library writes bfloat16 (ml_dtypes' type) but its NumPy
loader does not read it back, so a file holding BF16 is read here from its header.
"""

from __future__ import annotations

import json
import struct
from collections import OrderedDict

import numpy as np

from .dtype import to_dtype

SUPPORTED = {
    "BOOL": "bool",
    "U8": "uint8",
    "I8": "int8",
    "I16": "int16",
    "I32": "int32",
    "I64": "int64",
    "F16": "float16",
    "BF16": "bfloat16",
    "F32": "float32",
    "F64": "float64",
}
_BY_NUMPY = {to_dtype(v).np: k for k, v in SUPPORTED.items()}


def _lib():
    try:
        import safetensors.numpy as stn
    except ImportError:
        raise ImportError(
            "tg.save/tg.load of a .safetensors file needs the 'safetensors' package "
            "(pip install safetensors, or pip install tinygrad_edu[app])"
        ) from None
    return stn


def looks_like_safetensors(head: bytes) -> bool:
    """The first 9 bytes: a plausible header length, then the JSON header's ``{``."""
    if len(head) < 9:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    return 2 <= n < 100_000_000 and head[8:9] == b"{"


def dumps(state_dict, where: str) -> bytes:
    """The bytes of a safetensors file holding ``state_dict`` (a flat ``{str: tensor}``)."""
    from .backend import to_numpy
    from .tensor import Tensor

    if not isinstance(state_dict, dict):
        raise TypeError(
            f"tg.save: a .safetensors file holds a flat dict of tensors (a state_dict), got "
            f"{type(state_dict).__name__} for {where}"
        )
    arrays = {}
    for k, v in state_dict.items():
        if not isinstance(k, str):
            raise TypeError(f"tg.save: safetensors keys must be str, got {k!r} for {where}")
        if isinstance(v, Tensor):
            arr = to_numpy(v.detach()._data)
        elif isinstance(v, np.ndarray):
            arr = v
        elif type(v).__module__.startswith("torch") and hasattr(v, "numpy"):
            arr = v.detach().cpu().numpy()
        else:
            raise TypeError(
                f"tg.save: {where}[{k!r}] is a {type(v).__name__}; a .safetensors file holds "
                "only tensors (save nested checkpoints with optimizer state to a .pt/.npz path)"
            )
        if np.dtype(arr.dtype) not in _BY_NUMPY:
            raise TypeError(f"tg.save: {where}[{k!r}] has dtype {arr.dtype}, not storable")
        # (np.ascontiguousarray would turn a 0-d array, e.g. num_batches_tracked, into 1-d)
        arrays[k] = arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)
    return _lib().save(arrays, metadata={"format": "pt"})


def loads(data: bytes, where: str) -> OrderedDict:
    """``{name: ndarray}`` in the file's order, after checking every dtype is supported."""
    (n,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise RuntimeError(f"tg.load: {where} has a corrupt safetensors header ({e})") from None
    if not isinstance(header, dict):
        raise RuntimeError(f"tg.load: {where} has a corrupt safetensors header")
    names = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = info.get("dtype") if isinstance(info, dict) else None
        if dt not in SUPPORTED:
            raise TypeError(
                f"tg.load: tensor {name!r} in {where} has safetensors dtype {dt}, which "
                f"tinygrad_edu can not hold (supported: {', '.join(SUPPORTED)}); convert it "
                "first, e.g. in torch: t.float()"
            )
        names.append(name)
    try:
        if any(header[k].get("dtype") == "BF16" for k in names):
            arrays = _read_raw(data, 8 + n, header, names)
        else:
            arrays = _lib().load(data)
    except Exception as e:  # noqa: BLE001 - the library's own error for a damaged file
        raise RuntimeError(
            f"tg.load: {where} is a truncated or corrupt safetensors file "
            f"({type(e).__name__}: {e})"
        ) from None
    names.sort(key=lambda k: header[k].get("data_offsets", [0])[0])  # the writer's order
    return OrderedDict((k, arrays[k]) for k in names)


def _read_raw(data: bytes, start: int, header: dict, names) -> dict:
    """``{name: ndarray}`` read straight from the bytes: each tensor's little-endian data at
    ``start + data_offsets``, in its dtype and shape (a copy, owning its memory)."""
    out = {}
    for k in names:
        info = header[k]
        lo, hi = info["data_offsets"]
        dt = to_dtype(SUPPORTED[info["dtype"]]).np.newbyteorder("<")
        shape = tuple(info["shape"])
        if not 0 <= lo <= hi <= len(data) - start or hi - lo != dt.itemsize * int(np.prod(shape)):
            raise ValueError(f"tensor {k!r}: data_offsets {lo}..{hi} do not fit its shape "
                             f"{list(shape)} and the file's {len(data) - start} data bytes")
        out[k] = np.frombuffer(data, dt, count=(hi - lo) // dt.itemsize,
                               offset=start + lo).reshape(shape).copy()
    return out
