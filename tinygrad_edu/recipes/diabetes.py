"""Seed 004: linear regression (one Linear layer, MSELoss, SGD) on standardized features.

The seed used the Boston housing data, which scikit-learn removed; its diabetes data (442
patients, 10 features, disease progression after one year) takes its place.
"""

from ..datasets import load_diabetes
from .base import Data, Recipe, split_three, standardize


def load_data(cfg) -> Data:
    x, y = load_diabetes()
    x_tr, y_tr, x_val, y_val, x_te, y_te = split_three(x, y.reshape(-1, 1), seed=42, stratify=False)
    x_tr, x_val, x_te = standardize(x_tr, x_val, x_te)  # train statistics only
    return Data(x_tr, y_tr, x_val, y_val, x_te, y_te)


def build(torch, cfg, data):
    return torch.nn.Linear(data.n_features, 1)


def loss(torch):
    return torch.nn.MSELoss()


RECIPE = Recipe(
    name="diabetes",
    seed_note="004",
    summary="linear regression on scikit-learn's diabetes data (MSELoss, SGD)",
    task="regression",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=100, lr=0.01, optimizer="sgd", batch_size=32),
    bar=("r2", ">=", 0.40),
)
