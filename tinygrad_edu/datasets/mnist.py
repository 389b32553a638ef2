"""A hand-written reader for the IDX files MNIST ships in (gzip-compressed or raw).

IDX layout (big-endian): two zero bytes, one byte naming the element type, one byte giving
the number of dimensions n, then n uint32 sizes, then the elements in C order. MNIST's image
files are ``0x00000803`` (uint8, 3-D: count × 28 × 28) and its label files ``0x00000801``
(uint8, 1-D).
"""

from __future__ import annotations

import gzip
import os
import struct

import numpy as np

# element-type byte → big-endian NumPy dtype
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class IDXError(ValueError):
    """A file that is not a well-formed IDX file."""


class MNISTNotFoundError(FileNotFoundError):
    """The MNIST IDX files are not where we looked."""


def _read_bytes(path: str | os.PathLike) -> bytes:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":  # gzip magic, whatever the file is called
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise IDXError(f"read_idx: {path}: corrupt gzip stream ({e})") from None
    return raw


def parse_idx(raw: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an IDX file into an array (native byte order)."""
    if len(raw) < 4:
        raise IDXError(f"read_idx: {name}: only {len(raw)} bytes, too short for an IDX header")
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code not in IDX_DTYPES:
        raise IDXError(
            f"read_idx: {name}: bad magic number 0x{raw[:4].hex()} "
            "(an IDX file starts 00 00 <type 08|09|0b|0c|0d|0e> <ndim>)"
        )
    if ndim == 0:
        raise IDXError(f"read_idx: {name}: header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXError(f"read_idx: {name}: truncated header ({len(raw)} bytes, need {header})")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header
    if got != expected:
        raise IDXError(
            f"read_idx: {name}: header says shape {tuple(shape)} of {dtype.name} "
            f"({expected} data bytes) but the file holds {got} data bytes"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike, expect_ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (raw, or gzip-compressed whatever its name) into a NumPy array.

    Raises ``IDXError`` (a ValueError) naming the file on a bad magic number, a truncated
    header or a data size that does not match the header, and if ``expect_ndim`` is given
    and differs.
    """
    arr = parse_idx(_read_bytes(path), name=str(path))
    if expect_ndim is not None and arr.ndim != expect_ndim:
        raise IDXError(
            f"read_idx: {path}: expected a {expect_ndim}-D IDX file, got shape {arr.shape}"
        )
    return arr


def find_mnist_file(data_dir: str | os.PathLike, stem: str) -> str | None:
    """``stem`` or ``stem.gz`` in ``data_dir``, ``data_dir/MNIST/raw`` or ``data_dir/raw``."""
    for sub in ("", os.path.join("MNIST", "raw"), "raw"):
        for suffix in ("", ".gz"):
            p = os.path.join(data_dir, sub, stem + suffix)
            if os.path.isfile(p):
                return p
    return None


def mnist_missing_message(data_dir, missing: list[str]) -> str:
    return (
        f"MNIST files not found in {os.path.abspath(data_dir)}: missing "
        + ", ".join(f"{m}(.gz)" for m in missing)
        + f"; put train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), "
        f"t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz) in {data_dir} "
        "(or pass --data-dir DIR)"
    )


def load_mnist(data_dir: str | os.PathLike):
    """Load MNIST from IDX files in ``data_dir``.

    Returns ``(x_train, y_train, x_test, y_test)``: images uint8 (N, 28, 28) and labels int64.
    Raises ``MNISTNotFoundError`` naming exactly which files to put where.
    """
    paths = {k: find_mnist_file(data_dir, stem) for k, stem in MNIST_FILES.items()}
    missing = [MNIST_FILES[k] for k, p in paths.items() if p is None]
    if missing:
        raise MNISTNotFoundError(mnist_missing_message(data_dir, missing))
    out = {}
    for k, p in paths.items():
        out[k] = read_idx(p, expect_ndim=3 if k.endswith("images") else 1)
    for split in ("train", "test"):
        n_img, n_lab = len(out[f"{split}_images"]), len(out[f"{split}_labels"])
        if n_img != n_lab:
            raise IDXError(f"load_mnist: {split} has {n_img} images but {n_lab} labels")
    return (
        out["train_images"],
        out["train_labels"].astype(np.int64),
        out["test_images"],
        out["test_labels"].astype(np.int64),
    )


def write_idx(path: str | os.PathLike, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file (gzip when ``compress`` or the name ends in .gz)."""
    array = np.asarray(array)
    code = {v.newbyteorder("="): k for k, v in IDX_DTYPES.items()}.get(array.dtype)
    if code is None:
        raise TypeError(f"write_idx: dtype {array.dtype} has no IDX type code")
    raw = struct.pack(">HBB", 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    raw += array.astype(IDX_DTYPES[code]).tobytes()
    if compress is None:
        compress = str(path).endswith(".gz")
    with open(path, "wb") as f:
        f.write(gzip.compress(raw) if compress else raw)
