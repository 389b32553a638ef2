"""Seed 003: fit the straight line y = 0.7x + 0.3 with a Sequential of Linear layers, L1Loss.

Data: x = 0, 0.01, ..., 0.99; the first 80 points train (10 of them held out to validate),
the last 20 test - so the test set asks the model to extrapolate, as in the seed.
L1Loss has a gradient of constant size, so plain SGD keeps bouncing around the line;
ReduceLROnPlateau halves the learning rate whenever the validation loss stalls, and the fit
settles.
"""

import numpy as np

from ..datasets import make_line
from .base import Data, Recipe


def load_data(cfg) -> Data:
    x, y = make_line(weight=0.7, bias=0.3)
    val = np.zeros(80, dtype=bool)
    val[4::8] = True  # every 8th training point validates
    tr = ~val
    return Data(x[:80][tr], y[:80][tr], x[:80][val], y[:80][val], x[80:], y[80:])


def build(torch, cfg, data):
    nn = torch.nn
    return nn.Sequential(
        nn.Linear(in_features=1, out_features=10),
        nn.Linear(in_features=10, out_features=10),
        nn.Linear(in_features=10, out_features=1),
    )


def loss(torch):
    return torch.nn.L1Loss()


RECIPE = Recipe(
    name="line",
    seed_note="003",
    summary="y = 0.7x + 0.3 with a Sequential of Linear layers (L1Loss, SGD, ReduceLROnPlateau)",
    task="regression",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=500, lr=0.01, optimizer="sgd", batch_size=70),
    bar=("mae", "<=", 0.02),
    scheduler="plateau",
)
