"""The tinygrad_edu checkpoint format of versions before torch's own format (kept readable).

Earlier ``tg.save`` wrote a ``.npz``-style zip archive (readable with
``np.load(path, allow_pickle=False)``); ``tg.load`` still reads those files:

* ``__tinygrad_edu__.npy`` - a uint8 array holding a UTF-8 JSON header that describes the
  nested object (dicts, OrderedDicts, lists, tuples, str/int/float/bool/None, dtypes);
* ``t0.npy``, ``t1.npy``, ... - one NumPy array per tensor, with its dtype and shape.

Nothing is unpickled. :func:`write` (the old writer) stays for tests and for tools that want
NumPy-readable archives; ``tg.save`` writes torch's format.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections import Counter, OrderedDict

import numpy as np

from . import _fileio
from ._torch_checkpoint import load_device
from .backend import device as _device
from .backend import to_device, to_numpy
from .dtype import bfloat16 as _bfloat16
from .dtype import dtype as _DType
from .dtype import kind_of
from .dtype import to_dtype as _to_dtype
from .tensor import Tensor

FORMAT = "tinygrad_edu.checkpoint"
VERSION = 1
HEADER = "__tinygrad_edu__.npy"
_BF16 = _bfloat16.np


def _is_torch_tensor(x) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach") and hasattr(x, "numpy")


# ---------------------------------------------------------------------------------- encode ----
class _Encoder:
    """Turns an object tree into JSON-able data plus a list of arrays."""

    def __init__(self):
        self.arrays: list[np.ndarray] = []
        self.bfloat16: list[str] = []  # arrays stored as uint16 bits
        self._memo: dict[int, str] = {}  # id(tensor) -> array name (shared tensors saved once)
        self._keep: list = []  # keeps memoized objects alive while encoding

    def _array(self, obj, arr) -> str:
        name = self._memo.get(id(obj))
        if name is None:
            arr = np.asarray(to_numpy(arr))  # (ascontiguousarray would make 0-d arrays 1-d)
            if arr.dtype.hasobject or kind_of(arr.dtype) not in "biuf":
                raise TypeError(f"tg.save: arrays of dtype {arr.dtype} can not be saved safely")
            name = f"t{len(self.arrays)}"
            if arr.dtype == _BF16:  # .npy has no bfloat16: its 16 bits, named in the header
                arr = arr.view(np.uint16)
                self.bfloat16.append(name)
            self.arrays.append(arr)
            self._memo[id(obj)] = name
            self._keep.append(obj)
        return name

    def encode(self, obj, where: str = "obj"):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int) and not isinstance(obj, bool):
            return int(obj)
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"t": "float", "v": repr(obj)}
        if isinstance(obj, Tensor):
            enc = {"t": "tensor", "a": self._array(obj, obj._data), "device": obj.device.type}
            if obj.requires_grad:
                enc["requires_grad"] = True
            if type(obj).__name__ == "Parameter":
                enc["parameter"] = True
            return enc
        if _is_torch_tensor(obj):  # a torch tensor is stored as a plain tensor
            return {"t": "tensor", "a": self._array(obj, obj.detach().cpu().numpy()),
                    "device": "cpu"}
        if isinstance(obj, np.ndarray):
            return {"t": "ndarray", "a": self._array(obj, obj)}
        if isinstance(obj, np.generic):
            return {"t": "npscalar", "a": self._array(obj, np.asarray(obj))}
        if isinstance(obj, _DType):
            return {"t": "dtype", "v": obj.name}
        if isinstance(obj, _device):
            return {"t": "device", "v": str(obj)}
        if isinstance(obj, dict):
            kind = ("odict" if isinstance(obj, OrderedDict)
                    else "counter" if isinstance(obj, Counter) else "dict")
            items = []
            for k, v in obj.items():
                if not (k is None or isinstance(k, (str, int, float, bool, tuple))):
                    raise TypeError(
                        f"tg.save: dict key {k!r} at {where} has unsupported type "
                        f"{type(k).__name__}"
                    )
                items.append([self.encode(k, where), self.encode(v, f"{where}[{k!r}]")])
            return {"t": kind, "items": items}
        if isinstance(obj, (list, tuple)):
            kind = "list" if isinstance(obj, list) else "tuple"
            return {"t": kind,
                    "items": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        raise TypeError(
            f"tg.save: can not save {type(obj).__module__}.{type(obj).__qualname__} at {where}: "
            "a safe checkpoint holds tensors, NumPy arrays, numbers, strings, None, dtypes and "
            "dicts/lists/tuples of them (save a state_dict(), not the object)"
        )


# ---------------------------------------------------------------------------------- decode ----
class _Decoder:
    """Rebuilds the object tree; ``fetch(name)`` reads one array (only those referenced)."""

    def __init__(self, fetch, map_location, where):
        self.fetch = fetch
        self.map_location = map_location
        self.where = where
        self._memo: dict[str, object] = {}

    def _get(self, name: str):
        if not isinstance(name, str):
            raise RuntimeError(f"tg.load: {self.where} is corrupt: bad array name {name!r:.40}")
        return self.fetch(name)

    def _device(self, saved: str):
        return load_device(self.map_location, saved, self.where)

    def decode(self, enc):
        if enc is None or isinstance(enc, (bool, int, float, str)):
            return enc
        if not isinstance(enc, dict) or "t" not in enc:
            raise RuntimeError(f"tg.load: {self.where} is corrupt: bad header entry {enc!r:.80}")
        t = enc["t"]
        if t == "tensor":
            key = enc["a"]
            if key in self._memo:
                return self._memo[key]
            arr = to_device(self._get(key), self._device(enc.get("device", "cpu")))
            if enc.get("parameter"):
                from .nn import Parameter  # nn sits above; only needed for saved Parameters

                out = Parameter(Tensor._wrap(arr), requires_grad=enc.get("requires_grad", True))
            else:
                out = Tensor._wrap(arr)
                if enc.get("requires_grad"):
                    out.requires_grad_(True)
            self._memo[key] = out
            return out
        if t == "ndarray":
            return self._get(enc["a"])
        if t == "npscalar":
            return self._get(enc["a"])[()]
        if t == "float":
            return float(enc["v"])
        if t == "dtype":
            return _to_dtype(enc["v"])
        if t == "device":
            return _device(enc["v"])
        if t in ("dict", "odict", "counter"):
            out = OrderedDict() if t == "odict" else Counter() if t == "counter" else {}
            for k, v in enc["items"]:
                k = self.decode(k)
                out[tuple(k) if isinstance(k, list) else k] = self.decode(v)
            return out
        if t == "list":
            return [self.decode(v) for v in enc["items"]]
        if t == "tuple":
            return tuple(self.decode(v) for v in enc["items"])
        raise RuntimeError(f"tg.load: {self.where} is corrupt: unknown entry type {t!r}")


# ----------------------------------------------------------------------------- write/read ----
def write(fileobj, obj) -> None:
    """Write ``obj`` to ``fileobj`` in the old npz-style format."""
    enc = _Encoder()
    header = {"format": FORMAT, "version": VERSION, "root": enc.encode(obj)}
    if enc.bfloat16:
        header["bfloat16"] = enc.bfloat16
    blob = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as zf:
        with zf.open(HEADER, "w") as member:
            np.lib.format.write_array(member, blob, allow_pickle=False)
        for i, arr in enumerate(enc.arrays):
            with zf.open(f"t{i}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


def read(zf: zipfile.ZipFile, size: int, map_location, where: str):
    """The object in an opened old-format archive ``zf`` of a ``size``-byte file."""
    data_len = size

    def fetch(name: str):
        try:
            return _fileio.read_member(zf, name + ".npy", data_len, where)
        except RuntimeError:
            raise
        except Exception as e:  # noqa: BLE001 - any decoding failure means a damaged file
            raise RuntimeError(
                f"tg.load: {where} is truncated or corrupt ({type(e).__name__}: {e})"
            ) from None

    try:
        header = json.loads(fetch(HEADER[:-4]).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise RuntimeError(f"tg.load: {where} is truncated or corrupt ({e})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT or "root" not in header:
        raise RuntimeError(f"tg.load: {where} has no valid tinygrad_edu header")
    if header.get("version", 0) > VERSION:
        raise RuntimeError(
            f"tg.load: {where} was written by a newer format (version "
            f"{header['version']} > {VERSION})"
        )
    bits = set(header.get("bfloat16", ()))

    def fetch_typed(name: str):
        arr = fetch(name)
        if name in bits:
            if arr.dtype != np.uint16:
                raise RuntimeError(f"tg.load: {where} is corrupt: {name} is not bfloat16 bits")
            return arr.view(_BF16)
        return arr

    return _Decoder(fetch_typed, map_location, where).decode(header["root"])
