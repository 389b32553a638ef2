"""tg.utils.data vs torch.utils.data: batches, collate, shuffling, samplers, random_split."""

from __future__ import annotations

import collections

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

torch.set_num_threads(1)


def _np(x):
    return x.numpy() if isinstance(x, (tg.Tensor, torch.Tensor)) else np.asarray(x)


def _same(ours, ref, where="batch"):
    """Structure, dtype and values of a collated batch equal torch's."""
    if isinstance(ref, torch.Tensor):
        assert isinstance(ours, tg.Tensor), f"{where}: {type(ours).__name__} is not a Tensor"
        assert tuple(ours.shape) == tuple(ref.shape), f"{where}: {ours.shape} vs {ref.shape}"
        assert str(ours.dtype) == str(ref.dtype), f"{where}: {ours.dtype} vs {ref.dtype}"
        np.testing.assert_array_equal(_np(ours), _np(ref), err_msg=where)
    elif isinstance(ref, dict):
        assert type(ours) is type(ref) and list(ours) == list(ref), where
        for k in ref:
            _same(ours[k], ref[k], f"{where}[{k!r}]")
    elif isinstance(ref, (list, tuple)):
        assert type(ours) is type(ref) and len(ours) == len(ref), (
            f"{where}: {type(ours).__name__}[{len(ours)}] vs {type(ref).__name__}[{len(ref)}]"
        )
        for i, (a, b) in enumerate(zip(ours, ref)):
            _same(a, b, f"{where}[{i}]")
    else:
        assert ours == ref, f"{where}: {ours!r} vs {ref!r}"


def _xy(n=10):
    X = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64) % 3
    return X, y


@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (3, False), (3, True), (4, True),
                                                    (10, False), (16, False)])
def test_sequential_batches_match_torch(batch_size, drop_last):
    X, y = _xy()
    ours = DataLoader(TensorDataset(tg.tensor(X), tg.tensor(y)), batch_size=batch_size,
                      drop_last=drop_last)
    ref = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)),
        batch_size=batch_size, drop_last=drop_last,
    )
    assert len(ours) == len(ref)
    got, want = list(ours), list(ref)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        _same(a, b, f"batch {i}")


class _Samples(Dataset):
    """Samples of mixed structure: what default_collate must batch like torch."""

    def __init__(self, lib, n=7):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        lib = self.lib
        return {
            "x": lib.tensor([float(i), 2.0 * i]),
            "arr": np.full((2, 2), i, dtype=np.float32),
            "pair": (i, float(i) / 2),
            "nested": [{"k": np.int64(i), "flag": bool(i % 2)}, "name"],
            "label": i % 2,
            "od": collections.OrderedDict(a=lib.tensor(i), b=np.float64(i)),
        }


@pytest.mark.parametrize("batch_size", [1, 3, 7])
def test_default_collate_nested_structures_match_torch(batch_size):
    ours = list(DataLoader(_Samples(tg), batch_size=batch_size))
    ref = list(torch.utils.data.DataLoader(_Samples(torch), batch_size=batch_size))
    _same(ours, ref)


def test_collate_numbers_and_errors():
    _same(default_collate([1.5, 2.5]), torch.utils.data.default_collate([1.5, 2.5]))
    _same(default_collate([1, 2]), torch.utils.data.default_collate([1, 2]))
    _same(default_collate([(1, 2.0), (3, 4.0)]),
          torch.utils.data.default_collate([(1, 2.0), (3, 4.0)]))
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([tg.zeros(2), tg.zeros(3)])


def test_batch_size_none_yields_converted_samples():
    X, y = _xy(4)
    ds = TensorDataset(tg.tensor(X), tg.tensor(y))
    items = list(DataLoader(ds, batch_size=None))
    assert len(items) == 4 and tuple(items[2][0].shape) == (3,)
    np.testing.assert_array_equal(items[2][0].numpy(), X[2])


def test_shuffle_is_a_seeded_full_permutation():
    n = 53
    X = np.arange(n, dtype=np.int64)
    ds = TensorDataset(tg.tensor(X))

    def epoch(loader):
        return np.concatenate([b[0].numpy() for b in loader])

    tg.manual_seed(123)
    loader = DataLoader(ds, batch_size=8, shuffle=True)
    e1, e2 = epoch(loader), epoch(loader)
    assert sorted(e1.tolist()) == list(range(n)) and sorted(e2.tolist()) == list(range(n))
    assert not np.array_equal(e1, X), "shuffle=True returned the data in order"
    assert not np.array_equal(e1, e2), "each epoch should draw a new permutation"
    tg.manual_seed(123)
    assert np.array_equal(epoch(DataLoader(ds, batch_size=8, shuffle=True)), e1)
    g1 = DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(7))
    g2 = DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(7))
    assert np.array_equal(epoch(g1), epoch(g2))
    dl = DataLoader(ds, batch_size=8, shuffle=True, drop_last=True)
    sizes = [len(b[0]) for b in dl]
    assert sizes == [8] * 6 and len(dl) == 6


