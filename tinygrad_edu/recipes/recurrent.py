"""Seed 001's recurrent models: one classifier class, the cell (RNN, LSTM or GRU) chosen by the
recipe's name, ``--bidirectional`` as the seed's ``bidirectional=True``; two tasks
(``--variant``):

- ``digits`` (default): the 28×28 MNIST digits read row by row, a sequence of 28 steps of 28
  pixels, (N, T=28, F=28) with ``batch_first=True``; --data-dir reads the full MNIST IDX files.
- ``reviews``: the seed's text classifier, Embedding → RNN → Dropout → Linear, on the review
  sample shipped with the package (or a ``rating,review`` CSV in --data-dir): each review
  tokenized on spaces, the tokens mapped to indices by a Vocabulary built from the training
  split (``<PAD>`` = 0, ``<UNK>`` = 1) and padded to one length, (N, T) int64.

The model is the seed's ``RNNSequential``: ``output, _ = self.rnn(x)``, the last time step's
output ``output[:, -1, :]`` (N, hidden · directions) goes to Dropout(0.5) → Linear → logits,
trained with CrossEntropyLoss and Adam. (The seed wrote ``output, (hidden, _) = self.rnn(x)``,
which only unpacks for an LSTM.) Reviews are padded on the LEFT so that the last step is the
last word; the padding row of the embedding is zero and gets no gradient (padding_idx=0).
After a reviews run the learned embeddings' cosine similarity is printed for a few word pairs,
as the seed evaluates text with ``F.cosine_similarity``.
"""

from __future__ import annotations

import functools
import string

import numpy as np

from ..datasets import Vocabulary, load_reviews_csv, stratified_split
from .base import Data, Recipe, RecipeError
from .digits28 import load_digits28
from .reviews import find_csv

CELLS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
TASKS = ("digits", "reviews")
SIZES = {"digits": dict(hidden=128), "reviews": dict(hidden=64, embed=32)}
# (digits, reviews) bars. torch_reference.py, torch alone, seeds 0-4, same splits, test acc:
# digits (750 test images): RNN 0.839-0.911, GRU 0.929-0.952, LSTM 0.908-0.948; reviews (30
# test reviews): RNN 0.833-0.967, GRU 0.933-1.0, LSTM 0.867-0.967. Each bar is the worst run
# minus two binomial standard errors (one review is 3.3 points), rounded down to 0.01.
BARS = {"rnn": (0.81, 0.72), "gru": (0.91, 0.88), "lstm": (0.88, 0.76)}
PAIRS = [("great", "delicious"), ("rude", "cold"), ("great", "rude"), ("delicious", "bland")]


# ---- the reviews as padded index sequences ------------------------------------------------
def tokens(review: str) -> list[str]:
    """The words of a preprocessed review (split on spaces, punctuation tokens dropped)."""
    return [w for w in review.split(" ") if w and w not in string.punctuation]


def build_vocab(reviews: list[str], cutoff: int) -> Vocabulary:
    """``<PAD>`` = 0, ``<UNK>`` = 1, then each word seen more than ``cutoff`` times."""
    from collections import Counter

    vocab = Vocabulary({"<PAD>": 0}, add_unk=True)
    counts = Counter(w for r in reviews for w in tokens(r))
    for word in sorted(counts, key=lambda w: (-counts[w], w)):
        if counts[word] > cutoff:
            vocab.add_token(word)
    return vocab


def encode(reviews: list[str], vocab: Vocabulary, length: int) -> np.ndarray:
    """(N, length) int64: each review's indices, left-padded with 0 (the last ``length``
    tokens are kept when a review is longer)."""
    out = np.zeros((len(reviews), length), dtype=np.int64)
    for i, r in enumerate(reviews):
        ids = [vocab.lookup_token(w) for w in tokens(r)][-length:]
        if ids:
            out[i, length - len(ids):] = ids
    return out


