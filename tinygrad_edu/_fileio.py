"""Careful file I/O under ``tg.save`` / ``tg.load``.

- :func:`atomic_write`: a temporary file in the target's folder (its name holds the writer's
  pid), fsync, ``os.replace``; :func:`remove_stale_temporaries` deletes the temporaries of
  writers that died mid-save (``kill -9``).
- :func:`read_regular_file`: refuses a directory (``IsADirectoryError``, as torch), a FIFO, a
  socket or a device at once instead of blocking or reading forever.
- :func:`read_member`: one ``.npy`` member of a zip archive, read only when stored uncompressed
  with exactly the size its header declares, so a crafted file can not make loading allocate
  more than the file's own size (no "zip bomb").
"""

from __future__ import annotations

import math
import os
import pathlib
import re
import stat
import tempfile
import time
import zipfile

import numpy as np

from .dtype import kind_of


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: pathlib.Path, directory: pathlib.Path, write) -> None:
    """``write(fileobj)`` into ``.<name>.<pid>.XXXXXXXX.tmp`` beside ``path``, fsync, then
    ``os.replace`` it over ``path``: readers see the old file or the new one, never half of one.
    The pid in the name lets a later save tell a dead writer's leftovers from a live one's."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a saved file gets the usual mode
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (best effort; not possible on every OS)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


STALE_AFTER_S = 3600.0  # a temporary without a pid (older versions) is stale after an hour
# what follows ".<target name>." in a temporary's name: "<pid>.<mkstemp's 8 chars>.tmp"
_TMP_NAME = re.compile(r"(?:(\d+)\.)?[a-z0-9_]{8}\.tmp")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or can not tell: keep its file
    return True


def remove_stale_temporaries(path: pathlib.Path, directory: pathlib.Path) -> list[str]:
    """Delete ``.<name>.<pid>.*.tmp`` files of ``path`` whose writing process is gone (a save
    killed with ``kill -9`` never reached its cleanup); returns the names removed."""
    removed = []
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for e in entries:
        m = _TMP_NAME.fullmatch(e.name[len(prefix) :]) if e.name.startswith(prefix) else None
        if m is None:
            continue
        try:
            stale = not _pid_alive(int(m.group(1))) if m.group(1) else (
                time.time() - e.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
            )
            if stale and e.is_file(follow_symlinks=False):
                os.unlink(e.path)
                removed.append(e.name)
        except OSError:
            continue
    return removed


def read_regular_file(f, where: str) -> bytes:
    """The bytes of a regular file; a directory, FIFO, socket or device is refused at once."""
    try:  # O_NONBLOCK: opening a FIFO with no writer must not wait for one
        fd = os.open(os.fspath(f), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise FileNotFoundError(f"tg.load: no such file: {where}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"tg.load: {where} is a directory, not a checkpoint file") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(f"tg.load: {where} is a directory, not a checkpoint file")
        if not stat.S_ISREG(mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket"
                    if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode)
                    or stat.S_ISBLK(mode) else "not a regular file")
            raise RuntimeError(
                f"tg.load: {where} is {kind}, not a checkpoint file: only regular files are read"
            )
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def read_member(zf: zipfile.ZipFile, name: str, limit: int, where: str) -> np.ndarray:
    """One ``.npy`` member, read only if it is stored uncompressed and its size is exactly what
    its header's shape and dtype declare (so reading it allocates at most the file's size)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise RuntimeError(f"tg.load: {where} is corrupt: missing array {name[:-4]!r}") from None
    if info.compress_type != zipfile.ZIP_STORED:
        raise RuntimeError(
            f"tg.load: {where}: member {name!r} is compressed (zip method "
            f"{info.compress_type}); tinygrad_edu checkpoints store arrays uncompressed, and a "
            "compressed member can expand far beyond the file's size (a zip bomb): not read"
        )
    if info.file_size != info.compress_size or info.file_size > limit:
        raise RuntimeError(
            f"tg.load: {where} is truncated or corrupt: member {name!r} declares "
            f"{info.file_size} bytes in a {limit}-byte file"
        )
    with zf.open(info) as m:
        version = np.lib.format.read_magic(m)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(m)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(m)
        else:
            raise RuntimeError(f"tg.load: {where}: member {name!r} has .npy version {version}")
        header_len = m.tell()
    if dtype.hasobject or kind_of(dtype) not in "biuf":
        raise RuntimeError(f"tg.load: {where}: member {name!r} has unsupported dtype {dtype}")
    declared = header_len + math.prod(shape) * dtype.itemsize
    if declared != info.file_size:
        raise RuntimeError(
            f"tg.load: {where} is truncated or corrupt: member {name!r} declares shape "
            f"{shape} {dtype} ({declared} bytes with its header) but holds {info.file_size}"
        )
    with zf.open(info) as m:
        return np.lib.format.read_array(m, allow_pickle=False)
