"""Seed 002: the XOR problem - no straight line separates it, two hidden layers do.

Data: the book's 200 points x ~ U(-1, 1)², label 1 where x0·x1 > 0; the first 100 train, the
book's 100 validation points are cut into 50 validation and 50 test.
Model: Sequential(Linear(2, h), ReLU, Linear(h, h), ReLU, Linear(h, 1), Sigmoid).
Loss: BCELoss. Optimizer: SGD with small batches, as in the book.
"""

from ..datasets import make_xor
from .base import Data, Recipe

HIDDEN = 32


def load_data(cfg) -> Data:
    x, y = make_xor(200, seed=1)
    y = y.reshape(-1, 1)  # the model outputs (batch, 1)
    return Data(x[:100], y[:100], x[100:150], y[100:150], x[150:], y[150:])


def build(torch, cfg, data):
    nn = torch.nn
    return nn.Sequential(
        nn.Linear(2, HIDDEN),
        nn.ReLU(),
        nn.Linear(HIDDEN, HIDDEN),
        nn.ReLU(),
        nn.Linear(HIDDEN, 1),
        nn.Sigmoid(),
    )


def loss(torch):
    return torch.nn.BCELoss()


RECIPE = Recipe(
    name="xor",
    seed_note="002",
    summary="XOR of 200 uniform points with a two-hidden-layer MLP (SGD, BCELoss)",
    task="binary-prob",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=300, lr=0.05, optimizer="sgd", batch_size=4),
    bar=("acc", ">=", 0.95),
)
