"""The zip container of torch's checkpoint format, written the way torch's own writer (miniz,
through ``caffe2::serialize::PyTorchStreamWriter``) writes it, and read with bounds.

A checkpoint ``m.pth`` is a zip archive whose members all sit in one folder, ``m/``::

    m/data.pkl                   the pickled object; tensors name their storage by key
    m/.format_version            "1" (storages are numbered in the order they were pickled)
    m/.storage_alignment         "64"
    m/byteorder                  "little"
    m/data/0, m/data/1, ...      one storage each: its raw little-endian bytes
    m/version                    "3\\n"
    m/.data/serialization_id     40 digits (an id of the file's contents; torch never checks it)

Every member is stored uncompressed and its data starts at a multiple of 64 bytes (an ``FB``
extra field of ``Z`` padding in the local header), so torch can memory-map storages
(``torch.load(..., mmap=True)``). As miniz does, each non-empty member is followed by a 16-byte
data descriptor (its CRC-32 and sizes), and the archive ends with the zip64 end records.
Archives of 4 GiB or more (zip64 sizes and offsets) are not written.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib

ALIGN = 64
_U32 = 0xFFFFFFFF
_FLAGS = 0x0808  # bit 3: sizes and CRC in a data descriptor after the data; bit 11: UTF-8 names


def _hash_combine(seed: int, value: int) -> int:
    """c10::hash_combine (boost's), on 64-bit unsigned integers."""
    return (seed ^ (value + 0x9E3779B9 + (seed << 6) + (seed >> 2))) & 0xFFFFFFFFFFFFFFFF


def archive_name(filename: str | None) -> str:
    """The folder name torch uses: the file's name without its last extension (``m.pth`` ->
    ``m``), or ``archive`` for a file object or a name that is empty or not printable ASCII."""
    if not filename:
        return "archive"
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    if not stem or not stem.isascii() or not stem.isprintable():
        return "archive"
    return stem


def write(fh, name: str, records: list) -> None:
    """Write the archive of ``records`` (``[(record name, bytes-like)]``) under folder ``name``
    to the binary file ``fh``; ``.data/serialization_id`` is added at the end."""
    offset, central, crcs = 0, [], 0

    def add(rec: str, data) -> None:
        nonlocal offset, crcs
        view = memoryview(data).cast("B")
        size = view.nbytes
        full = f"{name}/{rec}".encode("utf-8")
        start = offset + 30 + len(full) + 4  # data would start here with an empty FB field
        pad = -start % ALIGN
        if size >= _U32 or offset + size + 4096 >= _U32:
            raise RuntimeError("tg.save: checkpoints of 4 GiB or more are not supported (zip64)")
        crc = zlib.crc32(view)
        flags = _FLAGS if size else 0x0800  # miniz writes no descriptor for an empty member
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, flags, 0, 0, 0, 0, 0, 0,
                             len(full), len(extra)) + full + extra)
        fh.write(view)
        header_at = offset
        offset += 30 + len(full) + len(extra) + size
        if size:
            fh.write(struct.pack("<IIII", 0x08074B50, crc, size, size))
            offset += 16
            crcs = _hash_combine(crcs, crc)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, flags, 0, 0, 0, crc,
                                   size, size, len(full), 0, 0, 0, 0, 0, header_at) + full)

    for rec, data in records:
        add(rec, data)
    names = sorted(rec for rec, _ in records)
    name_hash = int.from_bytes(
        hashlib.blake2b("\n".join(names).encode("utf-8"), digest_size=8).digest(), "little")
    add(".data/serialization_id", f"{name_hash:020d}{crcs:020d}".encode("ascii"))
    cd_start, cd = offset, b"".join(central)
    n = len(central)
    zip64_end = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x2D, 0, 0, n, n, len(cd),
                            cd_start)
    locator = struct.pack("<IIQI", 0x07064B50, 0, cd_start + len(cd), 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), cd_start, 0)
    fh.write(cd + zip64_end + locator + end)


# ------------------------------------------------------------------------------------ read ----
class Archive:
    """A torch zip checkpoint opened for reading: ``prefix`` is its folder, :meth:`record` one
    member's bytes, read only if stored uncompressed with a size that fits the file (a
    compressed member could expand far beyond it: a "zip bomb") and a matching CRC-32."""

    def __init__(self, zf: zipfile.ZipFile, prefix: str, limit: int, where: str):
        self.zf, self.prefix, self.limit, self.where = zf, prefix, limit, where

    @staticmethod
    def find_prefix(names: list[str]) -> str | None:
        """The folder holding ``data.pkl`` when every member sits in that one folder (as torch
        requires), else None."""
        pkl = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pkl) != 1:
            return None
        prefix = pkl[0][: -len("/data.pkl")]
        if any(not n.startswith(prefix + "/") for n in names):
            return None
        return prefix

    def has(self, rec: str) -> bool:
        return f"{self.prefix}/{rec}" in self.zf.NameToInfo

    def record(self, rec: str, size: int | None = None) -> bytes:
        full = f"{self.prefix}/{rec}"
        try:
            info = self.zf.getinfo(full)
        except KeyError:
            raise RuntimeError(f"tg.load: {self.where} is corrupt: no record {full!r}") from None
        if info.compress_type != zipfile.ZIP_STORED:
            raise RuntimeError(
                f"tg.load: {self.where}: record {full!r} is compressed (zip method "
                f"{info.compress_type}); torch writes every record uncompressed, and a compressed "
                "one can expand far beyond the file's size (a zip bomb): not read"
            )
        if info.file_size != info.compress_size or info.file_size > self.limit:
            raise RuntimeError(
                f"tg.load: {self.where} is truncated or corrupt: record {full!r} declares "
                f"{info.file_size} bytes in a {self.limit}-byte file"
            )
        if size is not None and info.file_size != size:
            raise RuntimeError(
                f"tg.load: {self.where} is truncated or corrupt: record {full!r} holds "
                f"{info.file_size} bytes, its tensor metadata says {size}"
            )
        try:
            return self.zf.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:  # CRC, cut data
            raise RuntimeError(
                f"tg.load: {self.where} is truncated or corrupt ({type(e).__name__}: {e})"
            ) from None
