"""Seed 000: a single perceptron (Linear + sigmoid) separates two Gaussian clusters.

Data: ``get_toy_data`` - points around (3, 3) labelled 0 and around (3, -2) labelled 1.
Model: Perceptron (one Linear layer, sigmoid output). Loss: BCELoss. Optimizer: Adam.
"""

from ..datasets import get_toy_data
from .base import Data, Recipe, split_three


def load_data(cfg) -> Data:
    x, y = get_toy_data(1000, seed=0)
    return Data(*split_three(x, y, seed=42), class_names=["left", "right"])


def build(torch, cfg, data):
    nn = torch.nn

    class Perceptron(nn.Module):
        """A perceptron is one linear layer followed by a sigmoid."""

        def __init__(self, input_dim):
            super().__init__()
            self.fc1 = nn.Linear(input_dim, 1)

        def forward(self, x_in):
            # (batch, features) -> (batch,) probabilities
            return torch.sigmoid(self.fc1(x_in)).squeeze(-1)

    return Perceptron(input_dim=data.n_features)


def loss(torch):
    return torch.nn.BCELoss()


RECIPE = Recipe(
    name="perceptron",
    seed_note="000",
    summary="perceptron on two Gaussian clusters (sigmoid, BCELoss, Adam)",
    task="binary-prob",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=20, lr=0.01, optimizer="adam", batch_size=64),
    bar=("acc", ">=", 0.97),
)
