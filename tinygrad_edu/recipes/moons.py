"""Seed 003 (exercise): two half moons, a ReLU MLP with BCEWithLogitsLoss.

Data: ``make_moons(1000, noise=0.03, random_state=42)``, 70/10/20 train/val/test.
"""

from ..datasets import make_moons
from .base import Data, Recipe, split_three


def load_data(cfg) -> Data:
    x, y = make_moons(1000, noise=0.03, random_state=42)
    return Data(*split_three(x, y.reshape(-1, 1), seed=42, val=0.1, test=0.2))


def build(torch, cfg, data):
    nn = torch.nn
    return nn.Sequential(
        nn.Linear(2, 16),
        nn.ReLU(),
        nn.Linear(16, 16),
        nn.ReLU(),
        nn.Linear(16, 1),
    )


def loss(torch):
    return torch.nn.BCEWithLogitsLoss()


RECIPE = Recipe(
    name="moons",
    seed_note="003",
    summary="make_moons with a ReLU MLP (BCEWithLogitsLoss, Adam)",
    task="binary-logit",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=50, lr=0.01, optimizer="adam", batch_size=32),
    bar=("acc", ">=", 0.96),
)
