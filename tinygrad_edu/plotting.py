"""Pictures of a training run (matplotlib).

Each function writes a PNG to ``path`` and returns the path, or, with ``path=None``, returns the
matplotlib Figure (shown inline in Jupyter; the docs build puts it on the page).

- ``plot_learning_curves``: loss and accuracy (or another metric), train vs validation.
- ``plot_decision_boundary``: a model's regions on a 2-D dataset, train and test points on
  top (the seed's helper_functions.plot_decision_boundary).
- ``plot_confusion_matrix`` and ``plot_predictions`` (1-D regression).
"""

from __future__ import annotations

import os
from typing import Callable, Sequence

import numpy as np


def _new(path, figsize, **subplots):
    """A figure and its axes. Saved to ``path``: drawn off-screen with matplotlib's object API
    (no pyplot, no backend to set up). ``path=None``: a pyplot figure, which Jupyter shows
    inline and the docs build captures."""
    if path is None:
        import matplotlib.pyplot as plt

        return plt.subplots(figsize=figsize, **subplots)
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.subplots(**subplots)


def _done(fig, path):
    if path is None:
        return fig
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def plot_learning_curves(history: dict, path: str | None = None, title: str = "",
                         metric: str = "acc"):
    """Loss (left) and ``metric`` (right) per epoch, train vs validation.

    ``history`` holds lists under ``train_loss``, ``val_loss``, ``train_<metric>``,
    ``val_<metric>`` (missing ones are skipped).
    """
    has_metric = bool(history.get(f"train_{metric}") or history.get(f"val_{metric}"))
    ncols = 2 if has_metric else 1
    fig, axes = _new(path, (6 * ncols, 4), nrows=1, ncols=ncols, squeeze=False)
    panels = [("loss", "loss")] + ([(metric, metric)] if has_metric else [])
    for ax, (key, label) in zip(axes[0], panels):
        for split, style in (("train", "-"), ("val", "--")):
            ys = history.get(f"{split}_{key}") or []
            if ys:
                ax.plot(range(1, len(ys) + 1), ys, style, lw=2, label=f"{split} {label}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return _done(fig, path)


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    x_train: np.ndarray,
    y_train: np.ndarray,
    path: str | None = None,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    title: str = "",
    resolution: int = 200,
):
    """Colour the plane by ``predict`` (2-D points → class labels), then scatter the points.

    Train points are circles, test points crosses, both coloured by their true class.
    """
    pts = x_train if x_test is None else np.concatenate([x_train, x_test])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.1 * (hi - lo) + 1e-6
    xx, yy = np.meshgrid(
        np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution),
        np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution),
    )
    grid = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
    zz = np.asarray(predict(grid)).reshape(xx.shape)
    classes = np.unique(np.concatenate([np.asarray(y_train).ravel(), zz.ravel()]))
    vmin, vmax = classes.min(), max(classes.max(), classes.min() + 1)
    import matplotlib

    cmap = matplotlib.colormaps["RdYlBu"]
    fig, ax = _new(path, (6, 6))
    ax.contourf(
        xx,
        yy,
        zz,
        alpha=0.35,
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        levels=np.arange(vmin - 0.5, vmax + 1.0),
    )
    ax.scatter(
        x_train[:, 0],
        x_train[:, 1],
        c=np.ravel(y_train),
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        s=18,
        edgecolors="k",
        linewidths=0.4,
        label="train",
    )
    if x_test is not None:
        ax.scatter(
            x_test[:, 0],
            x_test[:, 1],
            c=np.ravel(y_test),
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            s=40,
            marker="X",
            edgecolors="k",
            linewidths=0.6,
            label="test",
        )
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.legend(loc="upper right")
    ax.set_title(title or "decision boundary")
    return _done(fig, path)


def plot_confusion_matrix(
    cm: np.ndarray, path: str | None = None, labels: Sequence | None = None, title: str = ""
):
    """A confusion matrix as an annotated heat map (rows: true class, columns: predicted)."""
    cm = np.asarray(cm)
    k = cm.shape[0]
    labels = [str(v) for v in (labels if labels is not None else range(k))]
    fig, ax = _new(path, (max(4, 0.6 * k + 2), max(4, 0.6 * k + 2)))
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_xticks(range(k), labels)
    ax.set_yticks(range(k), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    thresh = cm.max() / 2.0 if cm.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                str(cm[i, j]),
                ha="center",
                va="center",
                color="white" if cm[i, j] > thresh else "black",
                fontsize=9,
            )
    ax.set_title(title or "confusion matrix (test)")
    return _done(fig, path)


def plot_predictions(x_train, y_train, x_test, y_test, predictions, path: str | None = None,
                     title=""):
    """1-D regression: train and test data, and the model's test predictions (seed 003)."""
    fig, ax = _new(path, (7, 5))
    ax.scatter(np.ravel(x_train), np.ravel(y_train), c="b", s=6, label="train data")
    ax.scatter(np.ravel(x_test), np.ravel(y_test), c="g", s=6, label="test data")
    ax.scatter(np.ravel(x_test), np.ravel(predictions), c="r", s=6, label="predictions")
    ax.legend()
    ax.set_title(title or "predictions")
    return _done(fig, path)
