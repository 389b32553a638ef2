"""torch's checkpoint format: the pickle that ``torch.save`` writes, and its safe reading.

Inside the zip (see :mod:`tinygrad_edu._torch_zip`), ``data.pkl`` holds the object. A tensor
is pickled as a call torch makes when it loads the file::

    torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
                                    OrderedDict())       # the last: backward hooks, none
    storage = persistent id ("storage", torch.FloatStorage, "0", "cpu", numel)

and ``data/0`` holds that storage's ``numel`` elements, little-endian. A view (``x[:, 1]``)
points into its base's storage with an offset and strides, so tensors that share memory share
one storage. A Parameter is ``torch._utils._rebuild_parameter(tensor, requires_grad,
OrderedDict())``; an OrderedDict is ``collections.OrderedDict()`` plus its items (and BUILD of
its attributes: a torch state_dict's ``_metadata``); a dtype is the global ``torch.float32``; a
device ``torch.device("cuda", 0)``; a ``Size`` ``torch.Size((2, 3))``.

Storage types and dtypes::

    FloatStorage float32   DoubleStorage float64   HalfStorage float16  BFloat16Storage bfloat16
    LongStorage  int64     IntStorage    int32     ShortStorage int16   CharStorage int8
    ByteStorage  uint8     BoolStorage   bool

Writing: NumPy arrays are saved as tensors and NumPy scalars as Python numbers (torch's
weights-only loader refuses NumPy's own pickle). Reading builds only what the allowlist below
names (tensors, Parameters, dtypes, devices, sizes, OrderedDict/Counter/set/complex/bytes);
anything else raises ``pickle.UnpicklingError`` naming the global. Loaded tensors own their
memory (tensors that shared a storage in the file are copies here; an expanded view, stride 0,
is copied out, and refused beyond 1 GiB so a small file can not demand any amount of memory).
"""

from __future__ import annotations

from collections import Counter, OrderedDict

import numpy as np

from . import _pickle_read
from ._pickle_write import Global, Persistent, Reduce, dumps
from ._size import Size
from ._torch_io import array_from_torch
from .backend import cuda_available, to_device, to_numpy
from .backend import device as _device
from .dtype import dtype as _DType
from .dtype import to_dtype
from .tensor import Tensor

STORAGE = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage",
    "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
}
_TENSOR_V2 = Global("torch._utils", "_rebuild_tensor_v2")
_PARAMETER = Global("torch._utils", "_rebuild_parameter")
_ODICT = Global("collections", "OrderedDict")
_CPU = "cpu"
_EXPANDED_LIMIT = 1 << 30  # bytes: an expanded (stride 0) view is copied out only up to this


def _is_torch_tensor(x) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach") and hasattr(x, "numpy")


def _contiguous_strides(shape) -> tuple:
    """torch's strides of a contiguous tensor (a size-0 dimension counts as 1)."""
    out, step = [], 1
    for s in reversed(shape):
        out.append(step)
        step *= max(int(s), 1)
    return tuple(reversed(out))


