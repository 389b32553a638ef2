"""Seeds 001/002: the MNIST DNN of seed 001 on scikit-learn's real 8×8 handwritten digits.

Linear + BatchNorm1d + Dropout(0.2) + ReLU blocks (64 → 128 → 128 → 128 → 10), LogSoftmax and
NLLLoss, Adam, early stopping on validation loss (patience 3) keeping the best weights, and
the seed's weight initialization (``--init kaiming`` by default). The final table carries
macro precision, recall, F1 and one-vs-rest ROC-AUC, the seed's four scores.
"""

from ..datasets import load_digits
from .base import Data, Recipe, split_three
from .dnn import build_dnn, nll_loss


def load_data(cfg) -> Data:
    x, y = load_digits()
    x = x / 16.0  # pixel intensities 0..16 -> [0, 1]
    return Data(*split_three(x.astype("float32"), y, seed=42), class_names=list(range(10)))


def build(torch, cfg, data):
    return build_dnn(torch, [data.n_features, 128, 128, 128], num_classes=10, dropout_ratio=0.2)


RECIPE = Recipe(
    name="digits",
    seed_note="001",
    summary="sklearn 8x8 digits: the seed-001 DNN (BatchNorm1d, Dropout, NLLLoss, Adam, "
    "early stopping)",
    task="multiclass",
    load_data=load_data,
    build=build,
    loss=nll_loss,
    defaults=dict(
        epochs=100, lr=0.001, optimizer="adam", batch_size=32, patience=5, init="kaiming"
    ),
    bar=("acc", ">=", 0.97),
)
