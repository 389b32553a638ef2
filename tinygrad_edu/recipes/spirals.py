"""Seed 003 (exercise): CS231n's three interleaved spirals, an MLP with Adam.

Data: ``make_spirals(200 per class, 3 classes)``, 70/10/20 train/val/test.
"""

from ..datasets import make_spirals
from .base import Data, Recipe, split_three

N_PER_CLASS = 200  # CS231n draws 100 per class; 200 gives the test split 120 points


def load_data(cfg) -> Data:
    x, y = make_spirals(N_PER_CLASS, 3, seed=0)
    return Data(*split_three(x, y, seed=42, val=0.1, test=0.2))


def build(torch, cfg, data):
    nn = torch.nn
    return nn.Sequential(
        nn.Linear(2, 64),
        nn.ReLU(),
        nn.Linear(64, 64),
        nn.ReLU(),
        nn.Linear(64, 3),
    )


def loss(torch):
    return torch.nn.CrossEntropyLoss()


RECIPE = Recipe(
    name="spirals",
    seed_note="003",
    summary="CS231n spirals, 3 classes: MLP with CrossEntropyLoss and Adam",
    task="multiclass",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=100, lr=0.005, optimizer="adam", batch_size=64),
    bar=("acc", ">=", 0.95),
)
