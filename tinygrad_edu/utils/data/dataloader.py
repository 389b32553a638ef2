"""The DataLoader and the default collate (torch's batching rules), single-process."""

from __future__ import annotations

import collections.abc
import copy

import numpy as np

from ...creation import as_tensor, tensor
from ...dtype import float64 as _float64
from ...dtype import kind_of
from ...ops.join import stack
from ...tensor import Tensor
from .dataset import Subset, TensorDataset, _check_generator, _random_seed
from .sampler import BatchSampler, RandomSampler, SequentialSampler

_COLLATE_ERR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def default_collate(batch):
    """Stack a list of samples into a batch, recursing into dicts, tuples and lists
    (torch's rules: floats -> float64, ints -> int64, tuples -> lists, strings stay lists)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        shapes = {tuple(b.shape) for b in batch}
        if len(shapes) != 1:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {sorted(shapes)} in the batch"
            )
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        if kind_of(elem.dtype) not in "biuf":
            raise TypeError(_COLLATE_ERR.format(elem.dtype))
        return default_collate([as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        if kind_of(elem.dtype) not in "biuf":
            raise TypeError(_COLLATE_ERR.format(elem.dtype))
        return as_tensor(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=_float64)
    if isinstance(elem, (bool, int)):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(out)
            return clone
        return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(samples) for samples in zip(*batch)]
    raise TypeError(_COLLATE_ERR.format(type(elem)))


def default_convert(data):
    """Turn NumPy arrays in a sample into tensors, leaving the structure (no batching)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)) and kind_of(data.dtype) in "biuf":
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data



class DataLoader:
    """Iterate over a dataset in (optionally shuffled) mini-batches.

    Parameters
    ----------
    dataset : Dataset
    batch_size : int or None, default 1
        ``None`` yields single samples (converted, not batched).
    shuffle : bool
        A new permutation every epoch, drawn as torch's RandomSampler draws it.
    sampler, batch_sampler : optional
        Custom index order / custom batches (mutually exclusive with shuffle, as torch).
    collate_fn : callable, optional
        Merges a list of samples into a batch (default :func:`default_collate`).
    drop_last : bool
        Drop the last incomplete batch.
    generator : tg.Generator, optional
        The stream for the per-pass base seed and, with ``shuffle``, the permutations (torch's
        draws); default: the default generator. A ``numpy.random.Generator`` also works.
    num_workers, pin_memory, ... :
        Accepted for compatibility; loading is single-process.
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn=None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        _check_generator(generator)
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self._auto_collation = batch_sampler is not None
        self._default_collate = collate_fn is None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def _fetch(self, indices):
        ds = self.dataset
        if self._default_collate:
            base, idx = ds, indices
            while isinstance(base, Subset) and type(base).__getitem__ is Subset.__getitem__:
                base, idx = base.dataset, [base.indices[i] for i in idx]
            if type(base) is TensorDataset and not any(
                getattr(t, "requires_grad", False) for t in base.tensors
            ):  # same result as stacking the samples, with one gather per tensor
                return base._batch(idx)
        getitems = getattr(ds, "__getitems__", None)
        data = getitems(indices) if callable(getitems) else [ds[i] for i in indices]
        return self.collate_fn(data)

    def __iter__(self):
        # torch draws a base seed (for worker processes) from the loader's generator when an
        # iterator is made, before the sampler draws anything: the same draw keeps the streams
        # in step with torch's (loading itself is single-process here)
        self._base_seed = _random_seed(self.generator)
        return self._iterate()

    def _iterate(self):
        if self._auto_collation:
            for indices in self.batch_sampler:
                yield self._fetch(list(indices))
        else:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])

    def __len__(self) -> int:
        return len(self.batch_sampler) if self._auto_collation else len(self.sampler)
