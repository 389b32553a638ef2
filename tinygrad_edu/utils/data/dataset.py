"""Map-style datasets: Dataset, TensorDataset, Subset, ConcatDataset and random_split."""

from __future__ import annotations

import bisect
import itertools
import math
import warnings

import numpy as np

from ... import backend
from ..._rng import kernels as _k
from ...creation import as_tensor
from ...random import Generator, engine_of
from ...tensor import Tensor


def _is_numpy_generator(generator) -> bool:
    return isinstance(generator, np.random.Generator)


def _check_generator(generator) -> None:
    if generator is None or isinstance(generator, Generator) or _is_numpy_generator(generator):
        return
    raise TypeError(
        "generator must be a tinygrad_edu.Generator (torch's stream), a numpy.random.Generator, "
        f"or None for the default generator; got {type(generator).__name__}"
    )


def _randperm(n: int, generator=None) -> list[int]:
    """``torch.randperm(n, generator=generator).tolist()``: torch's permutation for a
    ``tg.Generator`` or the default generator; NumPy's for a ``numpy.random.Generator``."""
    _check_generator(generator)
    if _is_numpy_generator(generator):
        return generator.permutation(n).tolist()
    return _k.randperm(engine_of(generator), int(n)).tolist()


def _randint(high: int, size: int, generator=None) -> list[int]:
    """``torch.randint(high=high, size=(size,), generator=generator).tolist()``."""
    _check_generator(generator)
    if _is_numpy_generator(generator):
        return generator.integers(0, high, size=size).tolist()
    return _k.random_from_to(engine_of(generator), (int(size),), np.int64, 0, int(high)).tolist()


def _random_seed(generator=None) -> int:
    """``torch.empty((), dtype=torch.int64).random_(generator=generator).item()``: a 63-bit seed
    from one 64-bit draw (a NumPy generator draws its own)."""
    _check_generator(generator)
    if _is_numpy_generator(generator):
        return int(generator.integers(0, 2**63 - 1))
    return int(_k.random_full(engine_of(generator), (), np.int64))


class Dataset:
    """A map-style dataset: ``__getitem__(index)`` and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are tuples ``(t[i] for t in tensors)``; all tensors share the first dim."""

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: at least one tensor is required")
        sizes = [t.shape[0] if t.ndim else None for t in tensors]
        if any(s != sizes[0] for s in sizes) or sizes[0] is None:
            raise AssertionError(
                "Size mismatch between tensors: first dimensions are "
                f"{[list(t.shape) for t in tensors]}"
            )
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _batch(self, indices: list[int]):
        """A whole batch with one fancy-index per tensor (what default_collate would stack)."""
        idx = np.asarray(indices, dtype=np.int64)
        out = []
        for t in self.tensors:
            if isinstance(t, Tensor):
                xp = backend.get_array_module(t._data)
                out.append(Tensor._wrap(t._data[xp.asarray(idx)]))
            else:
                out.append(as_tensor(np.asarray(t)[idx]))
        return out


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset: Dataset, indices) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list:
        inner = getattr(self.dataset, "__getitems__", None)
        if callable(inner):
            return inner([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after another."""

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = 0 if d == 0 else self.cumulative_sizes[d - 1]
        return self.datasets[d][idx - start]


def random_split(dataset: Dataset, lengths, generator=None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    ``lengths`` may be fractions summing to 1: each split gets ``floor(n·frac)`` items and the
    remainder is dealt out one by one from the first split on (torch's rule).
    """
    lengths = list(lengths)
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(int(math.floor(n * frac)))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
        lengths = sizes
    if sum(lengths) != n:
        raise ValueError(
            "Sum of input lengths does not equal the length of the input dataset! "
            f"(sum {sum(lengths)} != {n})"
        )
    indices = _randperm(n, generator)
    return [
        Subset(dataset, indices[end - size:end])
        for end, size in zip(itertools.accumulate(lengths), lengths)
    ]