# ------------------------------------------------------------------------------------ save ----
class _Saver:
    """Turns tensors into storages (one per base array) for :func:`_pickle_write.dumps`."""

    def __init__(self):
        self.storages: dict[int, tuple[str, np.ndarray]] = {}  # id(base) -> (key, base)

    def _storage(self, arr: np.ndarray, location: str):
        """(persistent id, offset, stride) of ``arr``: a view of a contiguous base of the same
        dtype points into the base's storage; anything else is saved as its own copy."""
        base = arr
        while isinstance(base.base, np.ndarray):
            base = base.base
        item = arr.dtype.itemsize
        offset = arr.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        if not (arr.size and base.dtype == arr.dtype and base.flags.c_contiguous
                and offset >= 0 and offset % item == 0
                and all(s >= 0 and s % item == 0 for s in arr.strides)):
            base = np.array(arr, order="C", copy=True)  # keeps a 0-d array 0-d
            offset = 0
            strides = _contiguous_strides(arr.shape)
        else:
            strides = tuple(s // item for s in arr.strides)
        entry = self.storages.get(id(base))
        if entry is None:
            entry = self.storages[id(base)] = (str(len(self.storages)), base)
        pid = ("storage", Global("torch", STORAGE[arr.dtype.name]), entry[0], location,
               base.size)
        return Persistent(pid), offset // item, strides

    def tensor(self, arr, requires_grad: bool, location: str, where: str) -> Reduce:
        arr = np.asarray(arr)
        if arr.dtype.name not in STORAGE:
            raise TypeError(f"tg.save: the tensor at {where} has dtype {arr.dtype}, which a "
                            "torch checkpoint can not hold here")
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        storage, offset, stride = self._storage(arr, location)
        return Reduce(_TENSOR_V2, (storage, offset, tuple(int(s) for s in arr.shape), stride,
                                   bool(requires_grad), Reduce(_ODICT, ())))

    def convert(self, obj, where: str):
        if isinstance(obj, Tensor):
            dev = obj.device
            loc = _CPU if dev.type == "cpu" else f"{dev.type}:{dev.index or 0}"
            if type(obj).__name__ == "Parameter":
                data = self.tensor(to_numpy(obj._data), False, loc, where)
                return Reduce(_PARAMETER, (data, obj.requires_grad, Reduce(_ODICT, ())))
            return self.tensor(to_numpy(obj._data), obj.requires_grad, loc, where)
        if _is_torch_tensor(obj):
            arr = array_from_torch(obj.detach().cpu())
            return self.tensor(arr, obj.requires_grad, _CPU, where)
        if isinstance(obj, np.ndarray):
            if obj.dtype.hasobject:
                raise TypeError(f"tg.save: arrays of dtype {obj.dtype} at {where} can not be "
                                "saved safely")
            return self.tensor(obj, False, _CPU, where)
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, _DType):
            return Global("torch", obj.name)
        if isinstance(obj, _device):
            kind = "".join(list(obj.type))  # a string of its own, as torch's (memo: see tests)
            return Reduce(Global("torch", "device"),
                          (kind,) if obj.index is None else (kind, obj.index))
        if isinstance(obj, Size):
            return Reduce(Global("torch", "Size"), (tuple(obj),))
        if type(obj) is OrderedDict:
            state = dict(vars(obj)) or None
            return Reduce(_ODICT, (), items=list(obj.items()), state=state)
        if type(obj) is Counter:
            return Reduce(Global("collections", "Counter"), (dict(obj),))
        if type(obj) in (set, frozenset):
            return Reduce(Global("__builtin__", type(obj).__name__), (list(obj),))
        if type(obj) is complex:
            return Reduce(Global("__builtin__", "complex"), (obj.real, obj.imag))
        if type(obj) is bytes:
            return Reduce(Global("_codecs", "encode"), (obj.decode("latin1"), "latin1"))
        raise TypeError(
            f"tg.save: can not save {type(obj).__module__}.{type(obj).__qualname__} at {where}: "
            "a checkpoint holds tensors, NumPy arrays, numbers, strings, bytes, None, dtypes, "
            "devices and dicts/lists/tuples/sets of them (save a state_dict(), not the object)"
        )


def records(obj) -> list:
    """``[(record name, bytes-like)]`` of the archive torch.save writes for ``obj``."""
    saver = _Saver()
    pkl = dumps(obj, saver.convert)
    out = [("data.pkl", pkl), (".format_version", b"1"), (".storage_alignment", b"64"),
           ("byteorder", b"little")]
    for key, base in saver.storages.values():
        out.append((f"data/{key}", base.reshape(-1).view(np.uint8) if base.size else b""))
    out.append(("version", b"3\n"))
    return out


# ------------------------------------------------------------------------------------ load ----
class _StorageType:
    def __init__(self, dtype):
        self.dtype = dtype


class _Storage:
    def __init__(self, array: np.ndarray, location: str):
        self.array, self.location = array, location


_UNSUPPORTED = {
    "torch._utils._rebuild_sparse_tensor": "a sparse tensor",
    "torch._utils._rebuild_qtensor": "a quantized tensor",
    "torch._utils._rebuild_nested_tensor": "a nested tensor",
    "torch._utils._rebuild_meta_tensor_no_storage": "a meta tensor",
    "torch._utils._rebuild_wrapper_subclass": "a tensor subclass",
    "torch._utils._rebuild_device_tensor_from_numpy": "a tensor of a device tinygrad_edu lacks",
    "numpy.core.multiarray._reconstruct": "a NumPy array (torch.load(weights_only=True) refuses "
                                          "it too; save torch.from_numpy(a) instead)",
    "numpy._core.multiarray._reconstruct": "a NumPy array (torch.load(weights_only=True) "
                                           "refuses it too; save torch.from_numpy(a) instead)",
    "numpy.core.multiarray.scalar": "a NumPy scalar (save float(x) instead)",
    "numpy._core.multiarray.scalar": "a NumPy scalar (save float(x) instead)",
}


