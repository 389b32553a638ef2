"""Toy data generators from the seed notes, written out in NumPy.

Each generator takes a ``seed`` (or a ``numpy.random.Generator``) so a run is reproducible
and returns plain NumPy arrays; a recipe turns them into tensors.
"""

from __future__ import annotations

import numpy as np

LEFT_CENTER = (3.0, 3.0)
RIGHT_CENTER = (3.0, -2.0)


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def get_toy_data(
    batch_size: int,
    left_center=LEFT_CENTER,
    right_center=RIGHT_CENTER,
    seed=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clusters (seed 000, *NLP with PyTorch* ch. 3).

    Each point flips a fair coin: heads it is drawn around ``left_center`` with label 0,
    tails around ``right_center`` with label 1 (unit variance in both coordinates).

    Returns
    -------
    x : (batch_size, 2) float32
    y : (batch_size,) float32 labels in {0, 1}
    """
    rng = _rng(seed)
    right = rng.random(batch_size) <= 0.5
    centers = np.where(right[:, None], np.asarray(right_center), np.asarray(left_center))
    x = rng.normal(loc=centers, size=(batch_size, 2))
    return x.astype(np.float32), right.astype(np.float32)


def make_xor(n_samples: int = 200, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem (seed 002): x ~ U(-1, 1)², label 1 where x0·x1 > 0, else 0.

    Drawn with NumPy's legacy ``RandomState(seed)`` so ``seed=1`` gives the book's exact points
    (``np.random.seed(1); np.random.uniform(-1, 1, (200, 2))``).
    """
    x = np.random.RandomState(seed).uniform(low=-1.0, high=1.0, size=(n_samples, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float32)
    return x.astype(np.float32), y


def make_spirals(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed=0
) -> tuple[np.ndarray, np.ndarray]:
    """CS231n's spirals (seed 003): ``n_classes`` arms, ``n_per_class`` points each.

    Arm j has radius r = linspace(0, 1) and angle t = linspace(4j, 4(j+1)) + noise·N(0, 1);
    the point is (r·sin t, r·cos t).
    """
    rng = _rng(seed)
    x = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for j in range(n_classes):
        ix = slice(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + rng.standard_normal(n_per_class) * noise
        x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return x.astype(np.float32), y


def make_line(
    weight: float = 0.7, bias: float = 0.3, start: float = 0.0, end: float = 1.0, step: float = 0.01
) -> tuple[np.ndarray, np.ndarray]:
    """The straight line of seed 003: x = arange(start, end, step)[:, None], y = weight·x + bias."""
    x = np.arange(start, end, step, dtype=np.float32)[:, None]
    y = (weight * x + bias).astype(np.float32)
    return x, y
