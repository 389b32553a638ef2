"""Datasets, samplers and the DataLoader (``torch.utils.data``), single-process.

A DataLoader asks its batch sampler for lists of indices, fetches those samples from the
dataset and collates them into batched tensors. Shuffling draws as torch's does: each pass
takes a base seed from the loader's generator, then the sampler permutes with a fresh
generator seeded from the default one (or with its own ``generator=``), so after
``tg.manual_seed(s)`` the batches come in torch's order. A ``numpy.random.Generator`` is also
accepted as ``generator=`` (NumPy's stream, not torch's).
"""

from .dataloader import DataLoader, default_collate, default_convert
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "RandomSampler", "Sampler",
    "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset", "default_collate",
    "default_convert", "random_split", "WeightedRandomSampler",
]
