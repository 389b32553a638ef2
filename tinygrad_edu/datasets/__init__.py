"""Datasets for the recipes: toy generators, scikit-learn wrappers, MNIST IDX, reviews CSV.

Everything returns NumPy arrays; turn them into tensors with ``tg.tensor`` / ``tg.from_numpy``.
"""

from .mnist import IDXError, MNISTNotFoundError, load_mnist, parse_idx, read_idx, write_idx
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
