"""Seed 000: a bag-of-words perceptron classifies restaurant reviews as positive or negative.

Data: a CSV in the Yelp layout (``rating,review``) - ``--data-dir`` may name the CSV itself or
a folder holding ``reviews.csv`` (or the book's ``reviews_with_splits_lite.csv``); without it
the ~200-line sample shipped with the package is used.
Pipeline: Vocabulary (with UNK; words seen more than ``cutoff`` times), one-hot
ReviewVectorizer, ReviewClassifier (one Linear layer giving a logit), BCEWithLogitsLoss, Adam,
ReduceLROnPlateau on the validation loss, early stopping. Afterwards the words with the
largest and smallest weights - the most positive and most negative words - are printed.
"""

import os

import numpy as np

from ..datasets import ReviewVectorizer, load_reviews_csv
from .base import Data, Recipe, RecipeError, split_three, to_numpy

CSV_NAMES = ("reviews.csv", "reviews_with_splits_lite.csv", "reviews_with_splits_full.csv")


def find_csv(data_dir):
    if data_dir is None:
        return None  # the shipped sample
    if os.path.isfile(data_dir):
        return data_dir
    for name in CSV_NAMES:
        p = os.path.join(data_dir, name)
        if os.path.isfile(p):
            return p
    raise RecipeError(
        f"reviews: no CSV in {data_dir}: put one of {', '.join(CSV_NAMES)} there "
        "(rows 'rating,review'), or pass --data-dir path/to/file.csv"
    )


def load_data(cfg) -> Data:
    try:
        ratings, reviews = load_reviews_csv(find_csv(cfg.data_dir))
    except (OSError, ValueError) as e:
        raise RecipeError(f"reviews: {e}") from None
    if len(set(ratings)) != 2:
        raise RecipeError(f"reviews: need exactly 2 ratings, found {sorted(set(ratings))}")
    idx = np.arange(len(reviews))
    rating_names = sorted(set(ratings))
    y_all = np.array([rating_names.index(r) for r in ratings], dtype=np.float32)
    i_tr, y_tr, i_val, y_val, i_te, y_te = split_three(idx, y_all, seed=42)
    train_reviews = [reviews[i] for i in i_tr]
    # the seed's cutoff of 25 suits the 50k-review Yelp set; a tiny sample keeps words seen twice
    cutoff = 25 if len(reviews) > 10_000 else 1
    vec = ReviewVectorizer.from_reviews([ratings[i] for i in i_tr], train_reviews, cutoff)

    def vectorize(ids):
        return np.stack([vec.vectorize(reviews[i]) for i in ids])

    return Data(
        vectorize(i_tr),
        y_tr,
        vectorize(i_val),
        y_val,
        vectorize(i_te),
        y_te,
        class_names=rating_names,
        extra={"vectorizer": vec},
    )


def build(torch, cfg, data):
    nn = torch.nn

    class ReviewClassifier(nn.Module):
        """A simple perceptron-based classifier."""

        def __init__(self, num_features):
            super().__init__()
            self.fc1 = nn.Linear(in_features=num_features, out_features=1)

        def forward(self, x_in, apply_sigmoid=False):
            y_out = self.fc1(x_in).squeeze(-1)
            if apply_sigmoid:
                y_out = torch.sigmoid(y_out)
            return y_out

    return ReviewClassifier(num_features=data.n_features)


def loss(torch):
    return torch.nn.BCEWithLogitsLoss()


def report(model, data, cfg, k: int = 10) -> str:
    """The words whose weights push hardest towards each rating (seed 000's analysis)."""
    vocab = data.extra["vectorizer"].review_vocab
    w = to_numpy(model.fc1.weight)[0]
    order = np.argsort(-w, kind="stable")
    pos = [vocab.lookup_index(int(i)) for i in order[:k]]
    neg = [vocab.lookup_index(int(i)) for i in order[::-1][:k]]
    names = data.class_names
    return (
        f"vocabulary: {len(vocab)} words (with <UNK>)\n"
        f"most {names[1]} words: {', '.join(pos)}\n"
        f"most {names[0]} words: {', '.join(neg)}"
    )


RECIPE = Recipe(
    name="reviews",
    seed_note="000",
    summary="restaurant reviews: Vocabulary, one-hot Vectorizer, perceptron, BCEWithLogits, "
    "ReduceLROnPlateau",
    task="binary-logit",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=30, lr=0.01, optimizer="adam", batch_size=16, patience=5),
    bar=("acc", ">=", 0.85),
    scheduler="plateau",
    report=report,
)
