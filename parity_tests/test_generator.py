"""tg.Generator: torch's seeded-stream idiom works wherever torch takes ``generator=``."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.utils.data import DataLoader, TensorDataset, random_split

torch = pytest.importorskip("torch")


def test_generator_api_matches_torch_shape():
    for lib in (tg, torch):
        g = lib.Generator().manual_seed(5)
        assert isinstance(g, lib.Generator) and g.initial_seed() == 5
    assert tg.Generator().initial_seed() == torch.Generator().initial_seed()


def test_seeded_generator_reproduces_and_leaves_the_global_stream_alone():
    tg.manual_seed(0)
    ref = tg.randn(4)
    tg.manual_seed(0)
    a = tg.randn(3, generator=tg.Generator().manual_seed(7))
    b = tg.randn(3, generator=tg.Generator().manual_seed(7))
    assert np.array_equal(a.numpy(), b.numpy())
    assert np.array_equal(tg.randn(4).numpy(), ref.numpy())  # global stream not consumed
    g = tg.Generator().manual_seed(1)
    assert not np.array_equal(tg.rand(5, generator=g).numpy(), tg.rand(5, generator=g).numpy())
    perm = tg.randperm(10, generator=tg.Generator().manual_seed(2))
    assert sorted(perm.tolist()) == list(range(10))
    assert tg.randint(0, 5, (20,), generator=tg.Generator().manual_seed(3)).max().item() < 5


def test_random_split_and_dataloader_take_a_generator():
    ds = TensorDataset(tg.arange(20.0))
    splits = [random_split(ds, [0.7, 0.3], generator=tg.Generator().manual_seed(0))
              for _ in range(2)]
    assert [list(s.indices) for s in splits[0]] == [list(s.indices) for s in splits[1]]
    assert [len(s) for s in splits[0]] == [len(s) for s in torch.utils.data.random_split(
        range(20), [0.7, 0.3], generator=torch.Generator().manual_seed(0))]
    order = [[b[0].tolist() for b in DataLoader(ds, 6, shuffle=True,
                                                generator=tg.Generator().manual_seed(4))]
             for _ in range(2)]
    assert order[0] == order[1] and sorted(sum(order[0], [])) == list(np.arange(20.0))
