"""What a recipe is: its data, its model (built by the same code in tg and in torch), its
loss, its defaults, and the task that says how outputs become predictions and metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .. import metrics as M

TASKS = ("binary-prob", "binary-logit", "multiclass", "regression")
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}
INITS = ("default", "xavier", "kaiming", "normal")


class RecipeError(Exception):
    """A problem a user can fix (bad option, missing data): the CLI prints it on one line."""


class TrainingDiverged(RecipeError):
    """The loss or the outputs stopped being finite numbers."""


@dataclass
class Data:
    """NumPy arrays of one recipe, already split; y is shaped the way the loss wants it."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list | None = None
    extra: dict = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        return int(np.prod(self.x_train.shape[1:]))

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")


@dataclass
class Recipe:
    """One seed workflow. ``build(torch, cfg, data)`` receives the library (tinygrad_edu or
    torch) under the name ``torch``, so a single function body builds both twins."""

    name: str
    seed_note: str
    summary: str
    task: str
    load_data: Callable[[Any], Data]
    build: Callable[[Any, Any, Data], Any]
    loss: Callable[[Any], Any]
    defaults: dict
    bar: tuple[str, str, float]  # (metric, ">=" or "<=", value) measured on the test split
    variants: tuple[str, ...] = ()
    optim_kwargs: dict = field(default_factory=dict)  # extra args for the default optimizer
    scheduler: str | None = None  # None or "plateau"
    report: Callable | None = None  # extra lines after the run: report(model, data, cfg) -> str
    variant_defaults: dict = field(default_factory=dict)  # variant -> overrides of `defaults`
    variant_bars: dict = field(default_factory=dict)  # variant -> its own bar (else `bar`)
    options: tuple[str, ...] = ()  # extra command-line switches it reads ("bidirectional")
    # companion(trainer) -> an object trained beside the tg model on the same batches (the
    # scratch-mlp's hand-written NumPy network); see ``Companion`` for what it must provide
    companion: Callable | None = None

    def __post_init__(self):
        assert self.task in TASKS, self.task
        assert set(self.variant_defaults) <= set(self.variants), self.variant_defaults
        assert set(self.variant_bars) <= set(self.variants), self.variant_bars

    def defaults_for(self, variant: str | None) -> dict:
        """The recipe's defaults with its variant's overrides applied."""
        return {**self.defaults, **self.variant_defaults.get(variant, {})}

    def bar_for(self, variant: str | None) -> tuple[str, str, float]:
        """The bar of the default run, or of ``variant`` when it has its own."""
        return self.variant_bars.get(variant, self.bar)


class Companion:
    """What a recipe's ``companion`` returns; the loop calls these hooks (all optional to
    override). ``train_step`` runs right after tg's ``optimizer.step()``, so the parameters'
    ``.grad`` still hold the gradients of the batch ``(xb, yb)``."""

    def train_step(self, trainer, xb: np.ndarray, yb: np.ndarray, loss: float) -> None:
        pass

    def end_epoch(self, trainer) -> str | None:
        """Called after each epoch's validation; returns a line to print (or None)."""
        return None

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass

    def summary(self) -> dict:
        """Numbers for ``Result.extra``."""
        return {}

    def report(self) -> str:
        return ""

    def plot(self, trainer, plot_dir: str) -> list[str]:
        return []


def to_numpy(t) -> np.ndarray:
    """A tg or torch tensor (any device) as a NumPy array."""
    t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    return np.asarray(t.numpy())


