"""Seed 004: breast-cancer diagnosis, logistic regression or a 30-4-1 network, BCELoss,
mini-batches of 256 from a DataLoader.

Variants: ``logistic`` (default): Sequential(Linear(30, 1), Sigmoid);
``net``: Linear(30, 4) → ReLU → Linear(4, 1) → Sigmoid (the seed's NeuralNetwork).
"""

from ..datasets import load_breast_cancer
from .base import Data, Recipe, split_three, standardize

VARIANTS = ("logistic", "net")


def load_data(cfg) -> Data:
    x, y = load_breast_cancer()
    x_tr, y_tr, x_val, y_val, x_te, y_te = split_three(x, y.reshape(-1, 1), seed=42)
    x_tr, x_val, x_te = standardize(x_tr, x_val, x_te)
    return Data(x_tr, y_tr, x_val, y_val, x_te, y_te, class_names=["malignant", "benign"])


def build(torch, cfg, data):
    nn = torch.nn
    if (cfg.variant or "logistic") == "logistic":
        return nn.Sequential(nn.Linear(data.n_features, 1), nn.Sigmoid())

    class NeuralNetwork(nn.Module):
        def __init__(self, num_features):
            super().__init__()
            self.linear1 = nn.Linear(num_features, 4)  # 4 hidden units
            self.relu = nn.ReLU()
            self.linear2 = nn.Linear(4, 1)
            self.sigmoid = nn.Sigmoid()

        def forward(self, X):
            return self.sigmoid(self.linear2(self.relu(self.linear1(X))))

    return NeuralNetwork(data.n_features)


def loss(torch):
    return torch.nn.BCELoss()


RECIPE = Recipe(
    name="breast-cancer",
    seed_note="004",
    summary="breast cancer: logistic regression or 30-4-1 net (--variant), BCELoss, batch 256",
    task="binary-prob",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=100, lr=0.1, optimizer="sgd", batch_size=256),
    bar=("acc", ">=", 0.95),
    variants=VARIANTS,
)
