"""``op(..., out=out)`` for a random draw (bernoulli, multinomial): torch's checks, then the
write."""

from __future__ import annotations

import numpy as np


def into(out, arr, input, op: str):
    """``op(..., out=out)`` for a random draw: write ``arr`` into ``out``'s storage (resized
    when its shape differs, as torch resizes an out= tensor). ``out`` may not share memory
    with ``input`` nor be an expanded tensor (torch: RuntimeError, "unsupported operation")."""
    xp = np if isinstance(out._data, np.ndarray) else __import__("cupy")
    o = out._data
    if any(st == 0 and n > 1 for st, n in zip(o.strides, o.shape)):  # an expanded tensor
        raise RuntimeError(f"{op}: unsupported operation: more than one element of the "
                           "written-to tensor refers to a single memory location (out shape "
                           f"{list(out.shape)}). Please clone() the tensor.")
    if xp.shares_memory(o, input._data):
        raise RuntimeError(f"{op}: unsupported operation: some elements of the input tensor "
                           "and the written-to tensor refer to a single memory location "
                           f"(out shape {list(out.shape)}). Please clone() the tensor.")
    if tuple(out.shape) == tuple(arr.shape):
        xp.copyto(out._data, arr, casting="unsafe")
    else:
        out._data = arr.astype(out._data.dtype)
    out._version += 1
    return out
