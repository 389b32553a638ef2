"""Datasets, samplers and the DataLoader (``torch.utils.data``), single-process.

A DataLoader asks its batch sampler for lists of indices, fetches those samples from the
dataset and collates them into batched tensors. Shuffling draws from tinygrad_edu's host
generator (``tg.manual_seed``) unless a ``generator=`` (a ``np.random.Generator``) is given, so
a seeded run sees the same batches every time.
"""

from .dataloader import DataLoader, default_collate, default_convert
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = [
    "BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "RandomSampler", "Sampler",
    "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset", "default_collate",
    "default_convert", "random_split",
]