def predictions(task: str, out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(predicted labels or values, scores for ROC-AUC) from raw model outputs."""
    if task == "binary-prob":
        s = out.reshape(-1)
        return (s >= 0.5).astype(np.int64), s
    if task == "binary-logit":
        s = out.reshape(-1)
        return (s >= 0).astype(np.int64), 1.0 / (1.0 + np.exp(-np.clip(s, -500, 500)))
    if task == "multiclass":
        z = out - out.max(axis=1, keepdims=True)  # softmax of logits or of log-probabilities
        p = np.exp(z)
        return out.argmax(axis=1), p / p.sum(axis=1, keepdims=True)
    return out.reshape(-1), None


def running_score(task: str, out: np.ndarray, y: np.ndarray) -> float:
    """Accuracy for classifiers, mean absolute error for regression (the progress-bar number)."""
    pred, _ = predictions(task, out)
    if task == "regression":
        return M.mean_absolute_error(y, pred)
    return M.accuracy_score(y.reshape(-1).astype(np.int64), pred)


def score_name(task: str) -> str:
    return "mae" if task == "regression" else "acc"


def split_metrics(task: str, out: np.ndarray, y: np.ndarray, loss: float) -> dict:
    """All metrics of one split."""
    pred, scores = predictions(task, out)
    row = {"loss": loss}
    if task == "regression":
        y = y.reshape(-1)
        row.update(
            mae=M.mean_absolute_error(y, pred),
            r2=M.r2_score(y, pred),
            mse=M.mean_squared_error(y, pred),
        )
        return row
    y = y.reshape(-1).astype(np.int64)
    avg = "binary" if task.startswith("binary") else "macro"
    p, r, f1 = M.precision_recall_f1(y, pred, average=avg)
    row.update(acc=M.accuracy_score(y, pred), precision=p, recall=r, f1=f1)
    try:
        row["roc_auc"] = M.roc_auc_score(y, scores, multi_class="ovr")
    except ValueError:  # a split with one class only
        row["roc_auc"] = float("nan")
    return row


def init_weights(nn, model, method: str):
    """The seed-001 ``weight_initialization``: every Linear's weight re-drawn, bias zeroed."""
    if method == "default":
        return model
    for m in model.modules():
        if isinstance(m, nn.Linear):
            if method == "normal":
                nn.init.normal_(m.weight)
            elif method == "xavier":
                nn.init.xavier_normal_(m.weight)
            elif method == "kaiming":
                nn.init.kaiming_normal_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


def make_optimizer(optim, recipe: Recipe, cfg, params):
    """``optim.<Name>(params, lr, **kwargs)``; the recipe's extra kwargs only for its own
    default optimizer (momentum for SGD, say)."""
    cls = getattr(optim, OPTIMIZERS[cfg.optimizer])
    kwargs = dict(recipe.optim_kwargs) if cfg.optimizer == recipe.defaults["optimizer"] else {}
    return cls(params, lr=cfg.lr, **kwargs)


def make_scheduler(optim, recipe: Recipe, optimizer):
    if recipe.scheduler == "plateau":  # seed 000: halve the lr when val loss stalls 1 epoch
        return optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=1)
    return None


def standardize(train: np.ndarray, *others: np.ndarray):
    """Per-feature z-score using the training split's mean and std (no test leakage)."""
    mu = train.mean(axis=0)
    sd = train.std(axis=0)
    sd = np.where(sd == 0, 1.0, sd)
    return tuple(((a - mu) / sd).astype(np.float32) for a in (train, *others))


def split_three(x, y, seed: int, val: float = 0.15, test: float = 0.15, stratify=True):
    """Shuffle and cut (x, y) into train/val/test with scikit-learn's train_test_split."""
    from ..datasets import train_test_split

    strat = y.reshape(len(y), -1)[:, 0] if stratify else None
    x_tr, x_rest, y_tr, y_rest = train_test_split(
        x, y, test_size=val + test, random_state=seed, stratify=strat
    )
    strat = y_rest.reshape(len(y_rest), -1)[:, 0] if stratify else None
    x_val, x_te, y_val, y_te = train_test_split(
        x_rest, y_rest, test_size=test / (val + test), random_state=seed, stratify=strat
    )
    return x_tr, y_tr, x_val, y_val, x_te, y_te