def load_reviews(cfg) -> Data:
    try:
        ratings, reviews = load_reviews_csv(find_csv(cfg.data_dir))
    except (OSError, ValueError) as e:
        raise RecipeError(f"reviews task: {e}") from None
    names = sorted(set(ratings))
    if len(names) != 2:
        raise RecipeError(f"reviews task: need exactly 2 ratings, found {names}")
    y = np.array([names.index(r) for r in ratings], dtype=np.int64)
    i_tr, y_tr, i_val, y_val, i_te, y_te = stratified_split(np.arange(len(reviews)), y)
    train = [reviews[i] for i in i_tr]
    # as the reviews recipe: the seed's cutoff 25 suits 50k reviews, a small sample keeps pairs
    vocab = build_vocab(train, cutoff=25 if len(reviews) > 10_000 else 1)
    length = max(1, min(100, max(len(tokens(r)) for r in train)))

    def enc(ids):
        return encode([reviews[i] for i in ids], vocab, length)

    return Data(enc(i_tr), y_tr, enc(i_val), y_val, enc(i_te), y_te, class_names=names,
                extra={"vocab": vocab})


def load_data(cfg) -> Data:
    if cfg.variant == "reviews":
        return load_reviews(cfg)
    return load_digits28(cfg, layout="rows", scale="unit")


# ---- the model -----------------------------------------------------------------------------
def build(torch, cfg, data, cell: str = "LSTM"):
    """The seed's RNNSequential with ``cell`` (``"RNN"``, ``"LSTM"`` or ``"GRU"``)."""
    nn = torch.nn
    task = cfg.variant or "digits"
    bidirectional = getattr(cfg, "bidirectional", False)
    sizes = SIZES[task]
    num_classes = len(data.class_names)

    class RNNSequential(nn.Module):
        """[Embedding →] RNN/LSTM/GRU → last step's output → Dropout(0.5) → Linear."""

        def __init__(self, input_size, hidden_dim, num_classes, vocab_size=None, embed_dim=None,
                     bidirectional=False):
            super().__init__()
            if vocab_size is not None:
                self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
                input_size = embed_dim
            else:
                self.embedding = None
            self.rnn = getattr(nn, cell)(input_size, hidden_dim, batch_first=True,
                                         bidirectional=bidirectional)
            directions = 2 if bidirectional else 1
            self.classifier = nn.Sequential(
                nn.Dropout(0.5),
                nn.Linear(hidden_dim * directions, num_classes),
            )

        def forward(self, x):
            if self.embedding is not None:
                x = self.embedding(x)  # (N, T) indices -> (N, T, embed_dim)
            output, _ = self.rnn(x)  # (N, T, hidden * directions)
            last_output = output[:, -1, :]
            return self.classifier(last_output)

    if task == "reviews":
        return RNNSequential(None, sizes["hidden"], num_classes, len(data.extra["vocab"]),
                             sizes["embed"], bidirectional)
    return RNNSequential(data.x_train.shape[-1], sizes["hidden"], num_classes,
                         bidirectional=bidirectional)


def loss(torch):
    return torch.nn.CrossEntropyLoss()


def cosine_report(model, data, cfg) -> str:
    """The seed's evaluation of text models: cosine similarity of learned word vectors."""
    if cfg.variant != "reviews":
        return ""
    import tinygrad_edu as tg

    vocab = data.extra["vocab"]
    weight = model.embedding.weight.detach()
    lines = []
    for a, b in PAIRS:
        ia, ib = vocab.lookup_token(a), vocab.lookup_token(b)
        if vocab.unk_index in (ia, ib):
            continue
        sim = tg.nn.functional.cosine_similarity(weight[ia].unsqueeze(0), weight[ib].unsqueeze(0))
        lines.append(f"  cos({a}, {b}) = {sim.item():+.3f}")
    head = f"vocabulary: {len(vocab)} words (with <PAD>, <UNK>); embedding cosine similarity:"
    return "\n".join([head, *lines] if lines else [head, "  (none of the word pairs is known)"])


def make_recipe(name: str) -> Recipe:
    cell = CELLS[name]
    return Recipe(
        name=name,
        seed_note="001",
        summary=f"5,000 MNIST digits as 28 rows of 28 pixels, or --variant reviews (bar >= "
        f"{BARS[name][1]}): seed-001 {cell} -> last step -> Dropout+Linear, --bidirectional, Adam",
        task="multiclass",
        load_data=load_data,
        build=functools.partial(build, cell=cell),
        loss=loss,
        defaults=dict(epochs=25, lr=0.002, optimizer="adam", batch_size=64, patience=3),
        variant_defaults={"reviews": dict(epochs=40, lr=0.005, batch_size=16, patience=8)},
        bar=("acc", ">=", BARS[name][0]),
        variant_bars={"reviews": ("acc", ">=", BARS[name][1])},
        variants=TASKS,
        options=("bidirectional",),
        report=cosine_report,
    )
