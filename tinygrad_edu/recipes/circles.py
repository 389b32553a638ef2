"""Seed 003: two concentric circles. A model of Linear layers alone draws a straight line and
stays near 50%; put ReLUs between the layers and it bends around the inner circle.

Data: ``make_circles(1000, noise=0.03, random_state=42)``.
Variants: ``relu`` (default): 2-10-10-1 with ReLU; ``linear``: the same without ReLU.
Loss: BCEWithLogitsLoss (the model outputs logits).
"""

from ..datasets import make_circles
from .base import Data, Recipe, split_three

VARIANTS = ("relu", "linear")


def load_data(cfg) -> Data:
    x, y = make_circles(1000, noise=0.03, random_state=42)
    return Data(*split_three(x, y.reshape(-1, 1), seed=42, val=0.1, test=0.2))


def build(torch, cfg, data):
    nn = torch.nn
    act = nn.ReLU if (cfg.variant or "relu") == "relu" else nn.Identity
    return nn.Sequential(
        nn.Linear(2, 10),
        act(),
        nn.Linear(10, 10),
        act(),
        nn.Linear(10, 1),
    )


def loss(torch):
    return torch.nn.BCEWithLogitsLoss()


RECIPE = Recipe(
    name="circles",
    seed_note="003",
    summary="make_circles: linear model (fails, ~50%) vs ReLU MLP (--variant relu|linear)",
    task="binary-logit",
    load_data=load_data,
    build=build,
    loss=loss,
    defaults=dict(epochs=100, lr=0.01, optimizer="adam", batch_size=32),
    bar=("acc", ">=", 0.97),
    variants=VARIANTS,
)