class _Loader:
    def __init__(self, archive, map_location, where: str, byteorder: str):
        self.archive, self.map_location, self.where = archive, map_location, where
        self.byteorder = byteorder
        self.storages: dict[str, _Storage] = {}

    def corrupt(self, what: str):
        return _pickle_read.UnpicklingError(f"tg.load: {self.where} is corrupt: {what}")

    def device(self, saved: str):
        return load_device(self.map_location, saved, self.where)

    def persistent_load(self, pid):
        if (type(pid) is not tuple or len(pid) != 5 or pid[0] != "storage"
                or not isinstance(pid[1], _StorageType) or type(pid[2]) is not str
                or type(pid[3]) is not str or type(pid[4]) is not int or pid[4] < 0):
            raise self.corrupt(f"bad persistent id {pid!r:.100}")
        _, stype, key, location, numel = pid
        got = self.storages.get(key)
        if got is None:
            dt = stype.dtype.np.newbyteorder("<" if self.byteorder == "little" else ">")
            raw = self.archive.record(f"data/{key}", numel * dt.itemsize)
            arr = np.frombuffer(raw, dtype=dt, count=numel)
            got = self.storages[key] = _Storage(arr, location)
        elif got.array.dtype.name != stype.dtype.np.name or got.array.size != numel:
            raise self.corrupt(f"storage {key} is read as two different types or sizes")
        return got

    def rebuild_tensor(self, storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
        if not isinstance(storage, _Storage) or type(storage_offset) is not int:
            raise self.corrupt("a tensor without a storage")
        if (type(size) not in (tuple, Size) or type(stride) is not tuple
                or len(size) != len(stride)
                or not all(type(v) is int and v >= 0 for v in (*size, *stride))):
            raise self.corrupt(f"tensor size {size!r:.60} / stride {stride!r:.60}")
        arr = storage.array
        last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
        if 0 in size:
            out = np.empty(size, dtype=arr.dtype)
        elif storage_offset < 0 or last >= arr.size:
            raise self.corrupt(f"tensor of size {list(size)}, stride {list(stride)} and offset "
                               f"{storage_offset} reaches past its storage of {arr.size}")
        else:
            item = arr.dtype.itemsize
            count = int(np.prod(size, dtype=object))
            if count > arr.size and count * item > _EXPANDED_LIMIT:  # stride 0: a broadcast
                raise self.corrupt(f"a tensor of size {list(size)} whose elements overlap in a "
                                   f"storage of {arr.size} would need {count * item} bytes")
            view = np.lib.stride_tricks.as_strided(
                arr[storage_offset:], shape=size, strides=[s * item for s in stride],
                writeable=False)
            out = np.array(view, dtype=arr.dtype.newbyteorder("="), order="C", copy=True)
        t = Tensor._wrap(to_device(out, self.device(storage.location)))
        if requires_grad is True:
            t.requires_grad_(True)
        return t

    def rebuild_tensor_v1(self, storage, storage_offset, size, stride):
        return self.rebuild_tensor(storage, storage_offset, size, stride)

    def rebuild_parameter(self, data, requires_grad, backward_hooks, state=None):
        from .nn.parameter import Parameter  # nn sits above serialization

        if not isinstance(data, Tensor) or state not in (None, {}, ((), {}), ({}, None)):
            raise self.corrupt("a Parameter without a tensor, or with attributes")
        return Parameter(data, requires_grad=bool(requires_grad))

    def rebuild_from_type(self, func, new_type, args, state):
        if func not in (self.rebuild_tensor, self.rebuild_parameter) or type(args) is not tuple:
            raise self.corrupt("_rebuild_from_type_v2 of an unknown function")
        out = func(*args)
        if new_type in (_TENSOR_TYPE, _PARAMETER_TYPE) and state in (None, {}):
            return out if new_type is _TENSOR_TYPE else self.rebuild_parameter(out, True, None)
        raise self.corrupt("a tensor subclass or a tensor with attributes")

    def allowed(self) -> dict:
        out = {f"torch.{name}": _StorageType(to_dtype(dt)) for dt, name in STORAGE.items()}
        out.update({f"torch.{dt}": to_dtype(dt) for dt in STORAGE})
        out.update({
            "torch._utils._rebuild_tensor_v2": self.rebuild_tensor,
            "torch._utils._rebuild_tensor": self.rebuild_tensor_v1,
            "torch._utils._rebuild_parameter": self.rebuild_parameter,
            "torch._utils._rebuild_parameter_with_state": self.rebuild_parameter,
            "torch._tensor._rebuild_from_type_v2": self.rebuild_from_type,
            "torch.Tensor": _TENSOR_TYPE, "torch.nn.parameter.Parameter": _PARAMETER_TYPE,
            "torch.device": _make_device, "torch.Size": Size,
            "collections.OrderedDict": OrderedDict, "collections.Counter": Counter,
            "builtins.set": set, "builtins.frozenset": frozenset, "builtins.complex": complex,
            "builtins.bytearray": _bytearray, "_codecs.encode": _latin1_encode,
        })
        return out

    def hint(self, name: str):
        if name in _UNSUPPORTED:
            return f"it is {_UNSUPPORTED[name]}, which tinygrad_edu does not load"
        if name.startswith("torch.") and (name[6:] in _TORCH_DTYPES or name.endswith("Storage")):
            return "a torch dtype tinygrad_edu has no twin for; convert it first, e.g. t.float()"
        return None


_TORCH_DTYPES = {"complex64", "complex128", "complex32", "uint16", "uint32", "uint64",
                 "float8_e4m3fn", "float8_e5m2", "qint8", "quint8", "qint32"}


class _Type:
    """A class named in the file (``torch.Tensor``), only ever compared, never called."""

    def __init__(self, name: str):
        self.name = name


_TENSOR_TYPE, _PARAMETER_TYPE = _Type("torch.Tensor"), _Type("torch.nn.parameter.Parameter")


def _bytearray(data=b""):
    if type(data) not in (bytes, bytearray):
        raise _pickle_read.UnpicklingError("bytearray is only built from bytes")
    return bytearray(data)


def load_device(map_location, saved: str, where: str):
    """Where a tensor saved on device ``saved`` is loaded, by ``map_location`` (None, a device
    or its name, or a ``{saved: target}`` dict); RuntimeError for a cuda target with no GPU
    here (the message suggests map_location='cpu'). Shared by both checkpoint formats."""
    ml = map_location
    if isinstance(ml, dict):
        ml = ml.get(saved, ml.get(saved.split(":")[0], ml.get(f"{saved}:0", saved)))
    try:
        dev = _device(saved if ml is None else ml)
    except (RuntimeError, ValueError, TypeError) as e:
        raise RuntimeError(f"tg.load: {where}: tensor location {saved!r}: {e}") from None
    if dev.type == "cuda" and not cuda_available():
        raise RuntimeError(
            f"tg.load: {where} holds tensors saved on '{saved}', but no CUDA GPU is "
            "available here (or CuPy is not installed). On a CPU-only machine load it with "
            "map_location='cpu': tg.load(path, map_location='cpu')"
        )
    return dev


def _make_device(*args):
    if not 1 <= len(args) <= 2 or type(args[0]) is not str:
        raise _pickle_read.UnpicklingError(f"bad torch.device arguments {args!r:.60}")
    return _device(*args)


def _latin1_encode(obj, encoding="utf-8", errors="strict"):
    if type(obj) is not str or encoding not in ("latin1", "latin-1"):
        raise _pickle_read.UnpicklingError("_codecs.encode: only latin1 text becomes bytes")
    return obj.encode("latin1")


def load(archive, map_location, where: str):
    """The object in ``archive`` (an opened :class:`_torch_zip.Archive`)."""
    byteorder = "little"
    if archive.has("byteorder"):
        byteorder = archive.record("byteorder").decode("ascii", "replace")
        if byteorder not in ("little", "big"):
            raise RuntimeError(f"tg.load: {where} has an unknown byteorder {byteorder!r}")
    loader = _Loader(archive, map_location, where, byteorder)
    pkl = archive.record("data.pkl")
    try:
        return _pickle_read.load(pkl, loader.allowed(), loader.persistent_load, loader.hint)
    except _pickle_read.UnpicklingError as e:
        if str(e).startswith("tg.load"):
            raise
        raise _pickle_read.UnpicklingError(f"tg.load: {where}: {e}") from None
