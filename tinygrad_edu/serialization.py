"""``tg.save`` / ``tg.load``: checkpoints in torch's own file format, read without running code.

``tg.save(obj, "m.pth")`` writes what ``torch.save`` writes (torch 2.x's default zip format,
``_use_new_zipfile_serialization=True``), so real PyTorch opens it with ``torch.load`` - with
its default ``weights_only=True`` too - and ``tg.load`` opens files written by ``torch.save``:

* a zip archive with one folder ``m/`` (see :mod:`tinygrad_edu._torch_zip`): ``data.pkl``, the
  pickled object, and ``data/0``, ``data/1``, ... the raw little-endian bytes of each storage,
  plus ``version``, ``byteorder``, ``.format_version``, ``.storage_alignment`` and
  ``.data/serialization_id``, every record stored uncompressed at a 64-byte boundary;
* in ``data.pkl`` a tensor is ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
  requires_grad, OrderedDict())`` and its storage a persistent id naming ``torch.FloatStorage``
  (etc.) and the key ``"0"`` (see :mod:`tinygrad_edu._torch_checkpoint` for the dtype table).

What a checkpoint may hold: tensors and Parameters (float16/bfloat16/float32/float64, the ints,
uint8, bool; views keep their offset and strides), NumPy arrays (saved as tensors), numbers,
strings, bytes, None, dtypes, devices, and dicts/OrderedDicts/Counters/lists/tuples/sets of
them: a model's or an optimizer's ``state_dict()``, or a dict of several.

Why loading is safe: ``pickle.load`` would call any function a file names. tg.load never calls
it: :mod:`tinygrad_edu._pickle_read` executes the pickle opcodes itself and calls only the
functions on an allowlist (rebuild a tensor, a Parameter, a device, a Size, an OrderedDict...),
like torch's ``weights_only`` unpickler. Any other global raises ``pickle.UnpicklingError``
naming it, before anything runs. Reading is bounded: only regular files are read (a FIFO or a
device is refused at once, a directory raises ``IsADirectoryError`` as in torch), records must
be stored uncompressed (a "zip bomb" can not expand), with the size their tensors declare and a
matching CRC-32.

Also read: a ``.safetensors`` file (recognized by its content; a path ending in ``.safetensors``
is also written in that format, see :mod:`tinygrad_edu._safetensors`), and the npz-style
archives earlier versions of tinygrad_edu wrote (:mod:`tinygrad_edu._npz_checkpoint`). Torch's
legacy format (torch < 1.6, or ``_use_new_zipfile_serialization=False``) raises RuntimeError.

Saving to a path writes a temporary file in the target's directory, fsyncs it and
``os.replace``-s it over the target: a crash mid-save leaves the previous checkpoint intact. The
temporary file's name holds the writer's process id, so the next save removes temporaries whose
writer died (``kill -9`` mid-save).
"""

from __future__ import annotations

import io
import os
import pathlib
import pickle
import zipfile
from collections import OrderedDict

import numpy as np

from . import _fileio, _npz_checkpoint, _safetensors, _torch_checkpoint, _torch_zip
from ._torch_io import array_from_torch, torch_from_array
from .backend import device as _device
from .backend import to_numpy
from .tensor import Tensor

__all__ = ["save", "load", "to_torch_state_dict", "from_torch_state_dict"]

# torch < 1.6 (and _use_new_zipfile_serialization=False) files start with this pickled number
_LEGACY_MAGIC = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."


def _is_torch_tensor(x) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach") and hasattr(x, "numpy")


