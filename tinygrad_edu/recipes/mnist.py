"""Seeds 001/002: the seed-001 DNN on MNIST, read from IDX files by the project's own reader.

Put train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz)
and t10k-labels-idx1-ubyte(.gz) in ``--data-dir`` (default ./MNIST_DATASET, the seed's folder;
torchvision's MNIST/raw/ layout inside it works too). 80% of the training images train, 20%
validate (as in the seed); the 10 000 t10k images test.
"""

import numpy as np

from ..datasets import MNISTNotFoundError, load_mnist
from .base import Data, Recipe, RecipeError
from .dnn import build_dnn, nll_loss

DEFAULT_DIR = "./MNIST_DATASET"


def load_data(cfg) -> Data:
    data_dir = cfg.data_dir or DEFAULT_DIR
    try:
        x_tr, y_tr, x_te, y_te = load_mnist(data_dir)
    except MNISTNotFoundError as e:
        raise RecipeError(str(e)) from None
    except ValueError as e:  # a corrupt IDX file
        raise RecipeError(str(e)) from None
    x_tr = x_tr.reshape(len(x_tr), -1).astype(np.float32) / 255.0
    x_te = x_te.reshape(len(x_te), -1).astype(np.float32) / 255.0
    perm = np.random.default_rng(42).permutation(len(x_tr))
    n_val = len(x_tr) // 5
    val, tr = perm[:n_val], perm[n_val:]
    return Data(x_tr[tr], y_tr[tr], x_tr[val], y_tr[val], x_te, y_te, class_names=list(range(10)))


def build(torch, cfg, data):
    return build_dnn(torch, [data.n_features, 128, 128, 128], num_classes=10, dropout_ratio=0.2)


RECIPE = Recipe(
    name="mnist",
    seed_note="001",
    summary="MNIST from IDX files in --data-dir: the seed-001 DNN (needs the 4 MNIST files)",
    task="multiclass",
    load_data=load_data,
    build=build,
    loss=nll_loss,
    defaults=dict(
        epochs=100, lr=0.001, optimizer="adam", batch_size=32, patience=3, init="kaiming"
    ),
    bar=("acc", ">=", 0.97),
)