def test_samplers():
    ds = list(range(10))
    assert list(SequentialSampler(ds)) == ds and len(SequentialSampler(ds)) == 10
    rs = RandomSampler(ds, generator=np.random.default_rng(0))
    assert sorted(rs) == ds and len(rs) == 10
    rs = RandomSampler(ds, replacement=True, num_samples=25, generator=np.random.default_rng(0))
    drawn = list(rs)
    assert len(drawn) == 25 and all(0 <= i < 10 for i in drawn)
    rs = RandomSampler(ds, num_samples=23, generator=np.random.default_rng(0))
    assert len(list(rs)) == 23
    assert list(BatchSampler(SequentialSampler(ds), 4, False)) == list(
        torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(ds), 4, False)
    )
    assert list(BatchSampler(range(10), 4, True)) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(BatchSampler(range(10), 4, True)) == 2
    assert len(BatchSampler(range(10), 4, False)) == 3
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(ds, num_samples=0)
    # a custom sampler and a batch_sampler drive the loader
    X, _ = _xy(6)
    dl = DataLoader(TensorDataset(tg.tensor(X)), batch_size=2, sampler=[5, 4, 3, 2, 1, 0])
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in dl]), X[::-1])
    dl = DataLoader(TensorDataset(tg.tensor(X)), batch_sampler=[[0, 5], [2]])
    assert [b[0].shape[0] for b in dl] == [2, 1] and len(dl) == 2


def test_loader_option_errors_like_torch():
    X, _ = _xy(4)
    ds = TensorDataset(tg.tensor(X))
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0]], batch_size=2)


def test_tensor_dataset():
    X, y = _xy(5)
    ds = TensorDataset(tg.tensor(X), tg.tensor(y))
    assert len(ds) == 5
    x2, y2 = ds[2]
    np.testing.assert_array_equal(x2.numpy(), X[2])
    assert int(y2) == y[2]
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(tg.zeros(5, 2), tg.zeros(4))


@pytest.mark.parametrize("n, lengths", [
    (10, [7, 3]), (10, [0.7, 0.3]), (11, [0.5, 0.5]), (10, [0.33, 0.33, 0.34]),
    (100, [0.8, 0.1, 0.1]), (7, [0.1, 0.2, 0.3, 0.4]), (60000, [48000, 12000]), (13, [1.0]),
])
def test_random_split_sizes_match_torch(n, lengths):
    ours = random_split(list(range(n)), lengths, generator=np.random.default_rng(0))
    ref = torch.utils.data.random_split(list(range(n)), lengths,
                                        generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in ref]
    merged = sorted(i for s in ours for i in s.indices)
    assert merged == list(range(n)), "splits must partition the dataset"
    assert all(isinstance(s, Subset) for s in ours)


def test_random_split_errors_and_seed_spelling():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(list(range(10)), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(list(range(10)), [0.5, 1.2, -0.7])
    # the seed's spelling: torch.utils.data.random_split and `from torch.utils.data import ...`
    tg.manual_seed(0)
    a = tg.utils.data.random_split(list(range(20)), [15, 5])
    tg.manual_seed(0)
    b = tg.utils.data.random_split(list(range(20)), [15, 5])
    assert a[0].indices == b[0].indices
    from tinygrad_edu.utils.data import DataLoader as DL  # noqa: F401


def test_subset_and_loader_over_subset():
    X, y = _xy(10)
    ds = TensorDataset(tg.tensor(X), tg.tensor(y))
    sub = Subset(ds, [9, 0, 4])
    assert len(sub) == 3
    np.testing.assert_array_equal(sub[0][0].numpy(), X[9])
    batches = list(DataLoader(sub, batch_size=2))
    np.testing.assert_array_equal(batches[0][0].numpy(), X[[9, 0]])
    np.testing.assert_array_equal(batches[1][1].numpy(), y[[4]])
    ref = list(torch.utils.data.DataLoader(
        torch.utils.data.Subset(torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)),
                                [9, 0, 4]), batch_size=2))
    _same(batches, ref)
    sub2 = Subset(sub, [2, 0])  # subsets of subsets
    np.testing.assert_array_equal(next(iter(DataLoader(sub2, batch_size=2)))[0].numpy(),
                                  X[[4, 9]])
    cat = ds + ds
    assert len(cat) == 20 and np.array_equal(cat[13][0].numpy(), X[3])
