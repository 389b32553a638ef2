"""Restaurant reviews in the Yelp layout (seed 000): a CSV loader, a Vocabulary and a
one-hot (bag-of-words) Vectorizer, as in *NLP with PyTorch* chapter 3.

CSV layout: rows of ``rating,review``, with or without a header line ``rating,review``
(an optional third ``split`` column is ignored). Ratings may be words (``negative``/
``positive``) or the Yelp polarity numbers (1 = negative, 2 = positive).
"""

from __future__ import annotations

import csv
import os
import re
import string
from collections import Counter
from importlib import resources

import numpy as np

SAMPLE_NAME = "reviews_sample.csv"
_RATING_WORDS = {"1": "negative", "2": "positive"}


def sample_path() -> str:
    """Path of the small review sample shipped with the package."""
    return str(resources.files("tinygrad_edu.datasets").joinpath("data", SAMPLE_NAME))


def preprocess_text(text: str) -> str:
    """Lower-case, put spaces around . , ! ? and drop other non-letters (the book's rule)."""
    text = text.lower()
    text = re.sub(r"([.,!?])", r" \1 ", text)
    text = re.sub(r"[^a-zA-Z.,!?]+", r" ", text)
    return text.strip()


def load_reviews_csv(path: str | os.PathLike | None = None) -> tuple[list[str], list[str]]:
    """Read ``(ratings, reviews)`` from a Yelp-layout CSV (the shipped sample by default).

    Raises ``ValueError`` naming the file and line on a malformed row, and
    ``FileNotFoundError`` when the file is absent.
    """
    path = sample_path() if path is None else os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"reviews CSV not found: {path}")
    ratings, reviews = [], []
    with open(path, newline="", encoding="utf-8") as f:
        for lineno, row in enumerate(csv.reader(f), start=1):
            if not row or not "".join(row).strip():
                continue
            if lineno == 1 and row[0].strip().lower() == "rating":
                continue
            if len(row) < 2:
                raise ValueError(f"{path}:{lineno}: expected 'rating,review', got {row!r}")
            rating = row[0].strip().lower()
            ratings.append(_RATING_WORDS.get(rating, rating))
            reviews.append(preprocess_text(row[1]))
    if not reviews:
        raise ValueError(f"{path}: no reviews in the file")
    return ratings, reviews


class Vocabulary:
    """Maps tokens to integer indices and back; an optional UNK token catches the unseen."""

    def __init__(self, token_to_idx: dict | None = None, add_unk: bool = True, unk_token="<UNK>"):
        self._token_to_idx = dict(token_to_idx or {})
        self._idx_to_token = {i: t for t, i in self._token_to_idx.items()}
        self._add_unk = add_unk
        self._unk_token = unk_token
        self.unk_index = self.add_token(unk_token) if add_unk else -1

    def add_token(self, token: str) -> int:
        """Index of ``token``, adding it if new."""
        if token in self._token_to_idx:
            return self._token_to_idx[token]
        index = len(self._token_to_idx)
        self._token_to_idx[token] = index
        self._idx_to_token[index] = token
        return index

    def lookup_token(self, token: str) -> int:
        """Index of ``token`` (the UNK index for unknown tokens when UNK is on)."""
        if self._add_unk:
            return self._token_to_idx.get(token, self.unk_index)
        return self._token_to_idx[token]

    def lookup_index(self, index: int) -> str:
        if index not in self._idx_to_token:
            raise KeyError(f"the index ({index}) is not in the Vocabulary")
        return self._idx_to_token[index]

    def __len__(self) -> int:
        return len(self._token_to_idx)

    def __repr__(self) -> str:
        return f"<Vocabulary(size={len(self)})>"


class ReviewVectorizer:
    """Turns a review into a one-hot bag-of-words vector over ``review_vocab``."""

    def __init__(self, review_vocab: Vocabulary, rating_vocab: Vocabulary):
        self.review_vocab = review_vocab
        self.rating_vocab = rating_vocab

    def vectorize(self, review: str) -> np.ndarray:
        one_hot = np.zeros(len(self.review_vocab), dtype=np.float32)
        for token in review.split(" "):
            if token not in string.punctuation:
                one_hot[self.review_vocab.lookup_token(token)] = 1
        return one_hot

    @classmethod
    def from_reviews(cls, ratings, reviews, cutoff: int = 25) -> "ReviewVectorizer":
        """Build the vocabularies: every rating, and the words seen more than ``cutoff`` times."""
        review_vocab = Vocabulary(add_unk=True)
        rating_vocab = Vocabulary(add_unk=False)
        for rating in sorted(set(ratings)):
            rating_vocab.add_token(rating)
        word_counts = Counter(
            w for review in reviews for w in review.split(" ") if w not in string.punctuation
        )
        for word, count in word_counts.items():
            if count > cutoff:
                review_vocab.add_token(word)
        return cls(review_vocab, rating_vocab)