# ------------------------------------------------------------------------------------ save ----
def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True):
    """Save ``obj`` (a state_dict or a nested checkpoint dict) to ``f`` in torch's format.

    Parameters
    ----------
    obj : dict, list, tuple, Tensor, ...
        Tensors, Parameters, NumPy arrays (saved as tensors), Python numbers/strings/bytes/None,
        dtypes, devices and containers of them.
    f : str, os.PathLike or binary file object
        A path is written atomically (temporary file + fsync + ``os.replace``); the archive's
        folder is the file name without its extension, as torch names it. A path ending in
        ``.safetensors`` gets the safetensors format: ``obj`` must then be a flat
        ``{str: tensor}`` dict (a ``state_dict``), else ``TypeError``.
    pickle_module, pickle_protocol : ignored
        Accepted for torch compatibility; ``data.pkl`` is always protocol 2, torch's default.
    _use_new_zipfile_serialization : bool
        Must be True: torch's legacy format is not written (NotImplementedError).

    Raises
    ------
    TypeError
        An object that can not be saved (named with its place in ``obj``), or a tensor dtype
        without a torch storage type.
    RuntimeError
        The target's directory does not exist; a checkpoint of 4 GiB or more.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError(
            "tg.save: _use_new_zipfile_serialization=False (torch's legacy format) is not "
            "written; the default zip format is what torch.load reads"
        )
    if hasattr(f, "write"):
        recs = _torch_checkpoint.records(obj)  # a TypeError comes before any byte is written
        _torch_zip.write(f, _torch_zip.archive_name(None), recs)
        return
    path = pathlib.Path(os.fspath(f))
    directory = path.parent if str(path.parent) else pathlib.Path(".")
    if not directory.is_dir():
        raise RuntimeError(f"tg.save: directory {str(directory)!r} of {str(path)!r} does not exist")
    if path.suffix.lower() == ".safetensors":
        blob = _safetensors.dumps(obj, repr(str(path)))
        _fileio.atomic_write(path, directory, lambda fh: fh.write(blob))
    else:
        recs = _torch_checkpoint.records(obj)
        name = _torch_zip.archive_name(path.name)
        _fileio.atomic_write(path, directory, lambda fh: _torch_zip.write(fh, name, recs))
    _fileio.remove_stale_temporaries(path, directory)


# ------------------------------------------------------------------------------------ load ----
def _not_a_checkpoint(data: bytes, where: str) -> Exception:
    """The error for bytes that are neither a zip archive nor safetensors (torch's types)."""
    if data.startswith(_LEGACY_MAGIC) or data[257:262] == b"ustar":  # pickle or tar legacy
        return RuntimeError(
            f"tg.load: {where} is in torch's legacy format (torch < 1.6, or saved with "
            "_use_new_zipfile_serialization=False), which tinygrad_edu does not read; re-save it "
            "with torch.save's default settings"
        )
    if data[:2] == b"PK":
        return RuntimeError(f"tg.load: {where} is a truncated or corrupt zip archive")
    if data[:2] == b"\x80\x02":  # torch reads it as a legacy file and finds no magic number
        return RuntimeError(f"tg.load: can not read {where}: it is a plain pickle file, not a "
                            "torch checkpoint (no magic number; and tg.load never unpickles it)")
    why = ("it looks like a plain pickle file (not a torch checkpoint)" if data[:1] == b"\x80"
           else "it is a single .npy array" if data[:6] == b"\x93NUMPY"
           else "it is not a zip archive")
    return pickle.UnpicklingError(f"tg.load: can not read {where}: {why}; not a checkpoint")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object saved by :func:`save` or by ``torch.save``. Never executes code from it.

    Parameters
    ----------
    f : str, os.PathLike or binary file object
    map_location : None, str, device or dict, optional
        Device to put tensors on (``"cpu"``, ``"cuda"``, or ``{"cuda:0": "cpu"}``; a dict key
        may also be a bare device type, ``{"cuda": "cpu"}``).
    weights_only : bool, optional
        Accepted for torch compatibility: loading is always weights-only safe here.

    Returns
    -------
    The saved object; for a safetensors file an ``OrderedDict`` of tensors (file order).

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        No file at ``f``, or a directory (as torch).
    EOFError
        An empty file (as torch).
    pickle.UnpicklingError
        A global outside the allowlist (named in the message), a damaged pickle, or bytes that
        are no checkpoint at all (as torch).
    RuntimeError
        A truncated or damaged archive, compressed records, torch's legacy format, not a
        regular file (FIFO, device), or cuda tensors with no GPU here (the message suggests
        ``map_location="cpu"``).
    TypeError
        A safetensors dtype tinygrad_edu has no twin for (``F8_*``, ``U16``...).
    """
    if weights_only not in (None, True, False):
        raise TypeError(f"tg.load: weights_only must be a bool, got {weights_only!r}")
    if map_location is not None and not isinstance(map_location, (str, _device, dict)):
        raise TypeError(
            "tg.load: map_location must be None, a device string, a device or a dict, got "
            f"{type(map_location).__name__}"
        )
    if hasattr(f, "read"):
        where = repr(getattr(f, "name", "<file object>"))
        data = f.read()
    else:
        where = repr(os.fspath(f))
        data = _fileio.read_regular_file(f, where)
    if len(data) == 0:
        raise EOFError(f"tg.load: {where} is empty (0 bytes): not a checkpoint")
    if _safetensors.looks_like_safetensors(data[:9]):
        arrays = _safetensors.loads(data, where)
        dec = _npz_checkpoint._Decoder(arrays.__getitem__, map_location, where)
        return OrderedDict(
            (k, dec.decode({"t": "tensor", "a": k, "device": "cpu"})) for k in arrays
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_a_checkpoint(data, where) from None
    with zf:
        names = zf.namelist()
        if _npz_checkpoint.HEADER in names:
            return _npz_checkpoint.read(zf, len(data), map_location, where)
        prefix = _torch_zip.Archive.find_prefix(names)
        if prefix is None:
            raise RuntimeError(
                f"tg.load: can not read {where}: a zip archive but not a checkpoint (no "
                "<folder>/data.pkl with every record in that one folder)"
            )
        archive = _torch_zip.Archive(zf, prefix, len(data), where)
        return _torch_checkpoint.load(archive, map_location, where)


# ---------------------------------------------------------------------- torch interchange ----
def _convert(obj, leaf):
    if isinstance(obj, dict):
        out = type(obj)() if isinstance(obj, OrderedDict) else {}
        for k, v in obj.items():
            out[k] = _convert(v, leaf)
        return out
    if isinstance(obj, list):
        return [_convert(v, leaf) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_convert(v, leaf) for v in obj)
    return leaf(obj)


def to_torch_state_dict(state_dict):
    """A copy of ``state_dict`` (nested dicts/lists allowed) with every tg Tensor turned into a
    ``torch.Tensor`` (same dtype and values), e.g. for ``torch_model.load_state_dict``."""

    def leaf(v):
        if isinstance(v, Tensor):
            return torch_from_array(np.array(to_numpy(v._data), copy=True))
        return v

    return _convert(state_dict, leaf)


def from_torch_state_dict(state_dict):
    """A copy of a torch state_dict (nested allowed) with every torch tensor turned into a tg
    Tensor (same dtype and values)."""

    def leaf(v):
        if _is_torch_tensor(v):
            return Tensor._wrap(np.array(array_from_torch(v.detach().cpu()), copy=True))
        return v

    return _convert(state_dict, leaf)

