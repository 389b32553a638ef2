"""Seed 003: four Gaussian blobs, a small MLP with CrossEntropyLoss and SGD.

Data: ``make_blobs(1000, centers=4, cluster_std=1.5, random_state=42)``.
Model: Sequential(Linear(2, 8), ReLU, Linear(8, 8), ReLU, Linear(8, 4)) - logits.
"""

from ..datasets import make_blobs
from .base import Data, Recipe, split_three


def load_data(cfg) -> Data:
    x, y = make_blobs(1000, n_features=2, centers=4, cluster_std=1.5, random_state=42)
    return Data(*split_three(x, y, seed=42, val=0.1, test=0.2))


def build(torch, cfg, data):
    nn = torch.nn
    return nn.Sequential(
        nn.Linear(2, 8),
        nn.ReLU(),
        nn.Linear(8, 8),
        nn.ReLU(),
        nn.Linear(8, 4),
    )


def loss(torch):
    return torch.nn.CrossEntropyLoss()


RECIPE = Recipe(
    name="blobs",
    seed_note="003",
    summary="make_blobs, 4 classes: MLP with CrossEntropyLoss and SGD",
    task="multiclass",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=100, lr=0.1, optimizer="sgd", batch_size=32),
    bar=("acc", ">=", 0.99),
)
